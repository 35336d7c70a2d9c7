"""Test-wide settings: an isolated Prefect home and data root, never the user's."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest

# Prefect reads its settings at import time: set them before anything imports it.
_PREFECT_HOME = tempfile.mkdtemp(prefix="lagesbild-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "90"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

FIXTURES = Path(__file__).parent / "fixtures"
BRA_SOL = FIXTURES / "bra-sol"


@pytest.fixture(autouse=True)
def _own_data_root(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test writes under the working directory: without ``LAGESBILD_HOME`` the data root
    (audit checkpoints, the key file) would be ``./lagesbild-data``."""
    if not os.environ.get("LAGESBILD_HOME"):
        monkeypatch.setenv("LAGESBILD_HOME", str(tmp_path_factory.mktemp("default-home")))


@pytest.fixture
def lagesbild_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data root (raw store, SQLite database, reports) for one test."""
    home = tmp_path / "home"
    monkeypatch.setenv("LAGESBILD_HOME", str(home))
    monkeypatch.delenv("LAGESBILD_DATABASE_URL", raising=False)
    return home


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop every local Prefect server a CLI run kept for a test's data root.

    ``lagesbild run`` keeps one server per data root on purpose (see
    ``lagesbild.processes.localserver``); a test that forgets ``lagesbild server stop``, or fails
    before it, must not leave it running after the suite.
    """
    import json
    import signal

    basetemp = session.config._tmp_path_factory.getbasetemp()  # noqa: SLF001
    for state in Path(basetemp).rglob("prefect-server.json"):
        try:
            pid = int(json.loads(state.read_text(encoding="utf-8"))["pid"])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if b"prefect.server.api.server" in cmdline:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGTERM)
