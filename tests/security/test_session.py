"""Issue 15 §7: the end of a session. The browser's side is tests/e2e/test_session.py."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def stored_session(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_staying_restarts_the_idle_clock_now(client, operator_a, settings):
    client.force_login(operator_a)
    soon = timezone.now() + datetime.timedelta(seconds=90)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=soon)
    response = client.post(reverse("session_renew"))
    assert response.status_code == 204
    later = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)
    assert stored_session(client).expire_date >= later


def test_staying_is_a_post(client, operator_a):
    client.force_login(operator_a)
    assert client.get(reverse("session_renew")).status_code == 405


def test_a_session_already_ended_cannot_be_renewed(client, operator_a):
    client.force_login(operator_a)
    Session.objects.all().delete()
    response = client.post(reverse("session_renew"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Session.objects.exists()


def test_login_page_says_the_session_ended_and_returns_to_the_page(client, operator_a):
    page = reverse("sktm:form_create")
    response = client.get(reverse("login"), {"next": page, "sesi": "berakhir"})
    html = response.content.decode()
    assert "Sesi Anda berakhir" in html
    assert "data-session-ended>" in html  # shown, not hidden
    assert f'name="next" value="{page}"' in html
    login = client.post(
        reverse("login"),
        {"username": operator_a.username, "password": DEFAULT_PASSWORD, "next": page},
    )
    assert login.status_code == 302 and login["Location"] == page


def test_login_page_keeps_the_note_hidden_on_a_first_visit(client):
    html = client.get(reverse("login")).content.decode()
    assert "data-session-ended hidden" in html


def test_login_returns_only_to_this_site(client, operator_a):
    response = client.get(reverse("login"), {"next": "https://contoh.test/", "sesi": "berakhir"})
    assert "contoh.test" not in response.content.decode()
    login = client.post(
        reverse("login"),
        {
            "username": operator_a.username,
            "password": DEFAULT_PASSWORD,
            "next": "https://contoh.test/",
        },
    )
    assert login["Location"] == reverse("home")


def render_meta(user):
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load session %}{% session_meta %}").render(Context({"request": request}))


def test_the_page_knows_the_idle_age_and_warns_two_minutes_before(operator_a, settings):
    html = render_meta(operator_a)
    assert 'data-user="operator_a"' in html
    assert f'data-age="{settings.SESSION_COOKIE_AGE}"' in html and 'data-warn="120"' in html
    assert f'data-renew-url="{reverse("session_renew")}"' in html
    assert f'data-login-url="{reverse("login")}"' in html


def test_a_short_session_warns_within_its_own_length(operator_a, settings):
    settings.SESSION_COOKIE_AGE = 90
    assert 'data-warn="30"' in render_meta(operator_a)


def test_a_visitor_gets_only_the_login_address(client):
    html = render_meta(AnonymousUser())
    assert "data-user" not in html and "data-age" not in html
    assert f'data-login-url="{reverse("login")}"' in html
