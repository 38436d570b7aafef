import csv
import datetime
import io
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

import audit
from audit.models import AccessLog
from enrollment import services
from enrollment.imports import read_rows
from enrollment.models import Ground, Participation
from oversight.models import Outcome, Reverification
from people.nik import mask
from regions.models import Regency
from tests.builders import VILLAGE_A, VILLAGE_A2, VILLAGE_B, enrolled
from verification.models import ProposalItem

pytestmark = pytest.mark.django_db
OLD = datetime.date(2025, 1, 1)
TEMON, WATES = "34.01.01", "34.01.02"
FIGURE_PAGES = [
    "oversight:dashboard",
    "oversight:dashboard_xlsx",
    "oversight:recap",
    "oversight:recap_xlsx",
    "oversight:recap_pdf",
]
PREMIUM_PAGES = ["oversight:premium", "oversight:premium_xlsx"]


class FormInputs(HTMLParser):
    """The fields a browser would send from a page's POST form: hidden and text inputs with
    their values, and the checkboxes ticked by default."""

    def __init__(self):
        super().__init__()
        self.fields, self.checkboxes = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag != "input" or not attrs.get("name") or attrs["name"] == "csrfmiddlewaretoken":
            return
        if attrs.get("type") == "checkbox":
            self.checkboxes.append(attrs["value"])
            if "checked" in attrs:
                self.fields.append((attrs["name"], attrs["value"]))
        else:
            self.fields.append((attrs["name"], attrs.get("value", "")))


def bulk_submit(client, url, tick=(), **values):
    """Opens the bulk page and sends its form as a browser would, with the checkboxes of
    `tick` (people) ticked too and `values` typed in."""
    page = FormInputs()
    page.feed(client.get(url).content.decode())
    fields = [(name, value) for name, value in page.fields if name not in values]
    fields += [("skip", str(person.pk)) for person in tick] + list(values.items())
    body = urlencode(fields)
    return client.post(url, body, content_type="application/x-www-form-urlencoded"), page


def get(client, user, name, query="", *args):
    client.force_login(user)
    return client.get(reverse(name, args=args) + query)


@pytest.mark.parametrize("name", FIGURE_PAGES)
def test_figure_pages_open_for_every_area_role(client, persona, name, participants):
    assert get(client, persona, name).status_code == 200


@pytest.mark.parametrize("name", FIGURE_PAGES + PREMIUM_PAGES)
def test_an_agency_outside_dinsos_and_bkd_gets_nothing(client, dinkes, name):
    assert get(client, dinkes, name).status_code in (403, 404)


@pytest.mark.parametrize("name", FIGURE_PAGES + PREMIUM_PAGES)
def test_another_area_answers_404(client, operator_a, panewu_a, name, participants):
    assert get(client, operator_a, name, f"?desa={VILLAGE_B}").status_code in (403, 404)
    assert get(client, operator_a, name, f"?kapanewon={TEMON}").status_code in (403, 404)
    assert get(client, panewu_a, name, f"?desa={VILLAGE_B}").status_code in (403, 404)
    assert get(client, panewu_a, name, f"?kapanewon={WATES}").status_code in (403, 404)


@pytest.mark.parametrize("name", FIGURE_PAGES + PREMIUM_PAGES)
def test_figure_pages_refuse_post(client, admin_user, name):
    client.force_login(admin_user)
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("verifier", 200),
        ("leadership", 200),
        ("admin_user", 200),
        ("agency_staff", 200),
        ("bkd", 200),
        ("operator_a", 403),
        ("lurah_a", 403),
        ("panewu_a", 403),
        ("dukcapil", 403),
    ],
)
@pytest.mark.parametrize("name", PREMIUM_PAGES)
def test_the_premium_is_for_dinsos_bkd_sekda_and_admin(client, request, user, status, name):
    assert get(client, request.getfixturevalue(user), name).status_code == status


def test_a_lurah_sees_only_its_villages_dashboard(client, lurah_a, participants):
    response = get(client, lurah_a, "oversight:dashboard")
    assert response.context["area"].place.code == VILLAGE_A
    active = response.context["figures"][0].rows[-1][1]
    assert active == len(participants[VILLAGE_A])
    assert get(client, lurah_a, "oversight:dashboard", f"?desa={VILLAGE_A2}").status_code == 404


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("operator_a", 200),
        ("lurah_a", 200),
        ("panewu_a", 200),
        ("verifier", 200),
        ("leadership", 200),
        ("admin_user", 200),
        ("dukcapil", 403),
        ("agency_staff", 403),
    ],
)
def test_the_reverification_list_by_role(client, request, user, status, participants):
    response = get(client, request.getfixturevalue(user), "oversight:reverification_list")
    assert response.status_code == status


def test_the_list_shows_only_the_users_area(client, operator_a, panewu_a, verifier):
    here = enrolled(verifier, VILLAGE_A, OLD)
    there = enrolled(verifier, VILLAGE_B, OLD)
    page = get(client, operator_a, "oversight:reverification_list").content.decode()
    assert here.nik in page and there.nik not in page
    page = get(client, panewu_a, "oversight:reverification_list").content.decode()
    assert mask(here.nik) in page and mask(there.nik) not in page
    page = get(client, verifier, "oversight:reverification_list").content.decode()
    assert here.nik in page and there.nik in page


def test_bulk_page_by_role_and_area(client, operator_a, operator_b, panewu_a, verifier):
    enrolled(verifier, VILLAGE_A, OLD)
    name = "oversight:reverification_bulk"
    assert get(client, operator_a, name, "", VILLAGE_A).status_code == 200
    assert get(client, verifier, name, "", VILLAGE_A).status_code == 200
    assert get(client, operator_b, name, "", VILLAGE_A).status_code == 404
    assert get(client, panewu_a, name, "", VILLAGE_A).status_code == 403
    client.force_login(operator_a)
    assert client.put(reverse(name, args=[VILLAGE_A])).status_code == 405


def test_person_page_by_role_and_area(client, operator_a, operator_b, panewu_a, verifier):
    person = enrolled(verifier, VILLAGE_A, OLD)
    name = "oversight:reverification_person"
    assert get(client, operator_a, name, "", person.pk).status_code == 200
    assert get(client, panewu_a, name, "", person.pk).status_code == 200
    assert get(client, operator_b, name, "", person.pk).status_code == 404
    client.force_login(panewu_a)
    response = client.post(
        reverse(name, args=[person.pk]),
        {"checked_on": timezone.localdate().isoformat(), "outcome": Outcome.ELIGIBLE},
    )
    assert response.status_code == 403
    assert not Reverification.objects.exists()


def test_the_dinsos_user_reverifies_a_village_and_marks_one_moved_out(client, verifier):
    """Done when: who is overdue, a village's list in one go, one person moved out, the
    premium of this month and the projection."""
    joined = [enrolled(verifier, VILLAGE_B) for _ in range(2)]
    overdue = [enrolled(verifier, VILLAGE_A, OLD) for _ in range(3)]
    client.force_login(verifier)
    listing = client.get(reverse("oversight:reverification_list") + "?status=overdue")
    assert {row.person for row in listing.context["page"]} == set(overdue)
    assert listing.context["totals"]["overdue"] == 3

    bulk_url = reverse("oversight:reverification_bulk", args=[VILLAGE_A])
    rows = client.get(bulk_url).context["rows"]
    assert {row.person for row in rows} == set(overdue)
    leaving, *staying = overdue
    response, _ = bulk_submit(
        client,
        bulk_url,
        tick=[leaving],
        checked_on=timezone.localdate().isoformat(),
        note="Kunjungan rumah",
    )
    assert response.status_code == 302
    assert Reverification.objects.count() == 2

    response = client.post(
        reverse("oversight:reverification_person", args=[leaving.pk]),
        {
            "checked_on": timezone.localdate().isoformat(),
            "outcome": Outcome.INELIGIBLE,
            "ground": Ground.MOVED_OUT,
            "destination": "Kota Yogyakarta",
            "moved_on": "2026-10-30",
        },
    )
    assert response.status_code == 302
    item = ProposalItem.objects.awaiting_validation().get()
    assert item.person == leaving and item.evidence["destination"] == "Kota Yogyakarta"
    listing = client.get(reverse("oversight:reverification_list") + "?status=overdue")
    assert listing.context["totals"]["overdue"] == 0

    premium = client.get(reverse("oversight:premium"))
    total = premium.context["total"]
    assert total.current.participants == len(joined) + len(overdue)
    assert total.year_projection >= total.year_to_date > 0
    assert "Rp" in premium.content.decode()


def test_a_bulk_failure_shows_the_reason_and_writes_nothing(client, verifier):
    enrolled(verifier, VILLAGE_A, OLD)
    client.force_login(verifier)
    response, _ = bulk_submit(
        client,
        reverse("oversight:reverification_bulk", args=[VILLAGE_A]),
        checked_on=(timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
    )
    assert "tidak boleh di masa depan" in response.content.decode()
    assert not Reverification.objects.exists()


def test_a_bulk_list_that_changed_since_it_was_shown_records_nobody(client, verifier):
    enrolled(verifier, VILLAGE_A, OLD)
    url = reverse("oversight:reverification_bulk", args=[VILLAGE_A])
    client.force_login(verifier)
    page = FormInputs()
    page.feed(client.get(url).content.decode())
    enrolled(verifier, VILLAGE_A, OLD)  # due too, but not on the page the user saw
    response = client.post(url, dict(page.fields) | {"checked_on": timezone.localdate()})
    assert response.status_code == 200
    assert "Daftar peserta berubah" in response.content.decode()
    assert not Reverification.objects.exists()


def test_leaving_out_someone_not_in_the_list_is_refused(client, verifier, participants):
    outsider = participants[VILLAGE_B][0]
    enrolled(verifier, VILLAGE_A, OLD)
    client.force_login(verifier)
    response, _ = bulk_submit(
        client,
        reverse("oversight:reverification_bulk", args=[VILLAGE_A]),
        tick=[outsider],
        checked_on=timezone.localdate().isoformat(),
    )
    assert response.status_code == 200
    assert "tidak ada dalam daftar" in response.content.decode()
    assert not Reverification.objects.exists()


def test_a_refused_removal_shows_the_reason(client, verifier, operator_a):
    person = enrolled(verifier, VILLAGE_A, OLD)
    client.force_login(operator_a)
    response = client.post(
        reverse("oversight:reverification_person", args=[person.pk]),
        {
            "checked_on": timezone.localdate().isoformat(),
            "outcome": Outcome.INELIGIBLE,
            "ground": Ground.MOVED_OUT,
            "destination": "Sleman",
        },
    )
    assert response.status_code == 200
    assert "Bukti belum lengkap" in response.content.decode()
    assert not Reverification.objects.exists()


@pytest.mark.parametrize("month", ["0000-01", "2026-13", "9999-12", "1999-12", "2026-1", "x" * 500])
def test_a_month_out_of_range_is_shown_on_the_recap_and_refused_for_downloads(
    client, verifier, month
):
    page = get(client, verifier, "oversight:recap", f"?bulan={month}")
    assert page.status_code == 200
    assert page.context["form"].errors
    assert page.context["month"] == timezone.localdate().replace(day=1)
    for name in ("oversight:recap_xlsx", "oversight:recap_pdf"):
        response = get(client, verifier, name, f"?bulan={month}")
        assert response.status_code == 400
        assert "Bulan" in response.content.decode()


@pytest.mark.parametrize("year", ["0", "1999", "10000", "999999999999999999999", "dua"])
def test_a_year_out_of_range_is_shown_on_the_premium_and_refused_for_download(
    client, verifier, year
):
    page = get(client, verifier, "oversight:premium", f"?tahun={year}")
    assert page.status_code == 200
    assert page.context["form"].errors
    assert page.context["year"] == timezone.localdate().year
    response = get(client, verifier, "oversight:premium_xlsx", f"?tahun={year}")
    assert response.status_code == 400
    assert "Tahun" in response.content.decode()


@pytest.mark.parametrize("query", ["?desa=" + "9" * 300, "?kapanewon=" + "9" * 300])
def test_an_area_code_of_no_place_answers_404(client, verifier, query):
    assert get(client, verifier, "oversight:dashboard", query).status_code == 404


def test_a_bad_status_or_page_shows_the_default_list(client, verifier, participants):
    response = get(client, verifier, "oversight:reverification_list", "?status=zz&page=-5")
    assert response.status_code == 200
    assert response.context["status"] == ""
    assert response.context["page"].number == 1


def test_a_bad_figure_key_is_refused_for_the_dashboard_download(client, verifier):
    response = get(client, verifier, "oversight:dashboard_xlsx", "?grafik=%3Cx%3E")
    assert response.status_code == 400


def import_participants(admin_user, code, count, month):
    """`count` participants of village `code` since `month`, through the opening-balance import."""
    content = io.StringIO()
    writer = csv.writer(content)
    writer.writerow(["nik", "no_kk", "nama", "dusun", "rt", "rw", "kode_desa", "bulan_mulai"])
    prefix = code[:8].replace(".", "")
    for n in range(count):
        nik = f"{prefix}{n % 28 + 1:02d}0185{n + 1:04d}"
        writer.writerow(
            [nik, f"{prefix}{n // 3:010d}", f"Peserta {n}", "Dusun 1", "001", "002", code]
            + [f"{month:%Y-%m}"]
        )
    services.participants_import(
        actor=admin_user,
        rows=read_rows(io.BytesIO(content.getvalue().encode()), "peserta.csv"),
        regency=Regency.objects.get(code="34.01"),
        source="peserta.csv",
    )


def test_a_village_of_three_thousand_is_reverified_in_one_request(client, verifier, admin_user):
    """Finding 8: more participants than DATA_UPLOAD_MAX_NUMBER_FIELDS in one village."""
    import_participants(admin_user, VILLAGE_A, 3000, OLD)
    left_out = Participation.objects.filter(village__code=VILLAGE_A).order_by("pk")[:2]
    left_out = [spell.person for spell in left_out]
    client.force_login(verifier)
    url = reverse("oversight:reverification_bulk", args=[VILLAGE_A])
    response, page = bulk_submit(
        client, url, tick=left_out, checked_on=timezone.localdate().isoformat()
    )
    assert len(page.checkboxes) == 3000
    assert response.status_code == 302
    recorded = set(Reverification.objects.values_list("person_id", flat=True))
    assert len(recorded) == 2998
    assert not recorded & {person.pk for person in left_out}


REVERIFICATION_PAGES = [
    ("oversight:reverification_list", False),
    ("oversight:reverification_person", True),
]


@pytest.mark.parametrize(("name", "by_person"), REVERIFICATION_PAGES)
@pytest.mark.parametrize("user", ["panewu_a", "leadership"])
def test_oversight_roles_see_masked_niks_on_reverification_pages(
    client, request, verifier, user, name, by_person
):
    """Finding 11: the one masking rule (permissions.can_see_full_identity)."""
    person = enrolled(verifier, VILLAGE_A, OLD)
    args = [person.pk] if by_person else []
    html = get(client, request.getfixturevalue(user), name, "", *args).content.decode()
    assert person.nik not in html
    assert mask(person.nik) in html


@pytest.mark.parametrize(("name", "by_person"), REVERIFICATION_PAGES)
def test_the_tim_verifikasi_sees_full_niks_on_reverification_pages(
    client, verifier, name, by_person
):
    person = enrolled(verifier, VILLAGE_A, OLD)
    args = [person.pk] if by_person else []
    assert person.nik in get(client, verifier, name, "", *args).content.decode()


def test_opening_a_participants_reverification_page_is_logged(client, panewu_a, verifier):
    person = enrolled(verifier, VILLAGE_A, OLD)
    get(client, panewu_a, "oversight:reverification_person", "", person.pk)
    log = AccessLog.objects.get()
    assert (log.actor, log.action, log.object_id) == (panewu_a, audit.VIEW, str(person.pk))
    assert log.object_type == "people.Person"


def test_reverification_lists_are_logged_with_their_rows(client, panewu_a, verifier):
    for _ in range(2):
        enrolled(verifier, VILLAGE_A, OLD)
    get(client, panewu_a, "oversight:reverification_list")
    get(client, verifier, "oversight:reverification_bulk", "", VILLAGE_A)
    assert list(AccessLog.objects.order_by("pk").values_list("actor", "rows")) == [
        (panewu_a.pk, 2),
        (verifier.pk, 2),
    ]


def test_the_reverification_date_is_filled_in_the_format_a_date_input_reads(
    client, verifier, participants
):
    """Issue 15 section 6: today's date in `<input type=date>` is ISO, or the browser shows a
    blank field and the first save is refused."""
    client.force_login(verifier)
    person = participants[VILLAGE_A][0]
    page = client.get(reverse("oversight:reverification_person", args=[person.pk]))
    today = timezone.localdate().isoformat()
    assert f'type="date" name="checked_on" value="{today}"' in page.content.decode()


def test_the_area_switch_preselects_no_kapanewon(client, verifier, participants):
    """Issue 15 section 6: the kabupaten dashboard shows the whole kabupaten; its switch asks
    which kapanewon to open instead of showing the first one as if it were chosen."""
    client.force_login(verifier)
    page = client.get(reverse("oversight:dashboard")).content.decode()
    switch = page[page.index('id="area-part"') :]
    first_option = switch[switch.index("<option") : switch.index("</option>")]
    assert 'value="" selected disabled' in first_option
