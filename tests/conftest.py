"""Test-wide settings: an isolated Prefect home and data root, never the user's."""

from __future__ import annotations

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
