"""After PostgreSQL restarts (or kills the app's backends), the pooled connections are dead:
each is checked when taken from the pool, so no request fails with a server error."""

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the connection pool is PostgreSQL's"
)


def terminate_the_apps_backends():
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    url = f"postgresql://{settings['USER']}@{host}:{settings['PORT'] or 5432}/postgres"
    with psycopg.connect(url, autocommit=True) as admin:
        return admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [settings["NAME"]],
        ).fetchone()[0]


def test_no_server_error_after_the_backends_are_terminated(committed_reference_data, operator_a):
    assert connection.pool is not None
    client_kwargs = {"username": operator_a.username, "password": DEFAULT_PASSWORD}
    client = Client(raise_request_exception=False)
    assert client.post(reverse("login"), client_kwargs).status_code == 302
    connection.close()  # back to the pool, as at the end of every request
    assert terminate_the_apps_backends() >= 1
    statuses = [client.get(reverse("home")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    client.logout()
    assert client.post(reverse("login"), client_kwargs).status_code == 302
