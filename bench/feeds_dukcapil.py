"""Dukcapil extract benchmark: an extract of 20,000 population events against the synthetic
kabupaten of 1,000,000 residents, through the jobs Dukcapil starts.

Run: .venv/bin/python bench/feeds_dukcapil.py [--residents N] [--participants N]
     [--events N] [--format csv|xlsx]      (tiny: --residents 2000 --participants 300 --events 200)
On a throwaway database (see _harness.py), filled by `build_synthetic_kabupaten
--dukcapil-file` in a process of its own (its time is printed, not measured against a goal),
which plants the extract with a known number of each case (synthetic.feeds.EVENT_KINDS). Then,
timed one by one, each with its peak memory: the preview job and the import job
(feeds.extract_preview, feeds.extract_import, run inline), each beside its floor from the same
run (reading the file bare; COPYing its rows unchecked, rolled back). What the import did
(findings by kind, changes of NIK, unknown NIKs, events left be) is printed beside what was
planted; a mismatch ends the script with a failure.
"""

import argparse
import datetime
import subprocess
import sys
import time
from pathlib import Path

from _harness import ROOT, print_run, throwaway_database

# The BPJS bench's measuring, and with it the set-up: Django with production settings on this
# script's throwaway database, jobs inline, files under a MEDIA_ROOT removed at the end.
from bpjs_reconciliation import (
    GOAL_MB,
    GOAL_SECONDS,
    MEDIA,
    bare_rows,
    cells,
    date_of,
    job,
    measured,
)
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction

from accounts.models import Role, User
from enrollment.bulk import bulk_insert
from enrollment.models import Participation
from feeds import tasks
from feeds.events import event_layout
from people.models import PopulationEvent, PopulationExtract
from synthetic.feeds import events_found, read_planted

# PopulationEvent's column -> the extract's field the floor COPYs into it, as written.
COPIED = {
    "kind": "jenis",
    "nik": "nik",
    "occurred_on": "tanggal",
    "death_certificate": "no_akta",
    "destination": "tujuan",
    "village_code": "kode_desa_tujuan",
    "dusun": "dusun_tujuan",
    "rt": "rt_tujuan",
    "rw": "rw_tujuan",
    "new_nik": "nik_baru",
    "new_kk_number": "no_kk_baru",
}


def build(arguments, *options):
    """The synthetic kabupaten and what `options` plant, by the command, in a process of its
    own (its memory is not the benchmark's); returns its seconds."""
    connections.close_all()
    command = [sys.executable, "manage.py", "build_synthetic_kabupaten"]
    command += ["--residents", str(arguments.residents)]
    command += ["--participants", str(arguments.participants), "--months", str(arguments.months)]
    command += [str(option) for option in options]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"build failed:\n{result.stdout}{result.stderr}")
    return time.perf_counter() - start


def copy_floor(path, user, period):
    """The file's rows COPYed unchecked into the table the import fills, rolled back: what is
    left of an import once checking and acting cost nothing."""
    rows = bare_rows(path)
    fields = {column.title: column.field for column in event_layout().columns}
    names = [fields[title] for title in rows[0]]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        extract = PopulationExtract.objects.create(
            period=period, filename="floor", digest="floor", rows=0, layout="", imported_by=user
        )
        values = (dict(zip(names, row, strict=True)) for row in rows[1:])
        bulk_insert(
            PopulationEvent,
            ["extract_id", "row_number", *COPIED],
            (
                (extract.pk, number)
                + tuple(
                    date_of(v[name]) if name == "tanggal" else v.get(name, "")
                    for name in COPIED.values()
                )
                for number, v in enumerate(values, start=2)
            ),
        )
        transaction.set_rollback(True)
    return len(rows) - 1


def compared(found, planted):
    """Prints each outcome found beside the planted count; returns those that differ."""
    print(f"{'outcome':<20}{'found':>9}{'planted':>9}")
    wrong = []
    for key, expected in sorted(planted.items()):
        mark = "" if found[key] == expected else "  MISMATCH"
        print(f"{key:<20}{found[key]:>9,}{expected:>9,}{mark}")
        if found[key] != expected:
            wrong.append(key)
    return wrong


def main(arguments):
    path = Path(MEDIA.name) / f"peristiwa-dukcapil.{arguments.format}"
    build_s = build(arguments, "--dukcapil-file", path, "--dukcapil-events", arguments.events)
    planted = read_planted(path)
    period = datetime.date.fromisoformat(planted["period"])
    dukcapil = User.objects.get(role=Role.DUKCAPIL, username__startswith="dukcapil")
    print(
        f"database: {connection.vendor}; residents {arguments.residents:,}, participants "
        f"{Participation.objects.active_on(period).count():,}; extract {planted['rows']:,} "
        f"events .{arguments.format} ({path.stat().st_size / 1e6:.1f} MB); built in "
        f"{build_s:.0f} s"
    )

    steps = []
    read, *read_floor = measured(lambda: len(bare_rows(path)) - 1)
    copied, *copy_figures = measured(lambda: copy_floor(path, dukcapil, period))
    with path.open("rb") as file:
        stored = default_storage.save(f"imports/{path.name}", File(file))
    params = {"stored": stored, "filename": path.name, "period": planted["period"]}
    preview, *figures = measured(lambda: job(tasks.EXTRACT_PREVIEW, dukcapil, **params))
    steps.append(("preview job (read, check)", figures, "read only", read_floor))
    if not preview.result["is_confirmable"] or preview.result["valid"] != planted["rows"]:
        raise SystemExit(f"preview refused the file: {preview.result}")
    done, *figures = measured(lambda: job(tasks.EXTRACT_IMPORT, dukcapil, **preview.params))
    steps.append(("import job (read, check, act)", figures, "COPY unchecked", copy_figures))
    if done.result.get("rows") != planted["rows"]:
        raise SystemExit(f"import saved {done.result}")
    found = events_found(PopulationExtract.objects.get())

    reported(steps, "job", found, planted["outcomes"], (read, copied, planted["rows"]))
    print(f"every outcome as planted; {done.result['rows']:,} events")


def reported(steps, what, found, planted, rows):
    """Prints each step beside its floor and the goal, then what was found beside what was
    planted; ends the script with a failure unless they are equal, and the rows read, copied
    and planted (`rows`) too."""
    head = f"{'s':>7}{'cpu s':>7}{'MB':>6}"
    print(f"{'step':<36}{head}   {'floor':<15}{head}")
    for label, figures, floor, floor_figures in steps:
        print(f"{label:<36}{cells(*figures)}   {floor:<15}{cells(*floor_figures)}")
    print(f"{'goal of each ' + what:<36}   <= {GOAL_SECONDS} s, < {GOAL_MB} MB")
    wrong = compared(found, planted)
    read, copied, expected = rows
    if not read == copied == expected:
        wrong.append(f"read {read}, copied {copied}, planted {expected}")
    if wrong:
        raise SystemExit(f"not what the builder planted: {', '.join(wrong)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=20_000, help="events of the extract")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    arguments = parser.parse_args()
    print_run()
    with throwaway_database():
        main(arguments)
