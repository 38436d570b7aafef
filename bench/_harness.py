"""What the bench scripts share: Django set up on the database they measure, a throwaway
database for the scripts that build their own data, users past both login steps, and requests
checked to be the page asked for.

A script that builds its own data runs on a throwaway database: with DATABASE_URL=postgres://…
a database on that server named BENCH_DATABASE (default `pbipemda_bench_<script>`), created
and dropped; without DATABASE_URL a SQLite file of that name in the temporary directory. When
BENCH_TEMPLATE holds the URL of a database already migrated and holding the reference data of
every kabupaten, the throwaway database is a copy of it instead of being migrated: the smoke
test (tests/bench/) runs every script that way in seconds.
"""

import contextlib
import datetime
import http.client
import io
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-secret-key-0123456789-0123456789-0123456789"
# The load benchmarks' gunicorn listens here only.
HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PageError(SystemExit):
    """A timed request that did not answer with the page asked for: the figure would be
    wrong, so the script stops."""

    def __init__(self, url, problem):
        super().__init__(f"{url}: {problem}; not the page asked for, figures not printed.")


# Production settings refuse to start without a key for the encrypted fields: one for benches.
FIELD_KEY = "YmVuY2gtb25seS1maWVsZC1rZXktbm90LWZvci1wcm8="


def setup(database_url=None, **environ):
    """Sets Django up, with production settings, on `database_url` (by default the one
    DATABASE_URL names)."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(DJANGO_SETTINGS_MODULE="pbipemda.settings", DJANGO_DEBUG="0", **environ)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("PBIPEMDA_FIELD_KEY", FIELD_KEY)
    # The pages are measured, not their static files: no collected manifest is needed.
    os.environ.setdefault("STATIC_MANIFEST", "0")
    import django

    # WhiteNoise warns when the static files are not collected: pages need none here.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    django.setup()


def print_run():
    """The date, commit and command of this run, printed above its figures: what a published
    figure carries so that it can be measured again."""
    from django.db import connection

    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    command = shlex.join([f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    now = datetime.datetime.now(datetime.UTC)
    print(f"{now:%Y-%m-%d %H:%M} UTC, commit {commit}, {connection.vendor}: {command}")


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def throwaway_url():
    """The URL of the running script's throwaway database."""
    name = os.environ.get("BENCH_DATABASE") or f"pbipemda_bench_{Path(sys.argv[0]).stem}"
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith("postgres"):
        return server.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{Path(tempfile.gettempdir()) / name}.sqlite3"


@contextlib.contextmanager
def throwaway_database():
    """Creates the database Django was set up on (a copy of BENCH_TEMPLATE, or migrated with
    the reference data), and drops it afterwards, also when the script fails."""
    from django.core.management import call_command
    from django.db import connections

    url, template = os.environ["DATABASE_URL"], os.environ.get("BENCH_TEMPLATE", "")
    drop(url)
    if url.startswith("postgres"):
        import psycopg

        copy = f" TEMPLATE {database_name(template)}" if template else ""
        with psycopg.connect(server_url(url), autocommit=True) as server:
            server.execute(f"CREATE DATABASE {database_name(url)}{copy}")
    elif template:
        shutil.copyfile(sqlite_path(template), sqlite_path(url))
    try:
        if not template:
            call_command("migrate", verbosity=0)
            call_command("load_reference_data", all_regencies=True, stdout=io.StringIO())
        yield
    finally:
        connections.close_all()
        if url.startswith("postgres"):
            connections["default"].close_pool()
        drop(url)


def server_url(url):
    """The maintenance database of the server holding `url`'s database."""
    return url.rsplit("/", 1)[0] + "/postgres"


def sqlite_path(url):
    return Path(url.removeprefix("sqlite:///"))


def drop(url):
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(server_url(url), autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {database_name(url)}")
    else:
        sqlite_path(url).unlink(missing_ok=True)


def login(client, user):
    """Logs `user` in on the test client as one who passed the password and, where the role
    has one, the authenticator, as `force_login_passes_both_steps` does in the tests."""
    from accounts import two_factor
    from pbipemda.middleware import SessionRenewalMiddleware

    client.force_login(user)
    session = client.session
    session[two_factor.SESSION_KEY] = True
    session[SessionRenewalMiddleware.KEY] = int(time.time())
    session.save()
    return client


def get(client, url, *, content_type="text/html", marker=None, **params):
    """GETs `url` and returns its body, or stops the script when the answer is not the page
    asked for: a redirect (to the login or its second step), an error, another kind of
    content, or a page without `marker`."""
    response = client.get(url, params, secure=True)
    if response.status_code != 200:
        where = response.headers.get("Location", "")
        raise PageError(url, f"answered {response.status_code} {where}".strip())
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if not response.headers.get("Content-Type", "").startswith(content_type):
        raise PageError(url, f"answered {response.headers.get('Content-Type')}")
    if content_type == "application/pdf" and not body.startswith(b"%PDF"):
        raise PageError(url, "is no PDF")
    if marker is not None and marker.encode() not in body:
        raise PageError(url, f"has no {marker!r}")
    return body


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class WrongPage(Exception):
    """An answer that is not the page the action asked for: the bench is wrong, not slow."""


class Session:
    """One user's browser: its own connection and cookies (kept even when marked Secure, as
    the server runs without TLS on loopback)."""

    def __init__(self, port):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies = {}

    def request(self, method, path, data=None, headers=None):
        """Returns the status, the headers (lower-case names) and the body."""
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
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt == 2:
                    raise
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content

    def post_form(self, path, data):
        """Posts `data` through the form at `path`, as a browser does: GET, then POST with its
        CSRF token; returns the POST's answer."""
        _, _, page = self.request("GET", path)
        token = CSRF.search(page.decode())
        if token is None:
            raise WrongPage(f"{path}: no form")
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **data})

    def login(self, username, password, code=None):
        """Both login steps, through the login pages: the password, then (`code`) an
        authenticator or recovery code."""
        from django.urls import reverse

        status, headers, _ = self.post_form(
            reverse("login"), {"username": username, "password": password}
        )
        if status != 302 or headers["location"].startswith(reverse("login")):
            raise WrongPage(f"login of {username}: the password was refused ({status})")
        if code is not None:
            verify = reverse("two_factor_verify")
            status, headers, _ = self.post_form(verify, {"code": code})
            if status != 302 or headers["location"].startswith(verify):
                raise WrongPage(f"login of {username}: the code was refused ({status})")
