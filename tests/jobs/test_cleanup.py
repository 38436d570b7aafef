import datetime
import io
import os
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import jobs
from audit import services as audit_services
from audit.models import AccessLog
from jobs.models import Job
from sktm import services as sktm_services
from sktm.models import LetterCheck
from tests.builders import POOR_15
from tests.jobs import kinds  # noqa: F401


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def cleanup():
    out = io.StringIO()
    call_command("cleanup", stdout=out)
    return out.getvalue()


def age(stored, hours):
    then = (timezone.now() - datetime.timedelta(hours=hours)).timestamp()
    os.utime(default_storage.path(stored), (then, then))


def test_result_files_past_their_days_are_deleted_and_the_jobs_kept(client, verifier, settings):
    settings.JOBS_RESULT_DAYS = 30
    old = jobs.start("tests.count", verifier, to=2)
    recent = jobs.start("tests.count", verifier, to=2)
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=31))
    old_file = old.result_file.name
    assert "1 berkas hasil" in cleanup()
    old.refresh_from_db(), recent.refresh_from_db()
    assert not old.result_file and old.result_file_removed_at and old.status == "done"
    assert not default_storage.exists(old_file)
    assert default_storage.exists(recent.result_file.name)
    client.force_login(verifier)
    page = client.get(old.get_absolute_url()).content.decode()
    assert "Berkas hasil dihapus" in page


def test_uploads_of_previews_never_confirmed_are_deleted(verifier, settings):
    settings.JOBS_UPLOAD_HOURS = 24
    abandoned = default_storage.save("imports/abandoned.csv", io.BytesIO(b"nik\n"))
    fresh = default_storage.save("imports/fresh.csv", io.BytesIO(b"nik\n"))
    waiting = default_storage.save("imports/waiting.csv", io.BytesIO(b"nik\n"))
    Job.objects.create(
        kind="tests.count", created_by=verifier, params={"stored": waiting}, status="queued"
    )
    age(abandoned, 25), age(waiting, 25), age(fresh, 1)
    assert "1 unggahan" in cleanup()
    assert not default_storage.exists(abandoned)
    assert default_storage.exists(fresh) and default_storage.exists(waiting)


def test_cleanup_fails_stale_jobs_and_prunes_old_finished_tasks(verifier, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    old, recent = (
        DBTaskResult.objects.get(pk=jobs.start("tests.count", verifier, to=1).task_id)
        for _ in range(2)
    )
    long_ago = timezone.now() - datetime.timedelta(days=31)
    for task in (old, recent):
        task.claim("worker")
        task.set_successful(None)
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=long_ago)
    Job.objects.create(
        kind="tests.count", created_by=verifier, status="running", heartbeat_at=long_ago
    )
    assert cleanup().startswith("1 pekerjaan terhenti")
    assert list(DBTaskResult.objects.all()) == [recent]
    assert Job.objects.count() == 3


# Retention of the logs of personal data (UU 27/2022; docs/security.md, "Retention") ----------


def logged(actor, days_ago):
    """An access-log row written `days_ago` days ago (the log takes its time itself)."""
    then = timezone.now() - datetime.timedelta(days=days_ago)
    with mock.patch("django.utils.timezone.now", return_value=then):
        return AccessLog.objects.create(
            actor=actor, role=actor.role, action="view", what="Penduduk", path="/"
        )


@pytest.fixture
def letter(operator_a, lurah_a):
    form = sktm_services.sktm_form_submit(actor=operator_a, data=POOR_15)
    form = sktm_services.sktm_form_acknowledge(actor=lurah_a, form=form)
    return sktm_services.letter_issue(actor=lurah_a, form=form)


def test_log_rows_past_their_retention_are_deleted_and_newer_kept(verifier, letter, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    settings.LETTER_CHECK_RETENTION_DAYS = 365
    old, kept = logged(verifier, 731), logged(verifier, 729)
    long_ago = timezone.now() - datetime.timedelta(days=366)
    old_check = LetterCheck.objects.create(letter=letter, at=long_ago)
    new_check = LetterCheck.objects.create(letter=letter)
    out = cleanup()
    assert "1 baris log akses dan 1 pemeriksaan surat" in out
    assert list(AccessLog.objects.all()) == [kept]
    assert list(LetterCheck.objects.all()) == [new_check]
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert not LetterCheck.objects.filter(pk=old_check.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_still_refuses_any_other_deletion_of_the_access_log(verifier):
    old, recent = logged(verifier, 800), logged(verifier, 10)
    # Without the purge's setting, an old row cannot be deleted either.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=old.pk).delete()
    # With it, only rows older than the given moment go.
    before = timezone.now() - datetime.timedelta(days=30)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pbipemda.access_log_purge_before', %s, true)",
                [before.isoformat()],
            )
        AccessLog.objects.filter(pk=recent.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.filter(pk=old.pk).update(what="diubah")
    assert audit_services.access_log_purge(before=before) == 1
    assert list(AccessLog.objects.all()) == [recent]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and grants are PostgreSQL's")
def test_run_as_the_apps_role_cleanup_leaves_the_access_log_and_says_so(verifier):
    old = logged(verifier, 800)
    # The app's role as deploy/grant_app_role.sql grants it, for this test's transaction only.
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE pbipemda_app_cleanup_test NOLOGIN")
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public"
            " TO pbipemda_app_cleanup_test"
        )
        cursor.execute(
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO pbipemda_app_cleanup_test"
        )
        cursor.execute("REVOKE UPDATE, DELETE ON audit_accesslog FROM pbipemda_app_cleanup_test")
        cursor.execute("SET LOCAL ROLE pbipemda_app_cleanup_test")
    out, err = io.StringIO(), io.StringIO()
    call_command("cleanup", stdout=out, stderr=err)
    assert "Log akses tidak dipangkas" in err.getvalue()
    assert "0 baris log akses" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    assert AccessLog.objects.filter(pk=old.pk).exists()
