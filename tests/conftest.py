"""Personas: one user per role, with two villages in two different kapanewon of Kulon Progo
so that every protected view can be tried from another area."""

import io
import time

import pytest
from django.core.management import call_command
from django.test import Client

from accounts import two_factor
from accounts.models import Role
from pbipemda.middleware import SessionRenewalMiddleware
from tests.factories import UserFactory, agency, district, regency, village

VILLAGE_A = "34.01.01.2001"  # Kalurahan Jangkaran, Kapanewon Temon
VILLAGE_A2 = "34.01.01.2002"  # Kalurahan Sindutan, also Temon
VILLAGE_B = "34.01.02.2001"  # Kapanewon Wates
KULON_PROGO = "34.01"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real regions of both kabupaten, faskes, UMK, premium and agencies, loaded once."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", all_regencies=True, stdout=io.StringIO())


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


PERSONAS = [
    "operator_a",
    "lurah_a",
    "operator_b",
    "panewu_a",
    "verifier",
    "dukcapil",
    "agency_staff",
    "leadership",
    "admin_user",
]


@pytest.fixture(params=PERSONAS)
def persona(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def committed_reference_data(transactional_db):
    """For tests that commit (threads, concurrent writers): the flush after each such test
    empties the database, so load the reference data again when it is missing."""
    from regions.models import Regency

    if not Regency.objects.exists():
        call_command("load_reference_data", all_regencies=True, stdout=io.StringIO())
