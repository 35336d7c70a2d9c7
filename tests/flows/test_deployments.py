"""The deployments on a real Prefect server: served, run, rerun unchanged, with artifacts.

One serve process (``python -m flows.deploy``) registers both deployments with the
session's server and runs their flow runs. The nightly refresh runs for Södermalm and
Norra innerstaden 2024 of the bundled sample data: once (two new versions), then again
(both unchanged, no file written). The yearly flow and the Dask task runner then run in
this process against the same server and data root.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from approval.db.models import make_engine
from approval.drafts.versions import VersionRepository
from flows.deploy import NIGHTLY_CRON, NIGHTLY_DEPLOYMENT, TIMEZONE, YEARLY_DEPLOYMENT
from lagesbild.settings import load_settings
from tests.flows.conftest import ROOT, stop_group, subprocess_env

pytestmark = pytest.mark.flow

AREAS = ["sodermalm", "norra-innerstaden"]
YEAR = 2024
RUN_TIMEOUT = 300


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data root of every run in this module (also for this process's flows)."""
    path = tmp_path_factory.mktemp("lagesbild-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LAGESBILD_HOME", str(path))
        patch.delenv("LAGESBILD_DATABASE_URL", raising=False)
        yield path


@pytest.fixture(scope="module")
def api(prefect_server: str) -> Iterator[str]:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        yield prefect_server


@pytest.fixture(scope="module")
def client(api: str):
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        yield client


@pytest.fixture(scope="module")
def served(api: str, home: Path, client, tmp_path_factory) -> Iterator[None]:
    """``python -m flows.deploy`` running against the server until the module ends."""
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("wb")
    env = subprocess_env(api, home, PREFECT_RUNNER_POLL_FREQUENCY="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.deploy", "--paused"], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, "the serve process exited"
            try:
                client.read_deployment_by_name(NIGHTLY_DEPLOYMENT)
                client.read_deployment_by_name(YEARLY_DEPLOYMENT)
                break
            except Exception:  # noqa: BLE001 - not registered yet
                assert time.monotonic() < deadline, "deployments were not registered"
                time.sleep(1)
        yield
    finally:
        stop_group(process)
        log.close()


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(root.rglob("*"))}  # fmt: skip


def _versions(home: Path) -> list:
    engine = make_engine(load_settings({"LAGESBILD_HOME": str(home)}).database_url)
    try:
        return VersionRepository(engine).all(year=YEAR)
    finally:
        engine.dispose()


def _artifacts(client, flow_run_id) -> dict:
    """The artifacts of a flow run by key (the flow's own and its tasks').

    Straight to the REST API: 3.8.8's sync ``read_artifacts`` sends ``null`` for every
    filter not given (HTTP 422 with fastapi >= 0.151, hence the pin), and an empty task-run
    filter drops the flow's artifacts.
    """
    from prefect.client.schemas.objects import Artifact

    response = client.request("POST", "/artifacts/filter", json={
        "artifacts": {"flow_run_id": {"any_": [str(flow_run_id)]}}, "limit": 200})  # fmt: skip
    return {a.key: a for a in Artifact.model_validate_list(response.json())}


def _run_nightly(served):
    from prefect.deployments import run_deployment

    return run_deployment(NIGHTLY_DEPLOYMENT, parameters={"year": YEAR, "areas": AREAS},
                          timeout=RUN_TIMEOUT, poll_interval=1)  # fmt: skip


@pytest.fixture(scope="module")
def first(served, home: Path):
    """The first nightly run through the deployment."""
    return _run_nightly(served)


def test_deployments_are_registered_with_schedule_and_parameters(served, client):
    nightly = client.read_deployment_by_name(NIGHTLY_DEPLOYMENT)
    [schedule] = nightly.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == (NIGHTLY_CRON, TIMEZONE)
    assert nightly.entrypoint == "flows.nightly.nightly_refresh"
    yearly = client.read_deployment_by_name(YEARLY_DEPLOYMENT)
    assert yearly.schedules == []
    assert set(yearly.parameter_openapi_schema["required"]) == {"area", "year"}


def test_first_nightly_run_records_a_version_per_area(first, home, client):
    assert first.state.is_completed(), first.state
    versions = _versions(home)
    assert sorted((v.area, v.version) for v in versions) == [("norra-innerstaden", 1),
                                                             ("sodermalm", 1)]  # fmt: skip
    assert {v.flow_run_id for v in versions} == {str(first.id)}
    artifacts = _artifacts(client, first.id)
    for area in AREAS:
        link = artifacts[f"lagesbild-{area}-{YEAR}"]
        assert link.type == "markdown"  # Prefect stores a link as a markdown link
        uri = re.search(r"\((file://[^)]+)\)", link.data).group(1)
        draft = Path(unquote(urlparse(uri).path))
        assert draft.is_file() and draft.suffix == ".docx"
        table = artifacts[f"lagesbild-{area}-{YEAR}-indikatorer"]
        rows = json.loads(table.data)
        assert "Samtliga brott" in {r["Indikator"] for r in rows}
        assert "Datakvalitet" in artifacts[f"lagesbild-{area}-{YEAR}-kvalitet"].data
    summary = artifacts[f"lagesbild-nightly-{YEAR}"].data
    assert ("Nya versioner: 2, oförändrade: 0, fastställda (ingen ny version): 0, "
            "misslyckade: 0, utan indata: 0") in summary


def test_second_nightly_run_is_unchanged_and_writes_nothing(first, home, client):
    before, versions_before = _tree(home / "reports"), _versions(home)
    second = _run_nightly(first)
    assert second.state.is_completed(), second.state
    assert _tree(home / "reports") == before
    assert _versions(home) == versions_before
    summary = _artifacts(client, second.id)[f"lagesbild-nightly-{YEAR}"].data
    assert ("Nya versioner: 0, oförändrade: 2, fastställda (ingen ny version): 0, "
            "misslyckade: 0, utan indata: 0") in summary
    for area in AREAS:
        assert f"| {area} | oförändrad | v001 |" in summary


def test_one_area_failing_does_not_stop_the_others(first, home, api):
    from flows.nightly import nightly_refresh

    summary = nightly_refresh(year=YEAR, areas=["sodermalm", "kungsholmen"])
    outcome = {a["area"]: a for a in summary["areas"]}
    assert outcome["sodermalm"]["status"] == "unchanged"
    assert outcome["kungsholmen"]["status"] == "failed"
    assert "kungsholmen" in outcome["kungsholmen"]["reason"]
    assert (summary["unchanged"], summary["failed"]) == (1, 1)


def test_every_area_failing_fails_the_flow(first, api):
    from flows.nightly import nightly_refresh

    state = nightly_refresh(year=YEAR, areas=["kungsholmen"], return_state=True)
    assert state.is_failed()
    assert "every area of 2024 failed" in state.message or "kungsholmen" in str(state.message)


def test_nightly_on_a_local_dask_cluster(first, home, api):
    from flows.nightly import dask_task_runner, nightly_refresh

    runner = dask_task_runner(n_workers=2, processes=False)
    summary = nightly_refresh.with_options(task_runner=runner)(year=YEAR, areas=AREAS)
    assert [a["status"] for a in summary["areas"]] == ["unchanged", "unchanged"]


def test_yearly_flow_leaves_its_artifacts(first, home, api, client):
    from flows.yearly import yearly_report

    state = yearly_report(area="sodermalm", year=YEAR, return_state=True)
    assert state.is_completed(), state
    result = state.result()
    assert not result.created and result.version.version == 1
    keys = set(_artifacts(client, state.state_details.flow_run_id))
    assert keys == {f"lagesbild-sodermalm-{YEAR}", f"lagesbild-sodermalm-{YEAR}-indikatorer",
                    f"lagesbild-sodermalm-{YEAR}-kvalitet"}  # fmt: skip


def test_nightly_cli_out_of_the_box_one_line_per_area(first, home, api):
    """``lagesbild nightly`` without arguments: the inbox's latest year (2024, not the
    calendar year), one Swedish line per area, no traceback, exit 0."""
    from flows.nightly import areas_to_refresh
    from lagesbild.areas.load import load_areas

    env = subprocess_env(api, home)
    done = subprocess.run([str(Path(sys.executable).parent / "lagesbild"), "nightly"],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    areas = areas_to_refresh(load_areas(), YEAR)
    assert [line.split(" ", 1)[0] for line in lines] == areas
    expected = {"sodermalm": "oförändrad v001", "norra-innerstaden": "oförändrad v001"}
    for area, line in zip(areas, lines, strict=True):
        assert line == f"{area} {YEAR}: {expected.get(area, 'inga indata')}"
    assert "Traceback" not in done.stderr
