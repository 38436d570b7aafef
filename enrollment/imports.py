"""Reading and checking an import of today's participants (the opening balance).

`plan_participants` checks every row against the data without writing: what would be added,
what is already there, and each bad row with its number and reason. The service
`participants_import` writes a plan only when it has no bad row.
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError

from enrollment.participation import active_people
from people.models import Household, MaritalStatus, Person, Relationship, Sex
from people.names import is_plain_text
from people.nik import parse_nik, validate_kk
from regions.models import Village

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
MAX_LENGTH = {"nama": 150, "tempat_lahir": 100, "pekerjaan": 100, "dusun": 100, "rt": 3, "rw": 3}


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(file, filename):
    """(row number, {column: text}) for each data row of an .xlsx or .csv upload."""
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = openpyxl.load_workbook(file, read_only=True, data_only=True).active
            rows = sheet.iter_rows(values_only=True)
            header = [cell_text(cell).lower() for cell in next(rows, [])]
            records = [[cell_text(cell) for cell in row] for row in rows]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise ValidationError("Berkas .xlsx rusak atau bukan berkas Excel.") from error
    elif filename.lower().endswith(".csv"):
        try:
            text = file.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError("Berkas CSV harus berpengodean UTF-8.") from error
        reader = csv.reader(io.StringIO(text))
        header = [column.strip().lower() for column in next(reader, [])]
        records = list(reader)
    else:
        raise ValidationError("Unggah berkas .xlsx atau .csv.")
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ValidationError(f"Kolom wajib tidak ada: {', '.join(missing)}.")
    return [
        (number, {column: (row[i] if i < len(row) else "") for i, column in enumerate(header)})
        for number, row in enumerate(records, start=2)
        if any(row)
    ]


@dataclass
class Plan:
    to_add: list = field(default_factory=list)  # (row number, cleaned dict)
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (row number, reason)


def clean_row(row, villages):
    """The row's values, cleaned; raises ValueError with the reason for a bad row."""
    for column in REQUIRED:
        if not row.get(column):
            raise ValueError(f"kolom {column} kosong")
    for column, limit in MAX_LENGTH.items():
        if len(row.get(column, "")) > limit:
            raise ValueError(f"kolom {column} lebih dari {limit} karakter")
    for column in ("nama", "tempat_lahir", "pekerjaan", "dusun"):
        # A spreadsheet would run these as formulas when the roster is opened again.
        if not is_plain_text(row.get(column, "")):
            raise ValueError(f"kolom {column} diawali tanda rumus atau memuat < > {{ }} \\")
    try:
        parse_nik(row["nik"])
        validate_kk(row["no_kk"])
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    village = villages.get(row["kode_desa"])
    if village is None:
        raise ValueError(f"kode desa {row['kode_desa']} tidak ada di kabupaten ini")
    try:
        month = datetime.date.fromisoformat(f"{row['bulan_mulai'][:7]}-01")
        birth_date, domicile_since = (
            datetime.date.fromisoformat(row[column]) if row.get(column) else None
            for column in ("tanggal_lahir", "berdomisili_sejak")
        )
    except ValueError:
        raise ValueError("tanggal harus TTTT-BB-HH dan bulan_mulai TTTT-BB") from None
    sex = row.get("jenis_kelamin", "").upper()
    if sex and sex not in Sex.values:
        raise ValueError("jenis_kelamin harus L atau P")
    codes = {}
    for column, choices in (
        ("hubungan_keluarga", Relationship),
        ("status_perkawinan", MaritalStatus),
    ):
        value = row.get(column, "")
        if value and (not value.isdigit() or int(value) not in choices.values):
            raise ValueError(f"kode {column} tidak dikenal")
        codes[column] = int(value) if value else None
    if not (row["rt"].isdigit() and row["rw"].isdigit()):
        raise ValueError("RT dan RW berupa angka")
    return {
        **row,
        "village": village,
        "month": month,
        "birth_date": birth_date,
        "domicile_since": domicile_since,
        "sex": sex,
        **codes,
    }


# SQLite allows a limited number of parameters per query: look large lists up in chunks.
CHUNK = 900


def chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def lookup(build, values):
    """Runs `build(chunk)` (a queryset of pairs or values) for each chunk of `values`."""
    for chunk in chunks(values):
        yield from build(chunk)


def plan_participants(rows, regency):
    villages = {v.code: v for v in Village.objects.filter(district__regency=regency)}
    niks = {row.get("nik", "") for _, row in rows}
    existing = {
        person.nik: person
        for person in lookup(
            lambda chunk: Person.objects.filter(nik__in=chunk).select_related("household"), niks
        )
    }
    households = dict(
        lookup(
            lambda chunk: Household.objects.filter(number__in=chunk).values_list(
                "number", "village_id"
            ),
            {row.get("no_kk", "") for _, row in rows},
        )
    )
    active = set(
        lookup(
            lambda chunk: active_people(people=Person.objects.filter(nik__in=chunk)).values_list(
                "nik", flat=True
            ),
            existing,
        )
    )
    plan = Plan()
    first_row = {}
    kk_first = {}  # No. KK -> (row number, village) where the file first names it
    for number, row in rows:
        try:
            cleaned = clean_row(row, villages)
        except ValueError as reason:
            plan.errors.append((number, str(reason)))
            continue
        nik = cleaned["nik"]
        if nik in first_row:
            plan.errors.append((number, f"NIK ganda dengan baris {first_row[nik]}"))
            continue
        first_row[nik] = number
        kk_row, kk_village = kk_first.setdefault(cleaned["no_kk"], (number, cleaned["village"]))
        if kk_village != cleaned["village"]:
            plan.errors.append((number, f"No. KK sama dengan baris {kk_row} tetapi desanya lain"))
            continue
        person = existing.get(nik)
        if person and person.household.village_id != cleaned["village"].pk:
            plan.errors.append((number, "NIK ini terdaftar di desa lain"))
        elif households.get(cleaned["no_kk"], cleaned["village"].pk) != cleaned["village"].pk:
            plan.errors.append((number, "No. KK ini terdaftar di desa lain"))
        elif nik in active:
            plan.unchanged += 1
        else:
            plan.to_add.append((number, cleaned))
    return plan
