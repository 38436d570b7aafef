"""Load test: simulated staff doing the daily mix against gunicorn (2 workers), on loopback.

Run, against a database built by `manage.py build_synthetic_kabupaten`:
    DATABASE_URL=postgres://…/pbipemda_scale .venv/bin/python bench/load.py [USERS] [SECONDS] [T]
Starts gunicorn on 127.0.0.1:8100 with that database, logs the simulated users in (operators and
heads of the synthetic villages, the synthetic verifier), lets each act for SECONDS (default 60)
with T seconds between its requests (default 5-15, an office's pace; 1-3 is a stress test),
stops gunicorn, and prints requests per second,
p50/p95/p99 latency per action and overall, and errors. Every user acts on its own village.
"""

import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 60
THINK = tuple(map(float, (sys.argv[3] if len(sys.argv) > 3 else "5-15").split("-")))
HOST, PORT = "127.0.0.1", 8100
PASSWORD = "sintetis-2026"
SERVER_ENV = {
    **os.environ,
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "load-test-secret-key-0123456789-0123456789-01234"),
    "ALLOWED_HOSTS": HOST,
    "SECURE_SSL_REDIRECT": "0",
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One logged-in user: its own connection and cookies (kept even when marked Secure, as
    the server runs without TLS on loopback)."""

    def __init__(self):
        self.connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
        self.cookies = {}

    def request(self, method, path, data=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                break
            except (http.client.HTTPException, OSError):
                # The server closed an idle keep-alive connection: reconnect, as a browser does.
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
                if attempt == 2:
                    raise
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, content

    def login(self, username):
        status, page = self.request("GET", "/masuk/")
        token = CSRF.search(page.decode()).group(1)
        status, _ = self.request(
            "POST",
            "/masuk/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        if status != 302:
            raise RuntimeError(f"login {username} answered {status}")


def nik(rng, prefix):
    """A woman's valid-shaped NIK of the village's kecamatan."""
    day, month, year = rng.randint(41, 68), rng.randint(1, 12), rng.randint(60, 99)
    return f"{prefix}{day:02d}{month:02d}{year:02d}{rng.randint(1, 9999):04d}"


def operator_actions(rng, village):
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
    return [
        ("sktm forms", "GET", "/sktm/", None),
        ("sktm new form", "GET", "/sktm/baru/", None),
        ("sktm score (htmx)", "POST", "/sktm/skor/", form),
        (
            "sktm submit",
            "POST",
            "/sktm/baru/",
            {**form, "nik": nik(rng, prefix), "confirm_warnings": "on"},
        ),
        ("roster search", "GET", f"/peserta/?q={rng.choice('ASTW')}", None),
        ("usulan list", "GET", "/usulan/", None),
    ]


def head_actions(rng, village):
    letter = rng.choice(village["letters"]) if village["letters"] else None
    actions = [("letters list", "GET", "/sktm/surat/", None), ("sktm forms", "GET", "/sktm/", None)]
    if letter:
        actions.append(("letter PDF", "GET", f"/sktm/surat/{letter}.pdf", None))
    return actions


def verifier_actions(rng, waiting):
    actions = [("usulan queue", "GET", "/usulan/", None)]
    if waiting:
        proposal, items = rng.choice(list(waiting.items()))
        actions.append(("usulan page", "GET", f"/usulan/{proposal}/", None))
        if items:
            item = items.pop()
            actions.append(
                (
                    "decide person",
                    "POST",
                    f"/usulan/penduduk/{item}/putuskan/",
                    {"decision": "approved"},
                )
            )
    return actions


def main():
    os.environ.update(SERVER_ENV, DJANGO_SETTINGS_MODULE="pbipemda.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from accounts.models import Role, User
    from sktm.models import Letter
    from verification.models import Decision, ProposalItem

    operators = list(
        User.objects.filter(role=Role.OPERATOR, username__startswith="op").select_related("village")
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
    django.db.connections.close_all()

    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "pbipemda.wsgi",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--bind",
            f"{HOST}:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=SERVER_ENV,
    )
    try:
        for _ in range(50):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/masuk/")
                break
            except OSError:
                time.sleep(0.2)
        results, errors, lock = defaultdict(list), defaultdict(int), threading.Lock()
        kinds = defaultdict(int)
        # The daily mix: six operators for every two heads and two verifiers.
        roles = (["operator"] * 6 + ["head"] * 2 + ["verifier"] * 2) * (USERS // 10 + 1)
        users = []
        for n, role in enumerate(roles[:USERS]):
            account = operators[n % len(operators)]
            village = {"code": account.village.code, "letters": letters[account.village_id]}
            username = {
                "operator": account.username,
                "head": heads[account.village_id].username,
                "verifier": verifier.username,
            }[role]
            users.append((role, username, village))
        sessions = []
        for role, username, village in users:
            session = Session()
            session.login(username)
            sessions.append((session, role, village))
        stop = time.monotonic() + SECONDS

        def act(session, role, village, seed):
            rng = random.Random(seed)
            time.sleep(rng.uniform(0, THINK[1]))
            while time.monotonic() < stop:
                if role == "operator":
                    actions = operator_actions(rng, village)
                elif role == "head":
                    actions = head_actions(rng, village)
                else:
                    with lock:
                        actions = verifier_actions(rng, waiting)
                name, method, path, data = rng.choice(actions)
                start = time.perf_counter()
                try:
                    status, _ = session.request(
                        method, path, data, {"HX-Request": "true"} if "htmx" in name else None
                    )
                    failed = status >= 400
                except Exception:  # noqa: BLE001 (counted as an error)
                    failed = True
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    results[name].append(elapsed)
                    if failed:
                        errors[name] += 1
                        kinds[failed] += 1
                time.sleep(rng.uniform(*THINK))

        threads = [threading.Thread(target=act, args=(*s, n)) for n, s in enumerate(sessions)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        duration = time.monotonic() - began
    finally:
        server.terminate()
        server.wait()

    def pct(values, p):
        return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]

    every = [v for values in results.values() for v in values]
    print(
        f"{USERS} users thinking {THINK[0]:g}-{THINK[1]:g} s, {duration:.0f} s, "
        f"gunicorn 2 workers x 4 threads, {os.cpu_count()} cores"
    )
    print(f"{'action':<20}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name in sorted(results):
        values = results[name]
        print(
            f"{name:<20}{len(values):>9}{pct(values, 50):>9.0f}{pct(values, 95):>9.0f}"
            f"{pct(values, 99):>9.0f}{errors[name]:>8}"
        )
    print(
        f"{'all':<20}{len(every):>9}{pct(every, 50):>9.0f}{pct(every, 95):>9.0f}"
        f"{pct(every, 99):>9.0f}{sum(errors.values()):>8}"
    )
    print(f"throughput {len(every) / duration:.1f} requests/s (goal: p95 under 300 ms, no errors)")
    if kinds:
        print(
            "errors by kind: " + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items(), key=str))
        )


if __name__ == "__main__":
    main()
