"""Instruksi overview benchmark: the Sekda's matrix with every addressee of Karanganyar
reporting every quarter (13 perangkat daerah, 17 Camat, 177 desa/kelurahan).

Run: .venv/bin/python bench/instructions_matrix.py
Uses a fresh SQLite file in the temporary directory (or, with DATABASE_URL=postgres://…, a
database `pbipemda_bench_instructions` on that server, created and dropped). Prints the query
count and median time of the matrix page (both row kinds) and of its .xlsx and PDF exports.
"""

import datetime
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER_URL = os.environ.get("DATABASE_URL", "")
BENCH_DB = "pbipemda_bench_instructions"
SQLITE = Path(tempfile.gettempdir()) / f"{BENCH_DB}.sqlite3"
if SERVER_URL:
    import psycopg

    with psycopg.connect(SERVER_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")
    DATABASE_URL = SERVER_URL.rsplit("/", 1)[0] + f"/{BENCH_DB}"
else:
    SQLITE.unlink(missing_ok=True)
    DATABASE_URL = f"sqlite:///{SQLITE}"
os.environ.update(
    DJANGO_SETTINGS_MODULE="pbipemda.settings",
    DJANGO_DEBUG="0",
    DATABASE_URL=DATABASE_URL,
    REGION_PROFILE="karanganyar",
)
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-0123456789-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from instructions import services  # noqa: E402
from instructions.models import Instruction  # noqa: E402
from regions.models import Agency, District, Regency, Village  # noqa: E402

QUARTERS = [datetime.date(2026, month, 1) for month in (1, 4, 7)]


def measure(client, url, runs=5):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)
            assert response.status_code == 200, response.status_code
            bytes(response.content)
        timings.append((time.perf_counter() - start) * 1000)
    return len(queries), statistics.median(timings)


def main():
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=io.StringIO())
    regency = Regency.objects.get(code="33.13")
    instruction = Instruction.objects.get(regency=regency)
    users = [
        *(
            User(username=f"pd{a.pk}", role=Role.AGENCY_STAFF, agency=a)
            for a in Agency.objects.all()
        ),
        *(
            User(username=f"camat{d.pk}", role=Role.DISTRICT_HEAD, district=d)
            for d in District.objects.filter(regency=regency)
        ),
        *(
            User(username=f"kades{v.pk}", role=Role.VILLAGE_HEAD, village=v)
            for v in Village.objects.filter(district__regency=regency)
        ),
    ]
    User.objects.bulk_create(users)
    start = time.perf_counter()
    filed = 0
    for user in User.objects.exclude(role=Role.ADMIN).select_related("village__district"):
        for quarter in QUARTERS:
            report = services.report_open(actor=user, instruction=instruction, period_start=quarter)
            services.report_submit(actor=user, report=report)
            filed += 1
    print(f"{filed} reports opened and filed in {time.perf_counter() - start:.1f} s")
    sekda = User.objects.create(username="sekda", role=Role.LEADERSHIP, regency=regency)
    client = Client(HTTP_HOST="localhost")
    client.force_login(sekda)
    matrix = reverse("instructions:matrix", args=[instruction.pk])
    for label, url in [
        ("matrix, perangkat daerah and Camat", matrix),
        ("matrix, 177 villages", f"{matrix}?kind=villages"),
        (
            "matrix .xlsx, 177 villages",
            reverse("instructions:matrix_xlsx", args=[instruction.pk]) + "?kind=villages",
        ),
        (
            "matrix PDF, 177 villages",
            reverse("instructions:matrix_pdf", args=[instruction.pk]) + "?kind=villages",
        ),
    ]:
        queries, median = measure(client, url, runs=3 if "PDF" in label else 5)
        print(f"{label}: {queries} queries, median {median:.0f} ms")


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        if SERVER_URL:
            with psycopg.connect(SERVER_URL, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        else:
            SQLITE.unlink(missing_ok=True)
