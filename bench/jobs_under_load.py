"""Pages while background jobs run: the daily page mix timed idle, then while ten kabupaten-wide
Lampiran D exports run on the task workers, in one run.

Run against a PostgreSQL database (built here when it holds no residents yet):
    DATABASE_URL=postgres://…/pbipemda_bench .venv/bin/python bench/jobs_under_load.py \
        [RESIDENTS] [--users N] [--seconds S] [--tiny]
Starts gunicorn (2 workers x 4 threads, as deploy/pbipemda.service) on a free port and two
`manage.py db_worker` processes, logs in operators, heads of village and the verifier (its second
step with a recovery code written here), has the users open read-only pages for SECONDS idle,
then the verifier starts ten kabupaten-wide Lampiran D exports and the users go on until the
last export ends. Prints p50/p95 of the pages idle and loaded, their ratio beside the goal
(loaded p95 within 1.5x of idle), and each export's wait in the queue, run time and rows.
--workers and --nice change the task workers (default: 2 at niceness 10, as the systemd unit).
--tiny builds a small kabupaten and runs a few seconds: a smoke run of the script itself.
"""

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from _harness import FIELD_KEY, HOST, ROOT, Session, free_port

EXPORTS = 10
GOAL = 1.5
JOB_URL = re.compile(r"^/pekerjaan/(\d+)/$")
RECOVERY_CODE = "bench-{n}"


def build(residents):
    from django.core.management import call_command

    from people.models import Person

    call_command("migrate", verbosity=0)
    if Person.objects.exists():
        return
    call_command("load_reference_data", verbosity=0)
    call_command(
        "build_synthetic_kabupaten",
        residents=residents,
        participants=residents // 4,
        months=6 if residents > 5000 else 2,
    )


def recovery_codes(user, count):
    """Codes for the verifier's second step, one per login of this run."""
    from accounts import two_factor
    from accounts.models import AuthenticatorDevice, RecoveryCode

    AuthenticatorDevice.objects.get_or_create(
        user=user, defaults={"secret": two_factor.new_secret()}
    )
    RecoveryCode.objects.filter(user=user).delete()
    codes = [RECOVERY_CODE.format(n=n) for n in range(count)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=two_factor.code_hash(code)) for code in codes
    )
    return codes


def busiest_month():
    """The month with the most people proposed across the kabupaten."""
    from django.db.models import Count

    from verification.models import ProposalItem
    from verification.tasks import SENT_STATUSES

    row = (
        ProposalItem.objects.filter(proposal__status__in=SENT_STATUSES)
        .values("proposal__month")
        .annotate(rows=Count("pk"))
        .order_by("-rows")
        .first()
    )
    return row["proposal__month"], row["rows"]


def pages(role, rng):
    """The read-only pages of the daily mix, per role."""
    if role == "operator":
        return [
            ("sktm forms", "/sktm/"),
            ("roster, village", "/peserta/"),
            ("roster search", f"/peserta/?q={rng.choice('ASTW')}"),
            ("usulan list", "/usulan/"),
        ]
    if role == "head":
        return [("letters list", "/sktm/surat/"), ("sktm forms", "/sktm/")]
    return [("usulan queue", "/usulan/"), ("roster, kabupaten", "/peserta/")]


def percentile(values, p):
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("residents", nargs="?", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30, help="idle phase length")
    parser.add_argument("--workers", type=int, default=2, help="task worker processes")
    parser.add_argument(
        "--nice", type=int, default=10, help="the workers' niceness (deploy/pbipemda-worker)"
    )
    parser.add_argument("--tiny", action="store_true")
    options = parser.parse_args()
    if options.tiny:
        options.residents, options.users, options.seconds = 1500, 4, 3

    media = tempfile.mkdtemp(prefix="bench-jobs-")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pbipemda.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-0123456789-0123456789"),
        "ALLOWED_HOSTS": HOST,
        "PBIPEMDA_FIELD_KEY": os.environ.get("PBIPEMDA_FIELD_KEY", FIELD_KEY),
        "STATIC_MANIFEST": "0",
        "SECURE_SSL_REDIRECT": "0",
        "JOBS_RUN_INLINE": "0",
        "MEDIA_ROOT": media,
    }
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, connections

    from accounts.models import Role, User
    from jobs.models import Job
    from synthetic.builder import PASSWORD

    if connection.vendor != "postgresql":
        print("warning: the figures are meant for PostgreSQL (DATABASE_URL=postgres://…)")
    build(options.residents)
    month, rows = busiest_month()
    operators = list(User.objects.filter(role=Role.OPERATOR, username__startswith="op")[:50])
    heads = {u.village_id: u for u in User.objects.filter(role=Role.VILLAGE_HEAD)}
    verifier = User.objects.get(role=Role.VERIFIER, username__startswith="verifikator")
    # One code per verifier login: the users of the mix and the one starting the exports.
    codes = recovery_codes(verifier, options.users + 1)
    connections.close_all()

    port = free_port()
    python = sys.executable
    processes = [
        subprocess.Popen(
            [str(Path(python).parent / "gunicorn"), "pbipemda.wsgi", "--workers", "2"]
            + ["--worker-class", "gthread", "--threads", "4", "--bind", f"{HOST}:{port}"]
            + ["--log-level", "warning"],
            cwd=ROOT,
            env=environment,
        )
    ] + [
        subprocess.Popen(
            ["nice", "-n", str(options.nice), python, "manage.py", "db_worker", "--no-reload"]
            + ["--interval", "0.5", "-v", "0"],
            cwd=ROOT,
            env=environment,
        )
        for _ in range(options.workers)
    ]
    try:
        for _ in range(100):
            try:
                socket.create_connection((HOST, port), 1).close()
                break
            except OSError:
                time.sleep(0.2)

        # The daily mix: six operators for every two heads and two verifiers.
        roles = (["operator"] * 6 + ["head"] * 2 + ["verifier"] * 2) * (options.users // 10 + 1)
        users = []
        for n, role in enumerate(roles[: options.users]):
            operator = operators[n % len(operators)]
            session = Session(port)
            if role == "verifier":
                session.login(verifier.username, PASSWORD, codes.pop())
            elif role == "head":
                session.login(heads[operator.village_id].username, PASSWORD)
            else:
                session.login(operator.username, PASSWORD)
            users.append((session, role))
        exporter = Session(port)
        exporter.login(verifier.username, PASSWORD, codes.pop())

        timings = {"idle": defaultdict(list), "loaded": defaultdict(list)}
        errors = defaultdict(int)
        phase = {"name": "idle", "stop": False}
        lock = threading.Lock()

        def act(session, role, seed):
            rng = random.Random(seed)
            while not phase["stop"]:
                name, path = rng.choice(pages(role, rng))
                current = phase["name"]
                start = time.perf_counter()
                try:
                    status, _, _ = session.request("GET", path)
                    # A redirect (to the login or its second step) is not the page asked for.
                    failed = status != 200
                except Exception:  # noqa: BLE001 (counted as an error)
                    failed = True
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    if current == phase["name"]:
                        timings[current][name].append(elapsed)
                    if failed:
                        errors[name] += 1
                time.sleep(rng.uniform(0.5, 1.5))

        threads = [
            threading.Thread(target=act, args=(session, role, n))
            for n, (session, role) in enumerate(users)
        ]
        for thread in threads:
            thread.start()
        time.sleep(options.seconds)

        started = []
        for _ in range(EXPORTS):
            status, headers, _ = exporter.post_form(
                "/usulan/ekspor/", {"month": f"{month:%Y-%m}", "district": ""}
            )
            location = headers.get("location", "")
            match = JOB_URL.match(urllib.parse.urlsplit(location).path)
            if status != 302 or not match:
                raise RuntimeError(f"export answered {status} {location}")
            started.append(int(match.group(1)))
        with lock:
            phase["name"] = "loaded"
        began = time.monotonic()
        while Job.objects.filter(pk__in=started, finished_at__isnull=True).exists():
            time.sleep(0.5)
        loaded_seconds = time.monotonic() - began
        connections.close_all()
        phase["stop"] = True
        for thread in threads:
            thread.join()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()

    print(
        f"{options.residents:,} residents, Usulan of {month:%Y-%m}: {rows:,} people; "
        f"{options.users} users; gunicorn 2 workers x 4 threads, {options.workers} task workers "
        f"(nice {options.nice}), {os.cpu_count()} cores, {connection.vendor}"
    )
    header = "".join(f"{title:>8}" for title in ("idle n", "p50 ms", "p95 ms"))
    header += "".join(f"{title:>8}" for title in ("load n", "p50 ms", "p95 ms"))
    print(f"{'page':<20}{header}")
    for name in sorted(timings["idle"].keys() | timings["loaded"].keys()):
        idle, loaded = timings["idle"][name], timings["loaded"][name]
        cells = []
        for values in (idle, loaded):
            if values:
                cells.append(f"{len(values):>8}{percentile(values, 50):>8.0f}")
                cells.append(f"{percentile(values, 95):>8.0f}")
            else:
                cells.append(f"{0:>8}{'-':>8}{'-':>8}")
        print(f"{name:<20}{''.join(cells)}")
    idle = [v for values in timings["idle"].values() for v in values]
    loaded = [v for values in timings["loaded"].values() for v in values]
    ratio = percentile(loaded, 95) / percentile(idle, 95)
    print(
        f"{'all':<20}{len(idle):>8}{percentile(idle, 50):>8.0f}{percentile(idle, 95):>8.0f}"
        f"{len(loaded):>8}{percentile(loaded, 50):>8.0f}{percentile(loaded, 95):>8.0f}"
    )
    print(
        f"page p95 loaded / idle: {ratio:.2f}x (goal: within {GOAL}x); "
        f"exports ran {loaded_seconds:.1f} s; errors {sum(errors.values())}"
    )
    print(f"{'export':<10}{'status':>8}{'queued s':>10}{'ran s':>8}{'rows':>8}")
    exports = Job.objects.filter(pk__in=started).order_by("pk")
    for job in exports:
        waited = (job.started_at - job.created_at).total_seconds() if job.started_at else 0
        ran = (job.finished_at - job.started_at).total_seconds() if job.started_at else 0
        print(
            f"#{job.pk:<9}{job.status:>8}{waited:>10.1f}{ran:>8.1f}{job.result.get('rows', 0):>8}"
        )
    if sum(errors.values()) or any(job.status != Job.Status.DONE for job in exports):
        sys.exit("a page failed or an export did not finish: the figures above do not count")


if __name__ == "__main__":
    main()
