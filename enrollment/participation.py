"""Who is a participant on a date: derived from the ledger (`active_people`, any date), or read
from its projection `Participation` (`current_participants`, fast, for today)."""

from collections.abc import Iterable

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from enrollment.imports import chunks
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


def project_people(person_ids: Iterable[int]) -> None:
    """Writes the projection of each of `person_ids` from their ledger: the spell of their
    latest addition on a ground (not a correction), ended in the month of their latest entry
    when that entry is a removal, in the village of their household now. The one writer of
    `Participation`, for one entry (`project`) or an import's batch, in a few queries per
    thousands of people. A row is updated in place, never deleted, so that what hangs on it
    (oversight's latest re-verification) stays."""
    entries = LedgerEntry.objects.filter(person=OuterRef("pk")).order_by("-sequence")
    spells = entries.filter(kind=Kind.ADDITION).exclude(ground=Ground.CORRECTION)
    for chunk in chunks(person_ids):
        rows = (
            Person.objects.filter(pk__in=chunk)
            .annotate(
                entry_id=Subquery(entries.values("pk")[:1]),
                kind=Subquery(entries.values("kind")[:1]),
                month=Subquery(entries.values("effective_month")[:1]),
                since=Subquery(spells.values("effective_month")[:1]),
                spell_ground=Subquery(spells.values("ground")[:1]),
            )
            .filter(entry_id__isnull=False)
            .order_by()
            .values_list(
                "pk", "household__village_id", "entry_id", "kind", "month", "since", "spell_ground"
            )
        )
        Participation.objects.bulk_create(
            [
                Participation(
                    person_id=person_id,
                    since=since,
                    until=None if kind == Kind.ADDITION else month,
                    ground=ground,
                    last_entry_id=entry_id,
                    village_id=village_id,
                )
                for person_id, village_id, entry_id, kind, month, since, ground in rows
            ],
            update_conflicts=True,
            unique_fields=["person"],
            update_fields=["since", "until", "ground", "last_entry", "village"],
        )


def project(entry: LedgerEntry) -> None:
    """Brings the person's projection up to `entry`, just appended (same transaction)."""
    project_people([entry.person_id])
