"""Instruksi overview benchmark: the Sekda's matrix with every addressee of Karanganyar
reporting every quarter (13 perangkat daerah, 17 Camat, 177 desa/kelurahan).

Run: .venv/bin/python bench/instructions_matrix.py [--quarters 3] [--villages 177] [--runs 5]
(tiny: --quarters 1 --villages 5 --runs 1) on a throwaway database (see _harness.py). Prints
the query count and median time of the matrix page (both row kinds) and of its .xlsx and PDF
exports, beside a bare COUNT of the reports (the floor).
"""

import argparse
import datetime
import statistics
import time

from _harness import get, login, print_run, setup, throwaway_database, throwaway_url

setup(throwaway_url(), REGION_PROFILE="karanganyar")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.responses import PDF, XLSX  # noqa: E402
from instructions import services  # noqa: E402
from instructions.models import Instruction, Report  # noqa: E402
from regions.models import Agency, District, Regency, Village  # noqa: E402

QUARTERS = [datetime.date(2026, month, 1) for month in (1, 4, 7)]


def median_ms(function, runs):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def measure(client, url, content_type, marker, runs):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            get(client, url, content_type=content_type, marker=marker)
        timings.append((time.perf_counter() - start) * 1000)
    return len(queries), statistics.median(timings)


def main(quarters, village_count, runs):
    regency = Regency.objects.get(code="33.13")
    instruction = Instruction.objects.get(regency=regency)
    villages = Village.objects.filter(district__regency=regency).order_by("code")[:village_count]
    users = [
        *(
            User(username=f"pd{a.pk}", role=Role.AGENCY_STAFF, agency=a)
            for a in Agency.objects.all()
        ),
        *(
            User(username=f"camat{d.pk}", role=Role.DISTRICT_HEAD, district=d)
            for d in District.objects.filter(regency=regency)
        ),
        *(User(username=f"kades{v.pk}", role=Role.VILLAGE_HEAD, village=v) for v in villages),
    ]
    User.objects.bulk_create(users)
    start = time.perf_counter()
    filed = 0
    for user in User.objects.exclude(role=Role.ADMIN).select_related("village__district"):
        for quarter in QUARTERS[:quarters]:
            report = services.report_open(actor=user, instruction=instruction, period_start=quarter)
            services.report_submit(actor=user, report=report)
            filed += 1
    print(f"{filed} reports opened and filed in {time.perf_counter() - start:.1f} s")
    sekda = User.objects.create(username="sekda", role=Role.LEADERSHIP, regency=regency)
    client = login(Client(HTTP_HOST="localhost"), sekda)
    matrix = reverse("instructions:matrix", args=[instruction.pk])
    count = len(villages)
    title = "Rekap laporan pelaksanaan"
    for label, url, content_type, marker in [
        ("matrix, perangkat daerah and Camat", matrix, "text/html", title),
        (f"matrix, {count} villages", f"{matrix}?kind=villages", "text/html", title),
        (
            f"matrix .xlsx, {count} villages",
            reverse("instructions:matrix_xlsx", args=[instruction.pk]) + "?kind=villages",
            XLSX,
            None,
        ),
        (
            f"matrix PDF, {count} villages",
            reverse("instructions:matrix_pdf", args=[instruction.pk]) + "?kind=villages",
            PDF,
            None,
        ),
    ]:
        queries, median = measure(
            client, url, content_type, marker, min(runs, 3) if "PDF" in label else runs
        )
        print(f"{label}: {queries} queries, median {median:.0f} ms")
    floor = median_ms(lambda: Report.objects.filter(instruction=instruction).count(), 5)
    print(f"bare COUNT of the reports (floor): median {floor:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quarters", type=int, choices=[1, 2, 3], default=3)
    parser.add_argument("--villages", type=int, default=None, help="default: all 177")
    parser.add_argument("--runs", type=int, default=5, help="requests per page (PDF: 3 at most)")
    arguments = parser.parse_args()
    print_run()
    with throwaway_database():
        main(arguments.quarters, arguments.villages, arguments.runs)
