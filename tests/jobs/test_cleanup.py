import datetime
import io
import os

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import jobs
from jobs.models import Job
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
