import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from enrollment.models import LedgerEntry
from enrollment.participation import is_active
from jobs.models import Job
from pbipemda import navigation
from people.models import Person
from regions.models import Village
from regions.months import add_months
from sktm import letters
from tests.builders import DECLARATION, LONG_AGO, NEW_RESIDENT, faskes_id, propose, this_month
from tests.factories import PersonFactory, UserFactory, faskes, village
from verification import services
from verification.models import Decision, Proposal, ProposalItem, ProposalStatus

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_a_village_drafts_and_submits_and_the_team_decides(client, operator_a, lurah_a, verifier):
    login(client, operator_a)
    response = client.post(
        reverse("verification:proposal_open"), {"month": this_month().isoformat()}
    )
    proposal = Proposal.objects.get()
    assert response.url == reverse("verification:proposal_detail", args=[proposal.pk])
    add_url = reverse("verification:item_add", args=[proposal.pk])
    assert client.get(add_url).status_code == 200
    response = client.post(add_url, {**NEW_RESIDENT, "faskes": faskes_id()})
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(nik=NEW_RESIDENT["nik"])
    assert person.domicile_since.isoformat() == "2015-01-01"
    known = PersonFactory(domicile_since=LONG_AGO)
    client.post(
        add_url,
        {**NEW_RESIDENT, "nik": known.nik, "name": "", "kk_number": "", "faskes": faskes_id()},
    )
    assert proposal.items.count() == 2

    login(client, lurah_a)
    client.post(reverse("verification:proposal_submit", args=[proposal.pk]), {"place": "Temon"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    sheet = load_workbook(
        io.BytesIO(
            b"".join(client.get(reverse("verification:lampiran_d_xlsx", args=[proposal.pk])))
        )
    ).active
    assert sheet["D5"].value == "Tumini"

    login(client, verifier)
    queue = client.get(reverse("verification:proposal_list"))
    assert list(queue.context["page"]) == [proposal]
    first, second = proposal.items.order_by("pk")
    client.post(reverse("verification:item_decide", args=[first.pk]), {"decision": "approved"})
    client.post(
        reverse("verification:item_decide", args=[second.pk]),
        {"decision": "rejected", "reason": "evidence", "reason_text": "ID DTSEN tidak ditemukan"},
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED
    assert is_active(person) and not is_active(known)
    assert LedgerEntry.objects.count() == 1

    login(client, operator_a)
    page = client.get(reverse("verification:proposal_detail", args=[proposal.pk]))
    assert "ID DTSEN tidak ditemukan" in page.content.decode()
    assert "Bukti tidak lengkap atau tidak sah" in page.content.decode()


def test_a_bad_item_is_refused_with_the_reason_and_nothing_is_written(client, proposal, operator_a):
    login(client, operator_a)
    url = reverse("verification:item_add", args=[proposal.pk])
    response = client.post(
        url,
        {**NEW_RESIDENT, "domicile_since": timezone.localdate().isoformat(), "faskes": faskes_id()},
    )
    assert response.status_code == 200
    assert "berdomisili kurang dari 6 bulan" in response.content.decode()
    assert not Person.objects.filter(nik=NEW_RESIDENT["nik"]).exists()
    response = client.post(url, {**NEW_RESIDENT, "name": "", "nik": "123"})
    assert response.context["form"].errors["nik"]
    assert not ProposalItem.objects.exists()


def test_a_second_decision_is_told_it_came_too_late(client, submitted, verifier, admin_user):
    item = submitted.items.first()
    services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    login(client, admin_user)
    response = client.post(
        reverse("verification:item_decide", args=[item.pk]),
        {"decision": "rejected", "reason": "other"},
        follow=True,
    )
    assert "sudah diputuskan" in response.content.decode()
    item.refresh_from_db()
    assert item.decision == Decision.APPROVED


def test_the_combined_sktm_pdf_holds_each_letter(client, proposal, operator_a, lurah_a, letter):
    person = letter.person
    # The SKTM form asks neither SHDK nor status kawin; the Usulan needs both (Lampiran D).
    person.domicile_since, person.relationship, person.marital_status = LONG_AGO, 1, 2
    person.save()
    services.item_add(
        actor=operator_a,
        proposal=proposal,
        item=ProposalItem(
            person=person,
            kind="addition",
            ground="add_c2",
            letter=letter,
            evidence=DECLARATION,
            faskes=faskes(),
        ),
    )
    login(client, lurah_a)
    response = client.get(reverse("verification:letters_pdf", args=[proposal.pk]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert letter.number in text


def test_the_combined_sktm_pdf_opens_the_public_address_whatever_the_host(
    client, proposal, operator_a, lurah_a, letter, settings, monkeypatch
):
    settings.PUBLIC_BASE_URL = "https://pbi.kulonprogokab.go.id"
    addresses = []
    render = letters.letter_html
    monkeypatch.setattr(
        letters, "letter_html", lambda letter, url: addresses.append(url) or render(letter, url)
    )
    person = letter.person
    # The SKTM form asks neither SHDK nor status kawin; the Usulan needs both (Lampiran D).
    person.domicile_since, person.relationship, person.marital_status = LONG_AGO, 1, 2
    person.save()
    services.item_add(
        actor=operator_a,
        proposal=proposal,
        item=ProposalItem(
            person=person,
            kind="addition",
            ground="add_c2",
            letter=letter,
            evidence=DECLARATION,
            faskes=faskes(),
        ),
    )
    login(client, lurah_a)
    response = client.get(
        reverse("verification:letters_pdf", args=[proposal.pk]), HTTP_HOST="127.0.0.1"
    )
    assert response.status_code == 200
    assert addresses == [
        f"https://pbi.kulonprogokab.go.id/sktm/cek/{letter.token}/",
    ]


PROPOSAL_URLS = [
    "proposal_detail",
    "item_add",
    "lampiran_d_xlsx",
    "lampiran_d_pdf",
    "letters_pdf",
]


@pytest.mark.parametrize("name", PROPOSAL_URLS)
def test_another_villages_usulan_is_not_found(client, submitted, operator_b, name):
    login(client, operator_b)
    assert client.get(reverse(f"verification:{name}", args=[submitted.pk])).status_code == 404


@pytest.mark.parametrize("name", ["item_decide", "item_withdraw", "removal_validate"])
def test_another_villages_person_is_not_found(client, submitted, operator_b, agency_staff, name):
    item = submitted.items.first()
    for user in (operator_b, agency_staff):
        login(client, user)
        assert client.post(reverse(f"verification:{name}", args=[item.pk])).status_code == 404


def test_a_panewu_reads_its_villages_but_decides_nothing(client, submitted, panewu_a):
    login(client, panewu_a)
    assert (
        client.get(reverse("verification:proposal_detail", args=[submitted.pk])).status_code == 200
    )
    item = submitted.items.first()
    client.post(reverse("verification:item_decide", args=[item.pk]), {"decision": "approved"})
    item.refresh_from_db()
    assert item.decision == Decision.PENDING
    panewu_b = UserFactory(role="district_head", district=village("34.01.02.2001").district)
    login(client, panewu_b)
    assert (
        client.get(reverse("verification:proposal_detail", args=[submitted.pk])).status_code == 404
    )
    assert list(client.get(reverse("verification:proposal_list")).context["page"]) == []


def test_the_panewus_list_shows_its_villages_usulan_whatever_their_status(
    client, submitted, panewu_a, verifier
):
    """Issue 15 section 6: the Panewu/Camat follows its villages' Usulan, not the Tim
    Verifikasi's queue of those waiting: a closed or returned one stays in its list."""
    services.items_approve_pending(actor=verifier, proposal=submitted)
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.CLOSED
    draft = services.proposal_open(
        actor=UserFactory(role="operator", village=submitted.village),
        month=add_months(submitted.month, 1),
    )
    login(client, panewu_a)

    listed = list(client.get(reverse("verification:proposal_list")).context["page"])

    assert listed == [submitted]
    assert draft not in listed
    filtered = client.get(reverse("verification:proposal_list"), {"status": "submitted"})
    assert list(filtered.context["page"]) == []


def test_the_verifiers_queue_still_opens_on_the_usulan_waiting(client, submitted, verifier):
    services.items_approve_pending(actor=verifier, proposal=submitted)
    login(client, verifier)
    assert list(client.get(reverse("verification:proposal_list")).context["page"]) == []


def make_submitted_proposals(count, skip=0):
    """`count` submitted Usulan of different villages of Kulon Progo, one resident each."""
    created = []
    for place in Village.objects.filter(district__regency__code="34.01")[skip : skip + count]:
        lurah = UserFactory(role="village_head", village=place)
        proposal = services.proposal_open(actor=lurah, month=this_month())
        person = PersonFactory(household__village=place, domicile_since=LONG_AGO)
        propose(lurah, proposal, person)
        created.append(services.proposal_submit(actor=lurah, proposal=proposal, place=place.name))
    return created


def test_the_queue_is_oldest_first_and_its_queries_do_not_grow(client, verifier):
    make_submitted_proposals(3)
    login(client, verifier)
    url = reverse("verification:proposal_list")
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    dates = [proposal.submitted_at for proposal in response.context["page"]]
    assert dates == sorted(dates)
    make_submitted_proposals(12, skip=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"]) == 15
    assert len(many) == len(few)


def test_the_queue_filters_by_kapanewon_and_waiting_time(client, verifier):
    proposals = make_submitted_proposals(3)
    login(client, verifier)
    url = reverse("verification:proposal_list")
    district = proposals[0].village.district
    response = client.get(url, {"district": district.pk, "status": "submitted"})
    assert all(p.village.district_id == district.pk for p in response.context["page"])
    assert not list(client.get(url, {"waiting_days": 3}).context["page"])


def test_badges_count_what_waits(client, submitted, verifier, lurah_a, operator_a):
    badge = next(
        link.waiting for link in navigation._LINKS if link.url_name == "verification:proposal_list"
    )
    assert badge(verifier) == 1
    assert badge(lurah_a) == 0
    services.proposal_return(actor=verifier, proposal=submitted, note="Perbaiki")
    assert badge(operator_a) == 1 and badge(verifier) == 0
    login(client, operator_a)
    page = client.get(reverse("home")).content.decode()
    assert 'title="menunggu Anda">1<' in page


def export(client, user, **data):
    """Starts the export job (inline under tests) and reads the file it made back."""
    login(client, user)
    response = client.post(
        reverse("verification:export"), {"month": this_month().strftime("%Y-%m"), **data}
    )
    job = Job.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
    assert job.status == Job.Status.DONE, job.error
    download = client.get(reverse("jobs:download", args=[job.pk]))
    return job, load_workbook(io.BytesIO(b"".join(download.streaming_content))).active


def test_the_kabupaten_export_runs_as_a_job_and_respects_scope(
    client, submitted, admin_user, panewu_a, operator_b
):
    login(client, admin_user)
    assert client.get(reverse("verification:export")).status_code == 200
    job, sheet = export(client, admin_user)
    assert job.result["rows"] == 3 and job.done == job.total == 3
    assert sheet.max_row == 4 + 3
    assert sheet["N5"].value == "Jangkaran" and sheet["O5"].value == "Temon"
    status = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "3 penduduk" in status
    _, sheet = export(client, panewu_a, district=submitted.village.district_id)
    assert sheet.max_row == 4 + 3
    login(client, panewu_a)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    login(client, operator_b)
    assert client.get(reverse("verification:export")).status_code == 403


def test_out_of_scope_users_export_nothing_of_other_areas(client, submitted):
    panewu_b = UserFactory(role="district_head", district=village("34.01.02.2001").district)
    _, sheet = export(client, panewu_b)
    assert sheet.max_row == 4  # headers only


def test_ground_c2_takes_the_persons_valid_sktm(client, proposal, operator_a, letter):
    login(client, operator_a)
    response = client.post(
        reverse("verification:item_add", args=[proposal.pk]),
        {
            **NEW_RESIDENT,
            "ground": "add_c2",
            "nik": letter.person.nik,
            "name": "",
            "kk_number": "",
            "faskes": faskes_id(),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert proposal.items.get().letter == letter


def test_a_return_without_a_note_is_refused_with_the_reason(client, submitted, verifier):
    login(client, verifier)
    response = client.post(
        reverse("verification:proposal_return", args=[submitted.pk]), {"note": ""}, follow=True
    )
    assert "Tuliskan catatan untuk desa" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.SUBMITTED


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("verifier", True),
        ("leadership", True),
        ("panewu_a", True),
        ("admin_user", True),
        ("dukcapil", False),
        ("agency_staff", False),
    ],
)
def test_the_queue_offers_the_lampiran_d_export_only_to_who_may_run_it(
    request, client, submitted, persona, offered
):
    login(client, request.getfixturevalue(persona))
    page = client.get(reverse("verification:proposal_list")).content.decode()
    assert (reverse("verification:export") in page) == offered
    assert client.get(reverse("verification:export")).status_code == (200 if offered else 403)


def test_later_pages_of_the_queue_keep_its_default_filter(client, verifier, monkeypatch):
    from verification import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    returned, *waiting_ones = make_submitted_proposals(4)
    services.proposal_return(actor=verifier, proposal=returned, note="Lengkapi bukti")
    login(client, verifier)
    url = reverse("verification:proposal_list")
    shown = [*client.get(url).context["page"], *client.get(url, {"page": 2}).context["page"]]
    assert sorted(p.pk for p in shown) == sorted(p.pk for p in waiting_ones)


def test_the_queue_sorts_by_waiting_time_either_way_and_by_undecided(client, verifier):
    proposals = make_submitted_proposals(3)
    for index, proposal in enumerate(proposals):
        Proposal.objects.filter(pk=proposal.pk).update(
            submitted_at=timezone.now() - datetime.timedelta(days=10 - index)
        )
    oldest, middle, newest = proposals
    services.item_decide(actor=verifier, item=oldest.items.get(), decision=Decision.APPROVED)
    login(client, verifier)
    url = reverse("verification:proposal_list")
    assert list(client.get(url).context["page"]) == [middle, newest]
    page = client.get(url, {"urut": "terbaru", "status": "submitted"})
    assert list(page.context["page"]) == [newest, middle]
    assert "terbaru dikirim di atas" in page.content.decode()
    everything = client.get(url, {"urut": "belum", "status": ""}).context["page"]
    assert list(everything)[-1] == oldest  # closed: nothing left to decide
    content = client.get(url).content.decode()
    assert '<label class="form-label" for="queue-order">Urutkan</label>' in content
