import datetime
import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

import jobs
from jobs.models import Job
from jobs.runner import UNEXPECTED, run_pending
from people.models import Household
from tests.factories import HouseholdFactory


@jobs.register("tests.count", label="Menghitung")
def count(job, *, to):
    for done in range(1, to + 1):
        job.progress(done, to, message="Menghitung")
    job.attach("hitungan.csv", "\n".join(str(n) for n in range(to)).encode())
    return {"counted": to}


@jobs.register("tests.fail", label="Gagal di tengah")
def fail(job):
    HouseholdFactory()
    raise ValidationError(["Baris 3: NIK tidak sah.", "Baris 4: kosong."])


@jobs.register("tests.crash", label="Rusak")
def crash(job):
    HouseholdFactory()
    raise RuntimeError("bug")


@jobs.register("tests.seen_elsewhere", label="Kemajuan terlihat")
def seen_elsewhere(job):
    job.progress(5, 10)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT done, total FROM jobs_job WHERE id = %s", [job.pk])
            return {"seen": list(cursor.fetchone())}
    finally:
        other.close()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_job_runs_reports_progress_and_keeps_its_result(client, verifier):
    job = jobs.start("tests.count", verifier, to=7)
    assert (job.status, job.done, job.total, job.result) == ("done", 7, 7, {"counted": 7})
    assert job.started_at <= job.finished_at and job.error == ""
    client.force_login(verifier)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Menghitung" in page and "hitungan" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: no more polling
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert b"".join(download.streaming_content).startswith(b"0\n1\n")


def test_a_running_job_is_polled_with_its_progress(client, verifier):
    job = Job.objects.create(
        kind="tests.count", created_by=verifier, status="running", done=25, total=100
    )
    client.force_login(verifier)
    fragment = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "25%" in fragment
    assert "<html" not in fragment
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_failed_job_writes_nothing_and_shows_its_message(client, verifier):
    job = jobs.start("tests.fail", verifier)
    assert job.status == "failed" and not Household.objects.exists()
    client.force_login(verifier)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Baris 3: NIK tidak sah." in page and "Baris 4: kosong." in page


def test_an_unexpected_error_is_reported_without_details(verifier):
    job = jobs.start("tests.crash", verifier)
    assert (job.status, job.error) == ("failed", UNEXPECTED)
    assert not Household.objects.exists()


def test_an_unknown_kind_is_refused_before_anything_is_created(verifier):
    with pytest.raises(KeyError):
        jobs.start("tests.none", verifier)
    assert not Job.objects.exists()


def test_another_user_gets_404_on_a_job_and_its_file(client, verifier, dukcapil, admin_user):
    job = jobs.start("tests.count", verifier, to=2)
    client.force_login(dukcapil)
    for name in ("jobs:detail", "jobs:progress", "jobs:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    client.force_login(admin_user)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200


def test_job_pages_refuse_post(client, verifier):
    job = jobs.start("tests.count", verifier, to=1)
    client.force_login(verifier)
    assert client.post(job.get_absolute_url()).status_code == 405


def test_without_inline_mode_the_job_waits_for_the_commit(
    settings, verifier, django_capture_on_commit_callbacks
):
    settings.JOBS_RUN_INLINE = False
    with django_capture_on_commit_callbacks() as callbacks:
        job = jobs.start("tests.count", verifier, to=3)
    assert job.status == "queued" and len(callbacks) == 1


def test_run_jobs_runs_queued_jobs_and_fails_stale_ones(verifier):
    queued = Job.objects.create(kind="tests.count", params={"to": 2}, created_by=verifier)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    stale = Job.objects.create(
        kind="tests.count", created_by=verifier, status="running", heartbeat_at=long_ago
    )
    alive = Job.objects.create(
        kind="tests.count", created_by=verifier, status="running", heartbeat_at=timezone.now()
    )
    call_command("run_jobs", stdout=io.StringIO())
    queued.refresh_from_db(), stale.refresh_from_db(), alive.refresh_from_db()
    assert (queued.status, queued.result) == ("done", {"counted": 2})
    assert stale.status == "failed" and "dimulai ulang" in stale.error
    assert alive.status == "running"
    assert run_pending() == (0, 0)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a second connection to committed data"
)


@postgresql_only
def test_progress_inside_the_job_transaction_is_seen_by_other_connections(
    committed_reference_data, settings
):
    from tests.factories import UserFactory

    user = UserFactory(role="admin")
    job = jobs.start("tests.seen_elsewhere", user)
    assert job.result == {"seen": [5, 10]}


@postgresql_only
def test_a_job_runs_in_a_thread_after_the_commit(committed_reference_data, settings):
    from tests.factories import UserFactory

    settings.JOBS_RUN_INLINE = False
    user = UserFactory(role="admin")
    job = jobs.start("tests.count", user, to=3)
    for _ in range(200):
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.05)
    assert (job.status, job.result) == ("done", {"counted": 3})
