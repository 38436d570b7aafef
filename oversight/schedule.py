"""When a participant is due for re-verification (Instruksi KELIMA b: at least every 3 months).

A participant is due 3 months after the later of their last re-verification and the month
their participation began (joining is itself a verification by the Tim Verifikasi): the same
day 3 months later, or that month's last day when it is shorter. On a day D a participant is
- overdue (lewat jatuh tempo) when the due date is before D;
- due (jatuh tempo) when the due date is D or within the next 30 days;
- current otherwise.
So a participant re-verified exactly 3 months ago is due today and overdue tomorrow.
"""

import datetime

from django.db import models
from django.db.models import Case, F, Q, QuerySet, Value, When

from enrollment.models import Participation, ParticipationQuerySet
from regions.months import add_months

_INTERVAL_MONTHS = 3
_DUE_WINDOW_DAYS = 30
_DAY = datetime.timedelta(days=1)


class Status(models.TextChoices):
    OVERDUE = "overdue", "Lewat jatuh tempo"
    DUE = "due", f"Jatuh tempo (≤ {_DUE_WINDOW_DAYS} hari)"
    CURRENT = "current", "Terverifikasi, belum jatuh tempo"


def due_date(base: datetime.date) -> datetime.date:
    return add_months(base, _INTERVAL_MONTHS)


def base_cutoff(day: datetime.date) -> datetime.date:
    """The earliest base (last verification) whose due date is on or after `day`: every
    earlier base is due before `day`. Due dates never decrease as the base grows, so this one
    comparison replaces computing each participant's due date in SQL."""
    base = add_months(day, -_INTERVAL_MONTHS)
    while due_date(base) < day:
        base += _DAY
    while due_date(base - _DAY) >= day:
        base -= _DAY
    return base


def status(base: datetime.date, on: datetime.date) -> Status:
    due = due_date(base)
    if due < on:
        return Status.OVERDUE
    if due <= on + datetime.timedelta(days=_DUE_WINDOW_DAYS):
        return Status.DUE
    return Status.CURRENT


def _bounds(on: datetime.date) -> dict[Status, tuple[datetime.date | None, datetime.date | None]]:
    """The range of the base, [from, before), of each status on `on`."""
    overdue_before = base_cutoff(on)
    due_before = base_cutoff(on + datetime.timedelta(days=_DUE_WINDOW_DAYS + 1))
    return {
        Status.OVERDUE: (None, overdue_before),
        Status.DUE: (overdue_before, due_before),
        Status.CURRENT: (due_before, None),
    }


def _status_condition(on: datetime.date, statuses: list[str]) -> Q:
    """Rows whose status on `on` is one of `statuses`, as ranges of the stored base: an index
    answers them (a condition on the computed status reads every row)."""
    condition = Q(pk__in=[])
    for status, (start, before) in _bounds(on).items():
        if status in statuses:
            limits = {}
            if start is not None:
                limits["verified_on__gte"] = start
            if before is not None:
                limits["verified_on__lt"] = before
            condition |= Q(**limits)
    return condition


class ScheduledQuerySet(ParticipationQuerySet):
    """Participation rows annotated by `with_schedule`, on whose `status` (`status=…`,
    `status__in=[…]`) `filter` and `exclude` ask the ranges of the base it stands for."""

    _on: datetime.date

    def _clone(self):
        clone = super()._clone()
        clone._on = self._on
        return clone

    def _by_status(self, kwargs: dict) -> list[Q]:
        conditions = []
        if "status" in kwargs:
            conditions.append(_status_condition(self._on, [kwargs.pop("status")]))
        if "status__in" in kwargs:
            conditions.append(_status_condition(self._on, list(kwargs.pop("status__in"))))
        return conditions

    def filter(self, *args, **kwargs):
        return super().filter(*args, *self._by_status(kwargs), **kwargs)

    def exclude(self, *args, **kwargs):
        return super().exclude(*args, *self._by_status(kwargs), **kwargs)


def with_schedule(participations: QuerySet[Participation], on: datetime.date) -> ScheduledQuerySet:
    """Participation rows annotated with `base` (the later of joining and the latest
    re-verification, kept on the row by the projection) and `status` on `on`. A condition on
    the status is a range of `base`, so a list of who is due, ordered by it, reads an index."""
    bounds = _bounds(on)
    rows = participations.annotate(base=F("verified_on")).annotate(
        status=Case(
            When(Q(base__lt=bounds[Status.OVERDUE][1]), then=Value(Status.OVERDUE.value)),
            When(Q(base__lt=bounds[Status.DUE][1]), then=Value(Status.DUE.value)),
            default=Value(Status.CURRENT.value),
            output_field=models.CharField(),
        )
    )
    rows = rows._chain()
    rows.__class__ = ScheduledQuerySet
    rows._on = on
    return rows


def status_counts(on: datetime.date, base: str = "base") -> dict[str, models.Count]:
    """Conditional counts of the three statuses, for `.aggregate()` or `.annotate()` over rows
    annotated by `with_schedule`."""
    overdue_before = base_cutoff(on)
    due_before = base_cutoff(on + datetime.timedelta(days=_DUE_WINDOW_DAYS + 1))
    return {
        "overdue": models.Count("pk", filter=Q(**{f"{base}__lt": overdue_before})),
        "due": models.Count(
            "pk", filter=Q(**{f"{base}__gte": overdue_before, f"{base}__lt": due_before})
        ),
        "current": models.Count("pk", filter=Q(**{f"{base}__gte": due_before})),
    }
