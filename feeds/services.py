"""Dukcapil's extract saved and acted on, and the Tim Verifikasi's answer to what it found.
Every effect goes through the service that owns it (the ledger's, the Usulan's, the
residents'), so nothing here weakens their rules; each refuses in Bahasa Indonesia and writes
nothing when it does."""

import contextlib
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from enrollment import services as ledger
from enrollment.models import Ground, Kind, Participation
from feeds.events import Plan
from feeds.models import Finding, FindingKind, FindingStatus
from people.models import EventKind, Person, PopulationEvent, PopulationExtract
from people.services import IdentityChange, ItemRefused, people_change_identity
from regions import terminology
from regions.models import Village
from regions.months import month_start
from sktm.models import VerificationForm
from verification import services as proposals
from verification.models import ProposalItem, ProposalStatus

_IMPORT_REFUSAL = "Hanya Dukcapil atau admin yang mengimpor peristiwa kependudukan."
_DECIDER_REFUSAL = "Hanya Tim Verifikasi Dinas Sosial yang memutuskan usul pengurangan."
# An Usulan still being worked on, where a death must reach the village before it is decided.
_OPEN_PROPOSALS = [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.RETURNED]
_REMOVAL_GROUND = {EventKind.DIED: Ground.DIED, EventKind.MOVED_OUT: Ground.MOVED_OUT}


def check_period(period: datetime.date) -> datetime.date:
    """An extract of events that happened: this month or an earlier one, never a month to come."""
    period = month_start(period)
    if period > month_start(timezone.localdate()):
        raise ValidationError(f"Periode {period:%m-%Y} belum tiba.")
    return period


def extract_problems(plan: Plan) -> list[tuple[int, str]]:
    """What the checked rows ask of the kabupaten's records that they cannot give: a
    destination village outside the kabupaten, a new NIK already someone else's."""
    codes = {row["village_code"] for row in plan.rows if row["village_code"]}
    known = set(
        Village.objects.filter(
            code__in=codes, district__regency__code=terminology.current().regency_code
        ).values_list("code", flat=True)
    )
    new_niks = {row["new_nik"] for row in plan.rows if row["new_nik"]}
    taken = set(Person.objects.filter(nik__in=new_niks).values_list("nik", flat=True))
    problems = []
    for row in plan.rows:
        if row["village_code"] and row["village_code"] not in known:
            problems.append(
                (
                    row["row_number"],
                    f"kode desa tujuan {row['village_code']} bukan desa kabupaten ini",
                )
            )
        if row["new_nik"] in taken:
            problems.append(
                (row["row_number"], f"NIK baru {row['new_nik']} sudah dipakai penduduk lain")
            )
    return problems


def extract_same_as(plan: Plan) -> PopulationExtract | None:
    """The extract already holding exactly these events of that period, if any."""
    return PopulationExtract.objects.filter(digest=plan.digest).first()


def extract_import(
    *, actor: User, plan: Plan, filename: str, layout_name: str
) -> PopulationExtract | None:
    """Saves a checked extract and acts on each event, all or nothing; the same events again
    write nothing (None). Each event is matched to the resident of its NIK when there is one;
    an unknown NIK is kept unmatched."""
    permissions.require(permissions.can_import_population_events(actor), _IMPORT_REFUSAL)
    check_period(plan.period)
    errors = plan.errors + extract_problems(plan)
    if errors:
        raise ValidationError(Plan(period=plan.period, errors=sorted(errors)).error_messages())
    with transaction.atomic():
        # The digest is unique: of two imports of the same rows at once, the second fails.
        if extract_same_as(plan) is not None:
            return None
        extract = PopulationExtract.objects.create(
            period=plan.period,
            filename=filename[:255],
            digest=plan.digest,
            rows=len(plan.rows),
            layout=layout_name[:100],
            imported_by=actor,
        )
        # With their household and village: a finding names them without asking again.
        people = {
            person.nik: person
            for person in Person.objects.filter(
                nik__in=[row["nik"] for row in plan.rows]
            ).select_related("household__village")
        }
        events = PopulationEvent.objects.bulk_create(
            PopulationEvent(extract=extract, person=people.get(row["nik"]), **row)
            for row in plan.rows
        )
        known = _known(events)
        villages = Village.objects.select_related("district").in_bulk(
            {event.village_code for event in events if event.village_code}, field_name="code"
        )
        acting = [event for event in events if event.person_id and known.acts_on(event)]
        for batch in _batches(acting):
            _act(actor, extract, batch, known, villages)
    return extract


def _batches(events: list[PopulationEvent]) -> Iterator[list[PopulationEvent]]:
    """The events in file order, cut wherever one would read what an earlier one of its
    batch changes: a household moved by two members' events, a member changing KK out of or
    into a household that moves. Each batch then acts as the events one by one did. A death
    or a move out reads nothing the others change."""
    batch, touched = [], set()
    for event in events:
        numbers = set()
        if event.kind not in _REMOVAL_GROUND:
            numbers = {event.person.household.number, event.new_kk_number} - {""}
        if numbers & touched:
            yield batch
            batch, touched = [], set()
        batch.append(event)
        touched |= numbers
    if batch:
        yield batch


@dataclass(frozen=True)
class _Known:
    """What the extract's residents already are, read once for the whole extract: a death or
    a move out of anyone else asks nothing more of the database."""

    active: set[int]  # participating now
    proposed: set[int]  # with a removal Dukcapil's data proposed, still open
    flagged: set[str]  # NIKs in an open Usulan (as a person or a newborn's mother) or SKTM form

    def acts_on(self, event: PopulationEvent) -> bool:
        if event.kind not in _REMOVAL_GROUND:
            return True
        return event.person_id in self.active or event.nik in self.flagged


def _known(events: list[PopulationEvent]) -> _Known:
    ids = [event.person_id for event in events if event.person_id]
    niks = [event.nik for event in events if event.person_id]
    open_items = ProposalItem.objects.filter(proposal__status__in=_OPEN_PROPOSALS)
    return _Known(
        active=set(
            Participation.objects.filter(person__in=ids, until__isnull=True).values_list(
                "person_id", flat=True
            )
        ),
        proposed=set(
            Finding.objects.filter(
                person__in=ids, kind=FindingKind.REMOVAL, status=FindingStatus.OPEN
            ).values_list("person_id", flat=True)
        ),
        flagged={
            *open_items.filter(person__nik__in=niks).values_list("person__nik", flat=True),
            *open_items.filter(ground=Ground.NEWBORN, mother__nik__in=niks).values_list(
                "mother__nik", flat=True
            ),
            *open_items.filter(ground=Ground.NEWBORN, mother_nik__in=niks).values_list(
                "mother_nik", flat=True
            ),
            *VerificationForm.objects.open().filter(nik__in=niks).values_list("nik", flat=True),
        },
    )


def _act(
    actor: User,
    extract: PopulationExtract,
    events: list[PopulationEvent],
    known: _Known,
    villages: dict[str, Village],
) -> None:
    """The effects of a batch of events on the residents they name, each kind through its
    owning service's batch function; the findings inserted together, in the order the events
    made them."""
    removals = []
    for event in events:
        is_active = event.person_id in known.active
        if event.kind in _REMOVAL_GROUND and is_active and event.person_id not in known.proposed:
            removals.append(event)
            known.proposed.add(event.person_id)
    findings = {event.pk: [] for event in events}
    for event, finding in [
        *_propose_removals(actor, extract, removals),
        *_flag_deaths([e for e in events if e.kind == EventKind.DIED and e.nik in known.flagged]),
        *_move(actor, [e for e in events if e.kind == EventKind.MOVED_WITHIN], villages),
    ]:
        findings[event.pk].append(finding)
    changes = [event for event in events if event.kind == EventKind.IDENTITY_CHANGED]
    if changes:
        with _rows(changes):
            people_change_identity(
                actor=actor,
                changes=[
                    IdentityChange(person=e.person, nik=e.new_nik, kk_number=e.new_kk_number)
                    for e in changes
                ],
            )
    Finding.objects.bulk_create(finding for made in findings.values() for finding in made)


@contextlib.contextmanager
def _rows(events: list[PopulationEvent]) -> Iterator[None]:
    """A batch service's refusal of one item as the refusal of its event's row."""
    try:
        yield
    except ItemRefused as error:
        raise ValidationError(
            f"Baris {events[error.index].row_number}: {error.messages[0].rstrip('.')}."
        ) from error


def _finding(event: PopulationEvent, **fields: object) -> tuple[PopulationEvent, Finding]:
    """A finding of `event` (not saved yet), in the village the resident lived in when the
    extract was read unless `fields` name another."""
    fields.setdefault("person", event.person)
    fields.setdefault("village", event.person.household.village)
    return event, Finding(event=event, month=month_start(timezone.localdate()), **fields)


def _propose_removals(
    actor: User, extract: PopulationExtract, events: list[PopulationEvent]
) -> list[tuple[PopulationEvent, Finding]]:
    """Pasal 5 ayat (2) a or d for active participants (once: the same event in a later
    extract proposes nothing again), the evidence from each event. The data is Dukcapil's
    own, so the ayat (3) validation is recorded with it: by the importing user, today,
    against the extract and its period."""
    if not events:
        return []
    removals = []
    for event in events:
        if event.kind == EventKind.DIED:
            evidence = {
                "death_date": event.occurred_on.isoformat(),
                "death_certificate": event.death_certificate,
            }
        else:
            evidence = {
                "destination": event.destination,
                "moved_on": event.occurred_on.isoformat(),
            }
        removals.append((event.person, _REMOVAL_GROUND[event.kind], evidence))
    with _rows(events):
        checked = ledger.removals_check(removals=removals)
    return [
        _finding(
            event,
            kind=FindingKind.REMOVAL,
            ground=ground,
            evidence=evidence,
            note=f"{event.get_kind_display()} {event.occurred_on:%d-%m-%Y}",
            validated_by=actor,
            validated_on=timezone.localdate(),
            validated_against=f"{extract}, baris {event.row_number}"[:255],
        )
        for event, (_, ground, _), evidence in zip(events, removals, checked, strict=True)
    ]


def _flag_deaths(events: list[PopulationEvent]) -> list[tuple[PopulationEvent, Finding]]:
    """Deaths a village must act on: the mother of a newborn it proposed, a person in an
    Usulan still open, an applicant whose SKTM form is still in process; each asked once for
    all the batch's dead."""
    if not events:
        return []
    by_person = {event.person_id: event for event in events}
    by_nik = {event.person.nik: event for event in events}
    died = {event.pk: f"meninggal {event.occurred_on:%d-%m-%Y}" for event in events}
    flags = []
    newborns = ProposalItem.objects.filter(
        Q(mother__in=by_person) | Q(mother_nik__in=by_nik),
        ground=Ground.NEWBORN,
        proposal__status__in=_OPEN_PROPOSALS,
    ).select_related("person", "proposal__village")
    for item in newborns:
        mothers = (by_person.get(item.mother_id), by_nik.get(item.mother_nik))
        for event in dict.fromkeys(mother for mother in mothers if mother):
            flags.append(
                _finding(
                    event,
                    kind=FindingKind.FLAG,
                    village=item.proposal.village,
                    note=f"Ibu dari bayi {item.person.name} yang diusulkan ({item.proposal}) "
                    f"{died[event.pk]}",
                )
            )
    items = ProposalItem.objects.filter(
        person__in=by_person, proposal__status__in=_OPEN_PROPOSALS
    ).select_related("proposal__village")
    for item in items:
        event = by_person[item.person_id]
        flags.append(
            _finding(
                event,
                kind=FindingKind.FLAG,
                village=item.proposal.village,
                note=f"{died[event.pk].capitalize()}, masih dalam {item.proposal}",
            )
        )
    forms = VerificationForm.objects.open().filter(nik__in=by_nik).select_related("village")
    for form in forms:
        event = by_nik[form.nik]
        flags.append(
            _finding(
                event,
                kind=FindingKind.FLAG,
                village=form.village,
                note=f"{died[event.pk].capitalize()}, formulir SKTM masih diproses",
            )
        )
    return flags


def _move(
    actor: User, events: list[PopulationEvent], villages: dict[str, Village]
) -> list[tuple[PopulationEvent, Finding]]:
    """Moves between villages: each household follows at once (enrollment.households_move,
    which keeps history and brings the participation along); each finding records it done."""
    moves, findings = [], []
    for event in events:
        village, household = villages[event.village_code], event.person.household
        moves.append(
            ledger.HouseholdMove(
                household=household,
                village=village,
                dusun=event.dusun or household.dusun,
                rt=event.rt or household.rt,
                rw=event.rw or household.rw,
            )
        )
        findings.append(
            _finding(
                event,
                kind=FindingKind.MOVE,
                note=f"Pindah ke {village} {event.occurred_on:%d-%m-%Y}",
                status=FindingStatus.DONE,
                decided_by=actor,
                decided_at=timezone.now(),
            )
        )
    if moves:
        with _rows(events):
            ledger.households_move(actor=actor, moves=moves)
    return findings


def _close(finding: Finding, actor: User, status: FindingStatus, reason: str = "") -> None:
    finding.status, finding.decided_by, finding.decided_at = status, actor, timezone.now()
    finding.reason_text = reason
    finding.save()


def _open(findings, kind: FindingKind) -> list[Finding]:
    """The chosen findings of `kind`, locked; every one must still be open."""
    chosen = list(
        Finding.objects.select_for_update(of=("self",))
        .filter(pk__in=[finding.pk for finding in findings])
        .select_related("person__household", "event", "validated_by", "village")
        .order_by("pk")
    )
    if not chosen:
        raise ValidationError("Pilih paling sedikit satu temuan.")
    for finding in chosen:
        if finding.kind != kind:
            raise ValidationError(
                f"{finding.person.name}: tindakan ini bukan untuk temuan jenis ini."
            )
        if not finding.is_open:
            raise ValidationError(
                f"{finding.person.name} sudah {finding.get_status_display().lower()}."
            )
    return chosen


def findings_approve(*, actor: User, findings) -> int:
    """The Tim Verifikasi approves proposed removals, all or none: each is recorded in the
    month's Dinas Sosial record of the person's village (verification.removal_found) and
    enters the ledger with the validation the import recorded (verification.removal_validate,
    in the name of the user who validated)."""
    permissions.require(permissions.can_decide(actor), _DECIDER_REFUSAL)
    with transaction.atomic():
        chosen = _open(findings, FindingKind.REMOVAL)
        for finding in chosen:
            try:
                item = proposals.removal_found(
                    actor=actor,
                    item=ProposalItem(
                        person=finding.person,
                        kind=Kind.REMOVAL,
                        ground=finding.ground,
                        evidence=finding.evidence,
                    ),
                    note=finding.validated_against,
                )
                item = proposals.removal_validate(
                    actor=finding.validated_by,
                    item=item,
                    validated_on=finding.validated_on,
                    validated_against=finding.validated_against,
                )
            except (ValidationError, PermissionDenied) as error:
                message = getattr(error, "messages", [str(error)])[0]
                raise ValidationError(f"{finding.person.name}: {message}") from error
            finding.proposal_item = item
            _close(finding, actor, FindingStatus.APPROVED)
    return len(chosen)


def findings_reject(*, actor: User, findings, reason: str) -> int:
    """The Tim Verifikasi rejects proposed removals with its reason; nothing enters the
    ledger."""
    permissions.require(permissions.can_decide(actor), _DECIDER_REFUSAL)
    if not reason.strip():
        raise ValidationError("Tuliskan alasan penolakan.")
    with transaction.atomic():
        chosen = _open(findings, FindingKind.REMOVAL)
        for finding in chosen:
            _close(finding, actor, FindingStatus.REJECTED, reason.strip())
    return len(chosen)


def findings_close(*, actor: User, findings) -> int:
    """The village (or the Tim Verifikasi) marks the deaths flagged to it as dealt with."""
    with transaction.atomic():
        chosen = _open(findings, FindingKind.FLAG)
        for finding in chosen:
            permissions.require(
                permissions.can_close_flag(actor, finding.village),
                "Hanya desa yang bersangkutan atau Tim Verifikasi yang menandai selesai.",
            )
            _close(finding, actor, FindingStatus.DONE)
    return len(chosen)
