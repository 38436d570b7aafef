"""Usulan benchmark: the kabupaten-wide Lampiran D of 100,000 rows beside a bare XlsxWriter
write of the same rows, its CSV (COPY on PostgreSQL), the Rust-backed xlsx writers when they are
installed (each checked for what Lampiran D needs: text NIK, dates, no formulas, page setup), and
the Tim Verifikasi's queue at 10 and at 2,000 waiting Usulan.

Run: DATABASE_URL=postgres://… .venv/bin/python bench/verification_lampiran_d.py [ROWS] [--runs 2]
(tiny: 200 --runs 1) on a throwaway database (see _harness.py). Each export runs in a process of
its own, so each peak memory (resident set) is its own. The queue's figures stand beside a bare
COUNT of the waiting Usulan (the floor).
"""

import argparse
import datetime
import importlib.util
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from _harness import get, login, print_run, setup, throwaway_database, throwaway_url

setup(throwaway_url())

import xlsxwriter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

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
                # The first name looks like a formula: a writer must keep it text.
                name='=HYPERLINK("http://x")' if n == 0 else f"Penduduk {n}",
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


def csv_export(path):
    with open(path, "wb") as file:
        return lampiran_d.write_csv(file, ProposalItem.objects.all())


# The Rust-backed writers on PyPI, measured when installed (not dependencies of the product).
RUST_WRITERS = {"rustpy": "rustpy_xlsxwriter", "rvgsrust": "rvgsrust_xlsxwriter"}
_PAPER_F4 = 14


def rustpy(path, items=None):
    """Lampiran D's rows through rustpy-xlsxwriter's one call: records as dicts, a header row
    under the merged titles, its page setup."""
    import rustpy_xlsxwriter

    titles = lampiran_d.headers()
    records = (
        dict(zip(titles, [number, *values], strict=True))
        for number, values in enumerate(lampiran_d.rows(items or ProposalItem.objects.all()), 1)
    )
    rustpy_xlsxwriter.write_worksheet(
        records,
        path,
        sheet_name="Lampiran D",
        header_row=3,
        merge_ranges=[(0, 0, 0, len(titles) - 1, "FORM USULAN"), (1, 0, 1, len(titles) - 1, "")],
        datetime_format="dd-mm-yyyy",
        column_widths=lampiran_d.WIDTHS,
        page_setup={
            "landscape": True,
            "paper_size": _PAPER_F4,
            "fit_to_pages": (1, 0),
            "repeat_rows": 3,
        },
    )


def rvgsrust(path, items=None):
    """The same through rvgsrust-xlsxwriter's XlsxWriter-like API, cell by cell."""
    import rvgsrust_xlsxwriter

    workbook = rvgsrust_xlsxwriter.Workbook()
    sheet = workbook.add_worksheet("Lampiran D", constant_memory=True)
    date = workbook.add_format().set_num_format("dd-mm-yyyy")
    sheet.set_landscape()
    sheet.set_paper_size(_PAPER_F4)
    sheet.set_print_fit_to_pages(1, 0)
    sheet.set_repeat_rows(3, 3)
    for column, width in enumerate(lampiran_d.WIDTHS):
        sheet.set_column_width(column, width)
    sheet.write_row(3, 0, lampiran_d.headers())
    rows = lampiran_d.rows(items or ProposalItem.objects.all())
    for number, values in enumerate(rows, start=1):
        row = number + 3
        sheet.write(row, 0, number)
        for column, value in enumerate(values, start=1):
            if column == 7:
                sheet.write_date_py(row, column, value, date)
            else:
                sheet.write(row, column, value)
    if isinstance(path, str):
        workbook.close(path)
    else:
        path.write(workbook.save_to_buffer())


def check(kind):
    """What Lampiran D needs of a writer, read back with openpyxl from 50 rows it wrote."""
    first = ProposalItem.objects.order_by("proposal__village__code", "pk")
    items = ProposalItem.objects.filter(pk__in=list(first.values_list("pk", flat=True)[:50]))
    output = io.BytesIO()
    if kind == "export":
        settings.LETTER_PAPER = "F4"
        lampiran_d.write_xlsx(output, MONTH, items)
    else:
        globals()[kind](output, items)
    sheet = load_workbook(io.BytesIO(output.getvalue())).active
    cells = [cell for row in sheet.iter_rows(min_row=5) for cell in row if cell.value]
    formula = next((c for c in sheet["D"] if str(c.value).startswith("=HYPER")), None)
    kk = next((c for c in sheet["C"] if str(c.value).startswith("0000")), None)
    checks = {
        "NIK text": all(isinstance(c.value, str) for c in sheet["B"][4:] if c.value),
        "No.KK 0-led": kk is not None and kk.data_type == "s",
        "no formula": formula is not None and formula.data_type == "s",
        "date": any(isinstance(cell.value, datetime.datetime) for cell in cells),
        "landscape F4": sheet.page_setup.orientation == "landscape"
        and str(sheet.page_setup.paperSize) == str(_PAPER_F4),
        "fit width": bool(sheet.sheet_properties.pageSetUpPr.fitToPage)
        and str(sheet.page_setup.fitToHeight) == "0",
        "header rows": sheet.print_title_rows == "$4:$4",
    }
    return " ".join(f"{name} {'ok' if held else 'NO'}" for name, held in checks.items())


def peak_mb():
    """This process's peak resident set. Linux keeps ru_maxrss across exec, so a child started
    by the main run would report the main run's peak; VmHWM starts anew with the process."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    print(f"  checks: {check('export')}")
    csv_s, csv_mb = min(measure_in_child("csv") for _ in range(runs))
    print(f"Lampiran D CSV         {csv_s:6.1f} s  peak {csv_mb:5.0f} MB  ({connection.vendor})")
    for kind, module in RUST_WRITERS.items():
        if importlib.util.find_spec(module) is None:
            print(f"{kind:<22} not installed (pip install {module.replace('_', '-')})")
            continue
        seconds, peak = min(measure_in_child(kind) for _ in range(runs))
        print(f"{kind + ' (Rust)':<22} {seconds:6.1f} s  peak {peak:5.0f} MB")
        print(f"  checks: {check(kind)}")
    print("goal: xlsx <= 10 s at 100,000 rows (bare write is the floor)")

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
    parser.add_argument(
        "--measure", choices=["export", "bare", "csv", *RUST_WRITERS], help=argparse.SUPPRESS
    )
    arguments = parser.parse_args()
    if arguments.measure:
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
            start = time.perf_counter()
            writers = {"export": export, "bare": bare, "csv": csv_export}
            writers.get(arguments.measure, globals().get(arguments.measure))(file.name)
            seconds = time.perf_counter() - start
        print(seconds, peak_mb())
    else:
        print_run()
        with throwaway_database():
            main(arguments.rows, arguments.runs)
