"""NIK and No. KK rules (Dukcapil): pure functions, no database."""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

# ASCII digits only: `\d` would also accept Arabic-Indic or full-width digits.
_NIK_PATTERN = re.compile(r"[0-9]{16}")
_KK_PATTERN = re.compile(r"[0-9]{16}")

# Dukcapil adds 40 to a woman's day of birth (digits 7-8 of the NIK).
_FEMALE_DAY_OFFSET = 40


@dataclass(frozen=True)
class NikInfo:
    region_code: str
    birth_date: date
    sex: str


def parse_nik(nik: str, *, today: date | None = None) -> NikInfo:
    """Digits 1-6: kecamatan of first registration; 7-12: DDMMYY; 13-16: serial."""
    if not isinstance(nik, str) or not _NIK_PATTERN.fullmatch(nik):
        raise ValidationError("NIK harus 16 digit angka.", code="nik_format")
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > _FEMALE_DAY_OFFSET:
        day, sex = day - _FEMALE_DAY_OFFSET, "P"
    this_year = (today or timezone.localdate()).year
    year += 2000 if 2000 + year <= this_year else 1900
    try:
        birth_date = date(year, month, day)
    except ValueError:
        raise ValidationError(
            "Tanggal lahir dalam NIK tidak valid.", code="nik_birth_date"
        ) from None
    if nik[12:] == "0000":
        raise ValidationError("Nomor urut NIK tidak boleh 0000.", code="nik_serial")
    return NikInfo(f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}", birth_date, sex)


def validate_nik(value):
    parse_nik(value)


def validate_kk(value):
    if not isinstance(value, str) or not _KK_PATTERN.fullmatch(value):
        raise ValidationError("No. KK harus 16 digit angka.", code="kk_format")


def nik_warnings(nik: str, *, regency_code: str, birth_date=None, sex="") -> list[str]:
    """Inconsistencies worth a second look, never a reason to refuse the NIK."""
    try:
        info = parse_nik(nik)
    except ValidationError:
        return []
    warnings = []
    if not info.region_code.startswith(f"{regency_code}."):
        # The prefix is the kecamatan of first registration, not the current domicile.
        warnings.append(
            f"Kode wilayah NIK ({info.region_code}) berada di luar kabupaten ini; "
            "pastikan penduduk benar berdomisili di sini."
        )
    if birth_date and birth_date != info.birth_date:
        warnings.append(
            f"Tanggal lahir ({birth_date:%d-%m-%Y}) berbeda dengan tanggal lahir dalam NIK "
            f"({info.birth_date:%d-%m-%Y})."
        )
    if sex and sex != info.sex:
        recorded = "perempuan" if info.sex == "P" else "laki-laki"
        warnings.append(f"Jenis kelamin berbeda dengan NIK, yang menandai {recorded}.")
    return warnings


def mask(number: str) -> str:
    """A NIK or No. KK with its birth date and family part hidden: 340101******0001."""
    return f"{number[:6]}******{number[-4:]}"
