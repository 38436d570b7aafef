"""Jobs run by real `db_worker` processes against the test database: what a killed or stopped
worker leaves behind, and that two workers never run one job."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

import jobs
from jobs.models import Job
from people.models import Household
from tests.builders import TIMEOUT, database_url
from tests.factories import UserFactory
from tests.jobs import kinds  # noqa: F401  (registers the kinds in this process)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings, tmp_path, committed_reference_data):
    """Jobs go to the database queue, and files to a directory the worker shares."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def start_worker(queue):
    started = []

    def start():
        log = (queue / f"worker-{len(started)}.log").open("w")
        environment = os.environ | {
            "DATABASE_URL": database_url(),
            "JOBS_RUN_INLINE": "0",
            "MEDIA_ROOT": str(queue / "media"),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.worker", "--interval", "0.1"]
            + ["--no-startup-delay", "--no-reload"],
            cwd=django_settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(TIMEOUT)


def wait_for(condition):
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def start_slow_import(tmp_path, pause):
    user = UserFactory(role="admin")
    marker = tmp_path / "half-way"
    job = jobs.start("tests.slow_import", user, marker=str(marker), batches=3, pause=pause)
    return job, marker


def test_a_killed_worker_writes_nothing_and_its_job_fails_when_its_heartbeat_stops(
    queue, start_worker, client, settings
):
    job, marker = start_slow_import(queue, pause=TIMEOUT)
    worker = start_worker()
    wait_for(marker.exists)
    worker.send_signal(signal.SIGKILL)
    worker.wait(TIMEOUT)

    assert not Household.objects.exists()
    job.refresh_from_db()
    assert job.status == "running"
    settings.JOBS_STALE_SECONDS = 1
    time.sleep(1.5)
    client.force_login(job.created_by)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Terhenti." in page and "Mulai lagi" in page
    assert DBTaskResult.objects.get(pk=job.task_id).status == "FAILED"

    response = client.post(reverse("jobs:restart", args=[job.pk]))
    job.refresh_from_db()
    assert response.url == job.restarted_as.get_absolute_url()
    assert (job.restarted_as.status, job.restarted_as.params) == ("queued", job.params)


def test_a_worker_told_to_stop_finishes_its_job_first(queue, start_worker):
    job, marker = start_slow_import(queue, pause=1)
    worker = start_worker()
    wait_for(marker.exists)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(TIMEOUT) == 0
    job.refresh_from_db()
    assert (job.status, job.result) == ("done", {"households": 3})
    assert Household.objects.count() == 3


def test_a_worker_told_twice_to_stop_rolls_back_and_the_job_may_start_again(queue, start_worker):
    job, marker = start_slow_import(queue, pause=TIMEOUT)
    worker = start_worker()
    wait_for(marker.exists)
    worker.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    worker.send_signal(signal.SIGTERM)
    worker.wait(TIMEOUT)
    job.refresh_from_db()
    assert (job.status, job.is_interrupted) == ("failed", True)
    assert not Household.objects.exists()


def test_two_workers_never_run_one_job(queue, start_worker):
    user = UserFactory(role="admin")
    started = [jobs.start("tests.who_runs", user) for _ in range(8)]
    start_worker(), start_worker()
    tasks = DBTaskResult.objects.filter(pk__in=[job.task_id for job in started])
    wait_for(lambda: not tasks.filter(finished_at__isnull=True).exists())
    assert set(Job.objects.values_list("status", flat=True)) == {"done"}
    assert Household.objects.count() == len(started)
    assert sorted(len(task.worker_ids) for task in tasks) == [1] * len(started)
    assert {task.status for task in tasks} == {"SUCCESSFUL"}
