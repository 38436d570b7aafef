"""Figures read each ledger entry's own village (issue 16 §1), are cached until what they read
changes (§2), and the re-verification schedule's base lives on the projection (§3)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrollment.models import LedgerEntry, Participation
from enrollment.services import household_move
from enrollment.stamps import ledger_stamp
from instructions import figures as instruction_figures
from oversight import dashboard, ledger, premium, recap, schedule
from oversight.areas import Area
from oversight.models import Outcome
from oversight.services import reverification_record, village_reverify
from regions.months import add_months, month_start
from tests.builders import VILLAGE_A, VILLAGE_A2, VILLAGE_B, enrolled, removed
from tests.factories import district, regency, village

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
JAN, MAR, JUN = (datetime.date(2026, m, 1) for m in (1, 3, 6))


def areas():
    return [
        Area(regency("34.01")),
        Area(district(VILLAGE_A.rsplit(".", 1)[0])),
        Area(district(VILLAGE_B.rsplit(".", 1)[0])),
        Area(village(VILLAGE_A)),
        Area(village(VILLAGE_A2)),
        Area(village(VILLAGE_B)),
    ]


def counts_through_households(area, *fields):
    """The figures' ledger counts as they were computed before entries kept their village:
    each entry in the village of its person's household now."""
    names = [
        "person__household__village_id" if field == "village_id" else field for field in fields
    ]
    rows = (
        area.filter(LedgerEntry.objects.all(), "person__household__village")
        .values("effective_month", "kind", *names)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return sorted(
        (row["effective_month"], row["kind"], *(row[name] for name in names), row["n"])
        for row in rows
    )


def counts_from_entries(area, *fields):
    return sorted(
        (row["effective_month"], row["kind"], *(row[field] for field in fields), row["n"])
        for row in ledger.counts(area, *fields)
    )


def moved_to_b(actor, household):
    household_move(
        actor=actor,
        household=household,
        village=village(VILLAGE_B),
        dusun="Padukuhan II",
        rt="001",
        rw="002",
    )


@pytest.fixture
def moved(verifier, admin_user):
    """Participants of three villages; one household of village A moves to village B after its
    member's addition, and that member is removed after the move."""
    a = [enrolled(verifier, VILLAGE_A, JAN) for _ in range(3)]
    enrolled(verifier, VILLAGE_A2, MAR)
    b = [enrolled(verifier, VILLAGE_B, JAN) for _ in range(2)]
    removed(verifier, b[0], MAR)
    moved_to_b(admin_user, a[0].household)
    removed(verifier, a[0], JUN)
    return a[0]


def test_an_entry_keeps_the_village_its_person_lived_in_when_written(moved):
    addition, removal = LedgerEntry.objects.filter(person=moved).order_by("sequence")
    assert addition.village.code == VILLAGE_A
    assert removal.village.code == VILLAGE_B
    assert Participation.objects.get(person=moved).has_moved_village


def test_a_person_who_never_moved_is_not_marked(verifier):
    person = enrolled(verifier, VILLAGE_A, JAN)
    removed(verifier, person, MAR)
    assert LedgerEntry.objects.filter(person=person, village__code=VILLAGE_A).count() == 2
    assert not Participation.objects.get(person=person).has_moved_village


@pytest.mark.parametrize("fields", [("ground",), ("village_id",)])
def test_counts_from_entry_villages_equal_counts_through_households_after_a_move(moved, fields):
    for area in areas():
        expected = counts_through_households(area, *fields)
        assert counts_from_entries(area, *fields) == expected, area.label
    assert counts_through_households(Area(village(VILLAGE_B)), "ground")


def test_the_recap_and_premium_count_a_moved_person_in_their_village_now(moved):
    area_a, area_b = Area(village(VILLAGE_A)), Area(village(VILLAGE_B))
    # Village A: three joined in January, one of them moved away with its history.
    start = next(s for s in recap.sections(area_a, JAN) if s.title == "Peserta aktif")
    assert start.rows[1][1] == 2
    total_b, _ = premium.premium(area_b, 2026, TODAY)
    # Village B: its two and the moved person from January, b[0] removed in March, the moved
    # person in June.
    assert [m.participants for m in total_b.months[:6]] == [3, 3, 2, 2, 2, 1]


def test_instruksi_figures_count_a_moved_persons_entries_in_their_village_now(moved, verifier):
    from instructions.models import Report

    report = Report(village=village(VILLAGE_B))
    compute = instruction_figures.FIGURES["removals_recorded"].compute
    assert compute(report, TODAY - datetime.timedelta(days=1), TODAY) == 2
    report = Report(village=village(VILLAGE_A))
    assert compute(report, TODAY - datetime.timedelta(days=1), TODAY) == 0


def test_a_second_view_of_the_dashboard_makes_fewer_queries(client, verifier, moved):
    client.force_login(verifier)
    url = reverse("oversight:dashboard")
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200
    assert len(second) < len(first)


def active_series(area):
    active = next(f for f in dashboard.figures(area) if f.key == "peserta")
    return [value for _, value in active.rows]


def test_a_new_ledger_entry_changes_the_cached_figure_at_once(verifier):
    area = Area(regency("34.01"))
    this_month = month_start(TODAY)
    enrolled(verifier, VILLAGE_A, add_months(this_month, -1))
    assert active_series(area)[-1] == 1
    person = enrolled(verifier, VILLAGE_B, this_month)
    assert active_series(area)[-1] == 2
    removed(verifier, person, this_month)
    assert active_series(area)[-1] == 1


def test_a_household_move_changes_the_cached_figure_at_once(verifier, admin_user):
    person = enrolled(verifier, VILLAGE_A, JAN)
    area_b = Area(village(VILLAGE_B))
    assert active_series(area_b)[-1] == 0
    moved_to_b(admin_user, person.household)
    assert active_series(area_b)[-1] == 1


def coverage(area):
    return dashboard.coverage_with_parts(area, [], TODAY)[0]


def test_a_reverification_changes_the_cached_coverage_at_once(verifier):
    long_ago = month_start(add_months(TODAY, -6))
    person = enrolled(verifier, VILLAGE_A, long_ago)
    area = Area(village(VILLAGE_A))
    assert coverage(area)["overdue"] == 1
    reverification_record(actor=verifier, person=person, checked_on=TODAY, outcome=Outcome.ELIGIBLE)
    assert coverage(area)["overdue"] == 0
    assert coverage(area)["current"] == 1


def test_the_projection_keeps_the_schedule_base_of_each_participant(verifier, operator_a):
    long_ago = month_start(add_months(TODAY, -6))
    person, other = (enrolled(verifier, VILLAGE_A, long_ago) for _ in range(2))
    assert Participation.objects.get(person=person).verified_on == long_ago
    checked = TODAY - datetime.timedelta(days=3)
    village_reverify(
        actor=operator_a, village=village(VILLAGE_A), people=[person.pk], checked_on=checked
    )
    row = Participation.objects.get(person=person)
    assert (row.reverified_on, row.verified_on) == (checked, checked)
    # An earlier date never takes the base back.
    reverification_record(
        actor=verifier,
        person=person,
        checked_on=checked - datetime.timedelta(days=10),
        outcome=Outcome.ELIGIBLE,
    )
    assert Participation.objects.get(person=person).verified_on == checked
    assert Participation.objects.get(person=other).verified_on == long_ago


def test_a_new_spell_starts_its_schedule_from_the_later_of_joining_and_reverification(
    verifier,
):
    long_ago = month_start(add_months(TODAY, -6))
    person = enrolled(verifier, VILLAGE_A, long_ago)
    checked = TODAY - datetime.timedelta(days=3)
    reverification_record(
        actor=verifier, person=person, checked_on=checked, outcome=Outcome.ELIGIBLE
    )
    removed(verifier, person, add_months(long_ago, 1))
    row = Participation.objects.get(person=person)
    # The spell ended; its row keeps the re-verification.
    assert (row.reverified_on, row.verified_on) == (checked, checked)


def test_a_condition_on_the_status_selects_the_rows_of_that_status(verifier):
    this_month = month_start(TODAY)
    for months in (0, 2, 3, 6):
        enrolled(verifier, VILLAGE_A, add_months(this_month, -months))
    rows = schedule.with_schedule(Participation.objects.all(), TODAY)
    by_rule = {
        row.person_id: schedule.status(row.verified_on, TODAY)
        for row in Participation.objects.all()
    }
    assert len(set(by_rule.values())) == 3
    for status in schedule.Status:
        expected = {pk for pk, found in by_rule.items() if found == status}
        assert set(rows.filter(status=status).values_list("person_id", flat=True)) == expected
        assert {row.person_id for row in rows.filter(status=status) if row.status == status} == (
            expected
        )
        others = set(by_rule) - expected
        assert set(rows.exclude(status=status).values_list("person_id", flat=True)) == others
    pair = [schedule.Status.OVERDUE, schedule.Status.CURRENT]
    expected = {pk for pk, found in by_rule.items() if found in pair}
    assert set(rows.filter(status__in=pair).values_list("person_id", flat=True)) == expected


# entries appended since the counts were kept are added to them


@pytest.fixture
def whole_counts(monkeypatch):
    """How many times the ledger's counts were counted whole."""
    counted = []
    upto = ledger.ledger_upto

    def counted_upto(stamp):
        counted.append(stamp)
        return upto(stamp)

    monkeypatch.setattr(ledger, "ledger_upto", counted_upto)
    return counted


def counted_whole(area, *fields):
    cache.clear()
    return counts_from_entries(area, *fields)


@pytest.mark.parametrize("fields", [("ground",), ("village_id",)])
def test_entries_appended_are_added_to_the_kept_counts(moved, verifier, whole_counts, fields):
    for area in areas():
        counts_from_entries(area, *fields)
    added = [enrolled(verifier, VILLAGE_A, MAR), enrolled(verifier, VILLAGE_B, JUN)]
    removed(verifier, added[0], JUN)
    found = [counts_from_entries(area, *fields) for area in areas()]
    assert len(whole_counts) == len(areas())  # each area's, before the entries
    assert found == [counted_whole(area, *fields) for area in areas()]
    assert found == [counts_through_households(area, *fields) for area in areas()]


def test_a_household_moved_counts_the_ledger_whole_again(moved, verifier, admin_user, whole_counts):
    person = enrolled(verifier, VILLAGE_A, JAN)
    area = Area(village(VILLAGE_B))
    counts_from_entries(area, "ground")
    moved_to_b(admin_user, person.household)
    found = counts_from_entries(area, "ground")
    assert len(whole_counts) == 2
    assert found == counts_through_households(area, "ground")


def test_counts_kept_with_a_stamp_hold_no_later_entry(verifier):
    """A page reads the stamp, then the counts: an entry committed between the two is left for
    the next change to add, never counted twice."""
    area = Area(regency("34.01"))
    enrolled(verifier, VILLAGE_A, JAN)
    earlier = ledger_stamp()
    enrolled(verifier, VILLAGE_A, JAN)
    assert sum(row["n"] for row in ledger.counts(area, "ground", stamp=earlier)) == 1
    assert sum(row["n"] for row in ledger.counts(area, "ground")) == 2
    assert counts_from_entries(area, "ground") == counted_whole(area, "ground")
