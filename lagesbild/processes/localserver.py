"""A local Prefect server for the data root: started by the first run, kept for later ones.

Prefect's temporary server costs every ``lagesbild run`` 15–60 s on a busy machine and is
orphaned when the run is killed. Instead the first run without ``PREFECT_API_URL`` starts
one server for the data root (``<home>/prefect-server.json`` records its PID, port and
log; its database is ``<home>/prefect`` unless ``PREFECT_HOME`` says otherwise) in its own
session, and later runs use it. It is visible and stoppable: ``lagesbild server
status|stop``; ``stop`` ends its whole process group.

Standard library only: the CLI asks here before it imports Prefect.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from lagesbild.settings import Settings

__all__ = ["ServerError", "ServerInfo", "ensure_server", "server_status", "start_server",
           "stop_server", "wait_for_server"]

_MARKER = "prefect.server.api.server:create_app"


class ServerError(RuntimeError):
    """The local Prefect server could not be started (the message says where its log is)."""


@dataclass(frozen=True)
class ServerInfo:
    """A running local server."""

    pid: int
    port: int
    started_at: float
    log: Path

    @property
    def api_url(self) -> str:
        """What ``PREFECT_API_URL`` is set to for runs."""
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        """The Prefect UI of this server."""
        return f"http://127.0.0.1:{self.port}/"


def _state_file(settings: Settings) -> Path:
    return settings.home / "prefect-server.json"


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError, OSError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child that has exited
            return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return _MARKER.encode() in cmdline


def _healthy(port: int, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def _read(settings: Settings) -> ServerInfo | None:
    try:
        raw = json.loads(_state_file(settings).read_text(encoding="utf-8"))
        return ServerInfo(pid=int(raw["pid"]), port=int(raw["port"]),
                          started_at=float(raw["started_at"]), log=Path(raw["log"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None


def server_status(settings: Settings) -> tuple[ServerInfo | None, bool]:
    """The recorded server, and whether it answers (None when none runs)."""
    info = _read(settings)
    if info is None or not _alive(info.pid):
        return None, False
    return info, _healthy(info.port)


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _locked(settings: Settings):  # noqa: ANN202 - a context manager
    settings.home.mkdir(parents=True, exist_ok=True)
    with open(settings.home / ".prefect-server.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _server_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.setdefault("PREFECT_HOME", str(settings.home / "prefect"))
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    Path(env["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    return env


def ensure_server(settings: Settings, timeout: float = 120.0) -> tuple[ServerInfo, bool]:
    """The data root's server, started (and waited for) when none answers.

    Returns:
        The server and True when this call started it.
    """
    info, process = start_server(settings)
    wait_for_server(settings, info, process, timeout)
    return info, process is not None


def start_server(settings: Settings) -> tuple[ServerInfo, subprocess.Popen | None]:
    """The data root's server, started when none runs, without waiting for it to answer.

    Its port is known at once, so a first run can point ``PREFECT_API_URL`` at it and
    import Prefect and the pipeline while the server boots (:func:`wait_for_server`).

    Returns:
        The server, and its process when this call started it (else None).
    """
    with _locked(settings):
        info = _read(settings)
        if info is not None and _alive(info.pid):
            return info, None
        settings.logs_dir.mkdir(parents=True, exist_ok=True)
        log = settings.logs_dir / "prefect-server.log"
        port = _free_port()
        command = [sys.executable, "-m", "uvicorn", "--factory", _MARKER,
                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                   "--lifespan", "on"]  # fmt: skip
        with open(log, "ab") as out:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=_server_env(settings), start_new_session=True, cwd=settings.home,
            )  # fmt: skip
        info = ServerInfo(pid=process.pid, port=port, started_at=time.time(), log=log)
        state = _state_file(settings)
        tmp = state.with_name(f".{state.name}.tmp")
        tmp.write_text(json.dumps({"pid": info.pid, "port": port,
                                   "started_at": info.started_at, "log": str(log)}),
                       encoding="utf-8")  # fmt: skip
        os.replace(tmp, state)
        return info, process


def wait_for_server(settings: Settings, info: ServerInfo, process: subprocess.Popen | None,
                    timeout: float = 120.0) -> None:  # fmt: skip
    """Wait until ``info``'s server answers.

    Raises:
        ServerError: when it exited or does not answer within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while not _healthy(info.port):
        exited = process.poll() is not None if process else not _alive(info.pid)
        if exited:
            with _locked(settings):
                current = _read(settings)
                if current is not None and current.pid == info.pid:
                    _state_file(settings).unlink(missing_ok=True)
            raise ServerError(f"Prefect-servern startade inte; se {info.log}")
        if time.monotonic() > deadline:
            raise ServerError(f"Prefect-servern svarar inte efter {timeout:.0f} s; "
                              f"se {info.log}")  # fmt: skip
        time.sleep(0.2)


def stop_server(settings: Settings, timeout: float = 20.0) -> ServerInfo | None:
    """Stop the data root's server and its whole process group; None when none ran."""
    with _locked(settings):
        info = _read(settings)
        _state_file(settings).unlink(missing_ok=True)
        if info is None or not _alive(info.pid):
            return None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(info.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(info.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(info.pid, signal.SIGKILL)
        return info
