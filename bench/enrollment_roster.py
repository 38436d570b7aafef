"""Roster benchmark: the participants page at 1,000 and at 200,000 participants.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/enrollment_roster.py [--sizes 1000 200000]
(tiny: --sizes 20 100) on a throwaway database (see _harness.py). Prints, for a kabupaten-wide
user, the page's query count and median time beside the median of a bare COUNT of the active
participants (the floor).
"""

import argparse
import io
import itertools
import statistics
import time

from _harness import get, login, print_run, throwaway_database
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from enrollment_import import sample_csv  # sets Django up on the throwaway database

from accounts.models import Role, User
from enrollment import services
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
    with CaptureQueriesContext(connection) as queries:
        get(client, url, marker="Peserta PBI Pemda aktif")
    return len(queries), median_ms(lambda: get(client, url))


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
    print("goal: the same query count; under 150 ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000, 200_000])
    arguments = parser.parse_args()
    print_run()
    with throwaway_database():
        main(arguments.sizes)
