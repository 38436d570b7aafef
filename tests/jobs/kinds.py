"""Job kinds of the tests, registered in the test process and in the worker subprocess
(tests/jobs/worker.py)."""

import os
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connections

import jobs
from tests.factories import HouseholdFactory


@jobs.register("tests.slow_import", label="Impor lambat")
def slow_import(job, *, marker, batches, pause):
    """Writes one household per batch (numbered by the job: the worker process counts the
    factory's sequence from the start) in one transaction, like an import, and touches `marker`
    once the first is written so that a test knows the job is half-way."""
    for batch in range(1, batches + 1):
        HouseholdFactory(number=f"340101{job.pk:06d}{batch:04d}")
        job.progress(batch, batches, "Menyimpan")
        if batch == 1:
            Path(marker).touch()
        time.sleep(pause)
    return {"households": batches}


@jobs.register("tests.who_runs", label="Siapa menjalankan")
def who_runs(job):
    # Numbered by the job: two worker processes would count the factory's sequence alike.
    HouseholdFactory(number=f"340101{job.pk:010d}")
    time.sleep(0.2)
    return {"pid": os.getpid()}


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
