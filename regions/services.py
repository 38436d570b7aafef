"""Loading reference data: regions from Kemendagri-coded CSV files, faskes, UMK and premiums.

Every loader checks all rows first and writes in one transaction: a file with one bad line
writes nothing, and the error names each bad line.
"""

import csv
import datetime
import io
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from regions.models import (
    DISTRICT_CODE,
    REGENCY_CODE,
    VILLAGE_CODE,
    Agency,
    District,
    HealthFacility,
    MinimumWage,
    PremiumRate,
    Regency,
    Village,
)

_REGION_COLUMNS = ["kode", "nama", "level", "parent_kode"]
_LEVELS = {
    "kabupaten": (REGENCY_CODE, "34.01"),
    "kecamatan": (DISTRICT_CODE, "34.01.01"),
    "desa": (VILLAGE_CODE, "34.01.01.2001"),
}
_PARENT_LEVEL = {"kecamatan": "kabupaten", "desa": "kecamatan"}
_MAX_ERRORS_SHOWN = 20


def _read_csv(file: IO, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file (bytes or text) as (line number, dict), checking its header."""
    content = file.read()
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError("Berkas harus CSV dengan pengodean UTF-8.") from error
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    missing = [column for column in columns if column not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError(
            f"Baris 1: kolom {', '.join(missing)} tidak ada. Kolom wajib: {', '.join(columns)}."
        )
    # Line 1 is the header, so the first data row is line 2.
    return [
        (line, {key: (value or "").strip() for key, value in row.items() if key})
        for line, row in enumerate(reader, start=2)
    ]


def _insert_missing(model: type[Model], objects: list[Model]) -> int:
    """Inserts the objects whose unique fields are not taken yet; returns how many were new."""
    with transaction.atomic():
        before = model.objects.count()
        model.objects.bulk_create(objects, ignore_conflicts=True)
        return model.objects.count() - before


def _raise_if_errors(errors: list[str]) -> None:
    if errors:
        shown = errors[:_MAX_ERRORS_SHOWN]
        if len(errors) > _MAX_ERRORS_SHOWN:
            shown.append(f"… dan {len(errors) - _MAX_ERRORS_SHOWN} kesalahan lain.")
        raise ValidationError(shown)


def regions_load_csv(*, file: IO) -> dict[str, int]:
    """Creates or renames the regency, districts and villages of a CSV (kode, nama, level,
    parent_kode). Returns the number of rows per level."""
    rows = _read_csv(file, _REGION_COLUMNS)
    errors = []
    first_line = {}
    valid = []
    for line, row in rows:
        code, name, level = row["kode"], row["nama"], row["level"].lower()
        if level not in _LEVELS:
            errors.append(f"Baris {line}: level '{row['level']}' tidak dikenal.")
        elif not _LEVELS[level][0].fullmatch(code):
            errors.append(
                f"Baris {line}: kode '{code}' tidak berbentuk kode {level} "
                f"(contoh {_LEVELS[level][1]})."
            )
        elif code in first_line:
            errors.append(
                f"Baris {line}: kode '{code}' ganda (sudah ada di baris {first_line[code]})."
            )
        elif not name:
            errors.append(f"Baris {line}: nama kosong.")
        elif row["parent_kode"] != code.rsplit(".", 1)[0]:
            errors.append(
                f"Baris {line}: parent_kode '{row['parent_kode']}' bukan induk dari kode '{code}'."
            )
        else:
            first_line[code] = line
            valid.append((line, code, name, level, row["parent_kode"]))

    levels_in_file = {code: level for _, code, _, level, _ in valid}
    known_parents = {
        "kabupaten": set(Regency.objects.values_list("code", flat=True)),
        "kecamatan": set(District.objects.values_list("code", flat=True)),
    }
    for line, _code, _name, level, parent in valid:
        parent_level = _PARENT_LEVEL.get(level)
        if parent_level and not (
            levels_in_file.get(parent) == parent_level or parent in known_parents[parent_level]
        ):
            errors.append(f"Baris {line}: induk '{parent}' tidak dikenal.")
    _raise_if_errors(errors)

    by_level = {level: [row for row in valid if row[3] == level] for level in _LEVELS}
    with transaction.atomic():
        Regency.objects.bulk_create(
            [Regency(code=code, name=name) for _, code, name, _, _ in by_level["kabupaten"]],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name"],
        )
        regency_ids = dict(Regency.objects.values_list("code", "id"))
        District.objects.bulk_create(
            [
                District(code=code, name=name, regency_id=regency_ids[parent])
                for _, code, name, _, parent in by_level["kecamatan"]
            ],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "regency"],
        )
        district_ids = dict(District.objects.values_list("code", "id"))
        Village.objects.bulk_create(
            [
                Village(code=code, name=name, district_id=district_ids[parent])
                for _, code, name, _, parent in by_level["desa"]
            ],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "district"],
        )
    return {level: len(items) for level, items in by_level.items()}


def health_facilities_load_csv(*, file: IO, regency_codes: Collection[str] | None = None) -> int:
    """Adds the faskes of a CSV (nama, kecamatan_kode, catatan_sumber) that are not there yet;
    faskes an admin has edited are left as they are. `regency_codes` limits the rows taken."""
    rows = _read_csv(file, ["nama", "kecamatan_kode", "catatan_sumber"])
    if regency_codes is not None:
        rows = [(line, row) for line, row in rows if row["kecamatan_kode"][:5] in regency_codes]
    district_ids = dict(District.objects.values_list("code", "id"))
    errors = [
        f"Baris {line}: kecamatan '{row['kecamatan_kode']}' tidak dikenal."
        for line, row in rows
        if row["kecamatan_kode"] not in district_ids
    ]
    errors += [f"Baris {line}: nama kosong." for line, row in rows if not row["nama"]]
    _raise_if_errors(errors)
    return _insert_missing(
        HealthFacility,
        [
            HealthFacility(
                name=row["nama"],
                district_id=district_ids[row["kecamatan_kode"]],
                source_note=row["catatan_sumber"],
            )
            for _, row in rows
        ],
    )


def minimum_wages_load_csv(*, file: IO) -> int:
    """Adds the UMK rows (kabupaten_kode, tahun, umk_rupiah, …) for regencies that are loaded;
    years already present are left as an admin set them."""
    rows = _read_csv(file, ["kabupaten_kode", "tahun", "umk_rupiah"])
    regency_ids = dict(Regency.objects.values_list("code", "id"))
    wages = []
    errors = []
    for line, row in rows:
        if row["kabupaten_kode"] not in regency_ids:
            continue
        try:
            amount = Decimal(row["umk_rupiah"])
            year = int(row["tahun"])
        except (InvalidOperation, ValueError):
            amount = year = None
        if not amount or amount <= 0 or not year:
            errors.append(f"Baris {line}: tahun atau umk_rupiah bukan angka yang sah.")
            continue
        wages.append(
            MinimumWage(
                regency_id=regency_ids[row["kabupaten_kode"]],
                year=year,
                amount=amount,
                basis=row.get("dasar_penetapan", ""),
                source=row.get("sumber", ""),
                note=row.get("catatan", ""),
            )
        )
    _raise_if_errors(errors)
    return _insert_missing(MinimumWage, wages)


def premium_rates_load_csv(*, file: IO) -> int:
    """Adds premium periods (berlaku_mulai YYYY-MM-DD, iuran_rupiah, dasar_hukum) not yet set."""
    rows = _read_csv(file, ["berlaku_mulai", "iuran_rupiah", "dasar_hukum"])
    rates = []
    errors = []
    for line, row in rows:
        try:
            valid_from = datetime.date.fromisoformat(row["berlaku_mulai"])
            amount = Decimal(row["iuran_rupiah"])
        except (InvalidOperation, ValueError):
            amount = None
        if not amount or amount <= 0:
            errors.append(f"Baris {line}: tanggal (YYYY-MM-DD) atau iuran tidak sah.")
            continue
        rates.append(PremiumRate(valid_from=valid_from, amount=amount, basis=row["dasar_hukum"]))
    _raise_if_errors(errors)
    return _insert_missing(PremiumRate, rates)


def agencies_load_csv(*, file: IO) -> int:
    """Adds the Perangkat Daerah (nama, singkatan) not yet present."""
    rows = _read_csv(file, ["nama", "singkatan"])
    _raise_if_errors([f"Baris {line}: nama kosong." for line, row in rows if not row["nama"]])
    return _insert_missing(
        Agency, [Agency(name=row["nama"], short_name=row["singkatan"]) for _, row in rows]
    )
