"""Login throttling, idle sessions, security headers and the two-step login."""

import time
from pathlib import Path

import pyotp
import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts import permissions, two_factor
from accounts.models import AuthenticatorDevice, RecoveryCode
from pbipemda.middleware import SessionRenewalMiddleware
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, user, password=DEFAULT_PASSWORD, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": password}, **extra)


def test_fifth_wrong_password_locks_the_pair_and_says_when_to_retry(client, operator_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, operator_a, "salah").status_code == 200
    response = log_in(client, operator_a, "salah")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Coba lagi setelah pukul" in page and "15 menit" in page
    # Locked: even the right password is refused until the cool-off ends.
    assert log_in(client, operator_a).status_code == 429
    assert AccessAttempt.objects.filter(username="operator_a").exists()


def test_lockout_is_by_username_and_address(client, operator_a, lurah_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, operator_a, "salah")
    # Another user from the same address, and the same user from another address, log in.
    assert log_in(client, lurah_a).status_code == 302
    other = log_in(client, operator_a, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_a_right_password_clears_earlier_failures(client, operator_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, operator_a, "salah")
    assert log_in(client, operator_a).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, operator_a, "salah").status_code == 200


def test_session_expires_after_idle_minutes_and_each_request_renews_it(
    client, operator_a, settings
):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client.force_login(operator_a)
    session = client.session
    session[SessionRenewalMiddleware.KEY] = int(time.time()) - 120
    session.save()
    before = client.session.get_expiry_date()
    client.get(reverse("home"))
    assert client.session[SessionRenewalMiddleware.KEY] >= int(time.time()) - 5
    assert client.session.get_expiry_date() >= before


def test_pages_carry_a_content_security_policy_without_inline_script(client, operator_a):
    client.force_login(operator_a)
    response = client.get(reverse("sktm:form_create"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page = response.content.decode()
    assert "<script>" not in page and " style=" not in page
    assert response["X-Frame-Options"] == "DENY"


def test_no_page_template_has_inline_script_or_style():
    """PDF templates are rendered by WeasyPrint, never by a browser, and are left out."""
    root = Path(__file__).resolve().parents[2] / "templates"
    pdf_templates = {
        "lampiran_a.html",
        "pdf_page.html",
        "lampiran_d_pdf.html",
        "matrix_pdf.html",
        "recap_pdf.html",
        "subject_access_pdf.html",
    }
    offenders = [
        str(template.relative_to(root))
        for template in root.rglob("*.html")
        if template.name not in pdf_templates
        and any(mark in template.read_text() for mark in (" style=", "<style", "<script>"))
    ]
    assert not offenders


# The second step -----------------------------------------------------------------------


def test_verifier_without_authenticator_must_set_one_up(client, verifier):
    response = log_in(client, verifier)
    assert response.status_code == 302
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    setup = client.get(response["Location"])
    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    secret = client.session[two_factor.PENDING_SECRET_KEY]
    wrong = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert "Kode salah" in wrong.content.decode()
    done = client.post(reverse("two_factor_setup"), {"code": pyotp.TOTP(secret).now()})
    codes = done.context["codes"]
    assert len(codes) == 10 and RecoveryCode.objects.filter(user=verifier).count() == 10
    assert AuthenticatorDevice.objects.get(user=verifier).secret == secret
    assert client.get(reverse("home")).status_code == 200


@pytest.fixture
def device(verifier):
    return AuthenticatorDevice.objects.create(user=verifier, secret=pyotp.random_base32())


def test_user_with_authenticator_passes_the_code_step(client, verifier, device):
    log_in(client, verifier)
    response = client.get(reverse("verification:proposal_list"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    response = client.post(
        reverse("two_factor_verify"),
        {"code": pyotp.TOTP(device.secret).now(), "next": "/usulan/"},
    )
    assert response.status_code == 302 and response["Location"] == "/usulan/"
    assert client.get(reverse("verification:proposal_list")).status_code == 200


def test_a_code_is_accepted_once(client, verifier, device):
    code = pyotp.TOTP(device.secret).now()
    assert two_factor.code_accept(user=verifier, code=code)
    assert not two_factor.code_accept(user=verifier, code=code)


def test_recovery_code_works_once(client, verifier, device):
    code = two_factor.recovery_codes_renew(user=verifier)[0]
    assert two_factor.code_accept(user=verifier, code=code.upper())
    assert not two_factor.code_accept(user=verifier, code=code)


def test_too_many_wrong_codes_log_the_user_out(client, verifier, device, settings):
    log_in(client, verifier)
    for _ in range(settings.TWO_FACTOR_FAILURE_LIMIT - 1):
        response = client.post(reverse("two_factor_verify"), {"code": "123456"})
        assert "Kode salah" in response.content.decode()
    response = client.post(reverse("two_factor_verify"), {"code": "123456"})
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_next_parameter_never_leaves_the_site(client, verifier, device):
    log_in(client, verifier)
    response = client.post(
        reverse("two_factor_verify"),
        {"code": pyotp.TOTP(device.secret).now(), "next": "https://contoh.example/"},
    )
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("persona", ["verifier", "dukcapil", "admin_user"])
def test_roles_that_must_use_the_second_step(persona, client, request):
    user = request.getfixturevalue(persona)
    assert permissions.is_two_factor_required(user)
    log_in(client, user)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))


@pytest.mark.parametrize(
    "persona", ["operator_a", "lurah_a", "panewu_a", "agency_staff", "leadership"]
)
def test_other_roles_may_skip_it_until_they_turn_it_on(persona, client, request):
    user = request.getfixturevalue(persona)
    log_in(client, user)
    assert client.get(reverse("home")).status_code == 200
    AuthenticatorDevice.objects.create(user=user, secret=pyotp.random_base32())
    client.logout()
    log_in(client, user)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_verify"))


def test_public_letter_check_needs_no_second_step(client, verifier):
    log_in(client, verifier)
    response = client.get(reverse("sktm:letter_verify", args=["tidak-ada"]))
    assert response.status_code == 404


def test_admin_resets_a_lost_authenticator(client, admin_user, verifier, device):
    two_factor.recovery_codes_renew(user=verifier)
    client.force_login(admin_user)
    url = reverse("admin:accounts_authenticatordevice_delete", args=[device.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=verifier).exists()
    assert not RecoveryCode.objects.filter(user=verifier).exists()


# Personal data: the privacy note ------------------------------------------------------


def test_the_login_page_names_the_data_protection_officer(client, settings):
    settings.DPO_NAME = "Dra. Siti Rahayu"
    settings.DPO_EMAIL = "ppdp@kulonprogokab.go.id"
    settings.DPO_PHONE = "0274 773000"
    page = client.get(reverse("login")).content.decode()
    assert "Pelindungan data pribadi" in page
    for contact in ("Dra. Siti Rahayu", "ppdp@kulonprogokab.go.id", "0274 773000"):
        assert contact in page


def test_without_an_officer_set_the_note_still_says_whom_to_ask(client, settings):
    settings.DPO_NAME = settings.DPO_EMAIL = settings.DPO_PHONE = ""
    page = client.get(reverse("login")).content.decode()
    assert "Pelindungan data pribadi" in page and "admin" in page
