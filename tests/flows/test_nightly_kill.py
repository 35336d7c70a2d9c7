"""``lagesbild nightly`` killed with SIGKILL leaves no process behind.

Without ``PREFECT_API_URL`` the command runs its own temporary Prefect server; Prefect's
own one outlived a kill -9 of the command. The test starts the command in a session of
its own, waits until its server child is up and the refresh is running, kills only the
command's process (as the OOM killer or ``kill -9 PID`` would) and then expects the
session to be empty.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.flows.conftest import ROOT, stop_group, subprocess_env

pytestmark = pytest.mark.flow

START_TIMEOUT = 120.0


def _session(sid: int) -> dict[int, str]:
    """Live (not zombie) processes of a session: pid → command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        state, _ppid, _pgrp, session = stat.rsplit(")", 1)[1].split()[:4]
        if int(session) == sid and state != "Z":
            found[int(entry.name)] = cmdline
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
def test_killed_nightly_leaves_no_prefect_server(tmp_path):
    env = subprocess_env(None, tmp_path / "home", PREFECT_HOME=str(tmp_path / "prefect"))
    env.pop("PREFECT_API_URL", None)
    log = (tmp_path / "nightly.log").open("wb")
    run = subprocess.Popen([str(Path(sys.executable).parent / "lagesbild"), "nightly"],
                           cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not any("uvicorn" in c and "prefect.server" in c
                      for c in _session(run.pid).values()):  # fmt: skip
            assert run.poll() is None, (tmp_path / "nightly.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the temporary Prefect server never started"
            time.sleep(0.2)
        time.sleep(3)  # the refresh is under way (inputs being read)
        assert run.poll() is None
        os.kill(run.pid, signal.SIGKILL)  # the command only, not its process group
        run.wait()
        deadline = time.monotonic() + 15
        while (left := _session(run.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not left, left
    finally:
        stop_group(run)
        with contextlib.suppress(ProcessLookupError):  # orphans, had the test failed
            os.killpg(run.pid, signal.SIGKILL)
        log.close()
