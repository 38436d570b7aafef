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
An answer that is not the page asked for (a redirect to the login, a refused form) stops the
script; server errors and timeouts are counted, and make it end with a failure status.
"""

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
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
    """A woman's valid-shaped NIK of the village's kecamatan."""
    day, month, year = rng.randint(41, 68), rng.randint(1, 12), rng.randint(60, 99)
    return f"{prefix}{day:02d}{month:02d}{year:02d}{rng.randint(1, 9999):04d}"


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


def main(users_count, seconds, think, port):
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
        duration = time.monotonic() - began
        floor = unloaded(Session(port))
    finally:
        server.terminate()
        server.wait()
    if wrong:
        raise SystemExit(f"{wrong[0]}; not the page asked for, figures not printed.")

    every = [v for values in results.values() for v in values]
    print(
        f"{users_count} users thinking {think[0]:g}-{think[1]:g} s, {duration:.0f} s, "
        f"gunicorn 2 workers x 4 threads, {os.cpu_count()} cores"
    )
    print(f"{'action':<20}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name in sorted(results):
        values = results[name]
        print(
            f"{name:<20}{len(values):>9}{percentile(values, 50):>9.0f}"
            f"{percentile(values, 95):>9.0f}{percentile(values, 99):>9.0f}{errors[name]:>8}"
        )
    print(
        f"{'all':<20}{len(every):>9}{percentile(every, 50):>9.0f}{percentile(every, 95):>9.0f}"
        f"{percentile(every, 99):>9.0f}{sum(errors.values()):>8}"
    )
    print(
        f"{'login page (floor)':<20}{len(floor):>9}{percentile(floor, 50):>9.0f}"
        f"{percentile(floor, 95):>9.0f}{percentile(floor, 99):>9.0f}{0:>8}"
        "   (one user, after the load)"
    )
    print(f"throughput {len(every) / duration:.1f} requests/s (goal: p95 under 300 ms, no errors)")
    if kinds:
        print(
            "errors by kind: " + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items(), key=str))
        )
        raise SystemExit(f"{sum(errors.values())} requests failed.")


def think_range(value):
    low, _, high = value.partition("-")
    return float(low), float(high or low)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("users", nargs="?", type=int, default=100)
    parser.add_argument("seconds", nargs="?", type=int, default=60)
    parser.add_argument(
        "think", nargs="?", type=think_range, default=(5.0, 15.0), help="seconds, e.g. 5-15"
    )
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    arguments = parser.parse_args()
    main(arguments.users, arguments.seconds, arguments.think, arguments.port or free_port())
