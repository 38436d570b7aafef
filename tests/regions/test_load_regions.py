import io

import pytest
from django.core.management import CommandError, call_command

from regions.models import District, Regency, Village

pytestmark = pytest.mark.django_db

HEADER = "kode,nama,level,parent_kode\n"
GOOD = (
    HEADER + "99.01,Kabupaten Contoh,kabupaten,99\n"
    "99.01.01,Kecamatan Satu,kecamatan,99.01\n"
    "99.01.01.2001,Desa Satu,desa,99.01.01\n"
    "99.01.01.1002,Kelurahan Dua,desa,99.01.01\n"
)


def load(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "wilayah.csv"
    path.write_bytes(text.encode(encoding))
    out = io.StringIO()
    call_command("load_regions", str(path), stdout=out)
    return out.getvalue()


def counts():
    return Regency.objects.count(), District.objects.count(), Village.objects.count()


def test_a_new_kabupaten_loads_with_its_districts_and_villages(tmp_path):
    output = load(tmp_path, GOOD)
    assert "1 kabupaten, 1 kecamatan, 2 desa" in output
    village = Village.objects.get(code="99.01.01.1002")
    assert village.district.regency.name == "Kabupaten Contoh"
    assert village.is_kelurahan


def test_reloading_renames_and_adds_without_duplicates(tmp_path):
    load(tmp_path, GOOD)
    load(tmp_path, GOOD.replace("Desa Satu", "Desa Kesatu"))
    assert Village.objects.get(code="99.01.01.2001").name == "Desa Kesatu"
    assert Village.objects.filter(code__startswith="99.").count() == 2


def test_villages_may_join_a_district_already_loaded(tmp_path):
    load(tmp_path, HEADER + "34.01.01.2999,Kalurahan Baru,desa,34.01.01\n")
    assert Village.objects.get(code="34.01.01.2999").district.name == "Temon"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("99.01.01.201,Desa Pendek,desa,99.01.01", "Baris 6: kode '99.01.01.201' tidak berbentuk"),
        ("99.01.02.2001,Desa Yatim,desa,99.01.02", "Baris 6: induk '99.01.02' tidak dikenal"),
        ("99.01.01.2001,Desa Kembar,desa,99.01.01", "Baris 6: kode '99.01.01.2001' ganda"),
        ("99.01.01.2003,Desa Salah Induk,desa,99.01.09", "Baris 6: parent_kode '99.01.09'"),
        ("99.01.01.2003,,desa,99.01.01", "Baris 6: nama kosong"),
        ("99.01.01.2003,Desa X,dusun,99.01.01", "Baris 6: level 'dusun' tidak dikenal"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_written(tmp_path, bad_line, message):
    before = counts()
    with pytest.raises(CommandError, match=message):
        load(tmp_path, GOOD + bad_line + "\n")
    assert counts() == before


def test_every_bad_line_is_reported_at_once(tmp_path):
    text = GOOD + "99.01.01.20x1,A,desa,99.01.01\n" + "99.01.01.20y1,B,desa,99.01.01\n"
    with pytest.raises(CommandError) as error:
        load(tmp_path, text)
    assert "Baris 6" in str(error.value) and "Baris 7" in str(error.value)


def test_missing_columns_and_wrong_encoding_are_refused(tmp_path):
    with pytest.raises(CommandError, match="kolom parent_kode tidak ada"):
        load(tmp_path, "kode,nama,level\n99.01,Kabupaten Contoh,kabupaten\n")
    with pytest.raises(CommandError, match="UTF-8"):
        load(tmp_path, GOOD.replace("Contoh", "Cóntoh"), encoding="utf-16")
    assert not Regency.objects.filter(code="99.01").exists()


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="tidak dapat dibuka"):
        call_command("load_regions", "/tidak/ada.csv")
