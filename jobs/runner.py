"""Starting and running jobs on Django's task framework (the django-tasks backport): `start`
queues a task that a `manage.py db_worker` process picks up; the task runs the job's kind and
writes the outcome on the Job row."""

import contextlib
import logging
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from jobs import registry
from jobs.models import Job

logger = logging.getLogger(__name__)
UNEXPECTED = "Terjadi kesalahan tak terduga; tidak ada data yang diubah. Hubungi admin."
INTERRUPTED = (
    "Pekerjaan terhenti sebelum selesai karena prosesnya berhenti; tidak ada data yang "
    "diubah. Silakan mulai lagi."
)


def start(kind: str, user: User, **params) -> Job:
    """Creates a job of `kind` with `params` (JSON values) for `user` and queues it.

    The task row is written in the caller's transaction, in the same database as the Job: a
    worker sees it only once the request commits, and a crash between the commit and the
    enqueue cannot leave a Job that nothing will run. Under the immediate backend
    (JOBS_RUN_INLINE) the job has run when this returns."""
    registry.get(kind)  # an unknown kind fails here, in the caller's request
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params, created_by=user)
        queued = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=queued.id)
    job.refresh_from_db()
    return job


@task()
def run_job(pk: int) -> None:
    run(pk)


def run(pk: int) -> bool:
    """Runs a queued job; returns False when it was not queued (already taken)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return False
    job = Job.objects.select_related("created_by").get(pk=pk)
    try:
        kind = registry.get(job.kind)
        with transaction.atomic() if kind.atomic else contextlib.nullcontext():
            result = kind.function(job, **job.params)
    except Exception as error:
        _discard_file(job)
        if isinstance(error, ValidationError):
            message = "\n".join(error.messages)
        else:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            message = UNEXPECTED
        finish(job, Job.Status.FAILED, error=message)
    except BaseException:
        # A worker told twice to stop (SIGTERM, Ctrl-C) exits in the middle of the job: its
        # transaction is rolled back, and the owner may start it again.
        _discard_file(job)
        finish(job, Job.Status.FAILED, error=INTERRUPTED, is_interrupted=True)
        raise
    else:
        finish(job, Job.Status.DONE, result=result or {})
    finally:
        job.close_side_connection()
    return True


def _discard_file(job: Job) -> None:
    if job.result_file:
        job.result_file.delete(save=False)


def finish(job: Job, status: str, **fields) -> None:
    if status == Job.Status.DONE and job.total:
        job.done = job.total
    # A job taken for dead while its worker still ran it (no heartbeat inside a long SQLite
    # transaction) ends as it really did.
    fields.setdefault("error", "")
    fields.setdefault("is_interrupted", False)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=status,
        done=job.done,
        total=job.total,
        message=job.message,
        result_file=job.result_file.name or "",
        finished_at=now,
        heartbeat_at=now,
        **fields,
    )


def fail_stale() -> int:
    """Marks failed the jobs whose worker died (SIGKILL, power loss) and their tasks, which
    the queue would otherwise keep as running forever. Returns how many."""
    stale = Job.objects.stale()
    # Read first: on SQLite an UPDATE waits for the write lock even when it matches nothing.
    task_ids = list(stale.values_list("task_id", flat=True))
    if not task_ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        failed = stale.update(
            status=Job.Status.FAILED, is_interrupted=True, error=INTERRUPTED, finished_at=now
        )
        DBTaskResult.objects.filter(
            id__in=_queue_ids(task_ids), status=TaskResultStatus.RUNNING
        ).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="jobs.runner.WorkerLost",
            traceback="The worker stopped sending a heartbeat.",
        )
    return failed


def _queue_ids(task_ids: list[str]) -> list[uuid.UUID]:
    """The ids of the database queue's tasks; the immediate backend's are not UUIDs."""
    ids = []
    for value in task_ids:
        with contextlib.suppress(ValueError):
            ids.append(uuid.UUID(value))
    return ids
