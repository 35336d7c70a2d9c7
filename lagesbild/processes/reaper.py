"""Child processes and scratch directories that must not outlive the run, even a kill -9.

A process killed with SIGKILL runs no ``finally`` and no ``atexit``. So the first time a run
registers something (a LibreOffice process group, a ``/tmp/lagesbild-lo-*`` directory), it
starts a tiny reaper: a separate Python in its own session that reads a pipe from the run.
When the pipe closes, however the run ended, the reaper kills every process group still
registered and removes every directory still registered, then exits. A run that cleans up
normally unregisters first, so the reaper then has nothing to do.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["guarded_directory", "guarded_group", "register", "unregister"]

_REAPER = r"""
import os, shutil, signal, sys
groups, paths = set(), set()
for line in sys.stdin:
    op, kind, value = line[0], line[1], line[3:].rstrip("\n")
    target = groups if kind == "g" else paths
    (target.add if op == "+" else target.discard)(int(value) if kind == "g" else value)
for pgid in groups:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass
for path in paths:
    shutil.rmtree(path, ignore_errors=True)
"""

_lock = threading.Lock()
_process: subprocess.Popen | None = None
_owner: int | None = None


def _pipe() -> subprocess.Popen:
    global _process, _owner
    if _process is None or _owner != os.getpid() or _process.poll() is not None:
        # -S -E: no site, no environment; it starts in milliseconds and needs nothing.
        _process = subprocess.Popen(
            [sys.executable, "-S", "-E", "-c", _REAPER], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            text=True, bufsize=1,
        )  # fmt: skip
        _owner = os.getpid()
        atexit.register(_close)
    return _process


def _close() -> None:
    if _process is not None and _owner == os.getpid():
        with contextlib.suppress(OSError):
            _process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            _process.wait(timeout=5)


def _send(line: str) -> None:
    with _lock:
        process = _pipe()
        process.stdin.write(line + "\n")
        process.stdin.flush()


def _change(op: str, group: int | None, path: Path | str | None) -> None:
    """Tell the reaper to add (``+``) or drop (``-``) a process group and/or a directory."""
    if group is not None:
        _send(f"{op}g {group}")
    if path is not None:
        _send(f"{op}p {path}")


def register(*, group: int | None = None, path: Path | str | None = None) -> None:
    """Have the reaper kill this process group / remove this directory if the run dies."""
    _change("+", group, path)


def unregister(*, group: int | None = None, path: Path | str | None = None) -> None:
    """The run took care of it itself."""
    _change("-", group, path)


@contextlib.contextmanager
def _guarded(*, group: int | None = None, path: Path | str | None = None) -> Iterator[None]:
    register(group=group, path=path)
    try:
        yield
    finally:
        unregister(group=group, path=path)


@contextlib.contextmanager
def guarded_directory(path: Path) -> Iterator[Path]:
    """``path`` is removed when the run dies inside the block (kept otherwise)."""
    with _guarded(path=path):
        yield path


@contextlib.contextmanager
def guarded_group(pgid: int) -> Iterator[int]:
    """Process group ``pgid`` is killed when the run dies inside the block."""
    with _guarded(group=pgid):
        yield pgid
