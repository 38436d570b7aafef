"""The second login step: a code from an authenticator app (TOTP) or a recovery code.

Some roles must use it (`permissions.is_two_factor_required`); the others may. After the
password, a user who has an authenticator (or must have one) reaches no page but this step's
until the session is marked verified.
"""

import hashlib
import secrets

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import AuthenticatorDevice, RecoveryCode
from accounts.permissions import is_two_factor_required

SESSION_KEY = "two_factor_verified"
PENDING_SECRET_KEY = "two_factor_pending_secret"
RECOVERY_CODE_COUNT = 10
# Pages a user between the two steps may open.
OPEN_URL_NAMES = {"two_factor_verify", "two_factor_setup", "logout"}


def device_of(user):
    return AuthenticatorDevice.objects.filter(user=user).first()


def is_verified(request):
    return bool(request.session.get(SESSION_KEY))


def mark_verified(request):
    request.session.cycle_key()
    request.session[SESSION_KEY] = True


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer())


def issuer():
    return settings.TWO_FACTOR_ISSUER


def qr_svg(uri):
    return segno.make(uri, error="m").svg_inline(scale=5, omitsize=False)


def matching_step(secret, code, after_step):
    """The time step (of now, the one before or the one after, for clock drift) whose code is
    `code` and that is later than `after_step`; None when there is none."""
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    step = totp.timecode(now)
    for candidate in (step - 1, step, step + 1):
        if candidate > after_step and secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def code_hash(code):
    return hashlib.sha256("".join(code.split()).lower().encode()).hexdigest()


def device_confirm(*, user, secret, code):
    """Saves the authenticator once its first code is right, with fresh recovery codes;
    returns the recovery codes in clear (shown once), or None when the code is wrong."""
    step = matching_step(secret, code, after_step=0)
    if step is None:
        return None
    with transaction.atomic():
        AuthenticatorDevice.objects.update_or_create(
            user=user, defaults={"secret": secret, "last_step": step}
        )
        return recovery_codes_renew(user=user)


def recovery_codes_renew(*, user):
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=code_hash(code)) for code in codes
        )
    return codes


class SecondStepLocked(Exception):
    """Too many wrong codes: no code is checked until `until`."""

    def __init__(self, until):
        super().__init__(until)
        self.until = until


def locked_until(user):
    """When the user's second step opens again; None when it is open."""
    until = (
        AuthenticatorDevice.objects.filter(user=user).values_list("locked_until", flat=True).first()
    )
    return until if until and until > timezone.now() else None


def code_accept(*, user, code):
    """True when `code` is the authenticator's current code (never one already used) or an
    unused recovery code, which is then spent. Wrong codes are counted on the account under
    its row lock; the TWO_FACTOR_FAILURE_LIMIT-th locks the second step for the cool-off, and
    while it is locked no code is checked (SecondStepLocked)."""
    with transaction.atomic():
        device = AuthenticatorDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            return False
        now = timezone.now()
        if device.locked_until and device.locked_until > now:
            raise SecondStepLocked(device.locked_until)
        step = matching_step(device.secret, code, after_step=device.last_step)
        if step is not None:
            device.last_step = step
        spent = step is None and RecoveryCode.objects.filter(
            user=user, code_hash=code_hash(code), used_at__isnull=True
        ).update(used_at=now)
        if step is not None or spent:
            device.failures, device.locked_until = 0, None
        else:
            device.failures += 1
            if device.failures >= settings.TWO_FACTOR_FAILURE_LIMIT:
                device.failures = 0
                device.locked_until = now + settings.TWO_FACTOR_COOLOFF_TIME
        device.save(update_fields=["last_step", "failures", "locked_until"])
        return step is not None or bool(spent)


def lock_lift(*, user):
    """An admin opens a user's locked second step before the cool-off ends."""
    return AuthenticatorDevice.objects.filter(user=user).update(failures=0, locked_until=None)


class TwoFactorMiddleware:
    """Sends a logged-in user who has not passed the second step to it (or, for a role that
    must use it and has no authenticator yet, to its setup)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or is_verified(request):
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public pages (the SKTM check, the login page)
        if request.resolver_match.url_name in OPEN_URL_NAMES:
            return None
        has_device = AuthenticatorDevice.objects.filter(user=user).exists()
        if not has_device and not is_two_factor_required(user):
            return None
        target = "two_factor_verify" if has_device else "two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
