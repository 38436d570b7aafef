"""The premium the kabupaten owes BPJS Kesehatan for its PBI Pemda participants.

Rule: a participant counts for a month when active on its first day. Every ledger entry takes
effect on the first day of its month, so an addition effective in March counts for March and a
removal effective in March ends the count from March, whatever day it was recorded; this is how
BPJS Kesehatan bills a segment whose members change at the start of a month. The premium of a
month is that count × the premium per person per month in force on its first day
(`regions.PremiumRate`).

The projection to the end of the year starts from this month's count and adds the trend: the
average monthly change over the last 6 months.
"""

import bisect
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from enrollment import stamps
from oversight import ledger
from oversight.areas import Area
from regions.models import PremiumRate
from regions.months import add_months, month_start

TREND_MONTHS = 6


@dataclass
class Month:
    month: datetime.date
    participants: int
    rate: Decimal | None
    is_projected: bool

    @property
    def amount(self) -> Decimal | None:
        return None if self.rate is None else self.rate * self.participants


@dataclass
class Premium:
    """One area's (or one part's) year: twelve months, recorded then projected."""

    name: str
    months: list[Month]
    trend: float

    def total(self, projected: bool) -> Decimal:
        return sum((m.amount or 0 for m in self.months if m.is_projected == projected), Decimal(0))

    @property
    def year_to_date(self) -> Decimal:
        return self.total(projected=False)

    @property
    def year_projection(self) -> Decimal:
        return self.year_to_date + self.total(projected=True)

    @property
    def current(self) -> Month | None:
        recorded = [m for m in self.months if not m.is_projected]
        return recorded[-1] if recorded else None


def _rate_finder() -> Callable[[datetime.date], Decimal | None]:
    """The amount in force on a month's first day, by `PremiumRate.objects.in_force`'s rule
    (the latest rate starting on or before it), from the few rates read in one query."""
    rates = list(PremiumRate.objects.order_by("valid_from").values_list("valid_from", "amount"))
    starts = [start for start, _ in rates]

    def rate_on(month: datetime.date) -> Decimal | None:
        found = bisect.bisect_right(starts, month)
        return rates[found - 1][1] if found else None

    return rate_on


def _year_of(
    name: str,
    months: list[datetime.date],
    series: list[int],
    this_month: datetime.date,
    rate_on: Callable[[datetime.date], Decimal | None],
) -> Premium:
    """`series`: participants on the first day of each of `months` (the trend's months and
    the year's months up to this month)."""
    count = dict(zip(months, series, strict=True))
    start = add_months(this_month, -TREND_MONTHS)
    trend = (count[this_month] - count[start]) / TREND_MONTHS
    result = []
    for number in range(1, 13):
        month = this_month.replace(month=number)
        if month <= this_month:
            participants, projected = count[month], False
        else:
            ahead = (month.year - this_month.year) * 12 + month.month - this_month.month
            participants, projected = max(0, round(count[this_month] + trend * ahead)), True
        result.append(Month(month, participants, rate_on(month), projected))
    return Premium(name, result, trend)


def _series(area: Area, months: list[datetime.date], by_parts: bool, stamp: str):
    """Participants on the first day of each of `months`: (the area's, {part pk: the part's}),
    from the ledger counts read under `stamp`."""
    village_part = {}
    if by_parts:
        for village in area.villages().only("pk", "district_id"):
            village_part[village.pk] = area.part_of(village)
    rows = ledger.counts(area, f"{ledger.VILLAGE_PATH}_id", stamp=stamp)
    total = ledger.active_on_first_days(rows, months).get(None, [0] * len(months))
    by_part = ledger.active_on_first_days(
        rows, months, key=lambda row: village_part.get(row[f"{ledger.VILLAGE_PATH}_id"])
    )
    return total, by_part


def premium(
    area: Area, year: int | None = None, today: datetime.date | None = None
) -> tuple[Premium, list[Premium]]:
    """(the area's Premium, [each part's Premium]) for `year` (default this year). For a past
    year every month is recorded; for this year the months after this one are projected."""
    today = today or timezone.localdate()
    this_month = month_start(today)
    year = year or today.year
    if year < today.year:
        this_month = this_month.replace(year=year, month=12)
    first = min(this_month.replace(month=1), add_months(this_month, -TREND_MONTHS))
    months = ledger.month_list(first, this_month)
    parts = area.parts()
    stamp = stamps.ledger_stamp()
    key = f"premium-series:{area.level}:{area.place.pk}:{first}:{this_month}:{stamp}"
    total, by_part = stamps.cached(key, lambda: _series(area, months, bool(parts), stamp))
    rate_on = _rate_finder()
    zero = [0] * len(months)
    return (
        _year_of(area.label, months, total, this_month, rate_on),
        [
            _year_of(part.name, months, by_part.get(part.pk, zero), this_month, rate_on)
            for part in parts
        ],
    )
