"""DTSEN's welfare ranking, period by period (Inpres 4/2025; Permensos 3/2026: PBI follows it).

Each imported DTSEN period (`enrollment.RegistryRecord`, source DTSEN) is read against the
kabupaten's desil threshold in force (`regions.DesilThreshold`) to find two kinds of case:
- urgent re-verifications: an active participant whose household's desil in the latest period
  is above the threshold, or who was listed in the period before and is not in the latest one
  (left DTSEN), and who was not verified since that period was imported;
- calon usulan (Instruksi KELIMA c and e): residents listed in the latest period at or below
  the threshold who are not participants and, where BPJS data is loaded, not covered.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from accounts.scoping import villages_for
from bpjs.models import Record, Status
from enrollment import stamps
from enrollment.bulk import AnyOf
from enrollment.models import Ground, Kind, Participation, RegistryRecord, RegistrySource
from people.models import Person, PersonChange
from regions.models import DesilThreshold, District, HealthFacility, Regency, Village
from regions.months import add_months, month_start
from verification import services as proposals
from verification.models import (
    EDITABLE,
    Proposal,
    ProposalItem,
    ProposalSource,
    ProposalStatus,
)

# The threshold on a day before any set in the admin (migration regions 0005 seeds it).
DEFAULT_THRESHOLD = 5
# BPJS statuses that already cover a person: registered, or sent for registration.
COVERED = [Status.ACTIVE, Status.SENT]
OPEN_PROPOSALS = [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.RETURNED]
# A change of the ledger or the BPJS records touching more people than this (an import's) is
# not applied to the cases kept from before it: they are read again whole.
CHANGES_APPLIED_MAX = 5_000

Place = Regency | District | Village | None
# The kinds of case on the findings page (feeds.findings).
URGENT = "segera"
CANDIDATE = "calon"


class Reason:
    """Why a participant is due now: the values of the `urgent_reason` annotation."""

    ROSE = "desil"
    LEFT = "keluar"


@dataclass(frozen=True)
class Ranking:
    """The DTSEN periods known on a day, the threshold in force then, and the participants
    (ever) the latest period makes due: person id -> (Reason, desil before, desil now).
    `known_on` is the day the latest period was imported: a verification on or after it has
    seen it. `version` names everything it was read from (see `ranking`), `listed` all of it
    but the ledger."""

    on: datetime.date
    threshold: int
    latest: datetime.date | None = None
    previous: datetime.date | None = None
    known_on: datetime.date | None = None
    cases: dict = field(default_factory=dict)
    # Each case's village when the ranking was read: a page asks only its villages' cases.
    villages: dict = field(default_factory=dict)
    version: str = ""
    listed: str = ""

    def reason(self, person_id: int) -> str:
        """Why the participant is due now, in words ("" when they are not)."""
        if person_id not in self.cases:
            return ""
        kind, before, now = self.cases[person_id]
        period = f"{self.latest:%m-%Y}"
        if kind == Reason.LEFT:
            return (
                f"Tidak lagi terdaftar di DTSEN periode {period} "
                "(terdaftar pada periode sebelumnya)"
            )
        since = f" dari desil {before}" if before else ""
        return (
            f"Desil rumah tangga naik{since} ke desil {now} di DTSEN periode {period}, "
            f"di atas ambang desil {self.threshold}"
        )


def threshold_on(day: datetime.date) -> int:
    setting = DesilThreshold.objects.in_force(day)
    return setting.desil if setting else DEFAULT_THRESHOLD


def day_of(month: datetime.date) -> datetime.date:
    """The day a month's cases are judged on: today for this month (or a later one), the
    month's last day for a past month."""
    today = timezone.localdate()
    return min(today, add_months(month_start(month), 1) - datetime.timedelta(days=1))


def ranking(on: datetime.date) -> Ranking:
    """The ranking on `on`, kept under the stamps of what it reads but the ledger (the
    listings, the threshold, the month, the NIK corrections, which say who a listing names: a
    change of any of them reads it whole) with the ledger's stamp beside it. A change of the
    ledger (an approval, a household moved) is applied to the kept ranking: only the cases of
    the people it touched are read again (`stamps.carried`). So the cases are never stale; a
    re-verification is read live (`urgent`)."""
    threshold = threshold_on(on)
    listed = ":".join(
        [
            _listings_stamp(),
            str(threshold),
            f"{on:%Y-%m}",
            stamps.stamp(PersonChange.objects.filter(field="nik")),
        ]
    )
    ledger = stamps.ledger_stamp()
    rank = stamps.carried(
        f"feeds:dtsen:ranking:{listed}",
        (ledger,),
        lambda: _ranking(on, threshold),
        lambda kept, before: _ranking_updated(kept, _people_changed(before, (ledger,))),
    )
    return replace(rank, on=on, version=f"{listed}:{ledger}", listed=listed)


def _people_changed(before: tuple[str, ...], now: tuple[str, ...]) -> set[int] | None:
    """The people whose ledger entries or household's village changed between two readings
    of the ledger's stamp (the first of `before` and `now`) and, when a second is given, of
    the BPJS records' stamp, whose records changed; None when that cannot be told
    (`stamps.since`) or when they are many (an import's): then everything is read again."""
    ledger = stamps.ledger_since(before[0], now[0], CHANGES_APPLIED_MAX)
    records = [Record.objects.none()]
    if len(now) > 1:
        records = stamps.since([Record.objects.all()], before[1], now[1], CHANGES_APPLIED_MAX)
    if ledger is None or records is None:
        return None
    entries, moves = ledger
    moved = Person.objects.filter(household__in=moves.values("household"))
    people = {
        *entries.values_list("person", flat=True),
        *records[0].exclude(person=None).values_list("person", flat=True),
        *moved.values_list("pk", flat=True),
    }
    return people if len(people) <= CHANGES_APPLIED_MAX else None


def _listings_stamp() -> str:
    """The listings' highest id: they are never changed or deleted, and each import locks the
    kabupaten before writing (`enrollment.services.registry_import`), so imports commit one
    after another, each numbering its listings above every committed one. A new import always
    raises it, without counting the periods' 600,000 rows as `stamps.stamp` would."""
    return str(RegistryRecord.objects.aggregate(last=Max("pk"))["last"] or 0)


def _ranking(on: datetime.date, threshold: int) -> Ranking:
    # The periods from the index; the latest one's import day from its listings alone.
    dated = _dtsen().filter(data_period__lte=on)
    latest = dated.aggregate(period=Max("data_period"))["period"]
    if latest is None:
        return Ranking(on=on, threshold=threshold)
    previous = dated.filter(data_period__lt=latest).aggregate(period=Max("data_period"))["period"]
    imported = _dtsen(latest).aggregate(first=Min("imported_at"))["first"]
    cases, villages = _cases(latest, previous, threshold, Participation.objects.all())
    return Ranking(
        on=on,
        threshold=threshold,
        latest=latest,
        previous=previous,
        known_on=timezone.localdate(imported),
        cases=cases,
        villages=villages,
    )


def _ranking_updated(rank: Ranking, people: set[int] | None) -> Ranking | None:
    """`rank` with the cases of `people` read again (None when they are not known)."""
    if people is None:
        return None
    if not people or rank.latest is None:
        return rank
    participations = Participation.objects.filter(pk__in=people)
    cases, villages = _cases(rank.latest, rank.previous, rank.threshold, participations)
    kept = {person: case for person, case in rank.cases.items() if person not in people}
    placed = {person: at for person, at in rank.villages.items() if person not in people}
    return replace(rank, cases=kept | cases, villages=placed | villages)


def _cases(latest, previous, threshold, participations: QuerySet[Participation]):
    """The cases among `participations` (ever) and their villages: those whose NIK is listed
    above the threshold in the latest period, and those listed in the previous one and not in
    the latest (their desil now is None). Two queries, each a plain IN: the planner estimates a
    UNION of the two at 200 rows and probes the residents' NIKs one by one (2.1 s at a million
    residents, 1.3 s as two)."""
    due = [
        participations.filter(
            person__nik__in=_dtsen(latest).filter(desil__gt=threshold).values("nik")
        )
    ]
    if previous:
        left = _dtsen(previous).exclude(Exists(_dtsen(latest).filter(nik=OuterRef("nik"))))
        due.append(participations.filter(person__nik__in=left.values("nik")))
    rows = [
        (person, village, (Reason.LEFT if now is None else Reason.ROSE, before, now))
        for due_rows in due
        for person, village, before, now in due_rows.annotate(
            before=_desil(previous), now=_desil(latest)
        )
        .order_by()
        .values_list("pk", "village_id", "before", "now")
    ]
    cases = {person: case for person, _, case in rows}
    return cases, {person: village for person, village, _ in rows}


def _desil(period: datetime.date | None):
    """The participant's desil in `period` (None when not listed, or no such period)."""
    if period is None:
        return Value(None, output_field=IntegerField())
    return Subquery(_dtsen(period).filter(nik=OuterRef("person__nik")).values("desil")[:1])


def _dtsen(period: datetime.date | None = None) -> QuerySet[RegistryRecord]:
    listings = RegistryRecord.objects.filter(source=RegistrySource.DTSEN)
    return listings if period is None else listings.filter(data_period=period)


def in_place(queryset: QuerySet, place: Place, village_path: str = "") -> QuerySet:
    """Rows of `queryset` whose village (through `village_path`; "" for villages themselves)
    lies in `place` (all of them for None)."""
    prefix = f"{village_path}__" if village_path else ""
    if isinstance(place, Village):
        return queryset.filter(**{village_path or "pk": place.pk})
    if isinstance(place, District):
        return queryset.filter(**{f"{prefix}district": place.pk})
    if isinstance(place, Regency):
        return queryset.filter(**{f"{prefix}district__regency": place.pk})
    return queryset


def urgent(rank: Ranking, villages: list[int]) -> QuerySet[Participation]:
    """The active participants of `villages` due for re-verification now because of the
    latest DTSEN period (`rank.reason(row.person_id)` says why): the cases of those villages
    not verified since the period was imported, looked up by primary key. A participant who
    moved village since the ranking was read shows again when it is read next."""
    wanted = set(villages)
    cases = [person for person, village in rank.villages.items() if village in wanted]
    if not cases:
        return Participation.objects.none()
    return Participation.objects.active_on(rank.on).filter(
        AnyOf(F("pk"), cases), village__in=villages, verified_on__lt=rank.known_on
    )


def _participating(on: datetime.date) -> QuerySet[Participation]:
    """Participations not ended on `on`, including those that start later (already added)."""
    return Participation.objects.filter(Q(until__isnull=True) | Q(until__gt=on))


def candidates(listings: QuerySet[RegistryRecord], rank: Ranking) -> QuerySet[RegistryRecord]:
    """Listings of the latest DTSEN period in `listings`, at or below the threshold, of people
    who are not participants and whose latest BPJS record (when there is one) does not cover
    them; annotated with `person_id` (the resident of that NIK, if recorded), `bpjs_status`
    and `is_proposed` (already in an Usulan being worked on). Both exclusions are anti-joins,
    so a count reads the period once; the annotations are read for the rows shown."""
    if rank.latest is None:
        return listings.none()
    by_nik = {"person__nik": OuterRef("nik")}
    later = Record.objects.filter(person=OuterRef("person"), pk__gt=OuterRef("pk"))
    covered = Record.objects.filter(status__in=COVERED, **by_nik).exclude(Exists(later))
    status = Record.objects.filter(**by_nik).order_by("-pk").values("status")[:1]
    return (
        listings.filter(
            source=RegistrySource.DTSEN, data_period=rank.latest, desil__lte=rank.threshold
        )
        .exclude(Exists(_participating(rank.on).filter(**by_nik)))
        .exclude(Exists(covered))
        .annotate(
            bpjs_status=Subquery(status),
            person_id=Subquery(Person.objects.filter(nik=OuterRef("nik")).values("pk")[:1]),
            is_proposed=Exists(
                ProposalItem.objects.filter(proposal__status__in=OPEN_PROPOSALS, **by_nik)
            ),
        )
    )


def candidate_counts(rank: Ranking) -> dict[int, int]:
    """The kabupaten's calon usulan per village (village id -> count), for a page to narrow to
    the villages its reader sees; cached under the ranking's stamps, the BPJS records' and the
    day. The calon usulan themselves are kept from one change of the ledger or the records to
    the next, and only the listings of the people a change touched are read again."""
    ledger, records = stamps.ledger_stamp(), stamps.stamp(Record.objects.all())

    def updated(kept: dict, before: tuple[str, ...]) -> dict | None:
        people = _people_changed(before, (ledger, records))
        if people is None:
            return None
        niks = Person.objects.filter(pk__in=people).values("nik")
        touched = _dtsen(rank.latest).filter(nik__in=niks)
        ids = set(touched.values_list("pk", flat=True))
        if not ids:
            return kept
        now = _villages_of(candidates(touched, rank))
        return {listing: at for listing, at in kept.items() if listing not in ids} | now

    def read() -> dict[int, int]:
        listings = stamps.carried(
            # By month (in `listed`), not by day: spells end on a month's first day, so who
            # is a participant on any day of a month is who is one on its first.
            f"feeds:dtsen:candidates-kept:{rank.listed}",
            (ledger, records),
            lambda: _villages_of(candidates(RegistryRecord.objects.all(), rank)),
            updated,
        )
        return dict(Counter(listings.values()))

    return stamps.cached(f"feeds:dtsen:candidates:{rank.version}:{records}:{rank.on}", read)


def _villages_of(listings: QuerySet[RegistryRecord]) -> dict[int, int]:
    return dict(listings.order_by().values_list("pk", "village"))


def visible_candidate_counts(rank: Ranking, actor: User, area: Place = None) -> dict[int, int]:
    """`candidate_counts` narrowed to the villages of `area` the actor sees."""
    seen = set(visible_villages(actor, area))
    return {village: n for village, n in candidate_counts(rank).items() if village in seen}


def visible_villages(actor: User, area: Place = None) -> list[int]:
    """The ids of the villages of `area` (all when None) the actor sees. The urgent set is
    filtered by this list rather than joined to the villages: the join misleads the planner
    into reading each village's participants once per kapanewon."""
    return list(in_place(villages_for(actor), area).values_list("pk", flat=True))


def urgent_cases(
    *, actor: User, month: datetime.date, area: Place = None, rank: Ranking | None = None
):
    """The actor's visible active participants (in `area`, a kabupaten, kapanewon or village,
    or all they see) due for re-verification now because of DTSEN, judged on `day_of(month)`,
    in the order of the schedule's index; `ranking(day_of(month)).reason(row.person_id)` says
    why. `rank`: that ranking when the caller has read it already (its stamps cost a read)."""
    rank = rank or ranking(day_of(month))
    rows = urgent(rank, visible_villages(actor, area))
    return rows.order_by("verified_on", "village_id", "person_id")


def candidate_cases(
    *, actor: User, month: datetime.date, area: Place = None, rank: Ranking | None = None
):
    """The calon usulan the actor sees (in `area`, or all they see), judged on
    `day_of(month)` (`rank`, as for `urgent_cases`): RegistryRecord rows annotated as
    `candidates` does, by village and desil."""
    listings = in_place(RegistryRecord.objects.visible_to(actor), area, "village")
    rows = candidates(listings, rank or ranking(day_of(month)))
    return rows.order_by("village__code", "desil", "name", "pk")


def first_faskes(village: Village) -> HealthFacility | None:
    """The faskes a calon usulan is proposed with unless chosen: the kapanewon's first active
    one."""
    return (
        HealthFacility.objects.filter(is_active=True, district=village.district_id)
        .order_by("pk")
        .first()
    )


def candidate_propose(
    *,
    actor: User,
    listing: RegistryRecord,
    faskes: HealthFacility | None,
    domicile_document: str,
    has_other_cover: bool | None,
) -> ProposalItem:
    """Adds a calon usulan to the village's Usulan of `usulan_month` (opened if need be) on
    ground c.1, the DTSEN listing as its evidence; the Usulan checks the ground as the ledger
    will. One transaction: a refusal leaves no Usulan opened."""
    permissions.require(
        permissions.can_draft_proposal(actor, listing.village),
        "Hanya operator dan Lurah desa ini yang mengusulkan penduduknya.",
    )
    today = timezone.localdate()
    if not candidates(RegistryRecord.objects.filter(pk=listing.pk), ranking(today)).exists():
        raise ValidationError(
            f"{listing.name} bukan lagi calon usulan menurut DTSEN periode terakhir."
        )
    person = Person.objects.filter(nik=listing.nik).first()
    if person is None:
        raise ValidationError(
            f"NIK {listing.nik} ({listing.name}) belum tercatat sebagai penduduk; "
            "catat datanya dahulu."
        )
    evidence = {
        **listing.as_evidence(today),
        "domicile_document": domicile_document,
        "has_other_cover": has_other_cover,
    }
    item = ProposalItem(
        person=person, kind=Kind.ADDITION, ground=Ground.DTKS, evidence=evidence, faskes=faskes
    )
    with transaction.atomic():
        month = usulan_month(listing.village, today)
        proposal = proposals.proposal_open(actor=actor, month=month)
        return proposals.item_add(actor=actor, proposal=proposal, item=item)


def usulan_month(village: Village, today: datetime.date) -> datetime.date:
    """The month a village's calon usulan go to: this month's Usulan, or next month's once
    this month's has been sent."""
    this_month = month_start(today)
    sent = (
        Proposal.objects.filter(village=village, month=this_month, source=ProposalSource.VILLAGE)
        .exclude(status__in=EDITABLE)
        .exists()
    )
    return add_months(this_month, 1) if sent else this_month


@dataclass(frozen=True)
class DistrictFigure:
    district: District
    outside: int  # active participants listed above the threshold in the latest period
    uncovered: int  # calon usulan: listed at or below it, neither participant nor covered


def figures(
    place: Regency | District | Village, on: datetime.date, rank: Ranking | None = None
) -> list[DistrictFigure]:
    """Per kapanewon of `place` (already within the reader's area): participants outside the
    threshold and uncovered listed poor, by the latest DTSEN period (`rank`: `ranking(on)`
    when already read). Cached under the ranking's stamps and the BPJS records': a figure
    read is never stale."""
    rank = rank or ranking(on)
    where = f"{place._meta.model_name}{place.pk}"
    key = f"feeds:dtsen:figures:{rank.version}:{stamps.stamp(Record.objects.all())}:{on}:{where}"
    outside, uncovered = stamps.cached(key, lambda: _figure_counts(place, rank))
    if isinstance(place, Regency):
        districts = list(District.objects.filter(regency=place.pk).order_by("code"))
    else:
        districts = [place if isinstance(place, District) else place.district]
    return [DistrictFigure(d, outside.get(d.pk, 0), uncovered.get(d.pk, 0)) for d in districts]


def _figure_counts(place: Regency | District | Village, rank: Ranking) -> tuple[dict, dict]:
    if rank.latest is None:
        return {}, {}
    above = [person for person, case in rank.cases.items() if case[0] == Reason.ROSE]
    active = in_place(Participation.objects.active_on(rank.on), place, "village")
    outside = _counted_by(active.filter(AnyOf(F("pk"), above)), "village__district")
    districts = dict(in_place(Village.objects.all(), place).values_list("pk", "district"))
    uncovered = Counter()
    for village, count in candidate_counts(rank).items():
        if village in districts:
            uncovered[districts[village]] += count
    return outside, dict(uncovered)


def _counted_by(rows: QuerySet, path: str) -> dict[int, int]:
    counts = rows.order_by().values(path).annotate(n=Count("pk"))
    return {row[path]: row["n"] for row in counts}
