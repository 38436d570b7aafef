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
from tests.builders import enroll
from tests.factories import PersonFactory, UserFactory, regency

ROOT = Path(__file__).resolve().parents[2]
LEDGER = "SELECT id, person_id, sequence, kind, ground, effective_month FROM {} ORDER BY id"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="backups are pg_dump/pg_restore of PostgreSQL"
)


def url(name):
    settings = connection.settings_dict
    host = settings["HOST"] or "127.0.0.1"
    return f"postgresql://{settings['USER']}@{host}:{settings['PORT'] or 5432}/{name}"


def backup(directory, **environment):
    """deploy/backup.sh run as cron would, with the usual umask 022."""
    return subprocess.run(
        ["sh", "-c", 'umask 022; exec "$0" "$1"', ROOT / "deploy/backup.sh", directory],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
    )


@on_postgresql
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
    (tmp_path / "media" / "imports").mkdir(parents=True)
    (tmp_path / "media" / "imports" / "daftar.csv").write_text("nik\n")
    done = backup(
        tmp_path / "backups",
        DATABASE_URL=url(connection.settings_dict["NAME"]),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    assert done.returncode == 0, done.stderr
    dump = done.stdout.strip()
    # Every NIK, session and TOTP secret is in there: only the owner may read it.
    assert (tmp_path / "backups").stat().st_mode & 0o777 == 0o700
    files = list((tmp_path / "backups").iterdir())
    assert len(files) == 2 and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
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


def test_a_missing_media_root_fails_loudly_and_leaves_nothing(tmp_path):
    done = backup(
        tmp_path / "backups",
        DATABASE_URL="postgresql://nobody@127.0.0.1:1/none",
        MEDIA_ROOT=str(tmp_path / "tidak-ada"),
    )
    assert done.returncode != 0 and "MEDIA_ROOT" in done.stderr
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())


def test_a_failed_dump_leaves_no_file(tmp_path):
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is missing: install postgresql-client")
    (tmp_path / "media").mkdir()
    done = backup(
        tmp_path / "backups",
        DATABASE_URL="postgresql://nobody@127.0.0.1:1/none",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    assert done.returncode != 0
    assert not any((tmp_path / "backups").iterdir())
