"""The second step cannot be guessed: wrong codes are counted per account across logins, lock
it for a cool-off, are logged, and an admin can lift the lock. Re-linking the authenticator
and renewing recovery codes need the current code; wrong old passwords are throttled."""

import datetime
import importlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pyotp
import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts import two_factor
from accounts.models import AuthenticatorDevice, RecoveryCode
from audit.models import AccessLog
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def device(verifier):
    return AuthenticatorDevice.objects.create(user=verifier, secret=pyotp.random_base32())


def log_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD})


def code(client, value):
    return client.post(reverse("two_factor_verify"), {"code": value}, follow=True)


def right_code(device):
    device.refresh_from_db()
    return pyotp.TOTP(device.secret).now()


def test_a_fresh_login_does_not_give_more_guesses(client, verifier, device, settings):
    for _ in range(settings.TWO_FACTOR_FAILURE_LIMIT - 1):
        log_in(client, verifier)
        assert "Kode salah" in code(client, "123456").content.decode()
        client.logout()
    log_in(client, verifier)
    page = code(client, "123456").content.decode()
    assert "dikunci sampai pukul" in page and "Hubungi admin" in page
    assert "_auth_user_id" not in client.session
    # Locked: even the right code is refused until the cool-off ends.
    log_in(client, verifier)
    assert "dikunci sampai pukul" in code(client, right_code(device)).content.decode()
    assert client.get(reverse("home")).status_code == 302
    entry = AccessLog.objects.get(action="lockout")
    assert entry.actor == verifier and "dikunci sampai" in entry.what


def test_the_lock_opens_after_the_cool_off(client, verifier, device, settings):
    for _ in range(settings.TWO_FACTOR_FAILURE_LIMIT):
        assert not two_factor.code_accept(user=verifier, code="000000")
    assert two_factor.locked_until(verifier)
    with pytest.raises(two_factor.SecondStepLocked):
        two_factor.code_accept(user=verifier, code=right_code(device))
    AuthenticatorDevice.objects.filter(pk=device.pk).update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert two_factor.code_accept(user=verifier, code=right_code(device))


def test_a_right_code_clears_earlier_failures(verifier, device, settings):
    for _ in range(settings.TWO_FACTOR_FAILURE_LIMIT - 1):
        two_factor.code_accept(user=verifier, code="000000")
    assert two_factor.code_accept(user=verifier, code=right_code(device))
    device.refresh_from_db()
    assert device.failures == 0 and device.locked_until is None


def test_an_admin_lifts_the_lock_and_it_is_logged(client, admin_user, verifier, device, settings):
    for _ in range(settings.TWO_FACTOR_FAILURE_LIMIT):
        two_factor.code_accept(user=verifier, code="000000")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_authenticatordevice_changelist"),
        {"action": "lift_lock", "_selected_action": [device.pk]},
    )
    assert response.status_code == 302
    assert two_factor.locked_until(verifier) is None
    assert AccessLog.objects.get(action="unlock").actor == admin_user
    assert two_factor.code_accept(user=verifier, code=right_code(device))


def test_relinking_the_authenticator_needs_the_current_code(client, verifier, device):
    client.force_login(verifier)
    client.get(reverse("two_factor_setup"))
    new_secret = client.session[two_factor.PENDING_SECRET_KEY]
    new_code = pyotp.TOTP(new_secret).now()
    response = client.post(
        reverse("two_factor_setup"), {"code": new_code, "current_code": "000000"}, follow=True
    )
    assert "Kode saat ini salah" in response.content.decode()
    assert AuthenticatorDevice.objects.get(user=verifier).secret == device.secret
    client.get(reverse("two_factor_setup"))
    new_secret = client.session[two_factor.PENDING_SECRET_KEY]
    response = client.post(
        reverse("two_factor_setup"),
        {"code": pyotp.TOTP(new_secret).now(), "current_code": right_code(device)},
    )
    assert len(response.context["codes"]) == 10
    assert AuthenticatorDevice.objects.get(user=verifier).secret == new_secret


def test_renewing_recovery_codes_needs_the_current_code(client, verifier, device):
    old = two_factor.recovery_codes_renew(user=verifier)
    client.force_login(verifier)
    response = client.post(reverse("recovery_codes_renew"), {"current_code": "000000"}, follow=True)
    assert "Kode saat ini salah" in response.content.decode()
    assert two_factor.code_accept(user=verifier, code=old[0])
    response = client.post(reverse("recovery_codes_renew"), {"current_code": right_code(device)})
    assert len(response.context["codes"]) == 10
    assert RecoveryCode.objects.filter(user=verifier, used_at__isnull=True).count() == 10


def test_wrong_old_passwords_are_throttled(client, operator_a, settings):
    client.force_login(operator_a)
    url = reverse("password_change")
    wrong = {
        "old_password": "salah",
        "new_password1": "Sandi-Baru-123",
        "new_password2": "Sandi-Baru-123",
    }
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, wrong).status_code == 200
    assert client.post(url, wrong).status_code == 429
    right = {**wrong, "old_password": DEFAULT_PASSWORD}
    assert client.post(url, right).status_code == 429
    operator_a.refresh_from_db()
    assert operator_a.check_password(DEFAULT_PASSWORD)


def raw_secret(device):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_authenticatordevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_the_database_holds_the_authenticator_secret_only_encrypted(client, verifier, device):
    stored = raw_secret(device)
    assert device.secret not in stored
    assert not re.fullmatch(r"[A-Z2-7=]+", stored)
    # Whoever reads the table without the key learns nothing; the login still works.
    log_in(client, verifier)
    assert code(client, right_code(device)).request["PATH_INFO"] == reverse("home")


def test_a_rotated_key_still_opens_old_secrets_and_rotation_rewrites_them(
    client, verifier, device, settings
):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    before = raw_secret(device)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    assert right_code(device) == pyotp.TOTP(device.secret).now()
    out = io.StringIO()
    call_command("rotate_field_key", stdout=out)
    assert "1 kunci rahasia" in out.getvalue()
    after = raw_secret(device)
    assert after != before
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    log_in(client, verifier)
    assert code(client, right_code(device)).request["PATH_INFO"] == reverse("home")


def test_a_secret_under_an_unknown_key_is_a_clear_configuration_error(device, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="rotate_field_key"):
        AuthenticatorDevice.objects.get(pk=device.pk)


def test_the_migration_encrypts_secrets_stored_in_clear_and_its_reverse_decrypts(device):
    migration = importlib.import_module("accounts.migrations.0004_authenticator_secret_encrypted")
    forward, backward = (
        migration.Migration.operations[1].code,
        migration.Migration.operations[1].reverse_code,
    )
    editor = SimpleNamespace(connection=connection)
    clear = pyotp.random_base32()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_authenticatordevice SET secret = %s WHERE id = %s", [clear, device.pk]
        )
    forward(None, editor)
    assert raw_secret(device) != clear
    assert AuthenticatorDevice.objects.get(pk=device.pk).secret == clear
    forward(None, editor)  # run twice, a secret is encrypted once
    assert AuthenticatorDevice.objects.get(pk=device.pk).secret == clear
    backward(None, editor)
    assert raw_secret(device) == clear


@pytest.mark.parametrize(("debug", "refused"), [("0", True), ("1", False)])
def test_production_needs_the_field_key_and_debug_derives_one(debug, refused):
    env = {k: v for k, v in os.environ.items() if k != "PBIPEMDA_FIELD_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env={**env, "DJANGO_DEBUG": debug},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ("PBIPEMDA_FIELD_KEY wajib diisi" in result.stderr) == refused
    assert (result.returncode != 0) == refused


def test_the_code_page_says_at_once_that_the_second_step_is_locked(client, verifier, device):
    until = timezone.now() + datetime.timedelta(minutes=10)
    AuthenticatorDevice.objects.filter(pk=device.pk).update(locked_until=until)
    response = log_in(client, verifier)
    page = client.get(response["Location"], follow=True).content.decode()
    assert "dikunci sampai pukul" in page and "Hubungi admin" in page
    assert f"{timezone.localtime(until):%H:%M}" in page
    assert 'name="code"' not in page
    device.refresh_from_db()
    assert device.failures == 0 and device.locked_until == until
