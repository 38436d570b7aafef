import datetime

import pytest

from oversight import schedule
from oversight.schedule import Status, base_cutoff, due_date

DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("base", "due"),
    [
        (datetime.date(2026, 1, 15), datetime.date(2026, 4, 15)),
        (datetime.date(2025, 11, 30), datetime.date(2026, 2, 28)),
        (datetime.date(2023, 11, 30), datetime.date(2024, 2, 29)),
        (datetime.date(2026, 5, 31), datetime.date(2026, 8, 31)),
        (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1)),
    ],
)
def test_due_three_months_later_or_the_months_last_day(base, due):
    assert due_date(base) == due


@pytest.mark.parametrize(
    ("base", "on", "status"),
    [
        # Re-verified exactly 3 months ago: due today, not overdue.
        (datetime.date(2026, 8, 23), datetime.date(2026, 11, 23), Status.DUE),
        (datetime.date(2026, 8, 22), datetime.date(2026, 11, 23), Status.OVERDUE),
        (datetime.date(2026, 8, 23), datetime.date(2026, 11, 24), Status.OVERDUE),
        # The window of 30 days before the due date.
        (datetime.date(2026, 9, 22), datetime.date(2026, 11, 23), Status.DUE),
        (datetime.date(2026, 9, 23), datetime.date(2026, 11, 23), Status.DUE),
        (datetime.date(2026, 9, 24), datetime.date(2026, 11, 23), Status.CURRENT),
        # Month ends: 30 November is due on 28 February.
        (datetime.date(2025, 11, 30), datetime.date(2026, 2, 28), Status.DUE),
        (datetime.date(2025, 11, 30), datetime.date(2026, 3, 1), Status.OVERDUE),
    ],
)
def test_status_at_the_boundaries(base, on, status):
    assert schedule.status(base, on) == status


def test_base_cutoff_separates_overdue_bases_on_every_day_of_two_years():
    day = datetime.date(2025, 1, 1)
    while day < datetime.date(2027, 1, 1):
        cutoff = base_cutoff(day)
        assert due_date(cutoff) >= day
        assert due_date(cutoff - DAY) < day
        day += DAY
