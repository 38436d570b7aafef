"""Who is a participant on a date: derived from the ledger (`active_people`, any date), or read
from its projection `Participation` (`current_participants`, fast, for today)."""

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from enrollment.models import Ground, Kind, LedgerEntry, Participation
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


def current_participants(people=None, on=None):
    """People (of `people`, default all) active on `on` (default today) by the projection,
    annotated like `active_people`. The projection holds each person's latest spell, so it
    answers for any date from the end of their previous spell on: today, unless two entries
    taking effect after today are queued for one person."""
    on = on or timezone.localdate()
    people = Person.objects.all() if people is None else people
    return people.filter(pk__in=Participation.objects.active_on(on).values("person_id")).annotate(
        active_since=F("participation__since"), ground=F("participation__ground")
    )


def project(entry):
    """Brings the person's projection up to `entry`, just appended (same transaction)."""
    if entry.kind == Kind.ADDITION and entry.ground == Ground.CORRECTION:
        # A removal reversed: the spell it ended goes on as if never ended.
        Participation.objects.filter(person_id=entry.person_id).update(until=None, last_entry=entry)
    elif entry.kind == Kind.ADDITION:
        Participation.objects.update_or_create(
            person_id=entry.person_id,
            defaults={
                "since": entry.effective_month,
                "until": None,
                "ground": entry.ground,
                "last_entry": entry,
                "village_id": entry.person.household.village_id,
            },
        )
    else:
        Participation.objects.filter(person_id=entry.person_id).update(
            until=entry.effective_month, last_entry=entry
        )
