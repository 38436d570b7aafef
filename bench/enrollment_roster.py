"""Roster benchmark: the participants page at 1,000 and at 200,000 participants, and its
exports.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/enrollment_roster.py [--sizes 1000 200000]
(tiny: --sizes 20 100) on a throwaway database (see _harness.py). Prints, for a kabupaten-wide
user, the page's query count and median time beside the median of a bare COUNT of the active
participants (the floor); the median of a name search, of a digits search and of a page near
the end (keyset); and, at the largest size, the .xlsx and .csv exports beside a bare XlsxWriter
write of the same values (the floor of .xlsx; COPY is the CSV's own floor).
"""

import argparse
import io
import itertools
import statistics
import tempfile
import time

import xlsxwriter  # noqa: E402 (after Django is set up)
from _harness import get, login, print_run, throwaway_database
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from enrollment_import import sample_csv  # sets Django up on the throwaway database

from accounts.models import Role, User
from enrollment import exports, services
from enrollment.imports import read_rows
from enrollment.models import Participation
from regions.models import Regency, Village


def median_ms(function, runs=5):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def measure(client):
    url = reverse("enrollment:roster")
    # A first request after a long import renews the session (idle timeout): counted apart.
    get(client, url)
    with CaptureQueriesContext(connection) as queries:
        get(client, url, marker="Peserta PBI Pemda aktif")
    return len(queries), median_ms(lambda: get(client, url))


PAGE = 50


def measure_searches(client, verifier):
    """Medians of a name search, a digits search and a page near the end (by keyset)."""
    url = reverse("enrollment:roster")
    rows = exports.roster_rows(verifier)
    near_end = rows.reverse()[: PAGE + 1][::-1][0]  # the last page starts after it
    key = exports.page_key(near_end)
    nik = rows.first().person.nik[:10]
    return {
        "name search": median_ms(lambda: get(client, url, q="Peserta 777")),
        "digits search": median_ms(lambda: get(client, url, q=nik)),
        "page near the end": median_ms(lambda: get(client, url, setelah=key)),
    }


def once(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def bare_xlsx(rows):
    """The roster's values with no formats: the floor of the .xlsx export."""
    with tempfile.TemporaryFile() as output:
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet()
        for number, values in enumerate(exports.roster_values(rows).iterator(2000)):
            sheet.write_row(number, 0, [str(value) for value in values])
        workbook.close()


def measure_exports(verifier):
    rows = exports.roster_rows(verifier)
    with tempfile.TemporaryFile() as output:
        written, xlsx_s = once(lambda: exports.write_roster(output, rows))
    with tempfile.TemporaryFile() as output:
        lines, csv_s = once(
            lambda: exports.write_csv(output, exports.roster_values(rows), exports.ROSTER_HEADERS)
        )
    _, bare_s = once(lambda: bare_xlsx(rows))
    print(f"roster export .xlsx, {written:,} rows: {xlsx_s:6.1f} s (bare write: {bare_s:.1f} s)")
    print(f"roster export .csv,  {lines:,} rows: {csv_s:6.1f} s ({connection.vendor})")
    print("goal: .xlsx <= 20 s and .csv <= 5 s at 200,000 rows")


def main(sizes):
    regency = Regency.objects.get(code="34.01")
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN)
    verifier = User.objects.create(username="bench-verifier", role=Role.VERIFIER, regency=regency)
    villages = list(Village.objects.filter(district__regency=regency))
    client = login(Client(HTTP_HOST="localhost"), verifier)
    content = sample_csv(villages, sizes[-1])
    loaded = 0
    for size in sizes:
        rows = itertools.islice(read_rows(io.BytesIO(content), "peserta.csv"), loaded, size)
        services.participants_import(actor=admin, rows=rows, regency=regency, source="bench")
        loaded = size
        if connection.vendor == "postgresql":
            # As autovacuum would soon after a large import: fresh statistics for the planner.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        count, page_ms = measure(client)
        floor_ms = median_ms(lambda: Participation.objects.filter(until__isnull=True).count())
        print(
            f"{size:>9,} participants: {count} queries, median {page_ms:7.1f} ms "
            f"(bare COUNT: {floor_ms:5.1f} ms)"
        )
        for name, ms in measure_searches(client, verifier).items():
            print(f"{'':>9}   {name:<18} median {ms:7.1f} ms")
    print("goal: the same query count; under 150 ms; searches and any page under 200 ms")
    measure_exports(verifier)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000, 200_000])
    arguments = parser.parse_args()
    print_run()
    with throwaway_database():
        main(arguments.sizes)
