"""The second step cannot be guessed: wrong codes are counted per account across logins, lock
it for a cool-off, are logged, and an admin can lift the lock. Re-linking the authenticator
and renewing recovery codes need the current code; wrong old passwords are throttled."""

import datetime

import pyotp
import pytest
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
