"""*Menunggu Anda* on the home page: for each role, what waits for it, counted by the same
selector as the list it links to, and nothing of another area."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from enrollment.models import Ground, Kind
from instructions import reminders
from instructions import services as instruction_services
from instructions.models import Instruction
from pbipemda import waiting
from regions.months import add_months
from sktm import services as sktm_services
from tests.builders import (
    JATIPURO,
    JATIYOSO,
    KARANGANYAR,
    LONG_AGO,
    MOVED_OUT,
    NGEPUNGSARI,
    POOR_15,
    Q1,
    VILLAGE_B,
    enroll,
    propose,
    this_month,
)
from tests.factories import PersonFactory, UserFactory, district, village
from verification import services
from verification.models import Decision, ProposalItem

pytestmark = pytest.mark.django_db


def entries(user):
    return {entry.key: entry for entry in waiting.entries_for(user)}


def listed(client, user, entry):
    """The number of rows of the list the entry links to, as the user sees it."""
    client.force_login(user)
    response = client.get(entry.url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def home(client, user):
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_the_lurah_sees_forms_to_sign_off_and_the_operator_those_returned(
    client, operator_a, lurah_a, operator_b, submitted_form
):
    sktm_services.sktm_form_submit(actor=operator_a, data={**POOR_15, "nik": "3401010101900099"})
    # Village B's form: never counted for village A.
    sktm_services.sktm_form_submit(
        actor=operator_b,
        data={**POOR_15, "nik": "3401010101900098", "kk_number": "3401010101100098"},
    )
    entry = entries(lurah_a)["sktm_acknowledge"]
    assert entry.count == 2 == listed(client, lurah_a, entry)
    assert "sktm_returned" not in entries(operator_a)

    sktm_services.sktm_form_return(actor=lurah_a, form=submitted_form, note="Foto rumah kabur")
    entry = entries(operator_a)["sktm_returned"]
    assert entry.count == 1 == listed(client, operator_a, entry)
    assert entries(lurah_a)["sktm_acknowledge"].count == 1
    assert "sktm_returned" not in entries(operator_b)
    page = home(client, operator_a)
    assert "Menunggu Anda" in page and "Formulir SKTM dikembalikan untuk diperbaiki" in page
    assert entry.url in page


@pytest.fixture
def drafted(operator_a):
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    people = PersonFactory.create_batch(3, domicile_since=LONG_AGO)
    for person in people:
        propose(operator_a, proposal, person)
    return proposal


@pytest.fixture
def other_village_submitted(operator_b):
    """An Usulan of village B, sent: in the verifier's queue, nowhere in village A's."""
    lurah_b = UserFactory(role=Role.VILLAGE_HEAD, village=village(VILLAGE_B))
    proposal = services.proposal_open(actor=operator_b, month=this_month())
    person = PersonFactory(domicile_since=LONG_AGO, household__village=village(VILLAGE_B))
    propose(operator_b, proposal, person)
    return services.proposal_submit(actor=lurah_b, proposal=proposal, place="Temon")


def test_usulan_wait_for_the_lurah_then_the_verifier_then_the_village(
    client, drafted, other_village_submitted, operator_a, lurah_a, operator_b, verifier
):
    entry = entries(lurah_a)["usulan_to_send"]
    assert entry.count == 1 == listed(client, lurah_a, entry)
    assert "usulan_to_send" not in entries(operator_a)  # only the Lurah sends

    services.proposal_submit(actor=lurah_a, proposal=drafted, place="Jangkaran")
    assert "usulan_to_send" not in entries(lurah_a)
    entry = entries(verifier)["usulan_to_decide"]
    assert entry.count == 2 == listed(client, verifier, entry)

    services.proposal_return(actor=verifier, proposal=drafted, note="Lengkapi bukti")
    entry = entries(operator_a)["usulan_returned"]
    assert entry.count == 1 == listed(client, operator_a, entry)
    assert "usulan_returned" not in entries(operator_b)
    services.proposal_submit(actor=lurah_a, proposal=drafted, place="Jangkaran")

    first, second, third = drafted.items.order_by("pk")
    services.item_decide(actor=verifier, item=first, decision=Decision.APPROVED)
    services.item_decide(
        actor=verifier,
        item=second,
        decision=Decision.REJECTED,
        reason="evidence",
        reason_text="ID DTSEN tidak ditemukan",
    )
    assert "usulan_decided" not in entries(operator_a)  # not decided yet: still open
    services.item_decide(actor=verifier, item=third, decision=Decision.APPROVED)
    assert entries(verifier)["usulan_to_decide"].count == 1  # village B's remains

    entry = entries(operator_a)["usulan_decided"]
    assert entry.count == 1 == listed(client, operator_a, entry)
    assert [detail.text for detail in entry.details] == [f"{second.person.name} ditolak"]
    assert entry.details[0].note == "Bukti tidak lengkap atau tidak sah: ID DTSEN tidak ditemukan"
    assert entry.details[0].url.endswith(f"#item-{second.pk}")
    assert "usulan_decided" not in entries(operator_b)
    page = home(client, lurah_a)
    assert f"{second.person.name} ditolak" in page and "ID DTSEN tidak ditemukan" in page

    # Opening the decided Usulan is looking at it: for that user only.
    client.force_login(operator_a)
    client.get(reverse("verification:proposal_detail", args=[drafted.pk]))
    assert "usulan_decided" not in entries(operator_a)
    assert entries(lurah_a)["usulan_decided"].count == 1


def test_a_new_account_is_not_told_of_decisions_older_than_itself(drafted, lurah_a, verifier):
    services.proposal_submit(actor=lurah_a, proposal=drafted, place="Jangkaran")
    services.items_approve_pending(actor=verifier, proposal=drafted)
    newcomer = UserFactory(role=Role.OPERATOR, village=drafted.village)
    assert "usulan_decided" not in entries(newcomer)
    assert entries(lurah_a)["usulan_decided"].count == 1


def test_removals_wait_for_dukcapil_and_the_team_in_their_scope(client, verifier, dukcapil):
    found = []
    for code in (None, VILLAGE_B):
        household = {"household__village": village(code)} if code else {}
        person = PersonFactory(domicile_since=LONG_AGO, **household)
        enroll(verifier, person)
        item = ProposalItem(
            person=person, kind=Kind.REMOVAL, ground=Ground.MOVED_OUT, evidence=MOVED_OUT
        )
        found.append(services.removal_found(actor=verifier, item=item))
    for user in (dukcapil, verifier):
        entry = entries(user)["removals"]
        assert entry.count == 2 == listed(client, user, entry)


@pytest.mark.parametrize("persona", ["panewu_a", "agency_staff", "leadership"])
def test_roles_without_that_work_see_no_usulan_or_removal_entry(
    request, client, persona, drafted, other_village_submitted
):
    user = request.getfixturevalue(persona)
    assert not {"usulan_to_decide", "usulan_to_send", "removals"} & set(entries(user))
    assert "Menunggu Anda" in home(client, user)


def test_nothing_waiting_says_so(client, leadership):
    assert waiting.entries_for(leadership) == []
    assert "Tidak ada yang menunggu Anda." in home(client, leadership)


def test_instruksi_periods_and_village_reports_wait_for_their_addressees(client, settings):
    settings.REGION_PROFILE = "karanganyar"
    instruction = Instruction.objects.get(regency__code=KARANGANYAR, number="440/3 Tahun 2022")
    kades = UserFactory(role=Role.VILLAGE_HEAD, village=village(NGEPUNGSARI))
    camat = UserFactory(role=Role.DISTRICT_HEAD, district=district(JATIPURO))
    camat_other = UserFactory(role=Role.DISTRICT_HEAD, district=district(JATIYOSO))
    due = entries(kades)["instruction_periods"]
    assert due.count == len(reminders.open_periods(kades)) > 0
    assert "instruction_reviews" not in entries(camat)

    report = instruction_services.report_open(actor=kades, instruction=instruction, period_start=Q1)
    instruction_services.report_submit(actor=kades, report=report)
    assert entries(kades)["instruction_periods"].count == due.count - 1
    review = entries(camat)["instruction_reviews"]
    assert review.count == 1 == len(reminders.awaiting_review(camat))
    assert "instruction_reviews" not in entries(camat_other)
    client.force_login(camat)
    assert client.get(review.url).status_code in (200, 302)
    assert "Laporan desa menunggu telaah" in home(client, camat)


def test_navigation_badges_sum_the_same_selectors(drafted, lurah_a, verifier):
    badge = waiting.badge(waiting.proposals_to_send, waiting.proposals_to_decide)
    assert badge(lurah_a) == 1 and badge(verifier) == 0
    services.proposal_submit(actor=lurah_a, proposal=drafted, place="Jangkaran")
    assert badge(lurah_a) == 0 and badge(verifier) == 1


def decided_usulan(operator, lurah, verifier, month, size):
    proposal = services.proposal_open(actor=operator, month=month)
    for person in PersonFactory.create_batch(size, domicile_since=LONG_AGO):
        propose(operator, proposal, person)
    services.proposal_submit(actor=lurah, proposal=proposal, place="Jangkaran")
    for item in proposal.items.all():
        services.item_decide(actor=verifier, item=item, decision=Decision.REJECTED, reason="other")
    return proposal


def test_menunggu_anda_queries_do_not_grow_with_the_work(operator_a, lurah_a, verifier):
    decided_usulan(operator_a, lurah_a, verifier, this_month(), 1)
    with CaptureQueriesContext(connection) as few:
        assert len(entries(lurah_a)["usulan_decided"].details) == 1
    decided_usulan(operator_a, lurah_a, verifier, add_months(this_month(), 1), 4)
    with CaptureQueriesContext(connection) as more:
        assert len(entries(lurah_a)["usulan_decided"].details) == 5
    assert len(more) == len(few)
