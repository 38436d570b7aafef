"""The main figures at kabupaten scale, ending with every row of issue 16's table: each
figure beside its floor measured in the same run and its goal.

Run against a database built by `manage.py build_synthetic_kabupaten` (tiny: `--residents 300
--participants 50 --months 3`):
    DATABASE_URL=postgres://…/pbipemda_scale .venv/bin/python bench/scale.py [--runs 5]
        [--import-rows N] [--lampiran-d-rows N] [--load "USERS SECONDS PACES"]
Each page is requested `--runs` times through Django's test client, each answer checked to be
the page asked for; the table gives its query count and median time, beside a bare COUNT of the
active participants (the floor). The kabupaten figures (dashboard, premium, recap, the
re-verification list) are timed cold (Django's cache emptied before each request), after a change
of the ledger (the first request after an entry is appended, as after each approval: the entry
and what the request caches are rolled back after it, so every run starts alike; the cache is
the database's, the default) and warm (the same request again). The exports are timed once, each
beside a bare XlsxWriter write of the same rows; the roster export runs as the background job it
is, inline. The letter PDF is timed once rendered and then as served from storage, beside reading
its stored bytes.

Three rows are measured by the scripts that measure them alone, run here as they run by hand,
each in a process of its own (0 or "" skips one): `enrollment_import.py` (default 100,000 rows)
and `verification_lampiran_d.py` (default 100,000 rows) on a throwaway database of their own
beside this one, and `load.py` (default: 100 users, 45 s at each of four paces) against this
database, on PostgreSQL only.
"""

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import ROOT, database_name, get, login, print_run, setup

# The other scripts run in the environment this one was started in, not the one set up below.
STARTED_WITH = dict(os.environ)

# The job writes its file under MEDIA_ROOT: a directory removed when the script ends.
MEDIA = tempfile.TemporaryDirectory(prefix="pbipemda-bench-media-")
setup(JOBS_RUN_INLINE="1", MEDIA_ROOT=MEDIA.name)

import xlsxwriter  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

import jobs  # noqa: E402
from accounts.models import Role, User  # noqa: E402
from enrollment import exports, services, tasks  # noqa: E402
from enrollment.models import LedgerEntry, Participation  # noqa: E402
from jobs.models import Job  # noqa: E402
from people.models import Person  # noqa: E402
from regions.months import add_months  # noqa: E402
from sktm.models import Letter  # noqa: E402
from verification import lampiran_d  # noqa: E402
from verification.models import Proposal, ProposalItem  # noqa: E402

ROSTER_FIELDS = [
    "person__nik",
    "person__household__number",
    "person__name",
    "person__birth_date",
    "person__sex",
    "person__household__dusun",
    "person__household__rt",
    "person__household__rw",
    "village__name",
    "since",
    "ground",
]


def median_ms(function, runs):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def page(client, url, runs, **expected):
    with CaptureQueriesContext(connection) as queries:
        get(client, url, **expected)
    return len(queries), median_ms(lambda: get(client, url, **expected), runs)


class QueryCount:
    """Counts the queries run while installed (`connection.execute_wrapper`); unlike
    CaptureQueriesContext, it survives the connection closed at the end of each request."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def queries_of(client, url, **expected):
    counter = QueryCount()
    with connection.execute_wrapper(counter):
        get(client, url, **expected)
    return counter.count


def cold_and_warm(client, url, runs, **expected):
    """(queries, median ms) of the page with an empty cache, then of the same page again."""
    cache.clear()
    cold_queries = queries_of(client, url, **expected)
    warm_queries = queries_of(client, url, **expected)

    def cold():
        cache.clear()
        get(client, url, **expected)

    cold_ms = median_ms(cold, runs)
    warm_ms = median_ms(lambda: get(client, url, **expected), runs)
    return (cold_queries, cold_ms), (warm_queries, warm_ms)


def after_change(client, url, runs, change, **expected):
    """(queries, median ms) of the page read first after `change()` appends to the ledger,
    each run in a transaction rolled back after the page (the test client's requests share
    this process's connection, so they see the entry and their cache writes roll back)."""
    get(client, url, **expected)
    counts, timings = [], []
    for _ in range(runs):
        with transaction.atomic():
            change()
            counter = QueryCount()
            start = time.perf_counter()
            with connection.execute_wrapper(counter):
                get(client, url, **expected)
            timings.append((time.perf_counter() - start) * 1000)
            counts.append(counter.count)
            transaction.set_rollback(True)
    return counts[0], statistics.median(timings)


def ledger_change(verifier, on):
    """An entry appended as an approval appends one: the latest entry of the first active
    participant reversed by the Tim Verifikasi (`entry_correct`)."""
    person = Participation.objects.active_on(on).order_by("pk").values("pk")[:1]
    entry = LedgerEntry.objects.filter(person__in=person).order_by("-sequence").first()
    return lambda: services.entry_correct(actor=verifier, entry=entry, reason="Pengukuran")


# Issue 16's goals for the kabupaten figures, in ms: (cold, warm); after a change as cold.
FIGURE_GOALS = {
    "dashboard": (400, 150),
    "premium": (400, 150),
    "recap": (300, 300),
    "re-verification list": (200, 200),
}


def figures(client, runs, change):
    """The kabupaten figures as the Tim Verifikasi sees them, cold, after a change of the
    ledger and warm; returns each one's (cold, after a change, warm) median ms."""
    pages = [
        ("dashboard", reverse("oversight:dashboard"), "Dasbor"),
        ("premium", reverse("oversight:premium"), "Iuran PBI Pemda"),
        ("recap", reverse("oversight:recap"), "Rekap"),
        ("re-verification list", reverse("oversight:reverification_list"), "Verifikasi ulang"),
    ]
    print(f"{'figures, kabupaten (verifier)':<34}{'queries':>8}{'median ms':>11}{'goal ms':>9}")
    medians = {}
    for label, url, marker in pages:
        cold, warm = cold_and_warm(client, url, runs, marker=marker)
        changed = after_change(client, url, runs, change, marker=marker)
        medians[label] = (cold[1], changed[1], warm[1])
        cold_goal, warm_goal = FIGURE_GOALS[label]
        for state, (count, ms), goal in zip(
            ("cold", "after a change", "warm"),
            (cold, changed, warm),
            (cold_goal, cold_goal, warm_goal),
            strict=True,
        ):
            print(f"{f'{label}, {state}':<34}{count:>8}{ms:>11.0f}{f'≤ {goal}':>9}")
    return medians


def once(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def bare_write(rows, fields):
    """The rows written with no formats and no labels: the floor of an export."""
    with tempfile.TemporaryFile() as output:
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet()
        count = 0
        for count, record in enumerate(rows.values_list(*fields).iterator(2000), start=1):
            sheet.write_row(count, 0, [str(value) for value in record])
        workbook.close()
    return count


def run_script(script, arguments, environ=None):
    """Runs `bench/<script>` as it runs by hand, in a process of its own, and returns what it
    prints; its throwaway database is named after this run's, so two runs never meet."""
    name = f"{Path(database_name(STARTED_WITH['DATABASE_URL'])).stem}_{Path(script).stem}"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        cwd=ROOT,
        env={**STARTED_WITH, "BENCH_DATABASE": name, **(environ or {})},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"bench/{script} ended with {result.returncode}:\n{result.stderr[-2000:]}")
    print(f"--- bench/{script} {shlex.join(arguments)}")
    print(result.stdout.rstrip())
    return result.stdout


def figure(output, label):
    """The number printed after `label` in another script's output."""
    found = re.search(re.escape(label) + r"\s+([0-9][0-9,.]*)", output)
    if found is None:
        raise SystemExit(f"no figure {label!r} in:\n{output}")
    return float(found.group(1).replace(",", ""))


def table(rows):
    """Issue 16's table: each row's figure now, its floor from this run and its goal."""
    print("\nissue 16's table")
    print(f"{'page or job':<32}{'now':<52}{'floor (same run)':<40}goal")
    for label, now, floor, goal in rows:
        print(f"{label:<32}{now:<52}{floor:<40}{goal}")


def main(runs, import_rows, lampiran_d_rows, load):
    verifier = User.objects.get(role=Role.VERIFIER, username__startswith="verifikator")
    # A village with a letter has a participant too: every page below has a row to show.
    letter = Letter.objects.select_related("village").order_by("pk").first()
    if letter is None:
        raise SystemExit("No SKTM letter: build the kabupaten with more residents.")
    operator = User.objects.get(role=Role.OPERATOR, village=letter.village)
    head = User.objects.get(role=Role.VILLAGE_HEAD, village=letter.village)
    clients = {
        user.pk: login(Client(HTTP_HOST="localhost"), user) for user in (verifier, operator, head)
    }
    today = timezone.localdate()
    # Active today: an Usulan decided for next month (as load.py does) is not yet.
    active = Participation.objects.active_on(today).count()
    print(
        f"residents {Person.objects.count():,}, active participants {active:,}, "
        f"letters {Letter.objects.count():,}, Usulan {Proposal.objects.count():,}"
    )
    waiting = Proposal.objects.filter(status="submitted").select_related("village").first()
    if waiting is None:
        raise SystemExit("No Usulan waiting: build the kabupaten again.")
    person = Person.objects.get(pk=letter.person_id)
    roster = reverse("enrollment:roster")
    rows = exports.roster_rows(verifier)
    # The last page of the kabupaten's roster starts after this row (keyset).
    last_page = f"{roster}?setelah={exports.page_key(rows.reverse()[:51][::-1][0])}"
    pages = [
        ("roster, kabupaten (verifier)", verifier, roster, "Peserta PBI Pemda aktif"),
        ("roster search by name", verifier, roster + "?q=Sari", "Peserta PBI Pemda aktif"),
        ("roster, last page", verifier, last_page, "Peserta PBI Pemda aktif"),
        ("roster, one village (operator)", operator, roster, "Peserta PBI Pemda aktif"),
        (
            "person page",
            operator,
            reverse("enrollment:person_detail", args=[person.pk]),
            person.name,
        ),
        ("SKTM forms (operator)", operator, reverse("sktm:form_list"), "Formulir verifikasi SKTM"),
        ("Usulan queue (verifier)", verifier, reverse("verification:proposal_list"), "Usulan dari"),
        (
            "Usulan page (verifier)",
            verifier,
            reverse("verification:proposal_detail", args=[waiting.pk]),
            waiting.village.name,
        ),
    ]
    print(f"{'page':<34}{'queries':>8}{'median ms':>11}")
    medians = {}
    for label, user, url, marker in pages:
        count, medians[label] = page(clients[user.pk], url, runs, marker=marker)
        print(f"{label:<34}{count:>8}{medians[label]:>11.0f}")
    url = reverse("sktm:letter_pdf", args=[letter.pk])
    head_client = clients[head.pk]
    _, first_s = once(lambda: get(head_client, url, content_type="application/pdf"))
    count, letter_ms = page(head_client, url, runs, content_type="application/pdf")
    letter.refresh_from_db()
    if not letter.pdf_file:
        raise SystemExit("The letter's PDF was not kept in storage.")

    def read_stored():
        with letter.pdf_file.storage.open(letter.pdf_file.name) as stored:
            return stored.read()

    stored_ms = median_ms(read_stored, runs)
    print(f"{'SKTM letter PDF (head), first':<34}{'':>8}{first_s * 1000:>11.0f}")
    print(f"{'SKTM letter PDF (head), stored':<34}{count:>8}{letter_ms:>11.0f}")
    print(f"{'its stored bytes read (floor)':<34}{'':>8}{stored_ms:>11.2f}")
    floor = median_ms(lambda: Participation.objects.active_on(today).count(), runs)
    print(f"{'bare COUNT of the active (floor)':<34}{1:>8}{floor:>11.0f}")
    kabupaten = figures(clients[verifier.pk], runs, ledger_change(verifier, today))

    month = add_months(waiting.month, -2)
    items = ProposalItem.objects.filter(proposal__month=month)
    with tempfile.TemporaryFile() as output:
        written, seconds = once(lambda: lampiran_d.write_xlsx(output, month, items))
    bare = items.order_by("proposal__village__code", "pk")
    _, bare_seconds = once(lambda: bare_write(bare, lampiran_d.ROW_FIELDS))
    print(
        f"Lampiran D {month:%m-%Y}, kabupaten: {written:,} rows in {seconds:.1f} s "
        f"(bare write: {bare_seconds:.1f} s)"
    )

    job, xlsx_s = once(lambda: jobs.start(tasks.ROSTER_EXPORT, verifier))
    if job.status != Job.Status.DONE:
        raise SystemExit(f"roster export job {job.status}: {job.error}")
    size = job.result_file.size
    job.result_file.delete(save=False)
    written, bare_xlsx_s = once(lambda: bare_write(rows, ROSTER_FIELDS))
    if job.result["rows"] != active or written != active:
        raise SystemExit(f"roster export wrote {job.result['rows']} rows, bare {written}")
    print(
        f"roster export, kabupaten: {active:,} rows, {size / 1e6:.1f} MB in {xlsx_s:.1f} s "
        f"(bare write: {bare_xlsx_s:.1f} s)"
    )
    job, csv_s = once(lambda: jobs.start(tasks.ROSTER_EXPORT, verifier, format="csv"))
    if job.status != Job.Status.DONE or job.result["rows"] != active:
        raise SystemExit(f"roster .csv export job {job.status}: {job.error}")
    job.result_file.delete(save=False)
    print(f"roster export .csv, kabupaten: {active:,} rows in {csv_s:.1f} s")

    def cold_warm(label):
        cold, changed, warm = kabupaten[label]
        return f"{cold:,.0f} ms cold, {changed:,.0f} after a change, {warm:,.0f} warm"

    count_floor = f"bare COUNT {floor:,.0f} ms"
    results = [
        ("kabupaten dashboard", cold_warm("dashboard"), count_floor, "≤ 150 ms warm, ≤ 400 cold"),
        ("premium page", cold_warm("premium"), count_floor, "≤ 150 ms warm, ≤ 400 cold"),
        ("monthly recap", cold_warm("recap"), count_floor, "≤ 300 ms"),
        ("re-verification list", cold_warm("re-verification list"), count_floor, "≤ 200 ms"),
        (
            "roster search by name",
            f"{medians['roster search by name']:,.0f} ms",
            count_floor,
            "≤ 200 ms",
        ),
        ("roster, last page", f"{medians['roster, last page']:,.0f} ms", count_floor, "≤ 200 ms"),
        (
            f"roster export, {active:,} rows",
            f"{xlsx_s:.1f} s .xlsx, {csv_s:.1f} s .csv",
            f"bare XlsxWriter {bare_xlsx_s:.1f} s",
            "≤ 20 s .xlsx; .csv ≤ 5 s",
        ),
    ]
    if lampiran_d_rows:
        output = run_script("verification_lampiran_d.py", [str(lampiran_d_rows), "--runs", "1"])
        results.append(
            (
                f"Lampiran D, {lampiran_d_rows:,} rows",
                f"{figure(output, 'Lampiran D export'):.1f} s "
                f"(.csv {figure(output, 'Lampiran D CSV'):.1f} s)",
                f"bare XlsxWriter {figure(output, 'bare XlsxWriter write'):.1f} s",
                "≤ 10 s",
            )
        )
    if import_rows:
        output = run_script("enrollment_import.py", [str(import_rows)])
        copy = "read, COPY unchecked (floor)"  # then its seconds
        results.append(
            (
                f"import, {import_rows:,} participants",
                f"{figure(output, 'import end to end'):,.0f} rows/s",
                f"COPY unchecked {import_rows / figure(output, copy):,.0f} rows/s",
                "≥ 10,000 rows/s",
            )
        )
    results.append(
        (
            "letter PDF",
            f"{letter_ms:,.0f} ms from storage ({first_s * 1000:,.0f} ms first)",
            f"stored bytes read {stored_ms:,.2f} ms",
            "issued letters served from storage",
        )
    )
    if load and connection.vendor == "postgresql":
        output = run_script("load.py", shlex.split(load))
        crossing = re.search(r"^p95 (crosses|over|under) [^(]*", output, re.M).group(0).strip()
        # The login page alone after the load: requests, then its p50 and p95.
        login_page = re.search(r"login page \(floor\)\s+\d+\s+(\d+)\s+(\d+)", output)
        results.append(
            (
                "load, daily mix, gunicorn 2×4",
                crossing,
                f"login page alone p50 {login_page.group(1)} ms, p95 {login_page.group(2)} ms",
                "p95 < 300 ms at 20 req/s",
            )
        )
    elif load:
        print("load: PostgreSQL only (gunicorn's workers write at once, as in production)")
    table(results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="requests per page")
    parser.add_argument("--import-rows", type=int, default=100_000, help="0 skips the import")
    parser.add_argument(
        "--lampiran-d-rows", type=int, default=100_000, help="0 skips Lampiran D's 100k rows"
    )
    parser.add_argument(
        "--load",
        default="100 45 10-30,5-15,3-8,1-3",
        help='load.py\'s arguments: users, seconds, paces ("" skips the load)',
    )
    arguments = parser.parse_args()
    print_run()
    main(arguments.runs, arguments.import_rows, arguments.lampiran_d_rows, arguments.load)
