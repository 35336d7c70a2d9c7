"""A version directory without its database row: adopted when complete, else quarantined.

The real fault: a run is killed with SIGKILL between the rename of its finished ``vNNN``
and the insert of its row (it waits at ``fault_point("after-rename")`` until the test
kills it). The next run adopts the directory from its manifest and finds it unchanged.
Quarantine (a tampered or manifest-less directory) is checked without a process.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from approval.db.models import make_engine
from approval.drafts.publish import publish_version
from approval.drafts.versions import VersionRepository
from outputs.publish.manifest import MANIFEST, check_manifest, write_manifest
from outputs.publish.versions import FAULT_PAUSE_ENV, sha256_file, version_dir, write_version
from tests.flows.conftest import ROOT, stop_group, subprocess_env
from tests.flows.test_concurrency import PLAIN_RUN, assert_consistent

AREA, YEAR = "sodermalm", 2024
KILL_TIMEOUT = 240


def _versions(database_url: str) -> list:
    engine = make_engine(database_url)
    try:
        return VersionRepository(engine).all(AREA, YEAR)
    finally:
        engine.dispose()


@pytest.mark.flow
def test_a_run_killed_between_rename_and_record_is_adopted_by_the_next(database_url, tmp_path):
    home, out, flag = tmp_path / "home", tmp_path / "out", tmp_path / "paused"
    env = subprocess_env(None, home, LAGESBILD_DATABASE_URL=database_url)
    command = [sys.executable, str(PLAIN_RUN), AREA, str(YEAR), str(out), "--no-checks",
               "--no-pdf"]  # fmt: skip
    run = subprocess.Popen(command, env={**env, FAULT_PAUSE_ENV: f"after-rename={flag}"},
                           cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + KILL_TIMEOUT
        while not flag.exists():
            assert run.poll() is None, "the run ended before it reached the fault point"
            assert time.monotonic() < deadline, "the run never reached the fault point"
            time.sleep(0.05)
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    finally:
        stop_group(run)
    assert run.returncode == -signal.SIGKILL
    directory = out / AREA / str(YEAR) / "v001"
    assert directory.is_dir() and (directory / MANIFEST).is_file()
    assert _versions(database_url) == []  # the row was never written

    rerun = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                           timeout=KILL_TIMEOUT)  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    result = json.loads(rerun.stdout.strip().splitlines()[-1])
    assert (result["created"], result["version"]) == (False, 1)  # adopted, then unchanged
    assert "adopted" in rerun.stderr and str(directory) in rerun.stderr
    [version] = _versions(database_url)
    draft = directory / f"lagesbild_{AREA}_{YEAR}_v001.docx"
    assert version.docx_sha256 == sha256_file(draft)
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    assert version.inputs_fingerprint == manifest["inputs_fingerprint"]
    assert version.inputs == manifest["inputs"]
    assert assert_consistent(out, AREA, YEAR, database_url) == ["v001"]


def _build(text: str):
    def build(directory: Path, version: int) -> None:
        (directory / f"utkast_v{version:03d}.docx").write_text(text, encoding="utf-8")
        (directory / "indicators.csv").write_text("a,b\n1,2\n", encoding="utf-8")
        (directory / "data_docs").mkdir()
        (directory / "data_docs" / "index.html").write_text("<p>ok</p>", encoding="utf-8")

    return build


def _publish(repo, out, fingerprint: str):
    return publish_version(repo=repo, out=out, area=AREA, year=YEAR,
                           inputs_fingerprint=fingerprint, inputs=[{"name": "x", "sha256": "0"}],
                           flow_run_id="test", build=_build(fingerprint))  # fmt: skip


def test_unrecorded_directories_that_disagree_are_quarantined_and_numbers_not_reused(
    database_url, tmp_path, caplog
):
    from approval.db.engine import init_db

    engine = init_db(database_url)
    repo, out = VersionRepository(engine), tmp_path / "out"
    parent = out / AREA / str(YEAR)
    try:
        assert _publish(repo, out, "a").version.version == 1
        # Two complete directories left without rows, as publish leaves them when killed
        # after the rename: built and renamed the same way, with their manifests.
        for number, fingerprint in ((2, "b"), (3, "c")):
            def build(tmp: Path, number=number, fingerprint=fingerprint) -> None:
                _build(fingerprint)(tmp, number)
                write_manifest(tmp, area=AREA, year=YEAR, version=number,
                               inputs_fingerprint=fingerprint, inputs=[], flow_run_id=None,
                               created_at=dt.datetime.now(dt.UTC))  # fmt: skip

            write_version(version_dir(out, AREA, YEAR, number), build)
        assert check_manifest(parent / "v002", area=AREA, year=YEAR, version=2).ok
        (parent / "v002" / "indicators.csv").write_text("a,b\n1,3\n", encoding="utf-8")
        (parent / "v003" / MANIFEST).unlink()
        (parent / "v004").mkdir()  # a bare directory, e.g. made by hand
        with caplog.at_level(logging.WARNING):
            result = _publish(repo, out, "d")
        assert result.created and result.version.version == 5  # 2–4 are not reused
        names = sorted(p.name for p in parent.iterdir())
        assert names[:3] == [n for n in names if n.startswith(".")]
        assert [n.split(".quarantine-")[0] for n in names[:3]] == [".v002", ".v003", ".v004"]
        assert names[3:] == ["v001", "v005"]
        assert [v.version for v in repo.all(AREA, YEAR)] == [1, 5]
        text = caplog.text
        assert "indicators.csv differs from the manifest (sha256)" in text
        assert "manifest.json is missing" in text
        assert "numbers [2, 3, 4] are taken" in text
        assert check_manifest(parent / "v005", area=AREA, year=YEAR, version=5).ok
    finally:
        engine.dispose()
