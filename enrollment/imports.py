"""Reading and checking imports: today's participants (the opening balance) and extracts of
DTKS/DTSEN.

A file is read one row at a time (`read_rows`) and checked in batches against the data
(`plan_participants`): what would be added, what is already there, and each bad row with its
number and reason. Nothing here writes: the services pass a writer that receives each batch
to add, inside their one transaction, and roll everything back if any row is bad.
"""

import csv
import datetime
import functools
import io
import itertools
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Lookup, Q
from django.utils import timezone

from enrollment.models import Participation, RegistryRecord, RegistrySource
from people.models import (
    Household,
    MaritalStatus,
    Person,
    Relationship,
    Sex,
    parse_month,
    validate_birth_date,
    validate_domicile_since,
)
from people.names import is_plain_text
from people.nik import parse_nik, validate_kk
from regions import terminology
from regions.models import Regency, Village

# A row of an import file: its number in the file and its values by column.
Row = tuple[int, dict]
# Told (rows checked, rows in all) after each batch.
Progress = Callable[[int, int], None]

PARTICIPANT_COLUMNS = [
    "nik",
    "no_kk",
    "nama",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "hubungan_keluarga",
    "status_perkawinan",
    "pekerjaan",
    "dusun",
    "rt",
    "rw",
    "kode_desa",
    "bulan_mulai",
    "berdomisili_sejak",
]
REQUIRED = ["nik", "no_kk", "nama", "dusun", "rt", "rw", "kode_desa", "bulan_mulai"]
_MAX_LENGTH = {"nama": 150, "tempat_lahir": 100, "pekerjaan": 100, "dusun": 100, "rt": 3, "rw": 3}
_SEXES = set(Sex.values)
_CODES = {
    "hubungan_keluarga": set(Relationship.values),
    "status_perkawinan": set(MaritalStatus.values),
}
# Rows checked (and written) together: lookups and inserts go by batch, memory stays flat.
BATCH_ROWS = 5000


def _month(row: dict, column: str) -> datetime.date:
    """The month of `column`, written TTTT-BB or as a whole date TTTT-BB-HH (a spreadsheet's
    date cell), within the plausible range; raises ValueError. `2026-01-99` is no date, so no
    January either."""
    text = row[column]
    try:
        if len(text) > 7:
            datetime.date.fromisoformat(text)
        return parse_month(text[:7])
    except ValidationError as error:
        if error.code == "invalid":
            raise ValueError(f"{column} harus TTTT-BB") from None
        raise ValueError(f"{column}: {error.messages[0]}") from None
    except ValueError:
        raise ValueError(f"{column} harus TTTT-BB") from None


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# An .xlsx is a zip of XML parts: a 400 KB upload may expand to gigabytes. The parts' sizes
# are bounded before parsing; a zip member never yields more than the size its entry declares.
MAX_EXPANDED_BYTES = 256 * 1024 * 1024
# openpyxl keeps the shared strings (every distinct text of the workbook) in memory.
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
_SHARED_STRINGS = "xl/sharedstrings.xml"
# A cell of a .csv longer than this is no value of an import (csv.field_size_limit's default).
_CSV_FIELD_LIMIT = 131072
# What a damaged .xlsx raises inside openpyxl, zipfile and the XML parser (ParseError is a
# SyntaxError; zlib.error a damaged compressed part; RuntimeError an encrypted one).
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    KeyError,
    IndexError,
    OSError,
    ValueError,
    TypeError,
    SyntaxError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)
_BROKEN_XLSX = "Berkas .xlsx rusak atau bukan berkas Excel."
_MB = 1024 * 1024


def _check_expanded_size(file):
    """Refuses a workbook whose parts expand beyond what an import holds, before parsing."""
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise ValidationError(_BROKEN_XLSX) from error
    finally:
        file.seek(0)
    expanded = sum(part.file_size for part in parts)
    shared = sum(part.file_size for part in parts if part.filename.lower() == _SHARED_STRINGS)
    if expanded > MAX_EXPANDED_BYTES or shared > MAX_SHARED_STRINGS_BYTES:
        raise ValidationError(
            f"Isi berkas .xlsx terlalu besar setelah dibuka ({expanded // _MB} MB; batasnya "
            f"{MAX_EXPANDED_BYTES // _MB} MB, teks unik {MAX_SHARED_STRINGS_BYTES // _MB} MB). "
            "Simpan data sebagai .csv atau bagi menjadi beberapa berkas."
        )


class Rows:
    """The data rows of an uploaded .xlsx (first sheet) or UTF-8 .csv, as (row number,
    {column: text}), read once, one at a time. `total` estimates their number (None when the
    file does not say)."""

    def __init__(self, file, filename, required=REQUIRED):
        self.total = None
        name = filename.lower()
        if name.endswith(".xlsx"):
            self._open_xlsx(file)
        elif name.endswith(".csv"):
            self._open_csv(file)
        else:
            raise ValidationError("Unggah berkas .xlsx atau .csv.")
        missing = [column for column in required if column not in self.header]
        if missing:
            raise ValidationError(f"Kolom wajib tidak ada: {', '.join(missing)}.")

    def _open_xlsx(self, file):
        _check_expanded_size(file)
        try:
            self._workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
            sheet = self._workbook.active
            self._records = sheet.iter_rows(values_only=True)
            self.header = [_cell_text(cell).lower() for cell in next(self._records, ())]
        except _XLSX_ERRORS as error:
            raise ValidationError(_BROKEN_XLSX) from error
        if sheet.max_row:
            self.total = max(sheet.max_row - 1, 0)
        self._cell = _cell_text

    def _open_csv(self, file):
        self._workbook = None
        if file.seekable():
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))
            file.seek(0)
            self.total = max(lines, 1) - 1
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        self._records = csv.reader(text)
        try:
            self.header = [column.strip().lower() for column in next(self._records, [])]
        except UnicodeDecodeError as error:
            raise ValidationError("Berkas CSV harus berpengodean UTF-8.") from error
        except csv.Error as error:
            raise self._csv_refusal() from error
        self._cell = str.strip

    def _csv_refusal(self):
        return ValidationError(
            f"Berkas CSV tidak terbaca pada baris {self._records.line_num}: isi kolom terlalu "
            f"panjang (lebih dari {_CSV_FIELD_LIMIT} karakter) atau tanda kutip tidak ditutup."
        )

    def __iter__(self):
        header, cell, width = self.header, self._cell, len(self.header)
        try:
            for number, record in enumerate(self._records, start=2):
                values = [cell(value) if value is not None else "" for value in record[:width]]
                if any(values):
                    values += [""] * (width - len(values))
                    yield number, dict(zip(header, values, strict=True))
        except UnicodeDecodeError as error:
            raise ValidationError("Berkas CSV harus berpengodean UTF-8.") from error
        except csv.Error as error:
            raise self._csv_refusal() from error
        except _XLSX_ERRORS as error:
            raise ValidationError(_BROKEN_XLSX) from error
        finally:
            if self._workbook is not None:
                self._workbook.close()


def read_rows(file, filename, required=REQUIRED):
    return Rows(file, filename, required)


def deployment_regency():
    return Regency.objects.get(code=terminology.current().regency_code)


# Checking stops at the batch where this many bad rows are found: a file of a million bad
# rows is refused in seconds, and its report stays readable.
MAX_ERRORS = 1000


@dataclass
class Plan:
    rows: int = 0
    to_add: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (row number, reason)
    # Checking stopped at MAX_ERRORS bad rows; the rows after `rows` were not read.
    is_cut_short: bool = False

    def error_messages(self):
        messages = [f"Baris {number}: {reason.rstrip('.')}." for number, reason in self.errors]
        if self.is_cut_short:
            messages.append(self.cut_short_message())
        return messages

    def cut_short_message(self):
        return (
            f"Pemeriksaan dihentikan setelah {len(self.errors)} baris bermasalah (baris 2 sampai "
            f"{self.rows + 1}); baris sesudahnya belum diperiksa. Perbaiki berkas lalu unggah lagi."
        )


def _is_number(value):
    """ASCII digits only: str.isdigit() also takes superscripts (²), which int() refuses."""
    return value.isascii() and value.isdigit()


def _require_filled(row, columns):
    for column in columns:
        if not row.get(column):
            raise ValueError(f"kolom {column} kosong")


def _identity_checked(row, villages, today=None):
    """Checks the row's NIK and No. KK (a NIK's year read as of `today`, default today) and
    returns its village; raises ValueError with the reason, as every import row does."""
    try:
        parse_nik(row["nik"], today=today)
        validate_kk(row["no_kk"])
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    village = villages.get(row["kode_desa"])
    if village is None:
        raise ValueError(f"kode desa {row['kode_desa']} tidak ada di kabupaten ini")
    return village


def _refusal_of(validate):
    """`validate` as a function of a value returning the reason it refuses it, or None."""

    def refusal(value):
        try:
            validate(value)
        except ValidationError as error:
            return error.messages[0]
        return None

    return refusal


class _Memo:
    """Checks of one import's values that depend on the value alone, each made once per
    distinct value: a file repeats its places, occupations, dusun, months and dates on most
    rows. One import's lifetime, so that `today` (the plausible range) cannot go stale."""

    _SIZE = 1 << 16

    def __init__(self):
        self.today = timezone.localdate()
        self.is_plain_text = functools.lru_cache(self._SIZE)(is_plain_text)
        self._month = functools.lru_cache(self._SIZE)(self._month_of)
        self._birth = functools.lru_cache(self._SIZE)(_refusal_of(validate_birth_date))
        self._domicile = functools.lru_cache(self._SIZE)(_refusal_of(validate_domicile_since))

    @staticmethod
    def _month_of(column, text):
        return _month({column: text}, column)

    def month(self, row, column):
        # A refusal raises: lru_cache keeps no exception, the bad value is checked again.
        return self._month(column, row[column])

    def dates(self, row):
        """The row's birth and domicile dates; both are parsed before either is judged."""
        try:
            birth, domicile = (
                datetime.date.fromisoformat(row[column]) if row.get(column) else None
                for column in ("tanggal_lahir", "berdomisili_sejak")
            )
        except ValueError:
            raise ValueError("tanggal harus TTTT-BB-HH dan bulan_mulai TTTT-BB") from None
        for value, refusal in ((birth, self._birth), (domicile, self._domicile)):
            if value and (reason := refusal(value)):
                raise ValueError(reason)
        return birth, domicile


def _clean_row(row, villages, memo):
    """The row's values, cleaned; raises ValueError with the reason for a bad row. `memo`
    (one per import) spares checking a repeated value again."""
    _require_filled(row, REQUIRED)
    for column, limit in _MAX_LENGTH.items():
        if len(row.get(column, "")) > limit:
            raise ValueError(f"kolom {column} lebih dari {limit} karakter")
    for column in ("nama", "tempat_lahir", "pekerjaan", "dusun"):
        # A spreadsheet would run these as formulas when the roster is opened again.
        if not memo.is_plain_text(row.get(column, "")):
            raise ValueError(
                f"kolom {column} diawali tanda rumus, memuat < > {{ }} \\ atau karakter kontrol"
            )
    village = _identity_checked(row, villages, memo.today)
    month = memo.month(row, "bulan_mulai")
    birth_date, domicile_since = memo.dates(row)
    sex = row.get("jenis_kelamin", "").upper()
    if sex and sex not in _SEXES:
        raise ValueError("jenis_kelamin harus L atau P")
    codes = {}
    for column, choices in _CODES.items():
        value = row.get(column, "")
        if value and (not _is_number(value) or int(value) not in choices):
            raise ValueError(f"kode {column} tidak dikenal")
        codes[column] = int(value) if value else None
    if not (_is_number(row["rt"]) and _is_number(row["rw"])):
        raise ValueError("RT dan RW berupa angka 0 sampai 9")
    return {
        **row,
        "village": village,
        "month": month,
        "birth_date": birth_date,
        "domicile_since": domicile_since,
        "sex": sex,
        **codes,
    }


def chunks(values, size=None):
    """`values` in lists of at most `size` (default: what the database takes in one query)."""
    size = size or max((connection.features.max_query_params or 5000) - 10, 1)
    iterator = iter(values)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class _AnyOf(Lookup):
    """`field = ANY(%s)`: the values go as one array parameter. On PostgreSQL a query of
    5,000 placeholders costs more to build, send and plan than to run."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, self.rhs]


def one_of(field, values):
    """A filter: `field` is one of `values` (a list)."""
    if connection.vendor == "postgresql":
        return _AnyOf(F(field), values)
    return Q(**{f"{field}__in": values})


def lookup(build, values):
    """Runs `build(values)` (a queryset of pairs or values filtered with `one_of`), in
    chunks where the database limits a query's parameters."""
    if connection.vendor == "postgresql":
        if values := list(values):
            yield from build(values)
        return
    for chunk in chunks(values):
        yield from build(chunk)


@dataclass
class Known:
    """What the database already holds about a batch's NIKs and numbers of KK."""

    people: dict  # NIK -> (person id, village id)
    households: dict  # No. KK -> (household id, village id)
    active: set  # ids of people enrolled now


def _known_for(batch):
    people = {
        nik: (pk, village_id)
        for nik, pk, village_id in lookup(
            lambda chunk: Person.objects.filter(one_of("nik", chunk)).values_list(
                "nik", "pk", "household__village_id"
            ),
            {row["nik"] for _, row in batch},
        )
    }
    households = {
        number: (pk, village_id)
        for number, pk, village_id in lookup(
            lambda chunk: Household.objects.filter(one_of("number", chunk)).values_list(
                "number", "pk", "village_id"
            ),
            {row["no_kk"] for _, row in batch},
        )
    }
    # Whose last entry is an addition (even one taking effect later) is already enrolled.
    active = set(
        lookup(
            lambda chunk: Participation.objects.filter(
                one_of("person_id", chunk), until__isnull=True
            ).values_list("person_id", flat=True),
            [pk for pk, _ in people.values()],
        )
    )
    return Known(people, households, active)


def _check_in_batches(rows, check_batch, *, write=None, progress=None):
    """Runs `check_batch(batch, plan)` (which records bad and unchanged rows in `plan` and
    returns the rows to add, with what it looked up) on each batch of `rows`; with `write`,
    hands each batch to add to `write(to_add, known)` as long as no row was bad."""
    plan = Plan()
    total = getattr(rows, "total", None)
    for batch in chunks(rows, BATCH_ROWS):
        to_add, known = check_batch(batch, plan)
        plan.rows += len(batch)
        plan.to_add += len(to_add)
        if write and to_add and not plan.errors:
            write(to_add, known)
        if progress:
            progress(plan.rows, max(total or 0, plan.rows))
        if len(plan.errors) >= MAX_ERRORS:
            plan.is_cut_short = True
            break
    plan.errors.sort()
    del plan.errors[MAX_ERRORS:]
    return plan


def _clean_batch(batch, clean, plan):
    cleaned = []
    for number, row in batch:
        try:
            cleaned.append((number, clean(row)))
        except ValueError as reason:
            plan.errors.append((number, str(reason)))
    return cleaned


def plan_participants(rows, regency, *, write=None, progress=None):
    """Checks an import of today's participants; see `_check_in_batches`."""
    villages = {v.code: v for v in Village.objects.filter(district__regency=regency)}
    memo = _Memo()
    first_row = {}  # NIK -> row number where the file first names it
    kk_first = {}  # No. KK -> (row number, village) where the file first names it

    def check_batch(batch, plan):
        cleaned = _clean_batch(batch, lambda row: _clean_row(row, villages, memo), plan)
        known = _known_for(cleaned)
        to_add = []
        for number, row in cleaned:
            nik, village = row["nik"], row["village"]
            if nik in first_row:
                plan.errors.append((number, f"NIK ganda dengan baris {first_row[nik]}"))
                continue
            first_row[nik] = number
            kk_row, kk_village = kk_first.setdefault(row["no_kk"], (number, village))
            person = known.people.get(nik)
            household = known.households.get(row["no_kk"])
            if kk_village != village:
                reason = f"No. KK sama dengan baris {kk_row} tetapi desanya lain"
                plan.errors.append((number, reason))
            elif person and person[1] != village.pk:
                plan.errors.append((number, "NIK ini terdaftar di desa lain"))
            elif household and household[1] != village.pk:
                plan.errors.append((number, "No. KK ini terdaftar di desa lain"))
            elif person and person[0] in known.active:
                plan.unchanged += 1
            else:
                to_add.append((number, row))
        return to_add, known

    return _check_in_batches(rows, check_batch, write=write, progress=progress)


REGISTRY_REQUIRED = ["sumber", "id_dtks", "nik", "nama", "no_kk", "kode_desa", "periode"]
_REGISTRY_SOURCES = set(RegistrySource.values)


def _clean_registry_row(row, villages):
    """A row of a DTKS/DTSEN extract, cleaned; raises ValueError with the reason."""
    _require_filled(row, REGISTRY_REQUIRED)
    source = row["sumber"].upper()
    if source not in _REGISTRY_SOURCES:
        raise ValueError(f"sumber {row['sumber']} tidak dikenal (DTKS atau DTSEN)")
    for column in ("id_dtks", "nama"):
        # Shown and exported as the residents' names are: the same plain-text rule.
        if not is_plain_text(row[column]):
            raise ValueError(f"kolom {column} memuat tanda rumus, markup atau karakter kontrol")
    for column, limit in (("id_dtks", 50), ("nama", 150)):
        if len(row[column]) > limit:
            raise ValueError(f"kolom {column} lebih dari {limit} karakter")
    village = _identity_checked(row, villages)
    desil = row.get("desil", "")
    if desil and (not _is_number(desil) or not 1 <= int(desil) <= 10):
        raise ValueError(f"desil {desil} di luar 1 sampai 10")
    if source == RegistrySource.DTSEN and not desil:
        raise ValueError("desil wajib diisi untuk DTSEN (1 sampai 10)")
    period = _month(row, "periode")
    return {
        "source": source,
        "registry_id": row["id_dtks"],
        "nik": row["nik"],
        "name": row["nama"],
        "household_number": row["no_kk"],
        "village_id": village.pk,
        "desil": int(desil) if desil else None,
        "data_period": period,
    }


REGISTRY_FIELDS = [
    "source",
    "registry_id",
    "nik",
    "name",
    "household_number",
    "village_id",
    "desil",
    "data_period",
]


def plan_registry(rows, regency, *, write=None, progress=None):
    """Checks an extract of DTKS/DTSEN: a listing already imported with the same values is
    unchanged; one imported for the same NIK, source and period with other values is a bad
    row (a listing that may be evidence of an addition is never rewritten)."""
    villages = {v.code: v for v in Village.objects.filter(district__regency=regency)}
    first_row = {}

    def check_batch(batch, plan):
        cleaned = _clean_batch(batch, lambda row: _clean_registry_row(row, villages), plan)
        # Only the listings of the file's sources and periods can match: a NIK's listings of
        # earlier periods are not read.
        sources = {row["source"] for _, row in cleaned}
        periods = {row["data_period"] for _, row in cleaned}
        stored = {
            (record["nik"], record["source"], record["data_period"]): record
            for record in lookup(
                lambda chunk: RegistryRecord.objects.filter(
                    one_of("nik", chunk), source__in=sources, data_period__in=periods
                ).values(*REGISTRY_FIELDS),
                {row["nik"] for _, row in cleaned},
            )
        }
        to_add = []
        for number, row in cleaned:
            if row["nik"] in first_row:
                plan.errors.append((number, f"NIK ganda dengan baris {first_row[row['nik']]}"))
                continue
            first_row[row["nik"]] = number
            existing = stored.get((row["nik"], row["source"], row["data_period"]))
            if existing is None:
                to_add.append((number, row))
            elif existing == row:
                plan.unchanged += 1
            else:
                plan.errors.append(
                    (number, "NIK ini sudah tercatat untuk sumber dan periode ini dengan data lain")
                )
        return to_add, None

    return _check_in_batches(rows, check_batch, write=write, progress=progress)
