"""`make run` serves with `make serve`: the development server and a task worker, both gone
after a Ctrl-C."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.builders import TIMEOUT, database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("make"), reason="needs make"),
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_members(session):
    """The live processes of a session (Linux /proc), as their command lines."""
    members = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_text().replace("\0", " ")
        except (OSError, IndexError):
            continue
        if int(stat[3]) == session and stat[0] != "Z":
            members.append(command)
    return members


def serving(port):
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
    except OSError:
        return False
    return True


def _default_signals():
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_ctrl_c_stops_the_server_and_its_worker(tmp_path):
    port = free_port()
    make = subprocess.Popen(
        ["make", "-s", "serve", f"PORT={port}", f"VENV={sys.prefix}"],
        cwd=settings.BASE_DIR,
        env=os.environ
        | {"DATABASE_URL": database_url(), "JOBS_RUN_INLINE": "0", "MEDIA_ROOT": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        # As from a terminal: Ctrl-C and SIGTERM at their defaults, whatever the test process
        # inherited (an ignored SIGINT passes to make and its shell, which then cannot trap it).
        preexec_fn=_default_signals,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not serving(port):
            assert make.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        assert any("db_worker" in command for command in session_members(make.pid))

        # What the terminal does on Ctrl-C: SIGINT to every process of the foreground group.
        os.killpg(make.pid, signal.SIGINT)
        make.wait(TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while session_members(make.pid):
            assert time.monotonic() < deadline, session_members(make.pid)
            time.sleep(0.2)
    finally:
        if session_members(make.pid):
            os.killpg(make.pid, signal.SIGKILL)
