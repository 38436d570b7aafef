"""Every bench script runs at a tiny size, so that a published figure can always be measured
again: each is run as it would be by hand, in a process of its own, on a throwaway database.

A new script gets its line in TINY: its tiny arguments, what it runs on, and a fragment of the
figures it prints last.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
SERVER_URL = os.environ.get("DATABASE_URL", "")
IS_POSTGRES = SERVER_URL.startswith("postgres")
# Each script's run ends within this; all of them take about a minute together.
TIMEOUT = 120
# A database of its own (BENCH_TEMPLATE copied, see bench/_harness.py), or the tiny synthetic
# kabupaten of `build_synthetic_kabupaten`.
OWN, SYNTHETIC = "own", "synthetic"
SYNTHETIC_SIZE = ["--residents", "300", "--participants", "50", "--months", "3"]


@dataclass(frozen=True)
class Tiny:
    arguments: list
    prints: str
    database: str = OWN
    postgres_only: str = ""


TINY = {
    "bpjs_reconciliation.py": Tiny(
        ["--residents", "2000", "--participants", "300", "--rows", "250", "--months", "6"],
        "every category as planted",
    ),
    "enrollment_import.py": Tiny(["300"], "read only (floor)"),
    "enrollment_roster.py": Tiny(["--sizes", "20", "100"], "bare COUNT"),
    "feeds_dtsen.py": Tiny(
        ["--residents", "2000", "--participants", "500", "--rows", "1000", "--months", "6"],
        "every case as planted",
    ),
    "feeds_dukcapil.py": Tiny(
        ["--residents", "2000", "--participants", "300", "--events", "200", "--months", "6"],
        "every outcome as planted",
    ),
    "instructions_matrix.py": Tiny(
        ["--quarters", "1", "--villages", "5", "--runs", "1"], "COUNT of the reports (floor)"
    ),
    "jobs_under_load.py": Tiny(["--tiny"], "page p95 loaded / idle", SYNTHETIC),
    "load.py": Tiny(
        ["3", "2", "0.1-0.3"],
        "login page (floor)",
        SYNTHETIC,
        postgres_only="gunicorn's workers write at once, which production does on PostgreSQL",
    ),
    "oversight_dashboard.py": Tiny(["100", "--first", "30"], "bare COUNT of the active"),
    # The import and Lampiran D rows are those scripts' own (above): each would migrate a
    # database of its own here, past TIMEOUT.
    "scale.py": Tiny(
        ["--runs", "1", "--import-rows", "0", "--lampiran-d-rows", "0"]
        + ["--load", "3 2 0.1-0.3,0.05-0.1"],
        "load, daily mix" if IS_POSTGRES else "roster, last page",
        SYNTHETIC,
    ),
    "sktm_letters.py": Tiny(["--letters", "2", "--forms", "12"], "bare WeasyPrint"),
    "verification_lampiran_d.py": Tiny(["200", "--runs", "1"], "bare COUNT"),
}
SCRIPTS = sorted(path.name for path in BENCH.glob("*.py") if not path.name.startswith("_"))


def base_name():
    """Names of this run's databases start with the configured database's name, so that two
    runs against two databases never meet."""
    return urlsplit(SERVER_URL).path.lstrip("/") + "_bench"


def url_of(name, tmp_dir):
    if IS_POSTGRES:
        return SERVER_URL.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{tmp_dir / name}.sqlite3"


def maintenance(sql):
    with psycopg.connect(SERVER_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as server:
        server.execute(sql)


def environment(**values):
    """The suite's environment without its database and its inline jobs, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "JOBS_RUN_INLINE"}}
    return {**env, **values}


def run(arguments, env):
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, (
        f"{arguments} ended with {result.returncode}:\n" + (result.stdout + result.stderr)[-3000:]
    )
    return result.stdout


@pytest.fixture(scope="session")
def bench_tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="session")
def template(bench_tmp):
    """A database migrated and holding the reference data of every kabupaten, set up once
    and copied by each script instead of migrating its own."""
    name = f"{base_name()}_template"
    url = url_of(name, bench_tmp)
    if IS_POSTGRES:
        maintenance(f"DROP DATABASE IF EXISTS {name}")
        maintenance(f"CREATE DATABASE {name}")
    env = environment(DATABASE_URL=url)
    run(["manage.py", "migrate", "--verbosity", "0"], env)
    run(["manage.py", "load_reference_data", "--all-regencies"], env)
    yield url
    if IS_POSTGRES:
        maintenance(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture(scope="session")
def synthetic(template, bench_tmp):
    """The tiny synthetic kabupaten, built once for the scripts that measure one."""
    name = f"{base_name()}_synthetic"
    url = url_of(name, bench_tmp)
    if IS_POSTGRES:
        maintenance(f"DROP DATABASE IF EXISTS {name}")
        maintenance(f"CREATE DATABASE {name} TEMPLATE {urlsplit(template).path.lstrip('/')}")
    else:
        shutil.copyfile(template.removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))
    run(["manage.py", "build_synthetic_kabupaten", *SYNTHETIC_SIZE], environment(DATABASE_URL=url))
    yield url
    if IS_POSTGRES:
        maintenance(f"DROP DATABASE IF EXISTS {name}")


def test_every_bench_script_has_its_tiny_size():
    assert sorted(TINY) == SCRIPTS, "a bench script without its line in TINY, or a line too many"


@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_script_runs_at_a_tiny_size(script, request, bench_tmp):
    tiny = TINY.get(script)
    if tiny is None:
        pytest.fail(f"bench/{script} has no tiny size: add its line to TINY")
    if tiny.postgres_only and not IS_POSTGRES:
        pytest.skip(f"PostgreSQL only: {tiny.postgres_only}")
    if tiny.database == SYNTHETIC:
        env = environment(DATABASE_URL=request.getfixturevalue("synthetic"))
    else:
        name = f"{base_name()}_{Path(script).stem}"
        # With SQLite the script's database is a file in the temporary directory: this run's.
        env = environment(
            BENCH_DATABASE=name,
            BENCH_TEMPLATE=request.getfixturevalue("template"),
            TMPDIR=str(bench_tmp),
            **({"DATABASE_URL": SERVER_URL} if IS_POSTGRES else {}),
        )
    try:
        output = run([f"bench/{script}", *tiny.arguments], env)
    finally:
        if IS_POSTGRES and tiny.database == OWN:
            maintenance(f"DROP DATABASE IF EXISTS {name}")
    assert tiny.prints in output, output
