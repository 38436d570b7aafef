from datetime import date

import pytest
from django.core.exceptions import ValidationError

from people.nik import NikInfo, nik_warnings, parse_nik, validate_kk

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("nik", "expected"),
    [
        ("3401011203850001", NikInfo("34.01.01", date(1985, 3, 12), "L")),
        ("3401015203850002", NikInfo("34.01.01", date(1985, 3, 12), "P")),
        ("3401012902000001", NikInfo("34.01.01", date(2000, 2, 29), "L")),
        ("3401016902960001", NikInfo("34.01.01", date(1996, 2, 29), "P")),
        ("3313010101250001", NikInfo("33.13.01", date(2025, 1, 1), "L")),
        ("3401010101260001", NikInfo("34.01.01", date(1926, 1, 1), "L")),
    ],
    ids=["man", "woman", "feb29-2000", "feb29-1996-woman", "this-year", "next-year-is-1900s"],
)
def test_parse_nik_reads_region_birth_date_and_sex(nik, expected):
    assert parse_nik(nik, today=TODAY) == expected


def test_two_digit_year_becomes_this_century_once_that_year_has_come():
    assert parse_nik("3401010101260001", today=date(2026, 1, 1)).birth_date == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("340101120385000", "NIK harus 16 digit angka."),
        ("34010112038500011", "NIK harus 16 digit angka."),
        ("34010112038500AB", "NIK harus 16 digit angka."),
        ("３４０１０１１２０３８５０００１", "NIK harus 16 digit angka."),
        ("3401012902010001", "Tanggal lahir dalam NIK tidak valid."),
        ("3401016902970001", "Tanggal lahir dalam NIK tidak valid."),
        ("3401013201900001", "Tanggal lahir dalam NIK tidak valid."),
        ("3401017201900001", "Tanggal lahir dalam NIK tidak valid."),
        ("3401014001900001", "Tanggal lahir dalam NIK tidak valid."),
        ("3401010001900001", "Tanggal lahir dalam NIK tidak valid."),
        ("3401011013900001", "Tanggal lahir dalam NIK tidak valid."),
        ("3401011203850000", "Nomor urut NIK tidak boleh 0000."),
    ],
    ids=[
        "15-digits",
        "17-digits",
        "letters",
        "full-width-digits",
        "feb29-2001",
        "feb29-1997-woman",
        "day-32",
        "day-72-woman",
        "day-40",
        "day-00",
        "month-13",
        "serial-0000",
    ],
)
def test_parse_nik_refuses_malformed_nik(nik, message):
    with pytest.raises(ValidationError) as error:
        parse_nik(nik, today=TODAY)
    assert error.value.messages == [message]


@pytest.mark.parametrize("number", ["340101000000001", "34010100000000A1", ""])
def test_validate_kk_refuses_anything_but_16_digits(number):
    with pytest.raises(ValidationError, match="No. KK harus 16 digit angka."):
        validate_kk(number)


def test_validate_kk_accepts_16_digits():
    validate_kk("3401010000000001")


def test_nik_warnings_flags_a_prefix_outside_the_kabupaten():
    [warning] = nik_warnings("3313011203850001", regency_code="34.01")
    assert "33.13.01" in warning and "di luar kabupaten" in warning


def test_nik_warnings_flags_a_birth_date_other_than_the_niks():
    [warning] = nik_warnings("3401011203850001", regency_code="34.01", birth_date=date(1985, 3, 13))
    assert "13-03-1985" in warning and "12-03-1985" in warning


def test_nik_warnings_flags_a_sex_other_than_the_niks():
    [warning] = nik_warnings("3401015203850001", regency_code="34.01", sex="L")
    assert "perempuan" in warning


def test_nik_warnings_is_empty_when_everything_agrees():
    assert (
        nik_warnings(
            "3401015203850001", regency_code="34.01", birth_date=date(1985, 3, 12), sex="P"
        )
        == []
    )


def test_nik_warnings_leaves_an_invalid_nik_to_validation():
    assert nik_warnings("3313013203850001", regency_code="34.01") == []
