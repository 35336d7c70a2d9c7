"""Great Expectations' Data Docs rendered in a child process, off a run's critical path.

A fresh ``lagesbild run`` without a warm worker imported great_expectations (only needed for
the Data Docs: the checks themselves are evaluated in pandas) and compiled its templates on
its critical path: about 2.2 s of CPU once Prefect and the pipeline are imported. :func:`start`
forks a child from the run once those are imported (a fresh interpreter would import pandas,
pydantic and the rest again: 5–6 s of CPU, measured); the child imports GX and renders a
small warm-up site on the other core while the run starts its flow and reads the inputs.
``DocsBuilder`` hands it the suites' results; ``build`` only asks for the site, and the run
waits for it (:func:`settle`) when it writes the version, after the draft: the run's checks,
indicators and draft do not wait for GX. The site is the same: the child runs the same
``DocsBuilder.record`` and ``build`` on the same results.

The child dies with its parent (``PR_SET_PDEATHSIG``, and end of input). If it fails, the
parent renders the site itself from the results it kept (:class:`DocsProcess` replays them),
so the Data Docs are always complete when ``build`` returns. Fork only from a process with
one thread (the CLI before its flow starts).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from lagesbild.processes import pipes

__all__ = ["DocsProcess", "current", "settle", "start", "stop"]

log = logging.getLogger(__name__)

_current: DocsProcess | None = None
#: Seconds to wait for the child's site (its first build also imports GX: ~5 s, more
#: under load) before the run gives up on it and renders the site itself.
REPLY_SECONDS = 180.0


class DocsProcess:
    """The parent's side: sends ``record``/``build`` requests, keeps them for a replay."""

    def __init__(self) -> None:
        requests, to_child = os.pipe()
        from_child, replies = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the parent's code
            try:
                os.close(to_child)
                os.close(from_child)
                _serve(requests, replies)
            finally:
                os._exit(0)
        os.close(requests)
        os.close(replies)
        self._pid = pid
        self._requests = to_child
        self._replies = from_child
        self._lock = threading.Lock()
        self._sites: dict[str, list[tuple]] = {}  # directory → its record calls (replay)
        self._pending: dict[str, list[tuple]] = {}  # asked to build, reply not yet read
        self._copies: list[tuple[Path, Path]] = []  # (site, target) once the site is built
        self._broken = False

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._pid

    def record(self, directory: Path, *args: Any) -> None:
        """``DocsBuilder(directory).record(*args)``, in the child."""
        key = str(directory)
        with self._lock:
            self._sites.setdefault(key, []).append(args)
            if not self._broken:
                self._send(("record", key, args))

    def take(self, directory: Path) -> list[tuple]:
        """Forget the site of ``directory`` here and in the child; its record calls."""
        key = str(directory)
        with self._lock:
            calls = self._sites.pop(key, [])
            if calls and not self._broken:
                self._send(("forget", key, ()))
        return calls

    def build(self, directory: Path) -> Path | None:
        """Ask for the site of ``directory`` and return its index at once: the site is
        complete after :meth:`settle` (built by the child, or here when the child failed)."""
        key = str(directory)
        with self._lock:
            calls = self._sites.pop(key, [])
            if not calls:
                return None
            self._pending[key] = calls
            if not self._broken:
                self._send(("build", key, ()))
        return Path(directory) / "index.html"

    def copy_when_built(self, site: Path, target: Path) -> bool:
        """Copy ``site`` into ``target`` in :meth:`settle`, when the site is still being
        built; False when it is not (the caller copies it now)."""
        with self._lock:
            if str(site) not in self._pending:
                return False
            self._copies.append((Path(site), Path(target)))
            return True

    def settle(self) -> None:
        """Wait for every site asked for (rendering here those the child failed), then make
        the copies asked for meanwhile."""
        from quality._gx import DocsBuilder

        with self._lock:
            while self._pending:
                key, calls = next(iter(self._pending.items()))  # the child answers in order
                del self._pending[key]
                if not self._broken:
                    reply = self._receive()
                    if reply == ("built", key):
                        continue
                    self._broken = True
                    log.warning("Data Docs child failed (%r); rendering here", reply)
                # The replay: the same calls, in this process.
                local = DocsBuilder(Path(key), in_process=True)
                for args in calls:
                    local.record(*args)
                local.build()
            copies, self._copies = self._copies, []
        for site, target in copies:
            shutil.copytree(site, target, dirs_exist_ok=True)

    def close(self) -> None:
        """End the child (its input closes; it exits) and reap it; a site asked for but not
        settled is not wanted any more (the run failed), so its child is killed."""
        with contextlib.suppress(OSError):
            os.close(self._requests)
        if self._pending:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while os.waitpid(self._pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                with contextlib.suppress(OSError):
                    os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
                break
            time.sleep(0.01)
        with contextlib.suppress(OSError):
            os.close(self._replies)

    def _send(self, message: tuple) -> None:
        try:
            pipes.send(self._requests, message)
        except (OSError, ValueError, pickle.PicklingError) as exc:
            self._broken = True
            log.warning("Data Docs child unreachable: %s", exc)

    def _receive(self) -> Any:
        """The child's reply, or ``("lost", …)``: a child silent for :data:`REPLY_SECONDS`
        (stopped, or stuck) is killed, so the run renders the site itself, never hangs."""
        try:
            return pipes.receive(self._replies, REPLY_SECONDS)
        except pipes.Silent as exc:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            return ("lost", str(exc))
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            return ("lost", str(exc))


def start() -> DocsProcess:
    """Start the child and make it this process's Data Docs renderer."""
    global _current
    if _current is None:
        _current = DocsProcess()
    return _current


def current() -> DocsProcess | None:
    """The renderer ``start`` made, if any."""
    return _current


def settle() -> None:
    """Every Data Docs site this process asked for is complete when this returns (nothing
    to do without a child)."""
    if _current is not None:
        _current.settle()


def stop() -> None:
    """End the child; ``DocsBuilder`` renders in this process again."""
    global _current
    if _current is not None:
        _current.close()
        _current = None


def _die_with_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() == 1:  # the parent is already gone
        os._exit(0)


def _serve(requests: int, replies: int) -> None:
    """The child: import GX, warm its templates, then serve requests until input ends."""
    global _current
    _current = None  # this process renders itself
    _die_with_parent()
    from quality._gx import DocsBuilder, warm_up

    with tempfile.TemporaryDirectory(prefix="lagesbild-docs-warm-") as tmp:
        warm_up(Path(tmp))
    sites: dict[str, DocsBuilder] = {}
    failed: set[str] = set()
    while True:
        try:
            op, key, args = pipes.receive(requests)  # type: ignore[misc]
        except EOFError:
            return
        try:
            if op == "record":
                if key not in failed:
                    sites.setdefault(key, DocsBuilder(Path(key))).record(*args)
                continue
            if op == "forget":
                sites.pop(key, None)
                failed.discard(key)
                continue
            builder = sites.pop(key, None)
            if key in failed or builder is None:
                raise RuntimeError("a record of this site failed")
            builder.build()
            reply: tuple = ("built", key)
        except Exception as exc:  # noqa: BLE001 - the parent renders the site itself
            sites.pop(key, None)
            failed.add(key)
            log.warning("Data Docs child: %s %s failed", op, key, exc_info=True)
            reply = ("failed", f"{type(exc).__name__}: {exc}")
        if op == "build":
            failed.discard(key)
            pipes.send(replies, reply)
