"""The client side of the warm worker: hand a yearly run to ``lagesbild serve-flows``.

A fresh process pays 5–25 s before the first step (Python, Prefect, pandas, scipy, Great
Expectations, python-docx, matplotlib) and cannot beat Prefect's own floor. The warm worker
(:mod:`flows.warm`) keeps that stack imported; ``lagesbild run`` connects to its Unix
socket (``<home>/worker.json`` says where), sends the run's parameters, and prints the step
events the worker streams back, without importing Prefect itself. Closing the connection
(Ctrl-C, or a kill of the ``lagesbild run`` process) ends the run in the worker.

Standard library only. The wire format is one JSON object a line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lagesbild.settings import Settings

__all__ = ["WorkerInfo", "connect", "messages", "socket_path", "to_wire", "worker_info"]


@dataclass(frozen=True)
class WorkerInfo:
    """A running warm worker."""

    pid: int
    socket: Path
    api_url: str


def socket_path(settings: Settings) -> Path:
    """Where the worker listens: under the data root, or a short private path in /tmp
    when the data root's path is too long for a Unix socket (108 bytes)."""
    path = settings.home / "worker.sock"
    if len(str(path)) < 100:
        return path
    digest = hashlib.sha256(str(settings.home).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"lagesbild-{os.getuid()}-{digest}" / "worker.sock"


def state_file(settings: Settings) -> Path:
    """The worker's PID, socket and Prefect API address."""
    return settings.home / "worker.json"


def worker_info(settings: Settings) -> WorkerInfo | None:
    """The recorded worker when its process lives, else None."""
    try:
        raw = json.loads(state_file(settings).read_text(encoding="utf-8"))
        info = WorkerInfo(pid=int(raw["pid"]), socket=Path(raw["socket"]), api_url=raw["api"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(info.pid, 0)
    except OSError:
        return None
    return info


def connect(settings: Settings, timeout: float = 2.0) -> socket.socket | None:
    """A connection to the data root's warm worker, or None when none listens."""
    info = worker_info(settings)
    if info is None:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(info.socket))
    except OSError:
        sock.close()
        return None
    sock.settimeout(None)
    return sock


def to_wire(params: dict) -> dict:
    """Flow parameters as JSON (paths and dates as text)."""
    wire = {}
    for key, value in params.items():
        if isinstance(value, Path):
            value = str(value.absolute())
        elif isinstance(value, dt.date):
            value = value.isoformat()
        wire[key] = value
    return wire


def send(sock: socket.socket, message: dict) -> None:
    """One message."""
    sock.sendall((json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8"))


def messages(sock: socket.socket) -> Iterator[dict]:
    """The messages the worker sends, until it closes the connection."""
    with contextlib.closing(sock.makefile("r", encoding="utf-8")) as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)
