"""The backup procedure of the README, run for real: dump the test database with
deploy/backup.sh, restore it into a new database with deploy/restore.sh, compare the ledger."""

import datetime
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from enrollment.models import LedgerEntry
from tests.enrollment.conftest import enroll
from tests.factories import PersonFactory, UserFactory, regency

ROOT = Path(__file__).resolve().parents[2]
LEDGER = "SELECT id, person_id, sequence, kind, ground, effective_month FROM {} ORDER BY id"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="backups are pg_dump/pg_restore of PostgreSQL"
)


def url(name):
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    return f"postgresql://{settings['USER']}@{host}:{settings['PORT'] or 5432}/{name}"


def test_a_restored_database_holds_the_same_ledger(committed_reference_data, tmp_path):
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is missing: install postgresql-client")
    verifier = UserFactory(role="verifier", regency=regency("34.01"))
    for _ in range(3):
        enroll(verifier, PersonFactory(domicile_since=datetime.date(2020, 1, 1)))
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(LEDGER.format(table))
        original = cursor.fetchall()
    env = {
        **os.environ,
        "DATABASE_URL": url(connection.settings_dict["NAME"]),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    dump = subprocess.run(
        [ROOT / "deploy/backup.sh", tmp_path], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    restored = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(url("postgres"), autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {restored}")
        server.execute(f"CREATE DATABASE {restored}")
    try:
        subprocess.run([ROOT / "deploy/restore.sh", dump, url(restored)], check=True)
        with psycopg.connect(url(restored)) as copy:
            assert copy.execute(LEDGER.format(table)).fetchall() == original
            # The ledger is still append-only in the copy.
            with pytest.raises(psycopg.errors.RaiseException):
                copy.execute(f"DELETE FROM {table}")
    finally:
        with psycopg.connect(url("postgres"), autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {restored}")
