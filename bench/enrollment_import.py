"""Import benchmark: 100,000 participant rows through preview and confirm (as the import jobs
run them: the file is read one row at a time).

Run: .venv/bin/python bench/enrollment_import.py [ROWS]   (tiny: 300)
On a throwaway database (see _harness.py: with DATABASE_URL=postgres://… one on that server,
without a SQLite file). Prints rows per second for each step beside two floors: reading the file
alone, and reading it and COPYing its rows unchecked into the same four tables (households,
people, ledger, projection; constraints checked, then rolled back). And the peak memory
(resident set) of the process.
"""

import argparse
import datetime
import io
import resource
import time

from _harness import print_run, setup, throwaway_database, throwaway_url

setup(throwaway_url())


from django.db import connection, connections, transaction  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from enrollment import services  # noqa: E402
from enrollment.bulk import bulk_insert  # noqa: E402
from enrollment.imports import (  # noqa: E402
    BATCH_ROWS,
    PARTICIPANT_COLUMNS,
    chunks,
    plan_participants,
    read_rows,
)
from enrollment.models import Ground, Kind, LedgerEntry, Participation  # noqa: E402
from people.models import Household, Person  # noqa: E402
from regions.models import Regency, Village  # noqa: E402


def sample_csv(villages, rows):
    lines = [",".join(PARTICIPANT_COLUMNS)]
    for n in range(rows):
        village = villages[n // 3 % len(villages)]  # three people per KK, one village
        prefix = village.code[:8].replace(".", "")
        day = n % 28 + 1
        # Unique, valid NIKs: the serial, month and year vary with n.
        nik = f"{prefix}{day:02d}{n // 9999 % 12 + 1:02d}{n // 119988 % 100:02d}{n % 9999 + 1:04d}"
        kk = f"{prefix}{n // 3:010d}"
        lines.append(
            f"{nik},{kk},Peserta {n},Kulon Progo,,L,4,1,Buruh,Dusun {n % 9},001,002,"
            f"{village.code},2025-01"
        )
    return "\n".join(lines).encode()


def copy_floor(rows, villages, admin):
    """The file's rows written unchecked into the four tables an import fills, as fast as the
    database takes them: what is left of an import once checking costs nothing. Rolled back."""
    village_ids = {village.code: village.pk for village in villages}
    month = datetime.date(2025, 1, 1)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The foreign keys are checked at commit; here, as the rows go in.
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        household_ids = {}
        for batch in chunks(rows, BATCH_ROWS):
            households = {
                row["no_kk"]: row for _, row in batch if row["no_kk"] not in household_ids
            }
            household_ids.update(
                zip(
                    households,
                    bulk_insert(
                        Household,
                        ["number", "village_id", "dusun", "rt", "rw"],
                        (
                            (kk, village_ids[row["kode_desa"]], row["dusun"], row["rt"], row["rw"])
                            for kk, row in households.items()
                        ),
                    ),
                    strict=True,
                )
            )
            people = bulk_insert(
                Person,
                ["nik", "name", "household_id", "birth_place", "occupation", "sex"],
                (
                    (
                        row["nik"],
                        row["nama"],
                        household_ids[row["no_kk"]],
                        row["tempat_lahir"],
                        row["pekerjaan"],
                        row["jenis_kelamin"],
                    )
                    for _, row in batch
                ),
            )
            fields = ["person_id", "village_id", "sequence", "kind", "ground", "effective_month"]
            entries = bulk_insert(
                LedgerEntry,
                [*fields, "evidence", "recorded_by_id"],
                (
                    (person, village_ids[row["kode_desa"]], 1, Kind.ADDITION, Ground.OPENING)
                    + (month, {"source": "bench", "row": number}, admin.pk)
                    for person, (number, row) in zip(people, batch, strict=True)
                ),
            )
            bulk_insert(
                Participation,
                ["person_id", "since", "ground", "last_entry_id", "village_id", "verified_on"],
                (
                    (person, month, Ground.OPENING, entry, village_ids[row["kode_desa"]], month)
                    for person, entry, (_, row) in zip(people, entries, batch, strict=True)
                ),
            )
        transaction.set_rollback(True)


def main(rows_count):
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN)
    regency = Regency.objects.get(code="34.01")
    villages = list(Village.objects.filter(district__regency=regency))
    content = sample_csv(villages, rows_count)

    def rows():
        return read_rows(io.BytesIO(content), "peserta.csv")

    start = time.perf_counter()
    read = sum(1 for _ in rows())
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    copy_floor(rows(), villages, admin)
    copy_s = time.perf_counter() - start
    start = time.perf_counter()
    preview = plan_participants(rows(), regency)
    preview_s = time.perf_counter() - start
    start = time.perf_counter()
    plan = services.participants_import(actor=admin, rows=rows(), regency=regency, source="bench")
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    again = services.participants_import(actor=admin, rows=rows(), regency=regency, source="bench")
    again_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if not read == plan.to_add == again.unchanged == rows_count:
        raise SystemExit(f"read {read}, added {plan.to_add}, unchanged {again.unchanged}")

    print(f"database: {connections['default'].vendor}, rows: {rows_count:,}")
    print(f"read only (floor)      {read_s:6.1f} s  {rows_count / read_s:9,.0f} rows/s")
    print(f"read, COPY unchecked (floor) {copy_s:6.1f} s  {rows_count / copy_s:9,.0f} rows/s")
    print(f"preview (read, check)  {preview_s:6.1f} s  {rows_count / preview_s:9,.0f} rows/s")
    print(f"import (read, check, write) {import_s:6.1f} s  {rows_count / import_s:9,.0f} rows/s")
    print(f"same file again        {again_s:6.1f} s  {rows_count / again_s:9,.0f} rows/s")
    print(f"to add {preview.to_add:,}, added {plan.to_add:,}, then unchanged {again.unchanged:,}")
    print(f"import end to end      {rows_count / import_s:9,.0f} rows/s   (goal: >= 10,000)")
    print(f"peak memory (RSS)      {peak_mb:6.0f} MB   (goal: under 300 MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    arguments = parser.parse_args()
    print_run()
    with throwaway_database():
        main(arguments.rows)
