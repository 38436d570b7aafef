"""The app connects as a role that owns nothing: it cannot erase or edit the append-only
tables, by TRUNCATE, ALTER TABLE … DISABLE TRIGGER, session_replication_role, UPDATE or
DELETE (docs/production.md, *Database roles*)."""

import datetime
import secrets
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from audit.models import AccessLog
from bpjs.models import BillingFile, BillingRow, Record
from enrollment.models import LedgerEntry, RegistryRecord
from people.models import PopulationEvent, PopulationExtract
from tests.builders import enroll
from tests.factories import PersonFactory, UserFactory, regency

ROOT = Path(__file__).resolve().parents[2]
APPEND_ONLY = [
    model._meta.db_table
    for model in (
        LedgerEntry,
        RegistryRecord,
        AccessLog,
        Record,
        BillingFile,
        BillingRow,
        PopulationExtract,
        PopulationEvent,
    )
]

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles, grants and TRUNCATE are PostgreSQL's"
)


def url(user, name=None):
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    return f"postgresql://{user}@{host}:{settings['PORT'] or 5432}/{name or settings['NAME']}"


@pytest.fixture
def app_role(committed_reference_data):
    """A fresh role granted as docs/production.md says, dropped afterwards."""
    name = f"pbipemda_app_test_{secrets.token_hex(4)}"
    owner = url(connection.settings_dict["USER"])
    with psycopg.connect(owner, autocommit=True) as server:
        server.execute(f"CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    try:
        subprocess.run(
            [
                "psql",
                "-q",
                owner,
                "-v",
                f"app_role={name}",
                "-f",
                ROOT / "deploy/grant_app_role.sql",
            ],
            check=True,
            capture_output=True,
        )
        yield name
    finally:
        with psycopg.connect(owner, autocommit=True) as server:
            server.execute(f"DROP OWNED BY {name}")
            server.execute(f"DROP ROLE {name}")


@pytest.fixture
def ledger():
    verifier = UserFactory(role="verifier", regency=regency("34.01"))
    for _ in range(2):
        enroll(verifier, PersonFactory(domicile_since=datetime.date(2020, 1, 1)))
    return verifier


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE enrollment_ledgerentry CASCADE",
        "ALTER TABLE enrollment_ledgerentry DISABLE TRIGGER USER",
        "SET session_replication_role = replica",
        "UPDATE enrollment_ledgerentry SET note = 'diubah'",
        "DELETE FROM enrollment_ledgerentry",
        "TRUNCATE audit_accesslog",
        "UPDATE audit_accesslog SET what = 'diubah'",
        "DELETE FROM enrollment_registryrecord",
        "CREATE TABLE app_role_owns_nothing (id int)",
    ],
)
def test_the_app_role_cannot_erase_or_edit_the_append_only_tables(app_role, ledger, statement):
    with (
        psycopg.connect(url(app_role), autocommit=True) as app,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        app.execute(statement)
    assert LedgerEntry.objects.count() == 2


def test_the_app_role_reads_and_appends(app_role, ledger):
    with psycopg.connect(url(app_role), autocommit=True) as app:
        assert app.execute("SELECT count(*) FROM enrollment_ledgerentry").fetchone() == (2,)
        app.execute(
            "INSERT INTO audit_accesslog (at, actor_id, role, action, what, object_type,"
            " object_id, path) VALUES (now(), %s, 'verifier', 'view', 'uji', '', '', '/')",
            [ledger.pk],
        )
        app.execute("UPDATE accounts_user SET first_name = 'Uji' WHERE id = %s", [ledger.pk])
        for table in APPEND_ONLY:
            privileges = app.execute(
                "SELECT has_table_privilege(%s, 'SELECT'), has_table_privilege(%s, 'INSERT'),"
                " has_table_privilege(%s, 'UPDATE'), has_table_privilege(%s, 'DELETE'),"
                " has_table_privilege(%s, 'TRUNCATE')",
                [table] * 5,
            ).fetchone()
            assert privileges == (True, True, False, False, False), table
    assert AccessLog.objects.filter(what="uji").exists()


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_even_the_owner_cannot_truncate_an_append_only_table(committed_reference_data, table):
    with (
        psycopg.connect(url(connection.settings_dict["USER"]), autocommit=True) as owner,
        pytest.raises(psycopg.errors.RaiseException, match="append-only"),
    ):
        owner.execute(f"TRUNCATE {table} CASCADE")
