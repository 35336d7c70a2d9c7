"""A temporary local Prefect server that dies with the command that started it, even on kill -9.

Without ``PREFECT_API_URL`` Prefect starts its own temporary server for a flow run (a
``uvicorn`` child process) and stops it at exit, but a process killed with SIGKILL runs
no exit handlers: the server was left running, orphaned. ``lagesbild nightly`` therefore
starts the same server itself, with the kernel's parent-death signal (Linux
``PR_SET_PDEATHSIG``): when the command dies, however it dies, the server gets SIGKILL.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

from lagesbild.errors import PipelineError

__all__ = ["die_with_parent", "temporary_prefect_server"]

_PR_SET_PDEATHSIG = 1
STARTUP_TIMEOUT = 90.0


def die_with_parent() -> None:
    """In a child (``preexec_fn``): get SIGKILL when the parent dies (Linux; else nothing)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def temporary_prefect_server(timeout: float = STARTUP_TIMEOUT) -> Iterator[str]:
    """Start Prefect's API (as its own temporary server does) on a free loopback port.

    Args:
        timeout: seconds to wait for the server to answer its health check.

    Yields:
        The API URL; the server is stopped at the end of the block (and killed by the
        kernel if this process dies first).
    """
    import httpx
    import prefect
    from prefect.settings import get_current_settings

    port = _free_port()
    env = {
        **os.environ,
        **get_current_settings().to_environment_variables(exclude_unset=True),
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
         "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env=env, preexec_fn=die_with_parent,  # noqa: PLW1509 - no threads yet
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise PipelineError(f"the temporary Prefect server exited ({process.returncode})")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise PipelineError(
                    f"the temporary Prefect server did not start in {timeout:.0f} s")
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
