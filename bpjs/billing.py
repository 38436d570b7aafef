"""Reading and checking BPJS's monthly list of billed participants (.xlsx or .csv), its
columns mapped by the deployment's layout (fixtures/bpjs/data-peserta.toml).

Nothing here writes. `plan` reads every row, checks it, and returns what saving would write
and every bad row with its number and reason; bpjs.services.billing_import saves a plan that
has no bad row, in one transaction. A cell holding a formula is refused, not evaluated: a
list from BPJS holds values.
"""

import csv
import datetime
import functools
import gzip
import hashlib
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from typing import NamedTuple

import openpyxl
from django.core.exceptions import ValidationError
from django.utils import timezone

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
# Faskes and segment take a handful of values in a list of 200,000 rows: each checked once.
_plain_repeated = functools.lru_cache(maxsize=4096)(is_plain_text)


class Row(NamedTuple):
    """A checked row, by the fields of bpjs.models.BillingRow: a tuple, not a dict, since a
    list holds 200,000 of them (docs/scale.md)."""

    card_number: str
    nik: str
    name: str
    birth_date: datetime.date | None
    household_number: str
    tmt: datetime.date
    status: str
    status_text: str
    faskes_code: str
    faskes_name: str
    segment: str
    row_number: int


# The digest's order of the fields, the file's row number left out.
_DIGESTED = [Row._fields.index(name) for name in sorted(Row._fields) if name != "row_number"]


@dataclass
class Plan:
    month: datetime.date
    rows: list[Row] = field(default_factory=list)  # checked rows, in file order
    errors: list = field(default_factory=list)  # (row number, reason)

    @functools.cached_property
    def digest(self) -> str:
        """The rows' content, whatever file they came in: sorted by NIK, every field. Asked
        twice by an import, computed once."""
        content = hashlib.sha256()
        for row in sorted(self.rows, key=lambda row: row.nik):
            content.update(repr([row[index] for index in _DIGESTED]).encode())
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
    date = _parse_date(text)
    if date is None:
        raise ValueError(f"{column} '{text}' bukan tanggal (TTTT-BB-HH atau HH/BB/TTTT)")
    return date


@functools.lru_cache(maxsize=65536)
def _parse_date(text: str) -> datetime.date | None:
    """The date a text writes, or None. Cached: a list repeats its TMT and birth dates, and
    strptime was a third of checking 200,000 rows (docs/scale.md)."""
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _clean(raw: dict, values: dict, titles: dict, number: int, today: datetime.date) -> Row:
    """The row's values by field (`raw` as read, `values` as text), checked; ValueError with
    the reason for a bad row."""
    for field_name, value in raw.items():
        if isinstance(value, str) and value.lstrip().startswith(FORMULA):
            raise ValueError(f"kolom {titles[field_name]} berisi rumus")
    for name in REQUIRED_BILLING_FIELDS:
        if not values.get(name):
            raise ValueError(f"kolom {titles[name]} kosong")
    if not _CARD.match(values["no_kartu"]):
        raise ValueError(f"No. Kartu {values['no_kartu']} bukan {CARD_DIGITS} digit angka")
    try:
        parse_nik(values["nik"], today=today)
    except ValidationError as error:
        raise ValueError(f"NIK {values['nik']}: {error.messages[0]}") from None
    for name, plain in (
        ("nama", is_plain_text),
        ("nama_faskes", _plain_repeated),
        ("segmen", _plain_repeated),
    ):
        if not plain(values.get(name, "")):
            raise ValueError(f"kolom {titles[name]} memuat tanda rumus atau < > {{ }} \\")
    status_key = re.sub(r"[\s_-]", "", values["status"].lower())
    if status_key not in _STATUSES:
        raise ValueError(f"status '{values['status']}' tidak dikenal (aktif atau nonaktif)")
    tmt = cell_date(raw["tmt"], titles["tmt"])
    birth_date = (
        cell_date(raw["tanggal_lahir"], titles["tanggal_lahir"]) if "tanggal_lahir" in raw else None
    )
    return Row(
        card_number=values["no_kartu"],
        nik=values["nik"],
        name=values["nama"][:150],
        birth_date=birth_date,
        household_number=values.get("no_kk", "")[:16],
        tmt=tmt,
        status=_STATUSES[status_key],
        # A handful of values each in 200,000 rows: one string each (sys.intern), not one a row.
        status_text=sys.intern(values["status"][:50]),
        faskes_code=sys.intern(values.get("kode_faskes", "")[:20]),
        faskes_name=sys.intern(values.get("nama_faskes", "")[:150]),
        segment=sys.intern(values.get("segmen", "")[:100]),
        row_number=number,
    )


@functools.lru_cache(maxsize=65536)
def _iso_date(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


_STATUS_OF = {status.value: status for status in Status}


def _forget_texts() -> None:
    """Empties the caches of one file's texts once it is read: their dates, made while the
    rows were, would otherwise keep the memory of 200,000 rows from being given back
    (100 MB; docs/scale.md)."""
    for cache in (_parse_date, _iso_date, _plain_repeated):
        cache.cache_clear()


def dump_rows(plan: Plan, tag: str, output) -> None:
    """Writes a plan without bad rows compactly (gzipped CSV, dates ISO) under a first line
    naming its month, `tag` (what it was checked under) and its digest, for `load_rows`: the
    import of a file already checked by its preview reads this, not the file again."""
    with gzip.open(output, "wt", compresslevel=1, encoding="utf-8", newline="") as text:
        writer = csv.writer(text)
        writer.writerow([plan.month.isoformat(), tag, plan.digest])
        writer.writerows(plan.rows)


def load_rows(file, month: datetime.date, tag: str) -> Plan | None:
    """The plan `dump_rows` wrote for `month` and `tag`; None if it was written for another."""
    with gzip.open(file, "rt", encoding="utf-8", newline="") as text:
        records = csv.reader(text)
        head = next(records, None)
        if not head or head[:2] != [month.isoformat(), tag]:
            return None
        rows = [
            Row(
                card,
                nik,
                name,
                _iso_date(born),
                kk,
                _iso_date(tmt),
                _STATUS_OF[status],
                *map(sys.intern, texts),
                int(number),
            )
            for card, nik, name, born, kk, tmt, status, *texts, number in records
        ]
    _forget_texts()
    plan = Plan(month=month, rows=rows)
    plan.digest = head[2]  # computed by the preview from the same rows
    return plan


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
    today = timezone.localdate()
    first_row_of = {}
    try:
        for number, record in records:
            raw = {name: value for name, value in zip(fields, record, strict=False) if name}
            values = {name: cell_text(value) for name, value in raw.items()}
            if not any(values.values()):
                continue
            try:
                row = _clean(raw, values, titles, number, today)
            except ValueError as error:
                result.errors.append((number, str(error)))
                continue
            earlier = first_row_of.setdefault(row.nik, number)
            if earlier != number:
                result.errors.append((number, f"NIK {row.nik} sudah ada di baris {earlier}"))
                continue
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
        _forget_texts()
    if not result.rows and not result.errors:
        raise ValidationError("Berkas tidak memuat baris data.")
    return result
