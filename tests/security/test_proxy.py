"""Behind the reverse proxy: the client's address comes from X-Forwarded-For."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from audit.addresses import client_ip
from audit.models import AccessLog
from sktm import services as sktm_services
from sktm.models import LetterCheck
from tests.builders import POOR_15
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
ATTACKER = "203.0.113.66"
USER = "198.51.100.7"


def through_proxy(client_address, claimed=""):
    """What nginx sends on: it appends the address it received the request from."""
    forwarded = f"{claimed}, {client_address}" if claimed else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def log_in(client, user, password, address, claimed=""):
    return client.post(
        reverse("login"),
        {"username": user.username, "password": password},
        **through_proxy(address, claimed),
    )


@pytest.fixture
def proxied(settings):
    settings.TRUSTED_PROXIES = 1


def test_an_attackers_lockout_does_not_stop_the_user_from_another_address(
    proxied, client, operator_a, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = log_in(client, operator_a, "salah", ATTACKER)
    assert response.status_code == 429
    assert log_in(client, operator_a, "salah", ATTACKER, claimed=USER).status_code == 429
    assert log_in(client, operator_a, DEFAULT_PASSWORD, USER).status_code == 302


def test_the_access_log_and_the_letter_check_store_the_clients_address(
    proxied, client, operator_a, lurah_a, panewu_a
):
    form = sktm_services.sktm_form_submit(actor=operator_a, data=POOR_15)
    form = sktm_services.sktm_form_acknowledge(actor=lurah_a, form=form)
    letter = sktm_services.letter_issue(actor=lurah_a, form=form)
    client.force_login(panewu_a)
    client.get(reverse("sktm:form_detail", args=[form.pk]), **through_proxy(USER))
    assert AccessLog.objects.get(actor=panewu_a).ip_address == USER
    client.logout()
    client.get(reverse("sktm:letter_verify", args=[letter.token]), **through_proxy(ATTACKER))
    assert LetterCheck.objects.get(letter=letter).ip_address == ATTACKER


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        (0, "10.0.0.5", "1.2.3.4", "10.0.0.5"),  # no proxy: the header is the client's own
        (1, PROXY, "1.2.3.4, 198.51.100.7", USER),  # the left entry is claimed, not trusted
        (2, PROXY, "1.2.3.4, 198.51.100.7, 10.0.0.9", USER),  # a balancer before nginx
        (2, PROXY, "198.51.100.7", USER),
        (1, PROXY, "", PROXY),
        (1, PROXY, "bukan-alamat", None),
        (0, "2001:db8::1", "", "2001:db8::1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(
    settings, proxies, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
