"""Reading Dukcapil's extract: the columns its layout maps, and the bad-input corpus (each bad
row listed with its number and reason; a file that cannot be read refused whole)."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from feeds import events, services
from regions.months import add_months
from tests.builders import VILLAGE_B, resident, this_month
from tests.feeds.conftest import (
    HEADER,
    died,
    extract,
    identity_changed,
    moved_out,
    moved_within,
    plan_of,
    today,
)

pytestmark = pytest.mark.django_db

NIK = "3401015506900009"


def test_a_good_extract_reads_every_kind():
    plan = plan_of(
        extract(
            died(NIK),
            moved_out("3401015506900010"),
            moved_within("3401015506900011", "3401012002"),
            identity_changed("3401015506900012", new_nik="3401015506900013"),
        )
    )
    assert not plan.errors
    assert [row["kind"] for row in plan.rows] == [
        "meninggal",
        "pindah_keluar",
        "pindah_dalam",
        "ganti_nik",
    ]
    assert plan.rows[2]["village_code"] == "34.01.01.2002"
    assert plan.rows[0]["occurred_on"] == today()


def test_an_xlsx_extract_reads_like_a_csv():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["Meninggal", NIK, today(), "AKTA-1"])
    output = io.BytesIO()
    workbook.save(output)
    plan = plan_of(output.getvalue(), filename="peristiwa.xlsx")
    assert not plan.errors and plan.rows[0]["death_certificate"] == "AKTA-1"


def _later(days):
    return today() + datetime.timedelta(days=days)


@pytest.mark.parametrize(
    "line, reason",
    [
        (f'meninggal,{NIK},{today():%d/%m/%Y},"=HYPERLINK(""x"")",,,,,,,', "berisi rumus"),
        (died("3401019999999999"), "NIK"),
        (died("12345"), "NIK 12345"),
        (f"meninggal,{NIK},31/02/2026,AKTA,,,,,,,", "bukan tanggal"),
        (f"meninggal,{NIK},kemarin,AKTA,,,,,,,", "bukan tanggal"),
        (died(NIK, on=_later(1)), "masa depan"),
        (f"lahir,{NIK},{today():%d/%m/%Y},,,,,,,,", "tidak dikenal"),
        (f"meninggal,{NIK},{today():%d/%m/%Y},,,,,,,,", "No Akta Kematian kosong"),
        (f"pindah keluar,{NIK},{today():%d/%m/%Y},,,,,,,,", "Tujuan Pindah kosong"),
        (moved_within(NIK, "34.01"), "bukan kode desa"),
        (moved_within(NIK, "3401012002", rt="1234"), "RT"),
        (identity_changed(NIK), "tanpa NIK baru"),
        (identity_changed(NIK, new_kk="12"), "No. KK baru"),
        (f",{NIK},{today():%d/%m/%Y},,,,,,,,", "Jenis Peristiwa kosong"),
        (f"meninggal,{NIK},{today():%d/%m/%Y},<script>,,,,,,,", "tanda rumus"),
    ],
)
def test_a_bad_row_is_listed_with_its_reason(line, reason):
    plan = plan_of(extract(died("3401015506900010"), line))
    assert plan.errors and plan.errors[0][0] == 3
    assert reason in plan.errors[0][1]
    assert len(plan.rows) == 1


def test_a_date_after_the_period_is_a_bad_row():
    last_month = add_months(this_month(), -1)
    plan = plan_of(extract(died(NIK)), period=last_month)
    assert "sesudah periode" in plan.errors[0][1]


def test_the_same_event_twice_is_a_bad_row():
    plan = plan_of(extract(died(NIK), died(NIK, akta="LAIN")))
    assert plan.errors == [(3, f"peristiwa yang sama untuk NIK {NIK} sudah ada di baris 2")]


def test_a_village_outside_the_kabupaten_and_a_taken_nik_are_bad_rows(dukcapil):
    taken = resident()
    plan = plan_of(
        extract(
            moved_within(NIK, "3313012001"),
            identity_changed("3401015506900010", new_nik=taken.nik),
            moved_within("3401015506900011", VILLAGE_B),
        )
    )
    assert not plan.errors
    problems = services.extract_problems(plan)
    assert [number for number, _ in problems] == [2, 3]
    assert "bukan desa kabupaten ini" in problems[0][1]
    assert "sudah dipakai" in problems[1][1]
    with pytest.raises(ValidationError, match="Baris 2"):
        services.extract_import(actor=dukcapil, plan=plan, filename="x.csv", layout_name="x")


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (extract(died(NIK), header=HEADER + ",Agama"), "p.csv", "Kolom tidak dikenal: Agama"),
        (extract(died(NIK), header="Jenis Peristiwa,NIK"), "p.csv", "Kolom wajib tidak ada"),
        (b"PK\x03\x04 rusak", "p.xlsx", "rusak"),
        (extract(died(NIK)), "p.pdf", ".xlsx atau .csv"),
        (HEADER.encode("utf-8"), "p.csv", "tidak memuat baris"),
        (
            extract(f"meninggal,{NIK},01/01/2026,Akta \xe9").decode().encode("latin-1"),
            "p.csv",
            "UTF-8",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(content, filename, message):
    with pytest.raises(ValidationError, match=message):
        plan_of(content, filename=filename)


def test_a_future_period_is_refused(dukcapil):
    with pytest.raises(ValidationError, match="belum tiba"):
        services.check_period(add_months(this_month(), 1))


def test_a_broken_layout_names_its_mistake(tmp_path):
    path = tmp_path / "rusak.toml"
    path.write_text('[[column]]\ntitle = "NIK"\nfield = "agama"\n', encoding="utf-8")
    with pytest.raises(ValidationError) as error:
        events.event_layout(path)
    assert any("field 'agama' tidak dikenal" in message for message in error.value.messages)
    assert any("jenis" in message for message in error.value.messages)
