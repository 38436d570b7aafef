"""Import benchmark: 100,000 participant rows through preview and confirm (as the import jobs
run them: the file is read one row at a time).

Run: .venv/bin/python bench/enrollment_import.py [ROWS]   (tiny: 300)
On a throwaway database (see _harness.py: with DATABASE_URL=postgres://… one on that server,
without a SQLite file). Prints rows per second for each step beside reading the file alone (the
floor) and the peak memory (resident set) of the process.
"""

import argparse
import io
import resource
import time

from _harness import print_run, setup, throwaway_database, throwaway_url

setup(throwaway_url())

from django.db import connections  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from enrollment import services  # noqa: E402
from enrollment.imports import PARTICIPANT_COLUMNS, plan_participants, read_rows  # noqa: E402
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
    print(f"preview (read, check)  {preview_s:6.1f} s  {rows_count / preview_s:9,.0f} rows/s")
    print(f"import (read, check, write) {import_s:6.1f} s  {rows_count / import_s:9,.0f} rows/s")
    print(f"same file again        {again_s:6.1f} s  {rows_count / again_s:9,.0f} rows/s")
    print(f"to add {preview.to_add:,}, added {plan.to_add:,}, then unchanged {again.unchanged:,}")
    print(f"import end to end      {rows_count / import_s:9,.0f} rows/s   (goal: >= 5,000)")
    print(f"peak memory (RSS)      {peak_mb:6.0f} MB   (goal: under 300 MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    arguments = parser.parse_args()
    print_run()
    with throwaway_database():
        main(arguments.rows)
