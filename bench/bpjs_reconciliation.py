"""BPJS reconciliation benchmark: a month's BPJS list of 200,000 rows against the synthetic
kabupaten of 1,000,000 residents, through the jobs the Tim Verifikasi starts.

Run: .venv/bin/python bench/bpjs_reconciliation.py [--residents N] [--participants N]
     [--rows N] [--format csv|xlsx]        (tiny: --residents 2000 --participants 300 --rows 250)
On a throwaway database (see _harness.py: with DATABASE_URL=postgres://… one on that server,
without a SQLite file), filled by `build_synthetic_kabupaten --bpjs-file` in a process of its
own (its time is printed, not measured against a goal), which plants the list with a known
number of people of each reconciliation category. Then, timed one by one, each with its peak
memory (resident set, reset before each step): the preview job and the import job
(bpjs.billing_preview, bpjs.billing_import, run inline), the reconciliation as the page asks
it, and the .xlsx export job of the discrepancies; each beside its floor from the same run
(reading the file bare; COPYing its rows unchecked, rolled back; reading the billed rows and
the participants bare; a bare XlsxWriter write of as many rows). Every category's count is
printed beside the planted count; a mismatch ends the script with a failure.
"""

import argparse
import csv
import ctypes
import datetime
import gc
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import ROOT, print_run, setup, throwaway_database, throwaway_url

# The jobs write their files under MEDIA_ROOT: a directory removed when the script ends.
MEDIA = tempfile.TemporaryDirectory(prefix="pbipemda-bench-media-")
setup(throwaway_url(), JOBS_RUN_INLINE="1", MEDIA_ROOT=MEDIA.name)

import openpyxl  # noqa: E402
import xlsxwriter  # noqa: E402
from django.core.files import File  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

import jobs  # noqa: E402
from accounts.models import Role, User  # noqa: E402
from bpjs import tasks  # noqa: E402
from bpjs.layout import billing_layout  # noqa: E402
from bpjs.models import BillingFile, BillingRow, Status  # noqa: E402
from bpjs.reconciliation import CATEGORIES, Category, reconciliation  # noqa: E402
from enrollment.bulk import bulk_insert  # noqa: E402
from enrollment.models import Participation  # noqa: E402
from jobs.models import Job  # noqa: E402
from synthetic.bpjs import read_planted  # noqa: E402

GOAL_SECONDS, GOAL_MB = 60, 300


def status_mb(name="VmHWM"):
    """The process's peak resident set since the last `reset_peak` (VmHWM), or its resident
    set now (VmRSS), in MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(f"{name}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    """Frees what earlier steps left (garbage, and the C allocator's free pages back to the
    system), then lowers the peak to the resident set now (Linux): a step's peak is what is
    live before it plus its own."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass


def measured(function):
    """(result, wall-clock seconds, this process's CPU seconds, peak MB, MB resident before)
    of one step. On a shared machine the CPU seconds move less than the wall clock; the
    database's own work is in the wall clock only. The peak less the MB before is the step's
    own."""
    reset_peak()
    before = status_mb("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - start, time.process_time() - cpu, status_mb(), before


def build(arguments, path):
    """The synthetic kabupaten and its BPJS list, by the command, in a process of its own (its
    memory is not the benchmark's)."""
    connections.close_all()
    command = [sys.executable, "manage.py", "build_synthetic_kabupaten"]
    command += ["--residents", str(arguments.residents)]
    command += ["--participants", str(arguments.participants), "--months", str(arguments.months)]
    command += ["--bpjs-file", str(path), "--bpjs-rows", str(arguments.rows)]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"build failed:\n{result.stdout}{result.stderr}")
    return time.perf_counter() - start


def bare_rows(path):
    """The file's rows as text, read with no checking: the floor of reading it."""
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = [[str(v or "") for v in row] for row in workbook.active.iter_rows(values_only=True)]
        workbook.close()
        return rows
    with path.open(newline="", encoding="utf-8-sig") as file:
        return list(csv.reader(file))


def date_of(text):
    return datetime.datetime.strptime(text, "%d/%m/%Y").date() if text else None


def copy_floor(path, user, month):
    """The file's rows COPYed unchecked into the table the import fills, rolled back: what is
    left of an import once checking costs nothing."""
    rows = bare_rows(path)
    fields = {column.title: column.field for column in billing_layout().columns}
    names = [fields[title] for title in rows[0]]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        billing_file = BillingFile.objects.create(
            month=month, version=99, filename="floor", digest="floor", rows=0, imported_by=user
        )
        values = (dict(zip(names, row, strict=True)) for row in rows[1:])
        bulk_insert(
            BillingRow,
            ["file_id", "row_number", "card_number", "nik", "name", "birth_date", "tmt"]
            + ["status", "status_text", "segment"],
            (
                (billing_file.pk, number, v["no_kartu"], v["nik"], v["nama"])
                + (date_of(v["tanggal_lahir"]), date_of(v["tmt"]), v["status"], v["status"])
                + (v["segmen"],)
                for number, v in enumerate(values, start=2)
            ),
        )
        transaction.set_rollback(True)
    return len(rows) - 1


def bare_reads(month):
    """The billed rows and the month's participants, values only: the floor of reconciling."""
    billing_file = BillingFile.objects.get(month=month)
    billed = list(
        BillingRow.objects.filter(file=billing_file)
        .values_list("card_number", "nik", "status", "person_id")
        .iterator(2000)
    )
    active = list(
        Participation.objects.active_on(month)
        .values_list("person_id", "village_id", "person__nik", "person__name")
        .iterator(2000)
    )
    return len(billed), len(active)


def bare_write(count):
    """As many rows of twelve short texts written with no formats: the floor of an export."""
    with tempfile.TemporaryFile() as output:
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet()
        cells = ["Ditagih, bukan peserta", "3401010101900001", "Nama Peserta"] * 4
        for row in range(count):
            sheet.write_row(row, 0, cells)
        workbook.close()


def cells(seconds, cpu, mb, before):
    return f"{seconds:7.1f}{cpu:7.1f}{mb:6.0f}{mb - before:+6.0f}"


def job(kind, user, **params):
    started = jobs.start(kind, user, **params)
    if started.status != Job.Status.DONE:
        raise SystemExit(f"{kind} {started.status}: {started.error}")
    return started


def main(arguments):
    directory = Path(MEDIA.name)
    path = directory / f"data-peserta.{arguments.format}"
    build_s = build(arguments, path)
    planted = read_planted(path)
    month = datetime.date.fromisoformat(planted["month"])
    verifier = User.objects.get(role=Role.VERIFIER, username__startswith="verifikator")
    print(
        f"database: {connection.vendor}; residents {arguments.residents:,}, participants "
        f"{Participation.objects.active_on(month).count():,} on {month:%m-%Y}; file "
        f"{planted['rows']:,} rows .{arguments.format} ({path.stat().st_size / 1e6:.1f} MB); "
        f"built in {build_s:.0f} s"
    )

    steps = []
    read, *read_floor = measured(lambda: len(bare_rows(path)) - 1)
    copied, *copy_floor_figures = measured(lambda: copy_floor(path, verifier, month))
    with path.open("rb") as file:
        stored = default_storage.save(f"imports/{path.name}", File(file))
    params = {"stored": stored, "filename": path.name, "month": planted["month"]}
    preview, *figures = measured(lambda: job(tasks.BILLING_PREVIEW, verifier, **params))
    steps.append(("preview job (read, check)", figures, "read only", read_floor))
    if not preview.result["is_confirmable"] or preview.result["valid"] != planted["rows"]:
        raise SystemExit(f"preview refused the file: {preview.result}")
    done, *figures = measured(lambda: job(tasks.BILLING_IMPORT, verifier, **preview.params))
    steps.append(("import job (checked rows, COPY)", figures, "COPY unchecked", copy_floor_figures))
    if done.result.get("rows") != planted["rows"]:
        raise SystemExit(f"import saved {done.result}")
    _, *bare = measured(lambda: bare_reads(month))

    def reconciled():
        """The counts only: the items are let go before the export's peak is measured."""
        result = reconciliation(actor=verifier, month=month)
        counts = {key: total.count for key, total in result.totals.items()}
        return counts, result.billed, result.participants

    (counts, billed, participants), *figures = measured(reconciled)
    steps.append(("reconciliation (the page's)", figures, "bare reads", bare))
    discrepancies = sum(counts.values()) - counts[Category.MATCHED]
    _, *write = measured(lambda: bare_write(discrepancies))
    export, *figures = measured(
        lambda: job(tasks.RECONCILIATION_EXPORT, verifier, month=planted["month"])
    )
    steps.append(("export job (.xlsx, discrepancies)", figures, "bare write", write))

    head = f"{'s':>7}{'cpu s':>7}{'MB':>6}{'own':>6}"
    print(f"{'step':<36}{head}   {'floor':<15}{head}")
    for label, figures, floor, floor_figures in steps:
        print(f"{label:<36}{cells(*figures)}   {floor:<15}{cells(*floor_figures)}")
    total = sum(figures[0] for _, figures, _, _ in steps)
    cpu = sum(figures[1] for _, figures, _, _ in steps)
    peak = max(figures[2] for _, figures, _, _ in steps)
    print(f"{'end to end (the four steps)':<36}{total:7.1f}{cpu:7.1f}   goal: <= {GOAL_SECONDS} s")
    print(f"{'peak memory (RSS) of a step':<36}{peak:20.0f}      goal: < {GOAL_MB} MB")
    print(f"{'category':<20}{'found':>9}{'planted':>9}")
    wrong = []
    for key in CATEGORIES:
        found, expected = counts[key], planted["categories"].get(key, 0)
        print(f"{key:<20}{found:>9,}{expected:>9,}{'' if found == expected else '  MISMATCH'}")
        if found != expected:
            wrong.append(key)
    if export.result["rows"] != discrepancies:
        wrong.append(f"export wrote {export.result['rows']} rows, not {discrepancies}")
    if read != copied or read != planted["rows"]:
        wrong.append(f"read {read}, copied {copied}, planted {planted['rows']}")
    if wrong:
        raise SystemExit(f"not what the builder planted: {', '.join(wrong)}")
    inactive = BillingRow.objects.filter(status=Status.INACTIVE).count()
    print(
        f"every category as planted; billed {billed:,} (and {inactive:,} nonaktif), "
        f"participants {participants:,}, export {discrepancies:,} rows"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the BPJS file")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    arguments = parser.parse_args()
    print_run()
    with throwaway_database():
        main(arguments)
