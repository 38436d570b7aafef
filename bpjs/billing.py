"""Reading and checking BPJS's monthly list of billed participants (.xlsx or .csv), its
columns mapped by the deployment's layout (fixtures/bpjs/data-peserta.toml).

Nothing here writes. `plan` reads every row, checks it, and returns what saving would write
and every bad row with its number and reason; bpjs.services.billing_import saves a plan that
has no bad row, in one transaction. A cell holding a formula is refused, not evaluated: a
list from BPJS holds values.
"""

import csv
import datetime
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError

from bpjs.layout import REQUIRED_BILLING_FIELDS, Layout
from bpjs.models import CARD_DIGITS, Status
from people.names import is_plain_text
from people.nik import parse_nik

_CARD = re.compile(rf"^\d{{{CARD_DIGITS}}}$")
_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
# How BPJS's lists write a status, lower-cased, spaces and dashes removed.
_STATUSES = {
    "aktif": Status.ACTIVE,
    "active": Status.ACTIVE,
    "nonaktif": Status.INACTIVE,
    "tidakaktif": Status.INACTIVE,
    "inactive": Status.INACTIVE,
}
FORMULA = "="


@dataclass
class Plan:
    month: datetime.date
    rows: list = field(default_factory=list)  # cleaned rows (dicts), in file order
    errors: list = field(default_factory=list)  # (row number, reason)

    @property
    def digest(self) -> str:
        """The rows' content, whatever file they came in: sorted by NIK, every field."""
        content = hashlib.sha256()
        for row in sorted(self.rows, key=lambda row: row["nik"]):
            values = [row[key] for key in sorted(row) if key != "row_number"]
            content.update(repr(values).encode())
        return content.hexdigest()

    def error_messages(self):
        return [f"Baris {number}: {reason.rstrip('.')}." for number, reason in self.errors]


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_records(file, filename):
    """(header, iterator of (row number, raw values)) of an .xlsx (first sheet) or UTF-8 .csv."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            # Not data_only: a formula reads as its text, so it is seen and refused.
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=False)
            records = workbook.active.iter_rows(values_only=True)
            header = list(next(records, ()))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise ValidationError("Berkas .xlsx rusak atau bukan berkas Excel.") from error
        return header, enumerate(records, start=2), workbook
    if name.endswith(".csv"):
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        records = csv.reader(text)
        try:
            header = next(records, [])
        except UnicodeDecodeError as error:
            raise ValidationError("Berkas CSV harus berpengodean UTF-8.") from error
        return header, enumerate(records, start=2), None
    raise ValidationError("Unggah berkas .xlsx atau .csv.")


def cell_date(value, column: str) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{column} '{text}' bukan tanggal (TTTT-BB-HH atau HH/BB/TTTT)")


def _clean(raw: dict, titles: dict) -> dict:
    """The row's values by field, checked; ValueError with the reason for a bad row."""
    for field_name, value in raw.items():
        if isinstance(value, str) and value.lstrip().startswith(FORMULA):
            raise ValueError(f"kolom {titles[field_name]} berisi rumus")
    values = {name: cell_text(value) for name, value in raw.items()}
    for name in REQUIRED_BILLING_FIELDS:
        if not values.get(name):
            raise ValueError(f"kolom {titles[name]} kosong")
    if not _CARD.match(values["no_kartu"]):
        raise ValueError(f"No. Kartu {values['no_kartu']} bukan {CARD_DIGITS} digit angka")
    try:
        parse_nik(values["nik"])
    except ValidationError as error:
        raise ValueError(f"NIK {values['nik']}: {error.messages[0]}") from None
    for name in ("nama", "nama_faskes", "segmen"):
        if not is_plain_text(values.get(name, "")):
            raise ValueError(f"kolom {titles[name]} memuat tanda rumus atau < > {{ }} \\")
    status_key = re.sub(r"[\s_-]", "", values["status"].lower())
    if status_key not in _STATUSES:
        raise ValueError(f"status '{values['status']}' tidak dikenal (aktif atau nonaktif)")
    tmt = cell_date(raw["tmt"], titles["tmt"])
    birth_date = (
        cell_date(raw["tanggal_lahir"], titles["tanggal_lahir"]) if "tanggal_lahir" in raw else None
    )
    return {
        "card_number": values["no_kartu"],
        "nik": values["nik"],
        "name": values["nama"][:150],
        "birth_date": birth_date,
        "household_number": values.get("no_kk", "")[:16],
        "tmt": tmt,
        "status": _STATUSES[status_key],
        "status_text": values["status"][:50],
        "faskes_code": values.get("kode_faskes", "")[:20],
        "faskes_name": values.get("nama_faskes", "")[:150],
        "segment": values.get("segmen", "")[:100],
    }


def plan(file, filename: str, layout: Layout, month: datetime.date, progress=None) -> Plan:
    """Reads and checks every row; raises ValidationError for a file that cannot be read at
    all (not .xlsx/.csv, broken, unknown or missing columns)."""
    header, records, workbook = read_records(file, filename)
    by_title = {column.title.strip().lower(): column.field for column in layout.columns}
    titles_seen = [cell_text(title) for title in header]
    fields = []
    unknown = []
    for title in titles_seen:
        name = by_title.get(title.lower())
        if name is None and title:
            unknown.append(title)
        fields.append(name)
    if unknown:
        raise ValidationError(
            f"Kolom tidak dikenal: {', '.join(unknown)} (tata letak: {layout.name or 'data BPJS'})."
        )
    missing = [
        c.title
        for c in layout.columns
        if c.field not in fields and c.field in REQUIRED_BILLING_FIELDS
    ]
    if missing:
        raise ValidationError(f"Kolom wajib tidak ada: {', '.join(missing)}.")
    titles = {column.field: column.title for column in layout.columns}
    result = Plan(month=month)
    first_row_of = {}
    try:
        for number, record in records:
            raw = {name: value for name, value in zip(fields, record, strict=False) if name}
            if not any(cell_text(value) for value in raw.values()):
                continue
            try:
                row = _clean(raw, titles)
            except ValueError as error:
                result.errors.append((number, str(error)))
                continue
            earlier = first_row_of.setdefault(row["nik"], number)
            if earlier != number:
                result.errors.append((number, f"NIK {row['nik']} sudah ada di baris {earlier}"))
                continue
            row["row_number"] = number
            result.rows.append(row)
            if progress and number % 1000 == 0:
                progress(number)
    except UnicodeDecodeError as error:
        raise ValidationError("Berkas CSV harus berpengodean UTF-8.") from error
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise ValidationError("Berkas .xlsx rusak atau bukan berkas Excel.") from error
    finally:
        if workbook is not None:
            workbook.close()
    if not result.rows and not result.errors:
        raise ValidationError("Berkas tidak memuat baris data.")
    return result
