"""Starting and running jobs: in a daemon thread after the request's transaction commits, or
at once when `JOBS_RUN_INLINE` is set (tests); `manage.py run_jobs` picks up what a restart
left behind."""

import contextlib
import datetime
import logging
import threading

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import timezone

from jobs import registry
from jobs.models import Job

logger = logging.getLogger(__name__)
UNEXPECTED = "Terjadi kesalahan tak terduga; tidak ada data yang diubah. Hubungi admin."


def start(kind, user, **params):
    """Creates a job of `kind` with `params` (JSON values) for `user` and runs it."""
    registry.get(kind)  # an unknown kind fails here, in the caller's request
    job = Job.objects.create(kind=kind, params=params, created_by=user)
    if settings.JOBS_RUN_INLINE:
        run(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: run_in_thread(job.pk))
    return job


def run_in_thread(pk):
    thread = threading.Thread(target=run_and_close, args=(pk,), daemon=True, name=f"job-{pk}")
    thread.start()
    return thread


def run_and_close(pk):
    try:
        run(pk)
    finally:
        connections.close_all()


def run(pk):
    """Runs a queued job; returns False when another runner took it first."""
    claimed = Job.objects.filter(pk=pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not claimed:
        return False
    job = Job.objects.select_related("created_by").get(pk=pk)
    try:
        kind = registry.get(job.kind)
        with transaction.atomic() if kind.atomic else contextlib.nullcontext():
            result = kind.function(job, **job.params)
    except Exception as error:
        if job.result_file:
            job.result_file.delete(save=False)
        if isinstance(error, ValidationError):
            message = "\n".join(error.messages)
        else:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            message = UNEXPECTED
        finish(job, Job.Status.FAILED, error=message)
    else:
        finish(job, Job.Status.DONE, result=result or {})
    finally:
        job.close_side_connection()
    return True


def finish(job, status, **fields):
    if status == Job.Status.DONE and job.total:
        job.done = job.total
    Job.objects.filter(pk=job.pk).update(
        status=status,
        done=job.done,
        total=job.total,
        message=job.message,
        result_file=job.result_file.name or "",
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        **fields,
    )


def run_pending(stale_after=datetime.timedelta(minutes=15)):
    """Fails running jobs silent for `stale_after` (their process ended), then runs the queued
    ones, oldest first. Returns (failed, ran)."""
    limit = timezone.now() - stale_after
    failed = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=limit).update(
        status=Job.Status.FAILED,
        error="Pekerjaan terhenti sebelum selesai (server dimulai ulang); jalankan lagi.",
        finished_at=timezone.now(),
    )
    ran = 0
    for pk in (
        Job.objects.filter(status=Job.Status.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    ):
        ran += run(pk)
    return failed, ran
