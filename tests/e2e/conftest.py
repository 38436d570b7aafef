"""Browser tests: pytest-playwright driving Debian's Chromium against the live server.

`playwright install` downloads a browser of its own; these tests use the system's instead
(`make setup` installs the Debian package `chromium`). Without it they fail and say so.
"""

import os
from pathlib import Path

import pyotp
import pytest

from accounts.models import AuthenticatorDevice
from tests.factories import DEFAULT_PASSWORD

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
