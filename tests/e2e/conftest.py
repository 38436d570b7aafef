"""Browser tests: pytest-playwright driving Debian's Chromium against the live server.

`playwright install` downloads a browser of its own; these tests use the system's instead
(`make setup` installs the Debian package `chromium`). Without it they fail and say so.
"""

import datetime
import io
import os
import time
from pathlib import Path
from types import SimpleNamespace

import pyotp
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings
from pytest_django.live_server_helper import LiveServer

from accounts import two_factor
from accounts.models import AuthenticatorDevice, Role
from enrollment import services as ledger_services
from enrollment.models import Ground, Kind
from instructions import services as instruction_services
from instructions.models import Instruction
from pbipemda.middleware import SessionRenewalMiddleware
from regions.models import Regency
from sktm import services as sktm_services
from tests.builders import (
    KULON_PROGO,
    LONG_AGO,
    MOVED_OUT,
    NOT_POOR_9,
    POOR_15,
    VILLAGE_A,
    VILLAGE_B,
    enroll,
    propose,
    this_month,
)
from tests.e2e.pages import empty_the_ledger
from tests.factories import (
    DEFAULT_PASSWORD,
    PersonFactory,
    UserFactory,
    agency,
    district,
    regency,
    village,
)
from verification import services as proposal_services
from verification.models import Decision, ProposalItem, RejectReason

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session", autouse=True)
def orm_beside_the_browser():
    """Playwright's sync API keeps an event loop in the test thread for the session; the
    tests' own ORM calls (and the database flush after each) are still synchronous."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium tidak ada di {CHROMIUM}: pasang paket Debian `chromium` "
            "(make setup) atau atur CHROMIUM_PATH."
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "accept_downloads": True, "locale": "id-ID"}


class Session:
    """One user's browser tab on the live server, saving numbered screenshots."""

    def __init__(self, browser, live_server, shots, user, folder):
        self.context = browser.new_context(viewport=PHONE, accept_downloads=True, locale="id-ID")
        self.page = self.context.new_page()
        self.base = live_server.url
        self.shots = shots
        self.user = user
        self.folder = folder

    def go(self, path):
        response = self.page.goto(self.base + path)
        return response

    def log_in(self):
        self.go("/masuk/")
        self.page.fill("input[name=username]", self.user.username)
        self.page.fill("input[name=password]", DEFAULT_PASSWORD)
        self.page.click("button:has-text('Masuk')")
        device = AuthenticatorDevice.objects.filter(user=self.user).first()
        if device is not None:
            self.page.wait_for_url("**/masuk/kode/**")
            self.page.fill("input[name=code]", pyotp.TOTP(device.secret).now())
            self.page.click("button:has-text('Lanjut')")
        self.page.wait_for_url(self.base + "/")
        return self

    def message(self, text):
        """Waits for the page's message (alert) holding `text`."""
        self.page.locator("[role=alert]", has_text=text).first.wait_for()

    def shot(self, name):
        self.shots.append(name)
        path = self.folder / f"{len(self.shots):02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def download(self, link_text):
        with self.page.expect_download() as info:
            self.page.click(f"a:has-text('{link_text}')")
        return Path(info.value.path()).read_bytes()


@pytest.fixture
def as_user(browser, live_server, request):
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    sessions = []

    def open_as(user):
        session = Session(browser, live_server, shots, user, folder).log_in()
        sessions.append(session)
        return session

    yield open_as
    for session in sessions:
        session.context.close()


# One world for a whole module of browser checks (layout, accessibility): built once through
# the services, served by one live server, each persona logged in once. Tests using it need no
# database themselves, so pytest-django runs them last and flushes nothing between them.
WIDTHS = [
    {"width": 390, "height": 844},
    {"width": 1024, "height": 768},
    {"width": 1366, "height": 768},
]
PERSONA_USERS = {
    "operator_a": {"role": Role.OPERATOR, "village": VILLAGE_A},
    "lurah_a": {"role": Role.VILLAGE_HEAD, "village": VILLAGE_A},
    "operator_b": {"role": Role.OPERATOR, "village": VILLAGE_B},
    "panewu_a": {"role": Role.DISTRICT_HEAD, "district": VILLAGE_A[:8]},
    "verifier": {"role": Role.VERIFIER, "regency": KULON_PROGO},
    "dukcapil": {"role": Role.DUKCAPIL, "regency": KULON_PROGO},
    "agency_staff": {"role": Role.AGENCY_STAFF, "agency": "Dinsos"},
    "leadership": {"role": Role.LEADERSHIP, "regency": KULON_PROGO},
    "admin_user": {"role": Role.ADMIN, "is_staff": True, "is_superuser": True},
}


def persona_user(name):
    fields = dict(PERSONA_USERS[name])
    for key, find in (
        ("village", village),
        ("district", district),
        ("regency", regency),
        ("agency", agency),
    ):
        if key in fields:
            fields[key] = find(fields[key])
    # A long name, as some have: the bar must still fit.
    return UserFactory(
        username=name, first_name="Raden Rara Kusumawardhani", last_name="Setyaningrum", **fields
    )


def build_world(users):
    """One object of every kind the key pages show, in village A."""
    operator, lurah, admin = users["operator_a"], users["lurah_a"], users["admin_user"]
    form = sktm_services.sktm_form_submit(actor=operator, data=POOR_15)
    form = sktm_services.sktm_form_acknowledge(actor=lurah, form=form)
    letter = sktm_services.letter_issue(actor=lurah, form=form)
    returned = sktm_services.sktm_form_submit(actor=operator, data=NOT_POOR_9)
    proposal = proposal_services.proposal_open(actor=operator, month=this_month())
    for person in PersonFactory.create_batch(3, domicile_since=LONG_AGO):
        propose(operator, proposal, person)
    proposal = proposal_services.proposal_submit(actor=lurah, proposal=proposal, place="Temon")
    # One person refused with a reason the village must read; the others wait for the verifier.
    proposal_services.item_decide(
        actor=users["verifier"],
        item=proposal.items.order_by("pk").first(),
        decision=Decision.REJECTED,
        reason=RejectReason.EVIDENCE,
        reason_text="Surat keterangan domisili dari dukuh belum dilampirkan.",
    )
    participant = PersonFactory(domicile_since=LONG_AGO)
    ledger_services.participant_add(
        actor=admin, person=participant, ground=Ground.OPENING, effective_month=this_month()
    )
    # A removal waiting for Dukcapil's validation form.
    leaving = PersonFactory(domicile_since=LONG_AGO)
    enroll(admin, leaving)
    proposal_services.removal_found(
        actor=users["verifier"],
        item=ProposalItem(
            person=leaving, kind=Kind.REMOVAL, ground=Ground.MOVED_OUT, evidence=MOVED_OUT
        ),
        note="Kunjungan rumah",
    )
    call_command("load_instruction", regency=KULON_PROGO, stdout=io.StringIO())
    instruction = Instruction.objects.get(regency__code=KULON_PROGO)
    report = instruction_services.report_open(
        actor=lurah, instruction=instruction, period_start=datetime.date(2026, 1, 1)
    )
    return SimpleNamespace(
        form=form,
        unsigned_form=returned,
        letter=letter,
        person=letter.person,
        participant=participant,
        proposal=proposal,
        instruction=instruction,
        report=report,
    )


def session_cookie(user):
    """A session that passed both login steps, as the login pages would leave it."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[two_factor.SESSION_KEY] = True
    session[SessionRenewalMiddleware.KEY] = int(time.time())
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Site:
    """The live server, the world and one logged-in browser tab per persona."""

    def __init__(self, browser, server, users, world):
        self.browser = browser
        self.base = server.url
        self.users = users
        self.world = world
        self._pages = {}
        self._contexts = []

    def page_of(self, name):
        """The persona's tab, kept for the module; None: not logged in."""
        if name not in self._pages:
            self._pages[name] = self.new_page(name)
        return self._pages[name]

    def new_page(self, name):
        """A tab in a new context with a session of its own (one a test may end)."""
        context = self.browser.new_context(viewport=PHONE, locale="id-ID")
        self._contexts.append(context)
        if name is not None:
            cookie = session_cookie(self.users[name])
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.base}]
            )
        return context.new_page()

    def close(self):
        for context in self._contexts:
            context.close()


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, browser, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media:
        if not Regency.objects.exists():
            call_command("load_reference_data", all_regencies=True, stdout=io.StringIO())
        users = {name: persona_user(name) for name in PERSONA_USERS}
        world = build_world(users)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        site = Site(browser, server, users, world)
        try:
            yield site
        finally:
            site.close()
            server._live_server_modified_settings.disable()
            server.stop()
            empty_the_ledger()
            call_command("flush", interactive=False, verbosity=0)
            # Back to the pool, or PostgreSQL cannot drop the test database at the end.
            connections.close_all()
