"""Dashboard benchmark: the kabupaten dashboard at 1,000 and at 200,000 participants whose
ledger spans two years, with their re-verifications.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/oversight_dashboard.py [PARTICIPANTS]
[--first 1000] (tiny: 100 --first 30) on a throwaway database (see _harness.py). Prints, for a
Tim Verifikasi user, the query count and the median time of the kabupaten dashboard and of the
premium page, beside a bare COUNT of the active participants (the floor).
"""

import argparse
import csv
import datetime
import io
import os
import random
import statistics
import time

from _harness import get, login, print_run, setup, throwaway_database, throwaway_url

setup(throwaway_url())

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from enrollment import services  # noqa: E402
from enrollment.imports import read_rows  # noqa: E402
from enrollment.models import Ground, Participation  # noqa: E402
from oversight.services import village_reverify  # noqa: E402
from regions.models import Regency, Village  # noqa: E402
from regions.months import add_months, month_start  # noqa: E402

REMOVED_SHARE = 0.02


def participant_rows(villages, start, stop, this_month):
    """Opening-balance rows whose first month spreads over the last two years."""
    content = io.StringIO()
    writer = csv.writer(content)
    writer.writerow(["nik", "no_kk", "nama", "dusun", "rt", "rw", "kode_desa", "bulan_mulai"])
    for n in range(start, stop):
        village = villages[n // 3 % len(villages)]
        prefix = village.code[:8].replace(".", "")
        nik = f"{prefix}{n % 28 + 1:02d}{n // 9999 % 12 + 1:02d}{n // 119988 % 100:02d}"
        month = add_months(this_month, -(n % 24))
        writer.writerow(
            [f"{nik}{n % 9999 + 1:04d}", f"{prefix}{n // 3:010d}", f"Peserta {n}", "Dusun 1"]
            + ["001", "002", village.code, f"{month:%Y-%m}"]
        )
    return read_rows(io.BytesIO(content.getvalue().encode()), "peserta.csv")


def median_ms(function):
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def measure(client, url, marker):
    timings = []
    for _ in range(5):
        # Each request computes its figures: the cache is emptied (scale.py times it warm too).
        cache.clear()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            get(client, url, marker=marker)
        timings.append((time.perf_counter() - start) * 1000)
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:4]
    if os.environ.get("BENCH_VERBOSE"):
        for query in slowest:
            print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    return len(queries), statistics.median(timings)


def main(steps):
    regency = Regency.objects.get(code="34.01")
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN)
    verifier = User.objects.create(username="bench-verifier", role=Role.VERIFIER, regency=regency)
    villages = list(Village.objects.filter(district__regency=regency).order_by("code"))
    client = login(Client(HTTP_HOST="localhost"), verifier)
    today = timezone.localdate()
    this_month = month_start(today)
    rng = random.Random(1)
    loaded = 0
    for size in steps:
        started = time.perf_counter()
        services.participants_import(
            actor=admin,
            rows=participant_rows(villages, loaded, size, this_month),
            regency=regency,
            source="bench",
        )
        spells = list(
            Participation.objects.filter(until__isnull=True)
            .select_related("person")
            .order_by("?")[: int((size - loaded) * REMOVED_SHARE)]
        )
        for spell in spells:
            services.participant_remove(
                actor=verifier,
                person=spell.person,
                ground=Ground.MOVED_OUT,
                effective_month=add_months(spell.since, 1),
                evidence={"destination": "Sleman", "moved_on": f"{spell.since:%Y-%m}-15"},
                validated_by="dinsos",
                validated_on=today,
                validated_against="bench",
            )
        for village in villages:
            people = list(
                Participation.objects.active_on(today)
                .filter(village=village)
                .values_list("person_id", flat=True)
            )
            chosen = [pk for pk in people if rng.random() < 0.6]
            if chosen:
                village_reverify(
                    actor=verifier,
                    village=village,
                    people=chosen,
                    checked_on=today - datetime.timedelta(days=rng.randint(0, 150)),
                )
        loaded = size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        setup_s = time.perf_counter() - started
        dashboard = measure(client, reverse("oversight:dashboard"), "Dasbor PBI Pemda")
        premium = measure(client, reverse("oversight:premium"), "Iuran JKN PBI Pemda")
        floor = median_ms(lambda: Participation.objects.active_on(today).count())
        print(
            f"{size:>9,} participants (set up in {setup_s:5.0f} s): dashboard {dashboard[0]} "
            f"queries, median {dashboard[1]:6.1f} ms; premium {premium[0]} queries, "
            f"median {premium[1]:6.1f} ms; bare COUNT of the active {floor:5.1f} ms"
        )
    print("goal: the same query count; the dashboard under 300 ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("participants", nargs="?", type=int, default=200_000)
    parser.add_argument("--first", type=int, default=1_000, help="the first, small step")
    arguments = parser.parse_args()
    print_run()
    with throwaway_database():
        main([arguments.first, arguments.participants])
