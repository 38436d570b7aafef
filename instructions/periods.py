"""Reporting periods of an instruction: calendar months, quarters or semesters (pure)."""

import datetime
from dataclasses import dataclass

from regions.months import MONTH_NAMES, add_months

_ROMAN = ["I", "II", "III", "IV"]
_LENGTH = {"monthly": 1, "quarterly": 3, "semester": 6}


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # the last day of the period
    due: datetime.date  # the last day a report counts as on time
    label: str

    def has_started(self, today):
        return self.start <= today

    def is_overdue(self, today):
        return today > self.due


def period_start(date, kind):
    """The first day of the period of `kind` holding `date`."""
    months = _LENGTH[kind]
    return datetime.date(date.year, (date.month - 1) // months * months + 1, 1)


def _label(start, kind):
    if kind == "monthly":
        return f"{MONTH_NAMES[start.month - 1]} {start.year}"
    index = (start.month - 1) // _LENGTH[kind]
    name = "Triwulan" if kind == "quarterly" else "Semester"
    return f"{name} {_ROMAN[index]} {start.year}"


def period_at(start, kind, due_days):
    """The period beginning on `start`, which must be the first day of one."""
    if period_start(start, kind) != start:
        raise ValueError(f"{start} bukan awal periode {kind}.")
    end = add_months(start, _LENGTH[kind]) - datetime.timedelta(days=1)
    return Period(start, end, end + datetime.timedelta(days=due_days), _label(start, kind))


def periods_between(first, last, kind, due_days):
    """The periods from the one holding `first` to the one holding `last`, oldest first."""
    start = period_start(first, kind)
    result = []
    while start <= last:
        result.append(period_at(start, kind, due_days))
        start = add_months(start, _LENGTH[kind])
    return result
