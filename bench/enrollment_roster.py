"""Roster benchmark: the participants page at 1,000 and at 200,000 participants.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/enrollment_roster.py
Creates and drops a database `pbipemda_bench` on that server (SQLite when DATABASE_URL is not
set). Prints the page's query count and median time for a kabupaten-wide user.
"""

import io
import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from enrollment_import import (  # noqa: E402  (sets up Django on the bench database)
    drop_database,
    sample_csv,
)

from accounts.models import Role, User  # noqa: E402
from enrollment import services  # noqa: E402
from enrollment.imports import read_rows  # noqa: E402
from regions.models import Regency, Village  # noqa: E402

SIZES = [1_000, 200_000]


def measure(client):
    url = reverse("enrollment:roster")
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, secure=True).status_code == 200
        timings.append((time.perf_counter() - start) * 1000)
    return len(queries), statistics.median(timings)


def main():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    regency = Regency.objects.get(code="34.01")
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN)
    verifier = User.objects.create(username="bench-verifier", role=Role.VERIFIER, regency=regency)
    villages = list(Village.objects.filter(district__regency=regency))
    client = Client(HTTP_HOST="localhost")
    client.force_login(verifier)
    content = sample_csv(villages, SIZES[-1])
    loaded = 0
    for size in SIZES:
        rows = itertools.islice(read_rows(io.BytesIO(content), "peserta.csv"), loaded, size)
        services.participants_import(actor=admin, rows=rows, regency=regency, source="bench")
        loaded = size
        if connection.vendor == "postgresql":
            # As autovacuum would soon after a large import: fresh statistics for the planner.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        count, median_ms = measure(client)
        print(f"{size:>9,} participants: {count} queries, median {median_ms:7.1f} ms")
    print("goal: the same query count; under 150 ms")
    drop_database()


if __name__ == "__main__":
    main()
