"""Writing what BPJS Kesehatan says of each participant, and the registration file for e-Dabu.

Every write is one transaction and appends to the BPJS history (bpjs.models.Record); nothing
in it is ever changed. The registration file holds a month's approved additions (and removals,
as deactivation requests) as the ledger recorded them; marking it sent records its people as
*didaftarkan* with the file's date.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from bpjs import billing
from bpjs.models import (
    CARD_DIGITS,
    Action,
    BillingFile,
    BillingRow,
    Pisa,
    Record,
    RegistrationFile,
    RegistrationLine,
    Source,
    Status,
    pisa_of,
)
from enrollment.bulk import bulk_insert
from enrollment.models import REMOVAL_GROUNDS, Ground, Kind, LedgerEntry
from people.models import Person
from regions.models import District, HealthFacility
from regions.months import add_months, month_start

# JKN began on 1 January 2014: no TMT lies before it.
JKN_START = datetime.date(2014, 1, 1)
# A TMT is at most this many months ahead: the next month's registration, and one more.
_TMT_MONTHS_AHEAD = 2
_CARD = re.compile(rf"^\d{{{CARD_DIGITS}}}$")

VILLAGE_STAFF = "Operator desa/kalurahan (data penduduk)"
TEAM = "Tim Verifikasi (halaman BPJS peserta)"
ADMIN = "Admin (data induk faskes)"


def latest(field: str, person_path: str = "pk") -> Subquery:
    """The value of `field` in the latest BPJS record of the person at `person_path`."""
    rows = Record.objects.filter(person=OuterRef(person_path)).order_by("-pk")
    return Subquery(rows.values(field)[:1])


def latest_record(person: Person) -> Record | None:
    return Record.objects.filter(person=person).order_by("-pk").first()


def _check_card(card_number: str) -> str:
    card_number = (card_number or "").strip()
    if card_number and not _CARD.match(card_number):
        raise ValidationError(f"No. Kartu JKN harus {CARD_DIGITS} digit angka.")
    return card_number


def _check_tmt(person: Person, tmt: datetime.date | None, source_date: datetime.date) -> None:
    if tmt is None:
        return
    if tmt < JKN_START:
        raise ValidationError("TMT tidak mungkin sebelum JKN dimulai (1 Januari 2014).")
    if person.birth_date and tmt < person.birth_date:
        raise ValidationError(f"TMT {tmt:%d-%m-%Y} sebelum tanggal lahir {person.name}.")
    limit = add_months(month_start(max(source_date, timezone.localdate())), _TMT_MONTHS_AHEAD)
    if tmt > limit:
        raise ValidationError(
            f"TMT {tmt:%d-%m-%Y} terlalu jauh ke depan (paling lambat {limit:%d-%m-%Y})."
        )


def _check_faskes(person: Person, faskes: HealthFacility | None) -> None:
    if faskes is None:
        return
    regency_id = person.household.village.district.regency_id
    if not faskes.is_active or faskes.district.regency_id != regency_id:
        raise ValidationError(f"Faskes {faskes} bukan faskes aktif di kabupaten ini.")


def _checked_record(
    *,
    actor: User,
    person: Person,
    status: Status,
    source: Source,
    source_date: datetime.date,
    card_number: str = "",
    tmt: datetime.date | None = None,
    faskes: HealthFacility | None = None,
    pisa: int | None = None,
    registration_file: RegistrationFile | None = None,
    note: str = "",
) -> Record:
    """An unsaved record whose rules hold; ValidationError otherwise."""
    if status not in Status.values:
        raise ValidationError("Status BPJS tidak dikenal.")
    if source not in Source.values:
        raise ValidationError("Sumber data BPJS tidak dikenal.")
    if source_date is None:
        raise ValidationError("Tanggal sumber wajib diisi.")
    if source_date > timezone.localdate():
        raise ValidationError("Tanggal sumber tidak boleh di masa depan.")
    card_number = _check_card(card_number)
    _check_tmt(person, tmt, source_date)
    if status == Status.ACTIVE and not (card_number and tmt):
        raise ValidationError("Peserta aktif di BPJS memiliki No. Kartu JKN dan TMT.")
    _check_faskes(person, faskes)
    if pisa is not None and pisa not in Pisa.values:
        raise ValidationError("PISA harus 1 sampai 5.")
    derived = pisa_of(person.relationship)
    return Record(
        person=person,
        card_number=card_number,
        tmt=tmt,
        status=status,
        source=source,
        source_date=source_date,
        faskes=faskes,
        pisa=derived if pisa is None else pisa,
        is_pisa_override=pisa is not None and pisa != derived,
        registration_file=registration_file,
        note=note,
        recorded_by=actor,
    )


def bpjs_record(
    *,
    actor: User,
    person: Person,
    status: Status,
    source_date: datetime.date,
    card_number: str = "",
    tmt: datetime.date | None = None,
    faskes: HealthFacility | None = None,
    pisa: int | None = None,
    note: str = "",
    source: Source = Source.TEAM,
) -> Record:
    """Appends what BPJS says of `person` (or what the Tim Verifikasi learnt of it). PISA is
    derived from the SHDK unless `pisa` is given. A card number already recorded for another
    person is refused: one card, one person."""
    permissions.require(
        permissions.can_work_bpjs(actor), "Hanya Tim Verifikasi yang mencatat data BPJS."
    )
    if source == Source.REGISTRATION_FILE:
        raise ValidationError("Pendaftaran dicatat dengan menandai berkas registrasi terkirim.")
    with transaction.atomic():
        person = (
            Person.objects.select_for_update()
            .select_related("household__village__district")
            .get(pk=person.pk)
        )
        record = _checked_record(
            actor=actor,
            person=person,
            status=status,
            source=source,
            source_date=source_date,
            card_number=card_number,
            tmt=tmt,
            faskes=faskes,
            pisa=pisa,
            note=note,
        )
        if record.card_number:
            holder = (
                Record.objects.filter(card_number=record.card_number)
                .exclude(person=person)
                .select_related("person")
                .first()
            )
            if holder is not None:
                raise ValidationError(
                    f"No. Kartu JKN {record.card_number} sudah tercatat untuk "
                    f"{holder.person.name} ({holder.person.masked_nik})."
                )
        record.save()
        return record


# The registration file for e-Dabu


@dataclass
class Line:
    """One person of a registration file, with every field a layout may name
    (bpjs.layout.REGISTRATION_FIELDS) and what is missing for BPJS."""

    entry: LedgerEntry
    action: Action
    person: Person
    faskes: HealthFacility | None
    pisa: int | None
    tmt: datetime.date
    no_kartu: str
    nomor: int = 0
    gaps: list[tuple[str, str]] = field(default_factory=list)

    @property
    def tindakan(self):
        return self.action.label

    @property
    def no_kk(self):
        return self.person.household.number

    @property
    def nik(self):
        return self.person.nik

    @property
    def nama(self):
        return self.person.name

    @property
    def tempat_lahir(self):
        return self.person.birth_place

    @property
    def tanggal_lahir(self):
        return self.person.birth_date

    @property
    def jenis_kelamin(self):
        return self.person.sex

    @property
    def jenis_kelamin_kode(self):
        return {"L": "1", "P": "2"}.get(self.person.sex, "")

    @property
    def status_kawin(self):
        return self.person.marital_status

    @property
    def status_kawin_nama(self):
        return self.person.get_marital_status_display() if self.person.marital_status else ""

    @property
    def alamat(self):
        household = self.person.household
        return ", ".join(part for part in (household.address, f"Dusun {household.dusun}") if part)

    @property
    def dusun(self):
        return self.person.household.dusun

    @property
    def rt(self):
        return self.person.household.rt

    @property
    def rw(self):
        return self.person.household.rw

    @property
    def _village(self):
        return self.person.household.village

    @property
    def kode_kecamatan(self):
        return self._village.district.code.replace(".", "")

    @property
    def nama_kecamatan(self):
        return self._village.district.name

    @property
    def kode_desa(self):
        return self._village.code.replace(".", "")

    @property
    def nama_desa(self):
        return self._village.name

    @property
    def kode_faskes(self):
        return self.faskes.bpjs_code if self.faskes else ""

    @property
    def nama_faskes(self):
        return self.faskes.name if self.faskes else ""

    @property
    def no_telp(self):
        return self.person.phone

    @property
    def kode_provinsi(self):
        return self._village.district.regency.code.split(".")[0]

    @property
    def kode_kabupaten(self):
        return self._village.district.regency.code.replace(".", "")


def _gaps(line: Line) -> list[tuple[str, str]]:
    """What BPJS needs and the product lacks, each with who can fix it."""
    person, gaps = line.person, []
    if line.action == Action.DEACTIVATE:
        if not line.no_kartu:
            gaps.append(("No. Kartu JKN belum tercatat", TEAM))
        return gaps
    if line.faskes is None:
        gaps.append(("Faskes tingkat pertama belum dipilih", TEAM))
    elif not line.faskes.bpjs_code:
        gaps.append((f"Faskes {line.faskes.name} belum memiliki kode faskes BPJS", ADMIN))
    if line.pisa is None:
        gaps.append(
            ("PISA kosong: hubungan dalam keluarga belum diisi", f"{VILLAGE_STAFF} atau {TEAM}")
        )
    if person.marital_status is None:
        gaps.append(("Status perkawinan belum diisi", VILLAGE_STAFF))
    if person.birth_date is None or not person.birth_place:
        gaps.append(("Tempat atau tanggal lahir belum diisi", VILLAGE_STAFF))
    if not person.sex:
        gaps.append(("Jenis kelamin belum diisi", VILLAGE_STAFF))
    return gaps


def registration_entries(
    *, user: User, month: datetime.date, district: District | None = None
) -> QuerySet[LedgerEntry]:
    """The ledger entries of `month` in the user's scope (and `district`) that BPJS must hear
    of: additions on a Pasal 5 ground (the opening balance is registered already) and removals,
    neither reversed by a correction."""
    entries = LedgerEntry.objects.visible_to(user).filter(
        effective_month=month_start(month), corrections__isnull=True
    )
    entries = entries.filter(kind=Kind.ADDITION).exclude(ground=Ground.OPENING) | entries.filter(
        kind=Kind.REMOVAL, ground__in=REMOVAL_GROUNDS
    )
    if district is not None:
        entries = entries.filter(person__household__village__district=district)
    return (
        entries.select_related(
            "person__household__village__district__regency", "proposal_item__faskes"
        )
        .annotate(
            recorded_card=latest("card_number", "person"),
            recorded_faskes=latest("faskes", "person"),
            recorded_pisa=latest("pisa", "person"),
        )
        .order_by("kind", "person__household__village__code", "person__name", "pk")
    )


def registration_lines(
    *, user: User, month: datetime.date, district: District | None = None
) -> Iterator[Line]:
    """The lines of a month's registration file, numbered, each with its gaps. A participant's
    faskes is the one the BPJS history last recorded, else the one its Usulan chose; its PISA
    likewise, else the one its SHDK gives."""
    month = month_start(month)
    tmt = add_months(month, 1)
    facilities = HealthFacility.objects.in_bulk()
    entries = registration_entries(user=user, month=month, district=district)
    for number, entry in enumerate(entries.iterator(chunk_size=1000), start=1):
        item = getattr(entry, "proposal_item", None)
        faskes = facilities.get(entry.recorded_faskes) or (item.faskes if item else None)
        line = Line(
            entry=entry,
            action=Action.REGISTER if entry.kind == Kind.ADDITION else Action.DEACTIVATE,
            person=entry.person,
            faskes=faskes,
            pisa=entry.recorded_pisa or pisa_of(entry.person.relationship),
            tmt=tmt,
            no_kartu=entry.recorded_card or "",
            nomor=number,
        )
        line.gaps = _gaps(line)
        yield line


def registration_mark_sent(
    *, actor: User, registration_file: RegistrationFile, sent_on: datetime.date
) -> RegistrationFile:
    """The file was uploaded to e-Dabu on `sent_on`: each person it registers is recorded
    *didaftarkan* with the file's date, TMT, faskes and PISA. A file is marked sent once."""
    permissions.require(
        permissions.can_work_bpjs(actor), "Hanya Tim Verifikasi yang mengirim berkas ke BPJS."
    )
    with transaction.atomic():
        registration_file = RegistrationFile.objects.select_for_update().get(
            pk=registration_file.pk
        )
        if registration_file.sent_on is not None:
            raise ValidationError(
                f"Berkas ini sudah ditandai terkirim pada {registration_file.sent_on:%d-%m-%Y}."
            )
        if sent_on is None:
            raise ValidationError("Tanggal kirim wajib diisi.")
        if sent_on > timezone.localdate():
            raise ValidationError("Tanggal kirim tidak boleh di masa depan.")
        if sent_on < timezone.localtime(registration_file.created_at).date():
            raise ValidationError("Tanggal kirim tidak boleh sebelum berkas dibuat.")
        lines = registration_file.lines.filter(action=Action.REGISTER).select_related(
            "person__household__village__district", "faskes__district"
        )
        if not lines.exists():
            raise ValidationError("Berkas ini tidak memuat pendaftaran: tidak ada yang dicatat.")
        records = [
            _checked_record(
                actor=actor,
                person=line.person,
                status=Status.SENT,
                source=Source.REGISTRATION_FILE,
                source_date=sent_on,
                tmt=line.tmt,
                faskes=line.faskes,
                pisa=line.pisa,
                registration_file=registration_file,
            )
            for line in lines.iterator(chunk_size=1000)
        ]
        Record.objects.bulk_create(records, batch_size=1000)
        registration_file.sent_on = sent_on
        registration_file.sent_by = actor
        registration_file.save(update_fields=["sent_on", "sent_by"])
        return registration_file


def registration_file_create(
    *, actor: User, job, month: datetime.date, district: District | None, layout_name: str, lines
) -> RegistrationFile:
    """Keeps who a registration file lists, line by line, as it was written."""
    registration_file = RegistrationFile.objects.create(
        month=month_start(month),
        district=district,
        job=job,
        layout=layout_name[:100],
        created_by=actor,
    )
    RegistrationLine.objects.bulk_create(
        (
            RegistrationLine(
                file=registration_file,
                person=line.person,
                action=line.action,
                ledger_entry=line.entry,
                faskes=line.faskes,
                pisa=line.pisa,
                tmt=line.tmt,
            )
            for line in lines
        ),
        batch_size=1000,
    )
    return registration_file


# BPJS's monthly data, imported


def check_billing_month(month: datetime.date) -> datetime.date:
    """A list BPJS billed: for this month or an earlier one, never a month to come."""
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise ValidationError(
            f"Bulan {month:%m-%Y} belum tiba: data BPJS hanya untuk bulan berjalan atau sebelumnya."
        )
    return month


def residents_by_nik(niks: list[str]) -> dict[str, int]:
    """{NIK: person id} of the residents among `niks`. On PostgreSQL the NIKs go as one array
    joined to the people, not as an IN list of 200,000 literals (4 s; docs/scale.md)."""
    if connection.vendor != "postgresql":
        return dict(Person.objects.filter(nik__in=niks).values_list("nik", "pk"))
    people = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT person.nik, person.id FROM {people} person "
            "JOIN unnest(%s::text[]) AS listed(nik) ON person.nik = listed.nik",
            [niks],
        )
        return dict(cursor.fetchall())


def billing_same_as(plan: billing.Plan) -> BillingFile | None:
    """The version of that month already holding exactly these rows, if any."""
    return BillingFile.objects.filter(month=plan.month, digest=plan.digest).first()


def billing_import(
    *, actor: User, plan: billing.Plan, filename: str, layout_name: str
) -> BillingFile | None:
    """Saves a checked list as the month's next version, all or nothing. The same rows again
    write nothing (None). Each row is matched to the resident of its NIK and the faskes of its
    BPJS code, when there is one."""
    permissions.require(
        permissions.can_work_bpjs(actor), "Hanya Tim Verifikasi yang mengimpor data BPJS."
    )
    month = check_billing_month(plan.month)
    if plan.errors:
        raise ValidationError(plan.error_messages())
    with transaction.atomic():
        # One import of a month at a time: the versions are numbered in turn.
        locked = list(
            BillingFile.objects.select_for_update()
            .filter(month=month)
            .values_list("version", flat=True)
        )
        if billing_same_as(plan) is not None:
            return None
        billing_file = BillingFile.objects.create(
            month=month,
            version=max(locked, default=0) + 1,
            filename=filename[:255],
            digest=plan.digest,
            rows=len(plan.rows),
            layout=layout_name[:100],
            imported_by=actor,
        )
        people = residents_by_nik([row.nik for row in plan.rows])
        facilities = dict(
            HealthFacility.objects.exclude(bpjs_code="").values_list("bpjs_code", "pk")
        )
        # COPY on PostgreSQL: 200,000 model instances cost most of an import (docs/scale.md).
        bulk_insert(
            BillingRow,
            [*billing.Row._fields, "file_id", "person_id", "faskes_id"],
            (
                (*row, billing_file.pk, people.get(row.nik), facilities.get(row.faskes_code))
                for row in plan.rows
            ),
            keys=False,
        )
        if connection.vendor == "postgresql":
            # Statistics that count the new rows: without them the reconciliation that follows
            # joins 200,000 rows by nested loops (4 s, not 1; docs/scale.md). A role that does
            # not own the table is warned and skipped; autovacuum analyzes it soon after.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(BillingRow._meta.db_table)}")
        return billing_file
