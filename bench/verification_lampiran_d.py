"""Usulan benchmark: the kabupaten-wide Lampiran D of 100,000 rows beside a bare XlsxWriter
write of the same rows, and the Tim Verifikasi's queue at 10 and at 2,000 waiting Usulan.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/verification_lampiran_d.py [ROWS] [--runs 2]
(tiny: 200 --runs 1) on a throwaway database (see _harness.py). Each export runs in a process of
its own, so each peak memory (resident set) is its own. The queue's figures stand beside a bare
COUNT of the waiting Usulan (the floor).
"""

import argparse
import datetime
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from _harness import get, login, print_run, setup, throwaway_database, throwaway_url

setup(throwaway_url())

import xlsxwriter  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from enrollment.models import Ground, Kind  # noqa: E402
from people.models import Household, Person  # noqa: E402
from regions.models import HealthFacility, Regency, Village  # noqa: E402
from regions.months import add_months  # noqa: E402
from verification import lampiran_d  # noqa: E402
from verification.models import Proposal, ProposalItem, ProposalStatus  # noqa: E402

MONTH = datetime.date(2026, 11, 1)


def build(rows):
    """One submitted Usulan per village for MONTH holding `rows` proposed additions in all."""
    regency = Regency.objects.get(code="34.01")
    lurah = User.objects.create(username="bench-lurah", role=Role.ADMIN)
    villages = list(Village.objects.filter(district__regency=regency))
    faskes = {f.district_id: f for f in HealthFacility.objects.all()}
    proposals = Proposal.objects.bulk_create(
        Proposal(
            village=village,
            month=MONTH,
            status=ProposalStatus.SUBMITTED,
            created_by=lurah,
            submitted_at=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC),
        )
        for village in villages
    )
    for start in range(0, rows, 10_000):
        numbers = range(start, min(start + 10_000, rows))
        households = Household.objects.bulk_create(
            Household(
                number=f"{n:016d}",
                village=villages[n % len(villages)],
                dusun=f"Dusun {n % 9}",
                rt="001",
                rw="002",
            )
            for n in numbers
        )
        people = Person.objects.bulk_create(
            Person(
                nik=f"34010{n:011d}",
                name=f"Penduduk {n}",
                household=household,
                birth_place="Kulon Progo",
                birth_date=datetime.date(1980, 1, 1),
                sex="P",
                relationship=1,
                marital_status=2,
                occupation="Buruh tani",
            )
            for n, household in zip(numbers, households, strict=True)
        )
        ProposalItem.objects.bulk_create(
            ProposalItem(
                proposal=proposals[n % len(villages)],
                person=person,
                kind=Kind.ADDITION,
                ground=Ground.DTKS,
                faskes=faskes[villages[n % len(villages)].district_id],
                added_by=lurah,
            )
            for n, person in zip(numbers, people, strict=True)
        )
    return regency, villages, lurah


def export(path):
    return lampiran_d.write_xlsx(path, MONTH, ProposalItem.objects.all())


def bare(path):
    """The same rows written with no formats, no labels, no NO column: the floor."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    values = ProposalItem.objects.order_by("proposal__village__code", "pk").values_list(
        *lampiran_d.ROW_FIELDS
    )
    for row, record in enumerate(values.iterator(chunk_size=5000)):
        sheet.write_row(row, 0, [str(value) for value in record])
    workbook.close()


def measure_in_child(kind):
    """Runs one export in a process of its own; returns (seconds, peak MB)."""
    output = subprocess.run(
        [sys.executable, __file__, "--measure", kind], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(output[0]), float(output[1])


def queue_queries(client):
    url = reverse("verification:proposal_list")
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            get(client, url, marker="Usulan dari", status="submitted")
        timings.append((time.perf_counter() - start) * 1000)
    return len(queries), statistics.median(timings)


def count_ms():
    """The floor of the queue: a bare COUNT of the waiting Usulan."""
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        Proposal.objects.filter(status=ProposalStatus.SUBMITTED).count()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main(rows, runs):
    start = time.perf_counter()
    regency, villages, lurah = build(rows)
    print(
        f"database: {connection.vendor}; built {rows:,} proposed people in "
        f"{time.perf_counter() - start:.0f} s"
    )
    # Interleaved, best of `runs` each: the machine's other load hits both alike.
    results = {"export": [], "bare": []}
    for _ in range(runs):
        for kind, measured in results.items():
            measured.append(measure_in_child(kind))
    (export_s, export_mb), (bare_s, bare_mb) = (min(results["export"]), min(results["bare"]))
    print(f"Lampiran D export      {export_s:6.1f} s  peak {export_mb:5.0f} MB")
    print(f"bare XlsxWriter write  {bare_s:6.1f} s  peak {bare_mb:5.0f} MB")
    print(f"ratio {export_s / bare_s:.2f}x   (goal: within 1.3x of bare, under 150 MB)")

    verifier = User.objects.create(username="bench-verifier", role=Role.VERIFIER, regency=regency)
    client = login(Client(HTTP_HOST="localhost"), verifier)
    Proposal.objects.exclude(village__in=villages[:10]).delete()
    count, ms = queue_queries(client)
    print(
        f"queue at    10 waiting Usulan: {count} queries, median {ms:6.1f} ms "
        f"(bare COUNT: {count_ms():4.1f} ms)"
    )
    months = [add_months(MONTH, -m) for m in range(1, 24)]
    Proposal.objects.bulk_create(
        Proposal(
            village=village,
            month=month,
            status=ProposalStatus.SUBMITTED,
            created_by=lurah,
            submitted_at=datetime.datetime(month.year, month.month, 20, tzinfo=datetime.UTC),
        )
        for month in months
        for village in villages
    )
    waiting = Proposal.objects.filter(status=ProposalStatus.SUBMITTED).count()
    count, ms = queue_queries(client)
    print(
        f"queue at {waiting:5,} waiting Usulan: {count} queries, median {ms:6.1f} ms "
        f"(bare COUNT: {count_ms():4.1f} ms)"
    )
    print("goal: the same query count")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2, help="runs of each export, best kept")
    # One export in a process of its own, on the database the main run built.
    parser.add_argument("--measure", choices=["export", "bare"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
            start = time.perf_counter()
            (export if arguments.measure == "export" else bare)(file.name)
            seconds = time.perf_counter() - start
        print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    else:
        print_run()
        with throwaway_database():
            main(arguments.rows, arguments.runs)
