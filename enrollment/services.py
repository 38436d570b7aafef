"""The only writers of the ledger: one service per change, each checking its Pasal 5 ground
against the data at that moment. Later steps (the Tim Verifikasi's decisions) call these."""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from enrollment.bulk import bulk_insert
from enrollment.imports import (
    REGISTRY_FIELDS,
    Known,
    Plan,
    Progress,
    Row,
    lookup,
    one_of,
    plan_participants,
    plan_registry,
)
from enrollment.models import (
    Ground,
    Kind,
    LedgerEntry,
    RegistryRecord,
    Segment,
    Validator,
)
from enrollment.participation import is_active, project, project_people
from people.models import Household, HouseholdChange, Person
from people.services import household_changes, household_values, item_refusal, rows_update
from regions.models import HealthFacility, Regency, Village
from regions.months import add_months, month_start
from sktm.models import Letter

_DOMICILE_MONTHS = 6  # Pasal 5 ayat (4) c: berdomisili paling kurang 6 bulan
_DTKS_SOURCES = {"DTKS", "DTSEN"}
# Pasal 5 ayat (4) c: "dibuktikan dengan KTP dan/atau terdaftar dalam kartu keluarga".
_DOMICILE_DOCUMENTS = {"KTP", "KK", "KTP dan KK"}


def as_date(value: object, label: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"{label} harus berupa tanggal (TTTT-BB-HH).") from None


def _require(evidence: dict, *keys: str) -> None:
    missing = [key for key in keys if not str(evidence.get(key, "")).strip()]
    if missing:
        raise ValidationError(f"Bukti belum lengkap: {', '.join(missing)}.")


def _locked_history(
    actor: User, person: Person, may: Callable[[User], bool] = permissions.can_record_ledger
) -> LedgerEntry | None:
    """Checks the actor (`may`, a capability) and locks the person's row, so concurrent
    writers of one person take turns; returns the person's last entry."""
    permissions.require(
        may(actor), "Hanya Tim Verifikasi Dinas Sosial atau admin yang mencatat mutasi."
    )
    Person.objects.select_for_update().get(pk=person.pk)
    return LedgerEntry.objects.filter(person=person).order_by("-sequence").first()


def append(person: Person, last: LedgerEntry | None, **fields: object) -> LedgerEntry:
    """Appends the person's next entry after `last` and brings the projection up to it."""
    # Months never go back, except behind a reversed pair (an entry and its correction),
    # which no longer binds: a wrong month is fixed by reversing it and recording again.
    binding = (
        LedgerEntry.objects.filter(person=person, corrections__isnull=True)
        .exclude(ground=Ground.CORRECTION)
        .order_by("-sequence")
        .first()
        if last and last.ground == Ground.CORRECTION
        else last
    )
    if binding and fields["effective_month"] < binding.effective_month:
        raise ValidationError(
            f"Bulan berlaku tidak boleh sebelum mutasi terakhir ({binding.effective_month:%m-%Y})."
        )
    # The village the person lives in now (their row is locked): the entry keeps it.
    village_id = (
        Person.objects.filter(pk=person.pk).values_list("household__village_id", flat=True).get()
    )
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                person=person,
                village_id=village_id,
                sequence=(last.sequence if last else 0) + 1,
                **fields,
            )
    except IntegrityError as error:
        # Another writer appended to this person first (unique person + sequence).
        raise ValidationError(
            "Data peserta ini baru saja diubah; muat ulang dan coba lagi."
        ) from error
    project(entry)
    return entry


def _last_entry(person: Person) -> LedgerEntry | None:
    """The person's latest ledger entry; none for a resident not recorded yet (an Usulan item
    held for the Tim Verifikasi is checked as a new resident of its village)."""
    if person.pk is None:
        return None
    return LedgerEntry.objects.filter(person=person).order_by("-sequence").first()


def _check_no_other_cover(person: Person, evidence: dict) -> None:
    """Pasal 5 ayat (4) b and c: only for a resident "yang belum mempunyai Jaminan Kesehatan
    lain", as the evidence declares (`has_other_cover` false, not merely absent)."""
    has_other_cover = evidence.get("has_other_cover")
    if has_other_cover is True:
        raise ValidationError(f"{person.name} sudah memiliki jaminan kesehatan lain.")
    if has_other_cover is not False:
        # An unticked box is a missing declaration, not a declared cover: say what to tick.
        raise ValidationError(
            "Centang pernyataan bahwa penduduk tidak memiliki jaminan kesehatan lain "
            f"({person.name}): dasar ini hanya untuk penduduk tanpa jaminan lain."
        )


def _check_domicile_and_cover(
    person: Person, effective_month: datetime.date, evidence: dict
) -> None:
    """Pasal 5 ayat (4) c: domiciled at least 6 months, shown by the KTP and/or the KK, and
    no other health cover."""
    _check_no_other_cover(person, evidence)
    if evidence.get("domicile_document") not in _DOMICILE_DOCUMENTS:
        raise ValidationError("Pilih bukti domisili (KTP dan/atau KK).")
    limit = add_months(effective_month, -_DOMICILE_MONTHS)
    if person.domicile_since is None or person.domicile_since > limit:
        since = f" (sejak {person.domicile_since:%d-%m-%Y})" if person.domicile_since else ""
        raise ValidationError(f"{person.name} berdomisili kurang dari 6 bulan{since}.")


def _check_faskes(person: Person, faskes: HealthFacility | None) -> None:
    """A participant added on a Pasal 5 ayat (4) ground is registered with BPJS Kesehatan at a
    first-level faskes of the kabupaten (the FASKES column of Lampiran D)."""
    if faskes is None:
        raise ValidationError("Pilih faskes tingkat pertama peserta.")
    regency_id = person.household.village.district.regency_id
    if not faskes.is_active or faskes.district.regency_id != regency_id:
        raise ValidationError(f"Faskes {faskes} bukan faskes aktif di kabupaten ini.")


def _registry_evidence(person: Person, today: datetime.date) -> dict:
    """Ground c.1 evidence from the person's latest imported DTKS/DTSEN listing."""
    record = (
        RegistryRecord.objects.filter(nik=person.nik)
        .order_by("-data_period", "-imported_at", "-pk")
        .first()
    )
    if record is None:
        raise ValidationError(
            f"NIK {person.nik} tidak terdapat dalam data DTKS/DTSEN yang diimpor; "
            "isi bukti DTKS/DTSEN secara lengkap."
        )
    return record.as_evidence(today)


def addition_checks(
    *,
    person: Person,
    ground: Ground,
    effective_month: datetime.date,
    evidence: dict | None = None,
    mother: Person | None = None,
    mother_checked_later: bool = False,
    letter: Letter | None = None,
    faskes: HealthFacility | None = None,
) -> dict:
    """Checks a Pasal 5 ayat (4) ground against the data at this moment; returns the evidence to
    record. The Usulan runs these when a person is proposed, the ledger again when recorded.
    `mother_checked_later`: a village names a newborn's mother who lives elsewhere; her
    participation is none of its business (issue 14, finding 3), so the Tim Verifikasi checks
    her when deciding, and the ledger when recording."""
    evidence = dict(evidence or {})
    last = _last_entry(person)
    if last and last.kind == Kind.ADDITION:
        raise ValidationError(
            f"NIK {person.nik} sudah menjadi peserta PBI Pemda aktif "
            f"(sejak {last.effective_month:%m-%Y})."
        )
    if ground == Ground.NEWBORN:
        if not mother_checked_later:
            if mother is None or mother.pk == person.pk:
                raise ValidationError("Data ibu wajib dipilih untuk bayi baru lahir.")
            if not is_active(mother, effective_month):
                raise ValidationError(f"Ibu (NIK {mother.nik}) bukan peserta PBI Pemda aktif.")
        if person.birth_date is None:
            raise ValidationError("Tanggal lahir bayi wajib diisi.")
        evidence["birth_date"] = person.birth_date.isoformat()
    elif ground == Ground.FAMILY:
        _check_no_other_cover(person, evidence)
        household = person.household
        members = household.members.exclude(pk=person.pk) if household.pk else []
        if not any(is_active(member, effective_month) for member in members):
            raise ValidationError(
                f"Tidak ada anggota KK {person.household.number} yang menjadi peserta "
                "PBI Pemda aktif."
            )
    elif ground == Ground.DTKS:
        _check_domicile_and_cover(person, effective_month, evidence)
        if not (evidence.get("source") or evidence.get("dtks_id")):
            evidence |= _registry_evidence(person, timezone.localdate())
        _require(evidence, "source", "dtks_id", "data_period", "checked_on")
        if evidence["source"] not in _DTKS_SOURCES:
            raise ValidationError("Sumber data harus DTKS atau DTSEN.")
        if evidence["source"] == "DTSEN" and str(evidence.get("desil")) not in {
            str(desil) for desil in range(1, 11)
        }:
            raise ValidationError("Desil DTSEN wajib diisi (1 sampai 10).")
        evidence["checked_on"] = as_date(evidence["checked_on"], "Tanggal cek").isoformat()
    elif ground == Ground.SKTM:
        _check_domicile_and_cover(person, effective_month, evidence)
        valid = (
            Letter.objects.valid_on(timezone.localdate())
            .held_by(person)
            .filter(village=person.household.village_id)
        )
        if letter is None or not valid.filter(pk=letter.pk).exists():
            raise ValidationError(
                f"{person.name} tidak memiliki SKTM yang berlaku dari Lurah desanya."
            )
    elif ground != Ground.OPENING:
        raise ValidationError("Dasar penambahan tidak dikenal.")
    if ground != Ground.OPENING:
        _check_faskes(person, faskes)
    return evidence


def participant_add(
    *,
    actor: User,
    person: Person,
    ground: Ground,
    effective_month: datetime.date,
    evidence: dict | None = None,
    mother: Person | None = None,
    letter: Letter | None = None,
    faskes: HealthFacility | None = None,
    note: str = "",
) -> LedgerEntry:
    """Adds a participant on a Pasal 5 ayat (4) ground (or an opening balance, admin only), at
    the first-level faskes they are to be registered with. On ground c.1 without a source or ID
    in `evidence`, the evidence is taken from the person's latest imported DTKS/DTSEN
    listing."""
    effective_month = month_start(effective_month)
    with transaction.atomic():
        last = _locked_history(actor, person)
        if ground == Ground.OPENING:
            permissions.require(
                permissions.can_import_data(actor), "Saldo awal hanya dicatat admin melalui impor."
            )
        evidence = addition_checks(
            person=person,
            ground=ground,
            effective_month=effective_month,
            evidence=evidence,
            mother=mother,
            letter=letter,
            faskes=faskes,
        )
        return append(
            person,
            last,
            kind=Kind.ADDITION,
            ground=ground,
            effective_month=effective_month,
            evidence=evidence,
            mother=mother if ground == Ground.NEWBORN else None,
            letter=letter if ground == Ground.SKTM else None,
            note=note,
            recorded_by=actor,
        )


def removal_checks(
    *,
    person: Person,
    ground: Ground,
    evidence: dict | None = None,
    duplicate_of: Person | None = None,
) -> dict:
    """Checks a Pasal 5 ayat (2) ground and its evidence; returns the evidence to record. The
    validation of ayat (3) comes after, when the removal is recorded."""
    return _removal_rules(person, _last_entry(person), ground, evidence, duplicate_of)


def removals_check(*, removals: Sequence[tuple[Person, Ground, dict]]) -> list[dict]:
    """removal_checks for many (person, ground, evidence), each person's last entry read in
    one query for all; a refusal is an ItemRefused naming the removal."""
    latest = LedgerEntry.objects.filter(person=OuterRef("person")).order_by("-sequence")
    last = {
        entry.person_id: entry
        for entry in LedgerEntry.objects.filter(
            person__in=[person.pk for person, _, _ in removals],
            pk=Subquery(latest.values("pk")[:1]),
        )
    }
    checked = []
    for index, (person, ground, evidence) in enumerate(removals):
        with item_refusal(index):
            checked.append(_removal_rules(person, last.get(person.pk), ground, evidence, None))
    return checked


def _removal_rules(
    person: Person,
    last: LedgerEntry | None,
    ground: Ground,
    evidence: dict | None,
    duplicate_of: Person | None,
) -> dict:
    evidence = dict(evidence or {})
    if last is None or last.kind != Kind.ADDITION:
        raise ValidationError(f"NIK {person.nik} bukan peserta PBI Pemda aktif.")
    if ground == Ground.DIED:
        _require(evidence, "death_date", "death_certificate")
        evidence["death_date"] = as_date(evidence["death_date"], "Tanggal meninggal").isoformat()
    elif ground == Ground.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == person.pk:
            raise ValidationError("Pilih data lain yang menjadi pasangan duplikasinya.")
    elif ground == Ground.SEGMENT:
        _require(evidence, "segment", "since")
        if evidence["segment"] not in Segment.values:
            raise ValidationError("Segmen kepesertaan tujuan tidak dikenal.")
        evidence["since"] = as_date(evidence["since"], "Tanggal pindah segmen").isoformat()
    elif ground == Ground.MOVED_OUT:
        _require(evidence, "destination", "moved_on")
        evidence["moved_on"] = as_date(evidence["moved_on"], "Tanggal pindah").isoformat()
    else:
        raise ValidationError("Dasar pengurangan tidak dikenal.")
    return evidence


def participant_remove(
    *,
    actor: User,
    person: Person,
    ground: Ground,
    effective_month: datetime.date,
    validated_by: Validator,
    validated_on: datetime.date | str,
    validated_against: str,
    evidence: dict | None = None,
    duplicate_of: Person | None = None,
    note: str = "",
) -> LedgerEntry:
    """Removes a participant on a Pasal 5 ayat (2) ground, after the population data is
    validated (ayat 3)."""
    effective_month = month_start(effective_month)
    with transaction.atomic():
        last = _locked_history(actor, person, permissions.can_record_removal)
        evidence = removal_checks(
            person=person, ground=ground, evidence=evidence, duplicate_of=duplicate_of
        )
        # Pasal 5 ayat (3): removal only after validation of population data.
        if validated_by not in Validator.values or not validated_on or not validated_against:
            raise ValidationError(
                "Pengurangan hanya setelah validasi data kependudukan: isi siapa yang "
                "memvalidasi (Dukcapil/Dinsos), tanggal, dan data pembandingnya."
            )
        validated_on = as_date(validated_on, "Tanggal validasi")
        if validated_on > timezone.localdate():
            raise ValidationError("Tanggal validasi tidak boleh di masa depan.")
        return append(
            person,
            last,
            kind=Kind.REMOVAL,
            ground=ground,
            effective_month=effective_month,
            evidence=evidence,
            duplicate_of=duplicate_of if ground == Ground.DUPLICATE else None,
            validated_by=validated_by,
            validated_on=validated_on,
            validated_against=validated_against,
            note=note,
            recorded_by=actor,
        )


def participants_import(
    *,
    actor: User,
    rows: Iterable[Row],
    regency: Regency,
    source: str,
    progress: Progress | None = None,
) -> Plan:
    """Records today's participants (opening balance) from an import, all or nothing: a file
    with any bad row writes nothing, and rows already active are left as they are, so the same
    file imported twice changes nothing. Existing residents keep their recorded data.
    `progress(done, total)`, if given, is told of each batch of rows checked."""
    permissions.require(permissions.can_import_data(actor), "Hanya admin yang mengimpor peserta.")
    with transaction.atomic():
        plan = plan_participants(
            rows,
            regency,
            write=lambda batch, known: _write_opening_balance(actor, source, batch, known),
            progress=progress,
        )
        if plan.errors:
            # Rolls back the batches already written.
            raise ValidationError(plan.error_messages())
    return plan


def _write_opening_balance(actor: User, source: str, batch: list[Row], known: Known) -> None:
    """Writes one checked batch of an import: new households and people, one opening balance
    entry per row, and their projection (by the same function as every other entry)."""
    new_households = {}
    for _, row in batch:
        if row["no_kk"] not in known.households:
            new_households.setdefault(
                row["no_kk"],
                (row["no_kk"], row["village"].pk, row["dusun"], row["rt"], row["rw"]),
            )
    household_ids = {number: pk for number, (pk, _) in known.households.items()}
    household_ids.update(
        zip(
            new_households,
            bulk_insert(
                Household, ["number", "village_id", "dusun", "rt", "rw"], new_households.values()
            ),
            strict=True,
        )
    )
    new_people = [row for _, row in batch if row["nik"] not in known.people]
    person_ids = {nik: pk for nik, (pk, _) in known.people.items()}
    person_ids.update(
        zip(
            [row["nik"] for row in new_people],
            bulk_insert(
                Person,
                [
                    "nik",
                    "name",
                    "household_id",
                    "birth_place",
                    "birth_date",
                    "domicile_since",
                    "sex",
                    "relationship",
                    "marital_status",
                    "occupation",
                ],
                (
                    (
                        row["nik"],
                        row["nama"],
                        household_ids[row["no_kk"]],
                        row.get("tempat_lahir", ""),
                        row["birth_date"],
                        row["domicile_since"],
                        row["sex"],
                        row["hubungan_keluarga"],
                        row["status_perkawinan"],
                        row.get("pekerjaan", ""),
                    )
                    for row in new_people
                ),
            ),
            strict=True,
        )
    )
    # People recorded before, not enrolled now: their next entry follows their last one.
    returning = [person_ids[row["nik"]] for _, row in batch if row["nik"] in known.people]
    last_sequence = dict(
        lookup(
            lambda chunk: (
                LedgerEntry.objects.filter(one_of("person_id", chunk))
                .values("person_id")
                .annotate(last=Max("sequence"))
                .values_list("person_id", "last")
            ),
            returning,
        )
    )
    people = [person_ids[row["nik"]] for _, row in batch]
    bulk_insert(
        LedgerEntry,
        [
            "person_id",
            "village_id",
            "sequence",
            "kind",
            "ground",
            "effective_month",
            "evidence",
            "recorded_by_id",
        ],
        (
            (
                person_id,
                # The checks made the person's and the household's village the row's.
                row["village"].pk,
                last_sequence.get(person_id, 0) + 1,
                Kind.ADDITION.value,
                Ground.OPENING.value,
                row["month"],
                {"source": source, "row": number},
                actor.pk,
            )
            for person_id, (number, row) in zip(people, batch, strict=True)
        ),
        keys=False,  # project_people finds each person's entry in the ledger
    )
    project_people(people)


def registry_import(
    *, actor: User, rows: Iterable[Row], regency: Regency, progress: Progress | None = None
) -> Plan:
    """Records an extract of DTKS/DTSEN, all or nothing; the same file twice changes
    nothing."""
    permissions.require(
        permissions.can_import_data(actor), "Hanya admin yang mengimpor data DTKS/DTSEN."
    )

    def write(batch: list[Row], known: Known) -> None:
        bulk_insert(
            RegistryRecord,
            [*REGISTRY_FIELDS, "imported_by_id"],
            ((*row.values(), actor.pk) for _, row in batch),
            keys=False,
        )

    with transaction.atomic():
        # Imports commit one after another, each numbering its listings above every committed
        # one, so the highest id names every import (feeds.dtsen keys its ranking on it).
        Regency.objects.select_for_update(no_key=True).get(pk=regency.pk)
        plan = plan_registry(rows, regency, write=write, progress=progress)
        if plan.errors:
            raise ValidationError(plan.error_messages())
        if plan.to_add and connection.vendor == "postgresql":
            # Statistics that count the new period: without them DTSEN's ranking read next
            # plans for an empty period and ran for minutes at 600,000 listings, until
            # autovacuum analyzed the table (as the BPJS billing import does).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {RegistryRecord._meta.db_table}")
    return plan


def entry_correct(*, actor: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Reverses `entry`, recorded by mistake, with a correction entry: the ledger is never
    edited. The correction is of the opposite kind, takes effect in the same month and names
    the entry, so the pair has no effect on any date. Only the person's latest entry can be
    reversed, and a correction itself cannot; to put the right data in its place, record it
    again through the ground's own service (its month may then be earlier than the reversed
    entry's)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Alasan koreksi wajib diisi.")
    with transaction.atomic():
        last = _locked_history(actor, entry.person)
        if entry.ground == Ground.CORRECTION:
            raise ValidationError(
                "Entri koreksi tidak dapat dikoreksi lagi; catat mutasi baru dengan dasarnya."
            )
        if last.pk != entry.pk:
            raise ValidationError(
                f"Hanya mutasi terakhir NIK {entry.person.nik} (#{last.sequence}) yang dapat "
                "dikoreksi."
            )
        return append(
            entry.person,
            last,
            kind=Kind.REMOVAL if entry.kind == Kind.ADDITION else Kind.ADDITION,
            ground=Ground.CORRECTION,
            effective_month=entry.effective_month,
            corrects=entry,
            note=reason,
            recorded_by=actor,
        )


def household_move(
    *, actor: User, household: Household, village: Village, dusun: str, rt: str, rw: str
) -> Household:
    """Moves a household (its KK) to another village, dusun, RT or RW of the kabupaten, keeping
    the history of each changed value, and brings its members' projection to the new village
    in the same transaction, so that scoped rosters and counts follow the people."""
    move = HouseholdMove(household=household, village=village, dusun=dusun, rt=rt, rw=rw)
    return households_move(actor=actor, moves=[move])[0]


@dataclass(frozen=True)
class HouseholdMove:
    """Where a household (its KK) goes: a village of the kabupaten, its dusun, RT and RW."""

    household: Household
    village: Village
    dusun: str
    rt: str
    rw: str


def households_move(*, actor: User, moves: Sequence[HouseholdMove]) -> list[Household]:
    """household_move for many households, each at most once, all or none: a refusal is an
    ItemRefused naming the move. The households are locked in one query, saved in one, their
    history inserted in one and their members projected together."""
    permissions.require(
        permissions.can_move_household(actor),
        "Hanya Dukcapil atau admin yang memindahkan keluarga.",
    )
    if len({move.household.pk for move in moves}) != len(moves):
        raise ValueError("Each household moves at most once in a batch.")
    with transaction.atomic():
        locked = (
            Household.objects.select_for_update(of=("self",))
            .select_related("village__district")
            .in_bulk([move.household.pk for move in moves])
        )
        households, history, changed_at = [], [], timezone.now()
        for index, move in enumerate(moves):
            household = locked[move.household.pk]
            with item_refusal(index):
                if move.village.district.regency_id != household.village.district.regency_id:
                    # Pasal 5 ayat (2) d: leaving the kabupaten is a removal, not a move.
                    raise ValidationError(
                        "Pindah ke luar kabupaten dicatat sebagai pengurangan peserta "
                        "(Pasal 5 ayat (2) d), bukan pindah keluarga."
                    )
                before = household_values(household)
                household.village, household.dusun = move.village, move.dusun
                household.rt, household.rw = move.rt, move.rw
                # The number (the one constraint's field) is unchanged and the village was read
                # from the database: checking them again costs a query or a millisecond apiece.
                household.full_clean(exclude=["number", "village"], validate_constraints=False)
            history += household_changes(household, before, actor, changed_at)
            households.append(household)
        rows_update(Household, households, ["village", "dusun", "rt", "rw"])
        HouseholdChange.objects.bulk_create(history)
        # Members' rows are locked like any ledger writer's, then projected again.
        members = list(
            Person.objects.select_for_update()
            .filter(household__in=households)
            .values_list("pk", flat=True)
        )
        project_people(members)
    return households
