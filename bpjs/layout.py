"""Column layouts of the files exchanged with BPJS Kesehatan, as data (TOML, see
fixtures/bpjs/ and docs/bpjs.md). BPJS's branch offices hand out their upload templates and
change them outside our releases, so a deployment edits the file, not the code.

A layout names its sheet and lists its columns in order; each column has a `title` and either
a `field` of the product (REGISTRATION_FIELDS) or a fixed `value`. A date field may carry a
`date_format` (strftime, default dd/mm/yyyy). The whole file is checked before it is used: an
unknown key or field, a column without a title or with both field and value, a duplicate title
is refused, each with its line.
"""

import datetime
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_DATE_FORMAT = "%d/%m/%Y"

# The fields a registration column may show: key -> what it holds. bpjs.services.Line has one
# attribute per key; the dates are the fields a `date_format` applies to.
REGISTRATION_FIELDS = {
    "nomor": "nomor urut baris",
    "tindakan": "pendaftaran atau permintaan penonaktifan",
    "no_kk": "No. KK (teks)",
    "nik": "NIK (teks)",
    "nama": "nama lengkap",
    "pisa": "kode PISA (1-5)",
    "tempat_lahir": "tempat lahir",
    "tanggal_lahir": "tanggal lahir",
    "jenis_kelamin": "jenis kelamin, L atau P",
    "jenis_kelamin_kode": "jenis kelamin, 1 laki-laki atau 2 perempuan",
    "status_kawin": "kode status perkawinan (1 belum kawin, 2 kawin, 3 cerai hidup, 4 cerai mati)",
    "status_kawin_nama": "status perkawinan",
    "alamat": "alamat (dusun dan alamat KK)",
    "dusun": "padukuhan/dusun",
    "rt": "RT",
    "rw": "RW",
    "kode_kecamatan": "kode Kemendagri kapanewon/kecamatan tanpa titik",
    "nama_kecamatan": "nama kapanewon/kecamatan",
    "kode_desa": "kode Kemendagri kalurahan/desa tanpa titik",
    "nama_desa": "nama kalurahan/desa",
    "kode_faskes": "kode faskes tingkat pertama di BPJS",
    "nama_faskes": "nama faskes tingkat pertama",
    "no_telp": "nomor telepon",
    "tmt": "TMT: hari pertama bulan berikutnya",
    "no_kartu": "No. Kartu JKN terakhir yang tercatat",
    "kode_provinsi": "kode Kemendagri provinsi",
    "kode_kabupaten": "kode Kemendagri kabupaten tanpa titik",
}
DATE_FIELDS = {"tanggal_lahir", "tmt"}

# The fields BPJS's monthly list of billed participants may hold (issue 17 §3); a column
# of the file maps to one of them. REQUIRED_BILLING_FIELDS must each have a column.
BILLING_FIELDS = {
    "no_kartu": "No. Kartu JKN (13 digit)",
    "nik": "NIK (16 digit)",
    "nama": "nama peserta",
    "tmt": "TMT",
    "status": "status kepesertaan (aktif/nonaktif)",
    "kode_faskes": "kode faskes tingkat pertama di BPJS",
    "nama_faskes": "nama faskes tingkat pertama",
    "segmen": "segmen kepesertaan",
    "tanggal_lahir": "tanggal lahir",
    "no_kk": "No. KK",
}
REQUIRED_BILLING_FIELDS = ["no_kartu", "nik", "nama", "tmt", "status"]

_LAYOUT_KEYS = {"name", "sheet", "column"}
_COLUMN_KEYS = {"title", "field", "value", "date_format"}


@dataclass(frozen=True)
class Column:
    title: str
    field: str = ""
    value: str = ""
    date_format: str = DEFAULT_DATE_FORMAT

    def cell(self, line) -> str:
        """The column's text for one line (bpjs.services.Line)."""
        if not self.field:
            return self.value
        value = getattr(line, self.field)
        if isinstance(value, datetime.date):
            return value.strftime(self.date_format)
        return "" if value is None else str(value)


@dataclass(frozen=True)
class Layout:
    name: str
    sheet: str
    columns: tuple[Column, ...]

    @property
    def titles(self):
        return [column.title for column in self.columns]


def _column_lines(text: str) -> list[int]:
    """The line number of each [[column]] header, in order."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if re.match(r"^\s*\[\[\s*column\s*\]\]", line)
    ]


def _key_line(text: str, key: str, start: int = 1, end: int | None = None) -> int:
    """The line of `key = …` between lines `start` and `end` (the file's first line if absent)."""
    lines = text.splitlines()
    for number in range(start, (end or len(lines)) + 1):
        if number <= len(lines) and re.match(rf"^\s*{re.escape(key)}\s*=", lines[number - 1]):
            return number
    return start


def parse(
    text: str,
    fields: dict = REGISTRATION_FIELDS,
    *,
    allow_values: bool = True,
    required: tuple | list = (),
) -> Layout:
    """The checked layout of `text` (TOML); ValidationError listing every mistake by line.
    A layout of a file read in (`allow_values` False) maps columns to fields only, and must
    map every field of `required`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError(f"Berkas tata letak bukan TOML yang sah: {error}") from error
    errors = []
    for key in sorted(set(data) - _LAYOUT_KEYS):
        errors.append(f"Baris {_key_line(text, key)}: kunci '{key}' tidak dikenal.")
    raw_columns = data.get("column", [])
    if not isinstance(raw_columns, list) or not raw_columns:
        errors.append("Tata letak tanpa kolom: tulis setidaknya satu [[column]].")
        raw_columns = []
    starts = _column_lines(text)
    columns, seen = [], {}
    for position, raw in enumerate(raw_columns):
        start = starts[position] if position < len(starts) else 1
        end = starts[position + 1] - 1 if position + 1 < len(starts) else None
        where = f"Baris {start} (kolom ke-{position + 1})"
        for key in sorted(set(raw) - _COLUMN_KEYS):
            errors.append(
                f"Baris {_key_line(text, key, start, end)}: kunci '{key}' tidak dikenal "
                f"(yang dikenal: {', '.join(sorted(_COLUMN_KEYS))})."
            )
        title = str(raw.get("title", "")).strip()
        field, value = raw.get("field"), raw.get("value")
        if not title:
            errors.append(f"{where}: judul kolom (title) kosong.")
        elif title in seen:
            errors.append(f"{where}: kolom '{title}' ganda (sudah ada di baris {seen[title]}).")
        else:
            seen[title] = start
        if not allow_values and value is not None:
            errors.append(f"{where}: berkas yang dibaca hanya memetakan kolom ke 'field'.")
        elif (field is None) == (value is None):
            errors.append(f"{where}: isi salah satu dari 'field' atau 'value'.")
        elif field is not None and field not in fields:
            errors.append(
                f"Baris {_key_line(text, 'field', start, end)}: field '{field}' tidak dikenal."
            )
        date_format = str(raw.get("date_format", DEFAULT_DATE_FORMAT))
        if "date_format" in raw and field not in DATE_FIELDS:
            errors.append(f"{where}: date_format hanya untuk kolom tanggal.")
        columns.append(
            Column(title, str(field or ""), "" if value is None else str(value), date_format)
        )
    mapped = [column.field for column in columns]
    for name in required:
        if name not in mapped:
            errors.append(f"Field wajib '{name}' tidak dipetakan ke kolom mana pun.")
    for name in sorted({name for name in mapped if name and mapped.count(name) > 1}):
        errors.append(f"Field '{name}' dipetakan ke lebih dari satu kolom.")
    if errors:
        raise ValidationError(errors)
    return Layout(str(data.get("name", "")), str(data.get("sheet", "Data"))[:31], tuple(columns))


def registration_layout(path: Path | None = None) -> Layout:
    """The deployment's layout of the registration file for e-Dabu."""
    return load(Path(path or settings.BPJS_REGISTRATION_LAYOUT))


def billing_layout(path: Path | None = None) -> Layout:
    """The deployment's layout of BPJS's monthly list of billed participants."""
    return load(
        Path(path or settings.BPJS_BILLING_LAYOUT),
        fields=BILLING_FIELDS,
        allow_values=False,
        required=REQUIRED_BILLING_FIELDS,
    )


def load(path: Path, **options) -> Layout:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(
            f"Berkas tata letak {path.name} tidak dapat dibaca: {error}"
        ) from error
    try:
        return parse(text, **options)
    except ValidationError as error:
        raise ValidationError([f"{path.name}: {message}" for message in error.messages]) from error


def billing_layout_or_none() -> Layout | None:
    """The billing layout for a page to describe; None when the deployment's file is broken
    (the import then fails with its reasons)."""
    try:
        return billing_layout()
    except ValidationError:
        return None
