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


def active_people(on=None):
    """People whose latest entry in force on `on` is an addition."""
    on = on or timezone.localdate()
    latest_kind = (
        LedgerEntry.objects.filter(person=OuterRef("pk"), effective_month__lte=on)
        .order_by("-sequence")
        .values("kind")[:1]
    )
    return Person.objects.annotate(last_kind=Subquery(latest_kind)).filter(last_kind=Kind.ADDITION)
