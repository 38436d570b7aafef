"""Job kinds for the worker tests, registered both in the test process and in the worker
subprocess (tests/jobs/worker.py)."""

import os
import time
from pathlib import Path

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
