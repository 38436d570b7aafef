"""Issue 15 §8: the recovery codes, shown once, can be downloaded as .txt and printed; the
server keeps only their hashes and the browser no copy in its cache."""

import re
from html import unescape
from urllib.parse import unquote

import pyotp
import pytest
from django.urls import reverse

from accounts import two_factor
from accounts.models import AuthenticatorDevice, RecoveryCode

pytestmark = pytest.mark.django_db


def download_of(page):
    match = re.search(r'href="data:text/plain;charset=utf-8,([^"]+)" download="([^"]+)"', page)
    assert match, "no download link"
    return unquote(unescape(match.group(1))), match.group(2)


def set_up_authenticator(client, user):
    client.force_login(user)
    client.get(reverse("two_factor_setup"))
    secret = client.session[two_factor.PENDING_SECRET_KEY]
    return client.post(reverse("two_factor_setup"), {"code": pyotp.TOTP(secret).now()})


def test_new_codes_come_with_a_text_file_holding_each_of_them(client, verifier):
    response = set_up_authenticator(client, verifier)
    codes = response.context["codes"]
    text, name = download_of(response.content.decode())
    assert name.startswith(f"kode-pemulihan-{verifier.username}-") and name.endswith(".txt")
    assert verifier.username in text.splitlines()[0]
    assert [line for line in text.splitlines() if line in codes] == list(codes)


def test_the_codes_page_offers_printing_and_is_never_cached(client, verifier):
    response = set_up_authenticator(client, verifier)
    page = response.content.decode()
    assert "data-print" in page and ">Cetak<" in page
    assert "no-store" in response["Cache-Control"]


def test_renewed_codes_come_with_their_own_file(client, verifier):
    device = AuthenticatorDevice.objects.create(user=verifier, secret=pyotp.random_base32())
    client.force_login(verifier)
    response = client.post(
        reverse("recovery_codes_renew"), {"current_code": pyotp.TOTP(device.secret).now()}
    )
    text, _ = download_of(response.content.decode())
    assert all(code in text for code in response.context["codes"])
    assert "no-store" in response["Cache-Control"]


def test_the_server_keeps_no_code_in_clear(client, verifier):
    codes = set_up_authenticator(client, verifier).context["codes"]
    stored = list(RecoveryCode.objects.filter(user=verifier).values_list("code_hash", flat=True))
    assert len(stored) == len(codes)
    assert not any(
        code.replace("-", "") in hashed or code in hashed for code in codes for hashed in stored
    )
