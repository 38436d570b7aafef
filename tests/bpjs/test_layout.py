"""The column layout of the registration file is data: the shipped default, and a file with a
mistake refused with its line."""

import pytest
from django.core.exceptions import ValidationError

from bpjs import layout

# The collective-registration layout of issue 17 §2, in order.
ISSUE_COLUMNS = [
    "No", "No KK", "NIK", "Nama Lengkap", "PISA", "Tempat Lahir", "Tgl Lahir", "Jenis Kelamin",
    "Status Kawin", "Alamat", "RT", "RW", "Kode Pos", "Kode Kecamatan", "Nama Kecamatan",
    "Kode Desa", "Nama Desa/Kel", "Kode Faskes Tk.1", "Nama Faskes Tk.1", "Kode Faskes Gigi",
    "Nama Faskes Gigi", "No Telp", "Email", "Kelas Rawat", "Tgl Aktif Peserta/TMT",
    "Warga Negara", "Kode Provinsi", "Kode Kabupaten",
]  # fmt: skip


def test_the_shipped_layout_follows_the_collective_registration_columns():
    shipped = layout.registration_layout()
    assert shipped.titles[: len(ISSUE_COLUMNS)] == ISSUE_COLUMNS
    columns = {column.title: column for column in shipped.columns}
    assert columns["Kelas Rawat"].value == "3"
    assert columns["Tgl Lahir"].date_format == columns["Tgl Aktif Peserta/TMT"].date_format
    assert columns["Tgl Lahir"].date_format == "%d/%m/%Y"


GOOD = """name = "Uji"
sheet = "Data"

[[column]]
title = "NIK"
field = "nik"

[[column]]
title = "Kelas"
value = "3"
"""


def refused(text):
    with pytest.raises(ValidationError) as caught:
        layout.parse(text)
    return caught.value.messages


def test_a_good_layout_is_read_in_order():
    parsed = layout.parse(GOOD)
    assert parsed.sheet == "Data" and parsed.titles == ["NIK", "Kelas"]


def test_an_unknown_field_is_refused_with_its_line():
    messages = refused(GOOD.replace('field = "nik"', 'field = "golongan_darah"'))
    assert messages == ["Baris 6: field 'golongan_darah' tidak dikenal."]


def test_a_duplicate_column_is_refused_with_its_line():
    messages = refused(GOOD.replace('title = "Kelas"', 'title = "NIK"'))
    assert messages == ["Baris 8 (kolom ke-2): kolom 'NIK' ganda (sudah ada di baris 4)."]


def test_an_unknown_key_is_refused_with_its_line():
    messages = refused(GOOD.replace('value = "3"', 'value = "3"\nlebar = 10'))
    assert len(messages) == 1 and messages[0].startswith("Baris 11: kunci 'lebar' tidak dikenal")
    assert refused("judul = 'x'\n" + GOOD)[0] == "Baris 1: kunci 'judul' tidak dikenal."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace('value = "3"', 'value = "3"\nfield = "nik"'), "salah satu dari"),
        (GOOD.replace('title = "Kelas"\n', ""), "judul kolom"),
        ('name = "kosong"\n', "tanpa kolom"),
        (GOOD.replace('field = "nik"', 'field = "nik"\ndate_format = "%Y"'), "date_format"),
        ("[[column]\n", "bukan TOML"),
    ],
)
def test_other_mistakes_are_refused(text, message):
    assert any(message in line for line in refused(text))


def test_an_unreadable_layout_file_is_named(tmp_path):
    with pytest.raises(ValidationError, match="tidak dapat dibaca"):
        layout.registration_layout(tmp_path / "hilang.toml")
