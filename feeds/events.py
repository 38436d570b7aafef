"""Reading and checking Dukcapil's extract of population events (.xlsx or .csv), its columns
mapped by the deployment's layout (fixtures/feeds/peristiwa-dukcapil.toml, docs/feeds.md).

Nothing here writes. `plan` reads every row, checks it, and returns what saving would write
and every bad row with its number and reason; feeds.services.extract_import saves a plan that
has no bad row. A NIK the kabupaten's records do not hold is not a bad row: it is saved
unmatched, counted and listed. A cell holding a formula is refused, not evaluated.
"""

import datetime
import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

from bpjs import layout as layouts
from bpjs.billing import FORMULA, cell_date, cell_text, read_records
from people.models import EventKind, validate_rt, validate_rw
from people.names import is_plain_text
from people.nik import parse_nik, validate_kk
from regions.months import add_months

# The fields an extract's column may map to: key -> what it holds (docs/feeds.md).
EVENT_FIELDS = {
    "jenis": "jenis peristiwa: meninggal, pindah keluar, pindah dalam, ganti NIK",
    "nik": "NIK penduduk (sebelum perubahan, untuk ganti NIK)",
    "tanggal": "tanggal peristiwa",
    "no_akta": "No. akta kematian (wajib untuk meninggal)",
    "tujuan": "alamat tujuan di luar kabupaten (wajib untuk pindah keluar)",
    "kode_desa_tujuan": "kode Kemendagri desa tujuan (wajib untuk pindah dalam)",
    "dusun_tujuan": "padukuhan/dusun tujuan",
    "rt_tujuan": "RT tujuan",
    "rw_tujuan": "RW tujuan",
    "nik_baru": "NIK baru",
    "no_kk_baru": "No. KK baru",
}
REQUIRED_EVENT_FIELDS = ["jenis", "nik", "tanggal"]

# How an extract may write a kind, lower-cased, spaces, dashes and underscores removed.
_KINDS = {
    "meninggal": EventKind.DIED,
    "kematian": EventKind.DIED,
    "mati": EventKind.DIED,
    "pindahkeluar": EventKind.MOVED_OUT,
    "pindahluarkabupaten": EventKind.MOVED_OUT,
    "pindahdalam": EventKind.MOVED_WITHIN,
    "pindahantardesa": EventKind.MOVED_WITHIN,
    "gantinik": EventKind.IDENTITY_CHANGED,
    "perubahannik": EventKind.IDENTITY_CHANGED,
    "gantikk": EventKind.IDENTITY_CHANGED,
    "perubahankk": EventKind.IDENTITY_CHANGED,
}
_VILLAGE_DIGITS = re.compile(r"^\d{10}$")


def event_layout(path: Path | None = None) -> layouts.Layout:
    """The deployment's layout of Dukcapil's extract (settings.DUKCAPIL_EVENTS_LAYOUT)."""
    path = path or settings.DUKCAPIL_EVENTS_LAYOUT
    return layouts.load(
        Path(path), fields=EVENT_FIELDS, allow_values=False, required=REQUIRED_EVENT_FIELDS
    )


def event_layout_or_none() -> layouts.Layout | None:
    """The layout for a page to describe; None when the file is broken (the import then fails
    with its reasons)."""
    try:
        return event_layout()
    except ValidationError:
        return None


def village_code(text: str) -> str:
    """A Kemendagri village code as the regions store it (34.01.01.2001), written with or
    without its dots; "" when it is not one."""
    digits = text.replace(".", "").strip()
    if not _VILLAGE_DIGITS.match(digits):
        return ""
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"


@dataclass
class Plan:
    period: datetime.date
    rows: list = field(default_factory=list)  # cleaned rows (dicts), in file order
    errors: list = field(default_factory=list)  # (row number, reason)

    @property
    def digest(self) -> str:
        """The rows' content, whatever file they came in: sorted by kind and NIK, every field,
        and the period."""
        content = hashlib.sha256(self.period.isoformat().encode())
        for row in sorted(self.rows, key=lambda row: (row["kind"], row["nik"])):
            values = [str(row[key]) for key in sorted(row) if key != "row_number"]
            content.update(repr(values).encode())
        return content.hexdigest()

    def error_messages(self):
        return [f"Baris {number}: {reason.rstrip('.')}." for number, reason in self.errors]


def _nik(text: str, label: str) -> str:
    try:
        parse_nik(text)
    except ValidationError as error:
        raise ValueError(f"{label} {text}: {error.messages[0]}") from None
    return text


def _clean(raw: dict, titles: dict, period: datetime.date, today: datetime.date) -> dict:
    """The row's values by field, checked; ValueError with the reason for a bad row."""
    for name, value in raw.items():
        if isinstance(value, str) and value.lstrip().startswith(FORMULA):
            raise ValueError(f"kolom {titles[name]} berisi rumus")
    values = {name: cell_text(value) for name, value in raw.items()}
    for name in REQUIRED_EVENT_FIELDS:
        if not values.get(name):
            raise ValueError(f"kolom {titles[name]} kosong")
    for name in ("no_akta", "tujuan", "dusun_tujuan"):
        if not is_plain_text(values.get(name, "")):
            raise ValueError(f"kolom {titles[name]} memuat tanda rumus atau < > {{ }} \\")
    kind = _KINDS.get(re.sub(r"[\s_-]", "", values["jenis"].lower()))
    if kind is None:
        raise ValueError(
            f"jenis peristiwa '{values['jenis']}' tidak dikenal (meninggal, pindah keluar, "
            "pindah dalam, ganti NIK)"
        )
    nik = _nik(values["nik"], "NIK")
    occurred_on = cell_date(raw["tanggal"], titles["tanggal"])
    if occurred_on > today:
        raise ValueError(f"tanggal peristiwa {occurred_on:%d-%m-%Y} di masa depan")
    if occurred_on >= add_months(period, 1):
        raise ValueError(f"tanggal peristiwa {occurred_on:%d-%m-%Y} sesudah periode {period:%m-%Y}")
    row = {
        "kind": kind,
        "nik": nik,
        "occurred_on": occurred_on,
        "death_certificate": values.get("no_akta", "")[:50],
        "destination": values.get("tujuan", "")[:255],
        "village_code": "",
        "dusun": values.get("dusun_tujuan", "")[:100],
        "rt": values.get("rt_tujuan", ""),
        "rw": values.get("rw_tujuan", ""),
        "new_nik": "",
        "new_kk_number": "",
    }
    if kind == EventKind.DIED and not row["death_certificate"]:
        raise ValueError(f"kolom {titles.get('no_akta', 'No. akta kematian')} kosong")
    if kind == EventKind.MOVED_OUT and not row["destination"]:
        raise ValueError(f"kolom {titles.get('tujuan', 'tujuan pindah')} kosong")
    if kind == EventKind.MOVED_WITHIN:
        row["village_code"] = village_code(values.get("kode_desa_tujuan", ""))
        if not row["village_code"]:
            raise ValueError(
                f"kolom {titles.get('kode_desa_tujuan', 'kode desa tujuan')} bukan kode desa "
                "10 digit"
            )
        for name, validate in (("rt", validate_rt), ("rw", validate_rw)):
            if row[name]:
                try:
                    validate(row[name])
                except ValidationError as error:
                    raise ValueError(error.messages[0]) from None
    if kind == EventKind.IDENTITY_CHANGED:
        if values.get("nik_baru"):
            row["new_nik"] = _nik(values["nik_baru"], "NIK baru")
        if values.get("no_kk_baru"):
            try:
                validate_kk(values["no_kk_baru"])
            except ValidationError as error:
                raise ValueError(f"No. KK baru: {error.messages[0]}") from None
            row["new_kk_number"] = values["no_kk_baru"]
        if not row["new_nik"] and not row["new_kk_number"]:
            raise ValueError("perubahan NIK/No. KK tanpa NIK baru atau No. KK baru")
    return row


def plan(
    file,
    filename: str,
    layout: layouts.Layout,
    period: datetime.date,
    today: datetime.date,
    progress=None,
) -> Plan:
    """Reads and checks every row; raises ValidationError for a file that cannot be read at
    all (not .xlsx/.csv, broken, unknown or missing columns)."""
    header, records, workbook = read_records(file, filename)
    by_title = {column.title.strip().lower(): column.field for column in layout.columns}
    fields, unknown = [], []
    for title in (cell_text(title) for title in header):
        name = by_title.get(title.lower())
        if name is None and title:
            unknown.append(title)
        fields.append(name)
    if unknown:
        raise ValidationError(
            f"Kolom tidak dikenal: {', '.join(unknown)} (tata letak: {layout.name})."
        )
    titles = {column.field: column.title for column in layout.columns}
    missing = [titles[name] for name in REQUIRED_EVENT_FIELDS if name not in fields]
    if missing:
        raise ValidationError(f"Kolom wajib tidak ada: {', '.join(missing)}.")
    result = Plan(period=period)
    first_row_of = {}
    try:
        for number, record in records:
            raw = {name: value for name, value in zip(fields, record, strict=False) if name}
            if not any(cell_text(value) for value in raw.values()):
                continue
            try:
                row = _clean(raw, titles, period, today)
            except ValueError as error:
                result.errors.append((number, str(error)))
                continue
            earlier = first_row_of.setdefault((row["kind"], row["nik"]), number)
            if earlier != number:
                result.errors.append(
                    (
                        number,
                        f"peristiwa yang sama untuk NIK {row['nik']} sudah ada di baris {earlier}",
                    )
                )
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
