"""Who is a participant on a date: derived from the ledger, never stored."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from enrollment.models import Kind, LedgerEntry
from people.models import Person


def month_start(date):
    return date.replace(day=1)


def last_entry(person, on=None):
    """The person's latest entry in force on `on` (default today), or None."""
    on = on or timezone.localdate()
    return (
        LedgerEntry.objects.filter(person=person, effective_month__lte=on)
        .order_by("-sequence")
        .first()
    )


def is_active(person, on=None):
    entry = last_entry(person, on)
    return entry is not None and entry.kind == Kind.ADDITION


def active_people(on=None, people=None):
    """People (of `people`, default all) whose latest entry in force on `on` is an addition,
    annotated with that entry's month (`active_since`) and ground."""
    on = on or timezone.localdate()
    latest = LedgerEntry.objects.filter(person=OuterRef("pk"), effective_month__lte=on).order_by(
        "-sequence"
    )
    people = Person.objects.all() if people is None else people
    return people.annotate(
        last_kind=Subquery(latest.values("kind")[:1]),
        active_since=Subquery(latest.values("effective_month")[:1]),
        ground=Subquery(latest.values("ground")[:1]),
    ).filter(last_kind=Kind.ADDITION)
