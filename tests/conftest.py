"""Personas: one user per role, with two villages in two different kapanewon of Kulon Progo
so that every protected view can be tried from another area."""

import functools
import io
import time

import pytest
from django.core.management import call_command
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.test import Client

from accounts import two_factor
from accounts.models import Role
from enrollment import services as ledger
from pbipemda.middleware import SessionRenewalMiddleware
from sktm import services as sktm_services
from tests.builders import (
    KULON_PROGO,
    PERSONAS,
    POOR_15,
    VILLAGE_A,
    VILLAGE_B,
    assert_projection_matches_ledger,
)
from tests.factories import UserFactory, agency, district, regency, village

POSTGRES_FLUSH = PostgresOperations.sql_flush


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real regions of both kabupaten, faskes, UMK, premium and agencies, loaded once."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", all_regencies=True, stdout=io.StringIO())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgresOperations, "sql_flush", flush_past_truncate_triggers)
        yield


def flush_past_truncate_triggers(self, style, tables, **kwargs):
    """The flush after a test that commits truncates every table, which the append-only
    tables refuse (enrollment 0006, audit 0002): the tests' superuser lifts the triggers for
    that transaction, as no role of a deployment can."""
    statements = POSTGRES_FLUSH(self, style, tables, **kwargs)
    return ["SET LOCAL session_replication_role = replica", *statements] if statements else []


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The personas' passwords need no work factor in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def force_login_passes_both_steps(monkeypatch):
    """`client.force_login(user)` and `client.login(...)` stand for a user who passed the
    password and, where it has one, the authenticator; tests of the second step itself post
    to the login pages instead."""
    original = Client._login

    def login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[two_factor.SESSION_KEY] = True
        session[SessionRenewalMiddleware.KEY] = int(time.time())
        session.save()

    monkeypatch.setattr(Client, "_login", login)


@pytest.fixture
def operator_a(db):
    return UserFactory(username="operator_a", role=Role.OPERATOR, village=village(VILLAGE_A))


@pytest.fixture
def lurah_a(db):
    return UserFactory(username="lurah_a", role=Role.VILLAGE_HEAD, village=village(VILLAGE_A))


@pytest.fixture
def operator_b(db):
    return UserFactory(username="operator_b", role=Role.OPERATOR, village=village(VILLAGE_B))


@pytest.fixture
def panewu_a(db):
    return UserFactory(
        username="panewu_a", role=Role.DISTRICT_HEAD, district=district(VILLAGE_A[:8])
    )


@pytest.fixture
def verifier(db):
    return UserFactory(username="verifikator", role=Role.VERIFIER, regency=regency(KULON_PROGO))


@pytest.fixture
def dukcapil(db):
    return UserFactory(username="dukcapil", role=Role.DUKCAPIL, regency=regency(KULON_PROGO))


@pytest.fixture
def agency_staff(db):
    return UserFactory(username="dinsos", role=Role.AGENCY_STAFF, agency=agency("Dinsos"))


@pytest.fixture
def leadership(db):
    return UserFactory(username="sekda", role=Role.LEADERSHIP, regency=regency(KULON_PROGO))


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture(params=PERSONAS)
def persona(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def submitted_form(operator_a):
    return sktm_services.sktm_form_submit(actor=operator_a, data=POOR_15)


@pytest.fixture
def acknowledged_form(submitted_form, lurah_a):
    return sktm_services.sktm_form_acknowledge(actor=lurah_a, form=submitted_form)


@pytest.fixture
def letter(acknowledged_form, lurah_a):
    return sktm_services.letter_issue(actor=lurah_a, form=acknowledged_form)


@pytest.fixture
def committed_reference_data(transactional_db):
    """For tests that commit (threads, concurrent writers): the flush after each such test
    empties the database, so load the reference data again when it is missing."""
    from regions.models import Regency

    if not Regency.objects.exists():
        call_command("load_reference_data", all_regencies=True, stdout=io.StringIO())


def uses_database(request):
    """Whether the test uses the database, and whether transactionally. A browser test is left
    out: on SQLite its live server thread shares the test's connection, and setting the check
    up around it stalled the server in the full suite; its flows reach the ledger through the
    services every other test checks."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if "live_server" in names:
        return False, True
    transactional = bool(
        "transactional_db" in names or (marker and marker.kwargs.get("transaction"))
    )
    return bool(marker or transactional or "db" in names), transactional


@pytest.fixture(autouse=True)
def projection_checked(request, monkeypatch):
    """In every test that uses the database: the projection equals the ledger after every
    ledger append and every import, and at the end, whichever service wrote the ledger."""
    used, transactional = uses_database(request)
    if not used:
        yield
        return
    # Set up the database first, so that it is still there for the final check.
    request.getfixturevalue("transactional_db" if transactional else "db")

    def checked(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            result = function(*args, **kwargs)
            assert_projection_matches_ledger()
            return result

        return wrapper

    monkeypatch.setattr(ledger, "append", checked(ledger.append))
    monkeypatch.setattr(ledger, "participants_import", checked(ledger.participants_import))
    yield
    assert_projection_matches_ledger()
