"""A person's status on a date (participation.status_on) says what the ledger says: active,
active from a later month, a participant until the month before a recorded removal, or not;
the person page and the roster say it the same way, and the roster filters by it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment import services
from enrollment.models import LedgerEntry, Participation
from enrollment.participation import Standing, Status, is_active, status_on
from regions.months import MONTH_NAMES, add_months
from tests.builders import enrolled, removed, this_month

pytestmark = pytest.mark.django_db


def month_name(month):
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def months(offset):
    return add_months(this_month(), offset)


# name: (addition's month, removal's month or None) as offsets from this month; the standing
# today and the month its label names (an offset, or None).
CASES = {
    "added this month": (0, None, Standing.ACTIVE, 0),
    "added for next month": (1, None, Standing.UPCOMING, 1),
    "removal recorded for next month": (-2, 1, Standing.ENDING, 0),
    "removed this month": (-2, 0, Standing.ENDED, 0),
    "removed last month": (-3, -1, Standing.ENDED, -1),
}


@pytest.fixture
def people(verifier):
    people = {}
    for name, (added, removed_in, *_) in CASES.items():
        person = enrolled(verifier, month=months(added))
        if removed_in is not None:
            removed(verifier, person, months(removed_in))
        people[name] = person
    return people


def status(person, on=None):
    projection = Participation.objects.filter(person=person).first()
    return status_on(projection, on or timezone.localdate())


@pytest.mark.parametrize("name", CASES)
def test_the_status_today_names_the_standing_and_its_month(people, name):
    *_, standing, month = CASES[name]
    assert status(people[name]) == Status(standing, months(month))


@pytest.mark.parametrize("name", CASES)
def test_the_status_is_active_exactly_when_the_ledger_says_so(people, name):
    person = people[name]
    today = timezone.localdate()
    days = {today, datetime.date.max}
    for offset in range(-4, 4):
        first = months(offset)
        days |= {first, first - datetime.timedelta(days=1), first.replace(day=15)}
    for day in sorted(days):
        assert status(person, day).is_active == is_active(person, day), (name, day)


def test_labels_name_the_month_the_ledger_counts():
    since = datetime.date(2026, 3, 1)
    on = datetime.date(2026, 12, 15)
    projection = Participation(since=since, until=None)
    assert status_on(projection, on).label == "Peserta PBI Pemda aktif sejak Maret 2026"
    projection.until = datetime.date(2027, 1, 1)  # removed from January: covered in December
    assert status_on(projection, on).label == "Peserta sampai Desember 2026"
    projection.until = datetime.date(2026, 12, 1)  # removed from this month: no longer
    assert status_on(projection, on).label == "Bukan peserta aktif sejak Desember 2026"
    projection = Participation(since=datetime.date(2027, 2, 1), until=None)
    assert status_on(projection, on).label == "Aktif mulai Februari 2027"
    assert status_on(None, on).label == "Bukan peserta aktif"


def test_an_addition_reversed_in_its_month_is_no_participation(verifier):
    person = enrolled(verifier, month=months(1))
    services.entry_correct(actor=verifier, entry=LedgerEntry.objects.get(), reason="Salah orang")
    assert status(person).standing == Standing.NONE
    assert status(person, months(2)).standing == Standing.NONE
    assert not is_active(person, months(2))


@pytest.mark.parametrize("name", CASES)
def test_the_person_page_says_the_status(client, verifier, people, name):
    client.force_login(verifier)
    page = client.get(reverse("enrollment:person_detail", args=[people[name].pk]))
    assert page.context["status"].label in page.content.decode()
    assert page.context["status"] == status(people[name])


def test_a_recorded_removal_is_not_shown_as_active(client, verifier, people):
    client.force_login(verifier)
    person = people["removal recorded for next month"]
    page = client.get(reverse("enrollment:person_detail", args=[person.pk])).content.decode()
    assert f"Peserta sampai {month_name(this_month())}" in page
    assert "Peserta PBI Pemda aktif sejak" not in page


def roster(client, **params):
    response = client.get(reverse("enrollment:roster"), params)
    assert response.status_code == 200
    return {row.person_id: row.status.label for row in response.context["page"]}, response


def test_the_roster_lists_active_people_by_default_with_their_status(client, verifier, people):
    client.force_login(verifier)
    rows, response = roster(client)
    assert set(rows) == {
        people["added this month"].pk,
        people["removal recorded for next month"].pk,
    }
    assert rows[people["removal recorded for next month"].pk] == (
        f"Peserta sampai {month_name(this_month())}"
    )
    assert f"Peserta sampai {month_name(this_month())}" in response.content.decode()


def test_an_approved_addition_for_a_later_month_is_found_under_akan_aktif(client, verifier, people):
    client.force_login(verifier)
    person = people["added for next month"]
    rows, response = roster(client, status="akan_aktif")
    assert rows == {person.pk: f"Aktif mulai {month_name(months(1))}"}
    assert f"Aktif mulai {month_name(months(1))}" in response.content.decode()
    rows, _ = roster(client, status="akan_aktif", q=person.name)
    assert set(rows) == {person.pk}
    rows, _ = roster(client, status="akan_aktif", q=person.nik)
    assert set(rows) == {person.pk}
    rows, _ = roster(client, status="akan_aktif", village="34.01.02.2001")
    assert rows == {}


def test_berhenti_lists_every_recorded_removal(client, verifier, people):
    client.force_login(verifier)
    rows, _ = roster(client, status="berhenti")
    assert set(rows) == {
        people[name].pk
        for name in ("removal recorded for next month", "removed this month", "removed last month")
    }
    assert rows[people["removed last month"].pk] == (
        f"Bukan peserta aktif sejak {month_name(months(-1))}"
    )


@pytest.mark.parametrize("status", ["aktif", "akan_aktif", "berhenti"])
def test_the_roster_and_the_person_page_agree(client, verifier, people, status):
    client.force_login(verifier)
    rows, _ = roster(client, status=status)
    for pk, label in rows.items():
        page = client.get(reverse("enrollment:person_detail", args=[pk]))
        assert page.context["status"].label == label


def test_an_unknown_status_says_so_and_lists_the_active(client, verifier, people):
    client.force_login(verifier)
    rows, response = roster(client, status="semua")
    assert set(rows) == set(roster(client)[0])
    assert "Pilih status: aktif, akan aktif, atau berhenti." in response.content.decode()


def test_the_export_is_offered_for_the_active_list_only(client, verifier, people):
    # The export job writes the active participants: offered beside another list, it would
    # download something else than the page shows.
    client.force_login(verifier)
    export = reverse("enrollment:roster_export")
    assert export in roster(client)[1].content.decode()
    assert export not in roster(client, status="akan_aktif")[1].content.decode()


def test_the_roster_keeps_its_scope_under_every_status(client, operator_b, people):
    client.force_login(operator_b)
    for status in ("aktif", "akan_aktif", "berhenti"):
        assert roster(client, status=status)[0] == {}
