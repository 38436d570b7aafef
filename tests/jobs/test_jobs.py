import datetime

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import jobs
from jobs.models import Job
from jobs.runner import INTERRUPTED, UNEXPECTED, fail_stale, finish, run
from people.models import Household
from tests.jobs import kinds  # noqa: F401


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


def test_without_inline_mode_the_task_is_queued_with_the_request_transaction(settings, verifier):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = jobs.start("tests.count", verifier, to=3)
    task = DBTaskResult.objects.get()
    assert job.status == "queued" and str(task.id) == job.task_id
    assert (task.status, task.task_path) == ("READY", "jobs.runner.run_job")
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}


def test_a_rolled_back_request_queues_nothing(settings, verifier):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():
        jobs.start("tests.count", verifier, to=3)
        transaction.set_rollback(True)
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_a_job_taken_already_is_not_run_twice(verifier):
    job = Job.objects.create(kind="tests.count", params={"to": 2}, created_by=verifier)
    assert run(job.pk) is True
    assert run(job.pk) is False


def stale_job(user, **fields):
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    return Job.objects.create(
        kind="tests.count", created_by=user, status="running", heartbeat_at=long_ago, **fields
    )


def test_a_job_whose_worker_went_silent_is_failed_and_its_task_too(settings, verifier):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    task = DBTaskResult.objects.get(pk=jobs.start("tests.count", verifier, to=1).task_id)
    task.claim("gone")
    stale = stale_job(verifier, task_id=str(task.pk))
    alive = Job.objects.create(
        kind="tests.count", created_by=verifier, status="running", heartbeat_at=timezone.now()
    )
    assert fail_stale() == 1
    stale.refresh_from_db(), alive.refresh_from_db(), task.refresh_from_db()
    assert (stale.status, stale.is_interrupted, stale.error) == ("failed", True, INTERRUPTED)
    assert alive.status == "running" and task.status == "FAILED"
    assert fail_stale() == 0


def test_the_owner_sees_an_interrupted_job_and_starts_it_again(client, verifier):
    job = stale_job(verifier, params={"to": 4})
    client.force_login(verifier)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Terhenti." in page and "Mulai lagi" in page
    response = client.post(reverse("jobs:restart", args=[job.pk]))
    job.refresh_from_db()
    restarted = job.restarted_as
    assert response.url == restarted.get_absolute_url()
    assert (restarted.kind, restarted.params, restarted.status) == (
        "tests.count",
        {"to": 4},
        "done",
    )
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Mulai lagi" not in page and restarted.get_absolute_url() in page
    client.post(reverse("jobs:restart", args=[job.pk]))
    assert Job.objects.count() == 2


def test_only_an_interrupted_job_of_ones_own_is_started_again(client, verifier, admin_user):
    failed = jobs.start("tests.fail", verifier)
    client.force_login(verifier)
    client.post(reverse("jobs:restart", args=[failed.pk]))
    assert Job.objects.count() == 1
    assert "Mulai lagi" not in client.get(failed.get_absolute_url()).content.decode()
    interrupted = stale_job(verifier)
    client.force_login(admin_user)
    assert "Mulai lagi" not in client.get(interrupted.get_absolute_url()).content.decode()
    assert client.post(reverse("jobs:restart", args=[interrupted.pk])).status_code == 403
    assert client.get(reverse("jobs:restart", args=[interrupted.pk])).status_code == 405


def test_my_jobs_lists_ones_own_jobs_and_every_job_for_an_admin(
    client, verifier, dukcapil, admin_user
):
    mine = jobs.start("tests.count", verifier, to=2)
    other = jobs.start("tests.count", dukcapil, to=2)
    client.force_login(verifier)
    page = client.get(reverse("jobs:list")).content.decode()
    assert mine.get_absolute_url() in page and other.get_absolute_url() not in page
    assert reverse("jobs:download", args=[mine.pk]) in page and "100%" in page
    client.force_login(admin_user)
    page = client.get(reverse("jobs:list")).content.decode()
    assert mine.get_absolute_url() in page and other.get_absolute_url() in page
    assert "Oleh" in page


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a second connection to committed data"
)


@postgresql_only
def test_progress_inside_the_job_transaction_is_seen_by_other_connections(
    committed_reference_data, settings
):
    from tests.factories import UserFactory

    # As a worker runs it: the Job row committed, no transaction around the run.
    job = Job.objects.create(kind="tests.seen_elsewhere", created_by=UserFactory(role="admin"))
    run(job.pk)
    job.refresh_from_db()
    assert job.result == {"seen": [5, 10]}


def test_a_job_taken_for_dead_that_ends_after_all_shows_how_it_ended(verifier):
    job = stale_job(verifier)
    fail_stale()
    finish(job, Job.Status.DONE, result={"counted": 1})
    job.refresh_from_db()
    assert (job.status, job.is_interrupted, job.error) == ("done", False, "")
