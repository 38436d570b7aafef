"""Load test: simulated staff doing the daily mix against gunicorn (2 workers), on loopback.

Run, against a database built by `manage.py build_synthetic_kabupaten`:
    DATABASE_URL=postgres://…/pbipemda_scale .venv/bin/python bench/load.py [USERS] [SECONDS] [T]
        [--port PORT]
(tiny: 3 2 0.1-0.3). Starts gunicorn on 127.0.0.1:PORT (default: a free port) with that
database, logs the simulated users in through the login pages (operators and heads of the
synthetic villages, the synthetic verifier, who links an authenticator and types a recovery
code as its second step), lets each act for SECONDS (default 60) with T seconds between its
requests (default 5-15, an office's pace; 1-3 is a stress test), stops gunicorn, and prints
requests per second, p50/p95/p99 latency per action and overall beside the login page requested
by one user after the load (the floor), and errors. Every user acts on its own village.
Several paces (`5-15,2-6,1-3,0.5-1.5`) run one after the other with the same users, and the
script then prints the request rate at which the p95 crosses 300 ms.
An answer that is not the page asked for (a redirect to the login, a refused form) stops the
script; server errors and timeouts are counted, and make it end with a failure status.
"""

import argparse
import http.client
import itertools
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyotp
from _harness import HOST, ROOT, Session, WrongPage, free_port, print_run, setup

PASSWORD = "sintetis-2026"
PDF = "application/pdf"
# The first error message of a refused form, past the tags around it.
REFUSAL = re.compile(
    r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)'
)


def checked(name, answer, expected):
    """Raises WrongPage unless `answer` is what the action asked for: `expected` is a content
    type (a page, status 200) or a path the answer redirects to (a form saved)."""
    status, headers, body = answer
    if expected.startswith("/"):
        if status == 200:
            refusal = REFUSAL.search(body.decode())
            raise WrongPage(f"{name}: refused, {refusal.group(1) if refusal else 'no message'}")
        if status != 302 or not headers.get("location", "").startswith(expected):
            raise WrongPage(f"{name}: answered {status} {headers.get('location', '')}".strip())
    elif status != 200 or not headers.get("content-type", "").startswith(expected):
        where = headers.get("location", headers.get("content-type", ""))
        raise WrongPage(f"{name}: answered {status} {where}")
    elif expected == PDF and not body.startswith(b"%PDF"):
        raise WrongPage(f"{name}: no PDF")


def nik(rng, prefix):
    """A woman's valid-shaped NIK of the village's kecamatan, of no synthetic resident: the
    synthetic kabupaten numbers the residents born on one date from 0001, a few per date, so a
    serial from 5000 on names a newcomer (a resident of another village would be refused)."""
    day, month, year = rng.randint(41, 68), rng.randint(1, 12), rng.randint(60, 99)
    return f"{prefix}{day:02d}{month:02d}{year:02d}{rng.randint(5000, 9999):04d}"


def operator_actions(rng, village):
    from django.urls import reverse

    prefix = village["code"][:8].replace(".", "")
    form = {
        "applicant_name": "Pemohon Uji Beban",
        "kk_number": f"{prefix}99{rng.randint(0, 99999999):08d}",
        "sex": "P",
        "dusun": "Dusun 1",
        "rt": "1",
        "rw": "1",
        "occupation": "Buruh tani",
        "dependants_count": "5",
        "ownership": "2",
        "wall": "2",
        "floor": "3",
        "lighting": "3",
        "monthly_income": "900000",
    }
    forms = reverse("sktm:form_list")
    return [
        ("sktm forms", "GET", forms, None, "text/html"),
        ("sktm new form", "GET", reverse("sktm:form_create"), None, "text/html"),
        ("sktm score (htmx)", "POST", reverse("sktm:score_preview"), form, "text/html"),
        (
            "sktm submit",
            "POST",
            reverse("sktm:form_create"),
            {**form, "nik": nik(rng, prefix), "confirm_warnings": "on"},
            forms,
        ),
        (
            "roster search",
            "GET",
            f"{reverse('enrollment:roster')}?q={rng.choice('ASTW')}",
            None,
            "text/html",
        ),
        ("usulan list", "GET", reverse("verification:proposal_list"), None, "text/html"),
    ]


def head_actions(rng, village):
    from django.urls import reverse

    letter = rng.choice(village["letters"]) if village["letters"] else None
    actions = [
        ("letters list", "GET", reverse("sktm:letter_list"), None, "text/html"),
        ("sktm forms", "GET", reverse("sktm:form_list"), None, "text/html"),
    ]
    if letter:
        actions.append(("letter PDF", "GET", reverse("sktm:letter_pdf", args=[letter]), None, PDF))
    return actions


def verifier_actions(rng, waiting):
    from django.urls import reverse

    actions = [("usulan queue", "GET", reverse("verification:proposal_list"), None, "text/html")]
    if waiting:
        proposal, items = rng.choice(list(waiting.items()))
        page = reverse("verification:proposal_detail", args=[proposal])
        actions.append(("usulan page", "GET", page, None, "text/html"))
        if items:
            item = items.pop()
            actions.append(
                (
                    "decide person",
                    "POST",
                    reverse("verification:item_decide", args=[item]),
                    {"decision": "approved"},
                    page,
                )
            )
    return actions


def unloaded(session, runs=20):
    """Milliseconds of the login page requested by one user with no other load, the workers
    warm: the floor."""
    from django.urls import reverse

    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        checked("login page", session.request("GET", reverse("login")), "text/html")
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values, p):
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


@dataclass
class Step:
    """What the users did at one pace: each action's times in ms, its errors, the errors by
    kind, and the seconds it took."""

    results: dict
    errors: dict
    kinds: dict
    duration: float

    @property
    def every(self):
        return [v for values in self.results.values() for v in values]

    @property
    def rate(self):
        return len(self.every) / self.duration


def step(sessions, waiting, seconds, think):
    """The logged-in users acting for `seconds`, `think` seconds between one user's actions."""
    results, errors, lock = defaultdict(list), defaultdict(int), threading.Lock()
    kinds = defaultdict(int)
    wrong = []
    stop = time.monotonic() + seconds

    def act(session, role, village, seed):
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, think[1]))
        while time.monotonic() < stop and not wrong:
            if role == "operator":
                actions = operator_actions(rng, village)
            elif role == "head":
                actions = head_actions(rng, village)
            else:
                with lock:
                    actions = verifier_actions(rng, waiting)
            name, method, path, data, expected = rng.choice(actions)
            headers = {"HX-Request": "true"} if "htmx" in name else None
            start = time.perf_counter()
            failure = None
            try:
                answer = session.request(method, path, data, headers)
            except (http.client.HTTPException, OSError) as error:
                failure = type(error).__name__
            else:
                if answer[0] >= 500:
                    failure = answer[0]
                else:
                    try:
                        checked(name, answer, expected)
                    except WrongPage as error:
                        wrong.append(str(error))
                        return
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                results[name].append(elapsed)
                if failure is not None:
                    errors[name] += 1
                    kinds[failure] += 1
            time.sleep(rng.uniform(*think))

    # A new seed each run: the same one would submit the same NIKs again, refused.
    run_seed = random.randrange(2**32)
    threads = [
        threading.Thread(target=act, args=(*s, run_seed + n)) for n, s in enumerate(sessions)
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if wrong:
        raise SystemExit(f"{wrong[0]}; not the page asked for, figures not printed.")
    return Step(results, errors, kinds, time.monotonic() - began)


def main(users_count, seconds, thinks, port):
    setup(ALLOWED_HOSTS=HOST, SECURE_SSL_REDIRECT="0")
    print_run()
    from django.db import connections

    from accounts import permissions, two_factor
    from accounts.models import Role, User
    from sktm.models import Letter
    from verification.models import Decision, ProposalItem

    operators = list(
        User.objects.filter(role=Role.OPERATOR, username__startswith="op")
        .select_related("village")
        .order_by("username")
    )
    heads = {
        u.village_id: u
        for u in User.objects.filter(role=Role.VILLAGE_HEAD, username__startswith="kades")
    }
    verifier = User.objects.get(role=Role.VERIFIER, username__startswith="verifikator")
    letters = defaultdict(list)
    for pk, village in Letter.objects.values_list("pk", "village")[:20000]:
        letters[village].append(pk)
    waiting = defaultdict(list)
    for item, proposal in ProposalItem.objects.filter(
        decision=Decision.PENDING, proposal__status="submitted"
    ).values_list("pk", "proposal"):
        waiting[proposal].append(item)

    # The daily mix, six operators for every two heads and two verifiers, in an order that
    # gives the first three users one of each.
    roles = ["operator", "head", "verifier", "operator", "operator", "operator", "head"]
    roles += ["verifier", "operator", "operator"]
    users = []
    for n in range(users_count):
        role = roles[n % len(roles)]
        account = operators[n % len(operators)]
        village = {"code": account.village.code, "letters": letters[account.village_id]}
        user = {"operator": account, "head": heads[account.village_id], "verifier": verifier}[role]
        users.append((role, user, village))

    # Users who must pass the second step link an authenticator: the setup service checks a
    # real code of it and hands out recovery codes, one of which each login types.
    codes = {}

    def second_step(user):
        if not permissions.is_two_factor_required(user):
            return None
        if user.pk not in codes:
            secret = two_factor.new_secret()
            codes[user.pk] = two_factor.device_confirm(
                user=user, secret=secret, code=pyotp.TOTP(secret).now()
            )
        if not codes[user.pk]:
            codes[user.pk] = two_factor.recovery_codes_renew(user=user)
        return codes[user.pk].pop()

    # WhiteNoise warns in each worker when the static files are not collected: no page here
    # needs them.
    server_env = {**os.environ, "PYTHONWARNINGS": "ignore:No directory at:UserWarning"}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "pbipemda.wsgi",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"gunicorn ended with {server.returncode}") from None
                time.sleep(0.2)
        sessions = []
        for role, user, village in users:
            session = Session(port)
            session.login(user.username, PASSWORD, second_step(user))
            sessions.append((session, role, village))
        connections.close_all()

        steps = [(think, step(sessions, waiting, seconds, think)) for think in thinks]
        floor = unloaded(Session(port))
    finally:
        server.terminate()
        server.wait()
    for think, result in steps:
        print(
            f"{users_count} users thinking {think[0]:g}-{think[1]:g} s, {result.duration:.0f} s, "
            f"gunicorn 2 workers x 4 threads, {os.cpu_count()} cores"
        )
        print(f"{'action':<20}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for name, values in [*sorted(result.results.items()), ("all", result.every)]:
            errors = sum(result.errors.values()) if name == "all" else result.errors[name]
            print(f"{name:<20}{len(values):>9}{timings(values)}{errors:>8}")
        print(f"throughput {result.rate:.1f} requests/s (goal: p95 under 300 ms, no errors)")
    print(
        f"{'login page (floor)':<20}{len(floor):>9}{timings(floor)}{0:>8}"
        "   (one user, after the load)"
    )
    if len(steps) > 1:
        print(crossing([(result.rate, percentile(result.every, 95)) for _, result in steps]))
    kinds = Counter()
    for _, result in steps:
        kinds.update(result.kinds)
    if kinds:
        print(
            "errors by kind: " + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items(), key=str))
        )
        raise SystemExit(f"{kinds.total()} requests failed.")


def timings(values):
    return "".join(f"{percentile(values, p):>9.0f}" for p in (50, 95, 99))


def crossing(points, limit=300):
    """Where the p95 of the paces `points` ((requests/s, p95 ms), one per pace) crosses `limit`
    ms, read on the straight line between the two paces around it."""
    points = sorted(points)
    goal = "(goal: p95 under 300 ms at 20 requests/s)"
    for (rate, p95), (next_rate, next_p95) in itertools.pairwise(points):
        if p95 < limit <= next_p95:
            at = rate + (limit - p95) * (next_rate - rate) / (next_p95 - p95)
            return f"p95 crosses {limit} ms at ≈ {at:.1f} requests/s {goal}"
    if points[0][1] >= limit:
        return f"p95 over {limit} ms already at {points[0][0]:.1f} requests/s {goal}"
    return f"p95 under {limit} ms up to {points[-1][0]:.1f} requests/s, the fastest pace {goal}"


def think_range(value):
    low, _, high = value.partition("-")
    return float(low), float(high or low)


def paces(value):
    """One think range (`5-15`) or several, one after the other (`5-15,2-6,1-3`)."""
    return [think_range(part) for part in value.split(",")]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("users", nargs="?", type=int, default=100)
    parser.add_argument("seconds", nargs="?", type=int, default=60)
    parser.add_argument(
        "think",
        nargs="?",
        type=paces,
        default=[(5.0, 15.0)],
        help="seconds, e.g. 5-15; several paces, each for SECONDS, e.g. 5-15,2-6,1-3",
    )
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    arguments = parser.parse_args()
    main(arguments.users, arguments.seconds, arguments.think, arguments.port or free_port())
