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


def parse(text: str, fields: dict = REGISTRATION_FIELDS) -> Layout:
    """The checked layout of `text` (TOML); ValidationError listing every mistake by line."""
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
        if (field is None) == (value is None):
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
    if errors:
        raise ValidationError(errors)
    return Layout(str(data.get("name", "")), str(data.get("sheet", "Data"))[:31], tuple(columns))


def registration_layout(path: Path | None = None) -> Layout:
    """The deployment's layout of the registration file for e-Dabu."""
    path = Path(path or settings.BPJS_REGISTRATION_LAYOUT)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(
            f"Berkas tata letak {path.name} tidak dapat dibaca: {error}"
        ) from error
    try:
        return parse(text)
    except ValidationError as error:
        raise ValidationError([f"{path.name}: {message}" for message in error.messages]) from error
