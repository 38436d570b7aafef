"""bench/jobs_under_load.py runs, tiny, on a SQLite file of its own."""

import os
import subprocess
import sys

from django.conf import settings


def test_the_jobs_under_load_bench_runs_tiny(tmp_path):
    environment = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"}
    run = subprocess.run(
        [sys.executable, "bench/jobs_under_load.py", "--tiny"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "page p95 loaded / idle" in run.stdout and "errors 0" in run.stdout
    assert run.stdout.count(" done ") == 10
