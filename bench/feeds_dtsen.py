"""DTSEN benchmark: a DTSEN period of 300,000 listings, on top of an earlier period already
imported, against the synthetic kabupaten of 1,000,000 residents, through the jobs the admin
starts, then the kabupaten's urgent re-verifications and calon usulan (feeds.dtsen).

Run: .venv/bin/python bench/feeds_dtsen.py [--residents N] [--participants N] [--rows N]
     (tiny: --residents 2000 --participants 500 --rows 1000)
On a throwaway database (see _harness.py), filled by `build_synthetic_kabupaten --dtsen-file`
in a process of its own (its time is printed, not measured against a goal), which plants the
two periods with a known number of each case (synthetic.feeds.DTSEN_KINDS). Then, timed one by
one, each with its peak memory: the preview job and the import job (enrollment.registry_preview,
enrollment.registry_import, run inline) and the kabupaten's two counts as the Tim Verifikasi's
pages ask them (the ranking read cold), each beside its floor from the same run (reading the
file bare; COPYing its rows unchecked, rolled back; reading both periods' listings and the
participants bare). The cases found are printed beside what was planted; a mismatch ends the
script with a failure.
"""

import argparse
import datetime
from pathlib import Path

from _harness import print_run, throwaway_database

# The Dukcapil bench's build and report, and the BPJS bench's measuring with its set-up:
# Django on this script's throwaway database, jobs inline, a MEDIA_ROOT removed at the end.
from bpjs_reconciliation import MEDIA, bare_rows, job, measured
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from feeds_dukcapil import build, reported

from accounts.models import Role, User
from enrollment import tasks
from enrollment.bulk import bulk_insert
from enrollment.imports import REGISTRY_FIELDS
from enrollment.models import Participation, RegistryRecord
from regions.models import Village
from synthetic.feeds import CANDIDATE, URGENT, dtsen_found, read_planted


def copy_floor(path, user):
    """The file's rows COPYed unchecked into the table the import fills, rolled back: what is
    left of an import once checking costs nothing."""
    rows = bare_rows(path)
    villages = dict(Village.objects.values_list("code", "pk"))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        bulk_insert(
            RegistryRecord,
            [*REGISTRY_FIELDS, "imported_by_id"],
            (
                (source, registry_id, nik, name, kk, villages[code], int(desil))
                + (datetime.date.fromisoformat(f"{period}-01"), user.pk)
                for source, registry_id, nik, name, kk, code, desil, period in rows[1:]
            ),
        )
        transaction.set_rollback(True)
    return len(rows) - 1


def bare_reads(month):
    """Both periods' listings and the participants, values only: the floor of ranking them."""
    listings = RegistryRecord.objects.values_list("nik", "desil", "data_period", "village_id")
    active = Participation.objects.active_on(month).values_list("person__nik", "verified_on")
    listings, active = list(listings.iterator(5000)), list(active.iterator(5000))
    return len(listings), len(active)


def main(arguments):
    path = Path(MEDIA.name) / "dtsen.csv"
    build_s = build(arguments, "--dtsen-file", path, "--dtsen-rows", arguments.rows)
    planted = read_planted(path)
    month = datetime.date.fromisoformat(planted["period"])
    admin = User.objects.create(username="admin-bench", role=Role.ADMIN, first_name="Bench")
    verifier = User.objects.get(role=Role.VERIFIER, username__startswith="verifikator")
    print(
        f"database: {connection.vendor}; residents {arguments.residents:,}, participants "
        f"{Participation.objects.active_on(month).count():,}; listings of the earlier period "
        f"{RegistryRecord.objects.count():,}; file {planted['rows']:,} rows .csv "
        f"({path.stat().st_size / 1e6:.1f} MB); built in {build_s:.0f} s"
    )

    steps = []
    read, *read_floor = measured(lambda: len(bare_rows(path)) - 1)
    copied, *copy_figures = measured(lambda: copy_floor(path, admin))
    with path.open("rb") as file:
        stored = default_storage.save(f"imports/{path.name}", File(file))
    params = {"stored": stored, "filename": path.name}
    preview, *figures = measured(lambda: job(tasks.REGISTRY_PREVIEW, admin, **params))
    steps.append(("preview job (read, check)", figures, "read only", read_floor))
    if not preview.result["is_confirmable"] or preview.result["to_add"] != planted["rows"]:
        raise SystemExit(f"preview refused the file: {preview.result}")
    done, *figures = measured(lambda: job(tasks.REGISTRY_IMPORT, admin, **preview.params))
    steps.append(("import job (read, check, write)", figures, "COPY unchecked", copy_figures))
    if done.result.get("added") != planted["rows"]:
        raise SystemExit(f"import saved {done.result}")
    _, *bare = measured(lambda: bare_reads(month))
    cache.clear()
    found, *figures = measured(lambda: dtsen_found(verifier, month))
    steps.append(("urgent and calon usulan (cold)", figures, "bare reads", bare))

    outcomes = {kind: planted["outcomes"][kind] for kind in (URGENT, CANDIDATE)}
    reported(steps, "step", found, outcomes, (read, copied, planted["rows"]))
    print(f"every case as planted; {done.result['added']:,} listings")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--rows", type=int, default=300_000, help="listings of the new period")
    parser.add_argument("--months", type=int, default=24)
    arguments = parser.parse_args()
    print_run()
    with throwaway_database():
        main(arguments)
