"""The nightly really fires: the server's scheduler plans its runs at 02:00 Stockholm time.

``lagesbild serve-flows`` (not paused) registers the deployments with the session's real
``prefect server start``, whose scheduler service is on. The test waits until the
scheduler has created the nightly's upcoming runs and checks their start times, the
server's log (the SQLAlchemy 2.1 "Can't evaluate bulk DML statement" error came every
loop) and the Prefect CLI commands the README gives (HTTP 422 with fastapi >= 0.151).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.deploy import NIGHTLY_DEPLOYMENT, YEARLY_DEPLOYMENT
from tests.flows.conftest import ROOT, stop_group, subprocess_env

pytestmark = pytest.mark.flow

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
BIN = Path(sys.executable).parent
SCHEDULE_TIMEOUT = 90.0
LOG_ERRORS = re.compile(r"Traceback|Can't evaluate|\bERROR\b|InvalidRequestError")


@pytest.fixture(scope="module")
def client(prefect_server: str):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (temporary_settings(updates={PREFECT_API_URL: prefect_server}),
          get_client(sync_client=True) as client):  # fmt: skip
        yield client


@pytest.fixture(scope="module")
def scheduled(
    prefect_server: str, prefect_server_log: Path, client, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list, str, dict]]:
    """``lagesbild serve-flows`` running; the nightly's scheduled runs, the server's log
    written meanwhile, and the environment of the serve process."""
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    log_start = prefect_server_log.stat().st_size
    work = tmp_path_factory.mktemp("serve-unpaused")
    env = subprocess_env(prefect_server, work / "home", PREFECT_RUNNER_POLL_FREQUENCY="1")
    log = (work / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(BIN / "lagesbild"), "serve-flows"], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deployment = None
    try:
        deadline = time.monotonic() + SCHEDULE_TIMEOUT
        runs: list = []
        while True:
            assert process.poll() is None, (work / "serve.log").read_text()[-3000:]
            try:
                deployment = deployment or client.read_deployment_by_name(NIGHTLY_DEPLOYMENT)
            except Exception:  # noqa: BLE001 - not registered yet
                deployment = None
            if deployment is not None:
                runs = client.read_flow_runs(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
                    flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                        type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))),
                )  # fmt: skip
                if len(runs) >= 2:
                    break
            assert time.monotonic() < deadline, (
                f"no scheduled nightly runs after {SCHEDULE_TIMEOUT:.0f} s; server log:\n"
                + prefect_server_log.read_text(errors="replace")[log_start:][-3000:])  # fmt: skip
            time.sleep(1)
        server_log = prefect_server_log.read_bytes()[log_start:].decode(errors="replace")
        yield runs, server_log, env
    finally:
        stop_group(process)
        log.close()
        if deployment is not None:  # leave no 01:00 UTC runs for other tests' serve processes
            client.pause_deployment(deployment.id)


def test_scheduler_plans_the_nightly_at_two_in_stockholm(scheduled):
    runs, server_log, _ = scheduled
    starts = sorted(r.expected_start_time for r in runs)
    local = [s.astimezone(STOCKHOLM) for s in starts]
    assert all((t.hour, t.minute, t.second) == (2, 0, 0) for t in local), local
    dates = [t.date() for t in local]
    assert dates == [dates[0] + dt.timedelta(days=i) for i in range(len(dates))]
    now = dt.datetime.now(dt.UTC)
    assert now < starts[0] <= now + dt.timedelta(days=1, minutes=1)
    assert all(r.auto_scheduled for r in runs)
    assert not LOG_ERRORS.search(server_log), server_log[-3000:]


def test_readme_prefect_commands_work(scheduled, client):
    _, _, env = scheduled

    def prefect(*args: str) -> str:
        done = subprocess.run([str(BIN / "prefect"), *args], env={**env, "COLUMNS": "250"},
                              capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert NIGHTLY_DEPLOYMENT in prefect("deployment", "ls")
    prefect("artifact", "ls")
    assert "lagesbild-nightly" in prefect("flow-run", "ls")
    # Started in an hour, so no serve process runs it; deleted again right away.
    out = prefect("deployment", "run", YEARLY_DEPLOYMENT, "-p", "area=sodermalm",
                  "-p", "year=2024", "--start-in", "1 hour")  # fmt: skip
    run_id = re.search(r"UUID: ([0-9a-f-]{36})", out).group(1)
    run = client.read_flow_run(run_id)
    assert run.parameters == {"area": "sodermalm", "year": 2024}
    client.delete_flow_run(run_id)
