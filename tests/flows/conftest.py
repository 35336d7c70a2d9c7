"""One real local Prefect server for the flow tests, and helpers to run the plain steps.

The server (``prefect server start``) gets its own home and SQLite database in a temporary
directory; tests reach it through ``PREFECT_API_URL`` (``temporary_settings`` in this
process, the environment in subprocesses). It is started once per session and stopped
at the end. Its services run as in production, the scheduler included (with a short loop,
so a test sees the runs it schedules within seconds); its log is ``prefect_server_log``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER_START_TIMEOUT = 90.0
POSTGRES_ENV = "LAGESBILD_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a subprocess started with ``start_new_session=True`` and its children."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def _prefect_server_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A Prefect server started for this session: its API URL and its home."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        # The scheduler stays on (tests/flows/test_schedule.py needs it), with short loops.
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "true",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5",
        "PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS": "2",
    }
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                pytest.fail("prefect server exited: " + (home / "server.log").read_text()[-2000:])
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"prefect server not healthy after {SERVER_START_TIMEOUT:.0f} s")
            time.sleep(0.5)
        yield url, home
    finally:
        stop_group(process)
        log.close()


@pytest.fixture(scope="session")
def prefect_server(_prefect_server_process: tuple[str, Path]) -> str:
    """The API URL of the session's Prefect server."""
    return _prefect_server_process[0]


@pytest.fixture(scope="session")
def prefect_server_log(_prefect_server_process: tuple[str, Path]) -> Path:
    """The session's Prefect server's log file (stdout and stderr)."""
    return _prefect_server_process[1] / "server.log"


@pytest.fixture
def prefect_api(prefect_server: str) -> Iterator[str]:
    """This process's Prefect client and flows talk to the session's server."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        yield prefect_server


def subprocess_env(prefect_url: str | None, home: Path, **extra: str) -> dict[str, str]:
    """The environment of a subprocess run: its Prefect API and lagesbild data root."""
    env = {**os.environ, "LAGESBILD_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("LAGESBILD_DATABASE_URL", None)
    env.update(extra)
    if prefect_url:
        env["PREFECT_API_URL"] = prefect_url
    return env


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLite file, or a fresh PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'lagesbild.db'}"
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    name = f"lagesbild_lock_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
