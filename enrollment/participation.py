"""Who is a participant on a date: derived from the ledger (`active_people`, any date), or read
from its projection `Participation` (`current_participants`, fast, for today)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from enrollment.imports import chunks
from enrollment.models import Ground, Kind, LedgerEntry, Participation
from people.models import Household, Person
from regions.months import MONTH_NAMES, add_months


def _last_entry(person: Person, on: datetime.date | None = None) -> LedgerEntry | None:
    """The person's latest entry in force on `on` (default today), or None."""
    on = on or timezone.localdate()
    return (
        LedgerEntry.objects.filter(person=person, effective_month__lte=on)
        .order_by("-sequence")
        .first()
    )


def is_active(person: Person, on: datetime.date | None = None) -> bool:
    entry = _last_entry(person, on)
    return entry is not None and entry.kind == Kind.ADDITION


def active_people(
    on: datetime.date | None = None, people: QuerySet[Person] | None = None
) -> QuerySet[Person]:
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


def current_participants(
    people: QuerySet[Person] | None = None, on: datetime.date | None = None
) -> QuerySet[Person]:
    """People (of `people`, default all) active on `on` (default today) by the projection,
    annotated like `active_people`. The projection holds each person's latest spell, so it
    answers for any date from the end of their previous spell on: today, unless two entries
    taking effect after today are queued for one person."""
    on = on or timezone.localdate()
    people = Person.objects.all() if people is None else people
    return people.filter(pk__in=Participation.objects.active_on(on).values("person_id")).annotate(
        active_since=F("participation__since"), ground=F("participation__ground")
    )


# A person's spell from their ledger, in the database: it begins with their latest addition on
# a ground (a correction reverses an entry, it starts nothing), and it ended in the month of
# their latest entry when that entry is a removal. An upsert, so that a row is updated in place
# and never deleted; one statement per few thousand people, so that an import of a hundred
# thousand rows does not pass them through Python. The latest re-verification is kept across
# spells and only grows; the schedule's base is the later of it and the spell's start.
_PROJECT_SQL = """
INSERT INTO {participation} (person_id, since, "until", ground, last_entry_id, village_id,
                             has_moved_village, reverified_on, verified_on)
SELECT person.id, spell.effective_month,
       CASE WHEN latest.kind = %s THEN NULL ELSE latest.effective_month END,
       spell.ground, latest.id, household.village_id,
       EXISTS (SELECT 1 FROM {ledger} moved
               WHERE moved.person_id = person.id AND moved.village_id <> household.village_id),
       given.reverified_on,
       CASE WHEN given.reverified_on > spell.effective_month THEN given.reverified_on
            ELSE spell.effective_month END
FROM (
  SELECT person_id, MAX(sequence) AS latest,
         MAX(CASE WHEN kind = %s AND ground <> %s THEN sequence END) AS spell
  FROM {ledger} WHERE person_id {ids} GROUP BY person_id
) history
JOIN {ledger} latest
  ON latest.person_id = history.person_id AND latest.sequence = history.latest
JOIN {ledger} spell ON spell.person_id = history.person_id AND spell.sequence = history.spell
JOIN {person} person ON person.id = history.person_id
JOIN {household} household ON household.id = person.household_id
CROSS JOIN (SELECT {date} AS reverified_on) given
WHERE TRUE
ON CONFLICT (person_id) DO UPDATE SET
  since = excluded.since, "until" = excluded."until", ground = excluded.ground,
  last_entry_id = excluded.last_entry_id, village_id = excluded.village_id,
  has_moved_village = excluded.has_moved_village,
  reverified_on = {reverified},
  verified_on = CASE WHEN {reverified} > excluded.since THEN {reverified} ELSE excluded.since END
"""
_REVERIFIED_SQL = (
    "CASE WHEN {participation}.reverified_on IS NULL "
    "OR excluded.reverified_on > {participation}.reverified_on "
    "THEN excluded.reverified_on ELSE {participation}.reverified_on END"
)


def project_people(
    person_ids: Iterable[int], *, reverified_on: datetime.date | None = None
) -> None:
    """Writes the projection of each of `person_ids` (those with entries) from their ledger,
    in the village of their household now, with `reverified_on` when they have just been
    re-verified on that date. The one writer of `Participation`: for one entry just appended
    (`project`), an import's batch, a household that moved, a re-verification."""
    tables = {
        "participation": Participation._meta.db_table,
        "person": Person._meta.db_table,
        "household": Household._meta.db_table,
        "ledger": LedgerEntry._meta.db_table,
    }
    # PostgreSQL types a bare parameter in a SELECT list as text.
    date = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    reverified = _REVERIFIED_SQL.format(**tables)
    if connection.vendor == "postgresql":
        # One array parameter, as imports.one_of: a statement of thousands of placeholders
        # costs more to build and plan than to run.
        batches = [("= ANY(%s)", [list(person_ids)])]
    else:
        batches = [
            (f"IN ({', '.join(['%s'] * len(chunk))})", chunk) for chunk in chunks(person_ids)
        ]
    with connection.cursor() as cursor:
        for ids, values in batches:
            cursor.execute(
                _PROJECT_SQL.format(**tables, ids=ids, date=date, reverified=f"({reverified})"),
                [
                    Kind.ADDITION.value,
                    Kind.ADDITION.value,
                    Ground.CORRECTION.value,
                    *values,
                    reverified_on,
                ],
            )


def project(entry: LedgerEntry) -> None:
    """Brings the person's projection up to `entry`, just appended (same transaction)."""
    project_people([entry.person_id])


class Standing(StrEnum):
    """Where a person stands on a date, as the roster filters and the person page says it."""

    ACTIVE = "aktif"
    UPCOMING = "akan_aktif"  # an addition recorded for a month not yet begun
    ENDING = "sampai"  # active, with a removal recorded for a month not yet begun
    ENDED = "berhenti"
    NONE = "bukan"


@dataclass(frozen=True)
class Status:
    standing: Standing
    month: datetime.date | None = None

    @property
    def is_active(self) -> bool:
        return self.standing in (Standing.ACTIVE, Standing.ENDING)

    @property
    def label(self) -> str:
        month = self.month and f"{MONTH_NAMES[self.month.month - 1]} {self.month.year}"
        return {
            Standing.ACTIVE: f"Peserta PBI Pemda aktif sejak {month}",
            Standing.UPCOMING: f"Aktif mulai {month}",
            Standing.ENDING: f"Peserta sampai {month}",
            Standing.ENDED: f"Bukan peserta aktif sejak {month}",
            Standing.NONE: "Bukan peserta aktif",
        }[self.standing]


def status_on(participation: Participation | None, on: datetime.date) -> Status:
    """The person's status on `on` from their projected spell, by the ledger's rule: a spell
    covers the months from `since` up to, not including, `until` (the month the removal takes
    effect), so "peserta sampai" names the last month covered."""
    if participation is None:
        return Status(Standing.NONE)
    since, until = participation.since, participation.until
    if until is not None and until <= since:
        # The spell's addition was reversed in its own month: it never made a participant.
        return Status(Standing.NONE)
    if since > on:
        return Status(Standing.UPCOMING, since)
    if until is None:
        return Status(Standing.ACTIVE, since)
    if until > on:
        return Status(Standing.ENDING, add_months(until, -1))
    return Status(Standing.ENDED, until)


def with_standing(
    rows: QuerySet[Participation], standing: Standing, on: datetime.date
) -> QuerySet[Participation]:
    """The spells of `rows` the roster lists under `standing` on `on`: active (ending or not),
    starting after `on`, or with a removal recorded (ending or ended)."""
    if standing == Standing.UPCOMING:
        return rows.filter(since__gt=on)
    if standing == Standing.ENDED:
        return rows.filter(until__isnull=False)
    return rows.active_on(on)
