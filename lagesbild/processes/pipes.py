"""Pickled messages between a process and a child it forked, over plain pipes.

The draft's chart children (``outputs.draft.word.chart_pool``) and the Data Docs child
(``quality.docs_process``) talk to their parent this way: a length-prefixed pickle per
message, and a deadline on the parent's side, so a child that is stopped or stuck (on a
lock it inherited at the fork) is given up instead of hanging the run.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct

__all__ = ["Silent", "reap", "receive", "send"]

_HEADER = struct.Struct("!Q")


class Silent(Exception):
    """No message arrived within the deadline."""


def send(fd: int, message: object) -> None:
    """Write ``message`` whole (raises ``OSError`` on a closed pipe)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def receive(fd: int, timeout: float | None = None) -> object:
    """The next message on ``fd``.

    Raises:
        Silent: nothing began to arrive within ``timeout`` seconds.
        EOFError: the writer closed the pipe (a child that ended or died).
    """
    if timeout is not None and not select.select([fd], [], [], timeout)[0]:
        raise Silent(f"no message in {timeout:g} s")
    size = _HEADER.unpack(_read_exactly(fd, _HEADER.size))[0]
    return pickle.loads(_read_exactly(fd, size))


def reap(pid: int, *, kill: bool = False) -> None:
    """Wait for child ``pid`` to end (after ``SIGKILL`` when ``kill``); gone already is fine."""
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
