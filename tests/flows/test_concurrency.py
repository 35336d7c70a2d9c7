"""One run per area-year at a time, and a run killed with SIGKILL leaves nothing half-done.

The publish lock (``approval.drafts.locks``) is tested on its own (threads, fast) and with two
processes running the plain steps on the same area-year at the same moment; the kill test
kills a run while its version directory is being built and reruns it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from approval.db.models import make_engine
from approval.drafts.locks import area_year_lock, lock_key, remove_stale_temp_dirs
from approval.drafts.versions import VersionRepository
from lagesbild.errors import PipelineError
from lagesbild.settings import load_settings
from tests.flows.conftest import ROOT, stop_group, subprocess_env  # database_url: conftest

PLAIN_RUN = ROOT / "tests" / "flows" / "_plain_run.py"
VERSION = re.compile(r"^v\d{3,}$")


def test_lock_key_is_stable_and_distinct():
    assert lock_key("sodermalm", 2024) == lock_key("sodermalm", 2024)
    assert lock_key("sodermalm", 2024) != lock_key("sodermalm", 2023)
    assert -(2**63) <= lock_key("jarva", 2024) < 2**63


def test_a_held_lock_blocks_the_same_area_year_only(database_url):
    url = database_url
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with area_year_lock(url, "sodermalm", 2024):
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(30)
        with (
            pytest.raises(PipelineError, match="another run of sodermalm 2024"),
            area_year_lock(url, "sodermalm", 2024, timeout=0.3),
        ):
            pass
        with area_year_lock(url, "sodermalm", 2023, timeout=0.3):
            pass  # another area-year is not blocked
        with area_year_lock(url, "kungsholmen", 2024, timeout=0.3):
            pass
    finally:
        release.set()
        holder.join()
    with area_year_lock(url, "sodermalm", 2024, timeout=5):
        pass  # free again once the holder left


def test_in_memory_database_locks_within_the_process():
    url = "sqlite:///:memory:"
    with area_year_lock(url, "sodermalm", 2024):
        failed = []
        thread = threading.Thread(target=lambda: _try(url, failed))
        thread.start()
        thread.join()
        assert failed == [True]


def _try(url: str, failed: list) -> None:
    try:
        with area_year_lock(url, "sodermalm", 2024, timeout=0.2):
            failed.append(False)
    except PipelineError:
        failed.append(True)


def test_stale_temp_dirs_are_removed_and_versions_kept(tmp_path):
    parent = tmp_path / "sodermalm" / "2024"
    (parent / ".v002.tmp-1a2b3c4d").mkdir(parents=True)
    (parent / "v001").mkdir()
    (parent / "notes").mkdir()
    removed = remove_stale_temp_dirs(tmp_path, "sodermalm", 2024)
    assert [p.name for p in removed] == [".v002.tmp-1a2b3c4d"]
    assert sorted(p.name for p in parent.iterdir()) == ["notes", "v001"]


def assert_consistent(out: Path, area: str, year: int, database_url: str) -> list[str]:
    """Every vNNN directory complete, no temp dirs, every record with its directory."""
    parent = out / area / str(year)
    names = sorted(p.name for p in parent.iterdir()) if parent.is_dir() else []
    assert not [n for n in names if n.startswith(".")], names
    for name in names:
        assert VERSION.match(name), name
        files = {p.name for p in (parent / name).iterdir()}
        assert {"indicators.csv", "quality.json"} <= files, (name, files)
        assert any(f.endswith(".docx") for f in files), (name, files)
    engine = make_engine(database_url)
    try:
        versions = VersionRepository(engine).all(area, year)
    finally:
        engine.dispose()
    for v in versions:
        assert Path(v.directory).is_dir(), v.directory
        assert Path(v.directory).name in names
    return names


@pytest.mark.flow
def test_two_processes_at_once_make_one_version(database_url, tmp_path):
    home, out, barrier = tmp_path / "home", tmp_path / "out", tmp_path / "barrier"
    env = subprocess_env(None, home, LAGESBILD_DATABASE_URL=database_url)
    runs = [
        subprocess.Popen(
            [sys.executable, str(PLAIN_RUN), "sodermalm", "2024", str(out), "--no-pdf",
             "--no-checks", "--barrier", str(barrier), "--name", name],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for name in ("run-a", "run-b")
    ]
    results = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=240)
        assert run.returncode == 0, stderr[-3000:]
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    assert sorted(r["created"] for r in results) == [False, True]
    assert {r["version"] for r in results} == {1}
    assert assert_consistent(out, "sodermalm", 2024, database_url) == ["v001"]
    engine = make_engine(database_url)
    try:
        assert len(VersionRepository(engine).all("sodermalm", 2024)) == 1
    finally:
        engine.dispose()


@pytest.mark.flow
def test_a_run_killed_while_publishing_leaves_no_partial_version(tmp_path):
    home, out = tmp_path / "home", tmp_path / "out"
    env = subprocess_env(None, home)
    database_url = load_settings({"LAGESBILD_HOME": str(home)}).database_url
    parent = out / "sodermalm" / "2024"
    run = subprocess.Popen(
        [sys.executable, str(PLAIN_RUN), "sodermalm", "2024", str(out), "--no-checks"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while not (parent.is_dir() and any(p.name.startswith(".v") for p in parent.iterdir())):
            assert run.poll() is None, "the run ended before it started publishing"
            assert time.monotonic() < deadline, "no temporary version directory appeared"
            time.sleep(0.05)
        os.killpg(run.pid, signal.SIGKILL)  # the run and its LibreOffice children
        run.wait()
    finally:
        stop_group(run)
    assert run.returncode == -signal.SIGKILL
    left = sorted(p.name for p in parent.iterdir())
    assert [n for n in left if n.startswith(".v001.tmp-")], left  # killed mid-build
    assert not [n for n in left if VERSION.match(n)]  # nothing visible as a version

    rerun = subprocess.run(
        [sys.executable, str(PLAIN_RUN), "sodermalm", "2024", str(out), "--no-checks",
         "--no-pdf"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    result = json.loads(rerun.stdout.strip().splitlines()[-1])
    assert result["created"] and result["version"] == 1
    assert assert_consistent(out, "sodermalm", 2024, database_url) == ["v001"]
