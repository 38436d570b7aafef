import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment.models import Ground
from oversight.models import Outcome, Reverification
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
    assert here.nik in page and there.nik not in page
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
    response = client.post(
        bulk_url,
        {
            "checked_on": timezone.localdate().isoformat(),
            "note": "Kunjungan rumah",
            "person": [p.pk for p in staying],
        },
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
    person = enrolled(verifier, VILLAGE_A, OLD)
    client.force_login(verifier)
    response = client.post(
        reverse("oversight:reverification_bulk", args=[VILLAGE_A]),
        {"checked_on": timezone.localdate().isoformat(), "person": [person.pk, 999999]},
        follow=True,
    )
    assert "bukan peserta aktif" in response.content.decode()
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
