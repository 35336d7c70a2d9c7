"""The draft's charts drawn in forked processes while the document itself is built.

The charts are most of a draft's CPU time (matplotlib: about 1.4 of 2.2 s for Södermalm)
and pure: a chart is a function of its frame. ``ChartPool`` forks up to two children before
the body is written, each drawing its share of the planned charts in document order and
sending the finished :class:`~outputs.draft.word.charts.Chart` back over a pipe; the writer
asks for each chart where it stands (:meth:`ChartPool.draw`) and gets the same bytes it
would have drawn itself. Whatever goes wrong in a child (it fails, dies, or a chart was not
planned), the parent draws that chart itself: a pool can only make a draft faster.

Forking is safe here because the children run only matplotlib and pandas on inherited
frames and leave with ``os._exit``; a fork waits while another thread of this process is
drawing (the nightly refresh writes drafts from threads), so no child inherits a
half-drawn figure.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import struct
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

from lagesbild.processes import pipes
from outputs.draft.word.charts import Chart

__all__ = ["ChartJob", "ChartPool"]

#: Children at most: the machines have two cores, and the parent builds the document.
MAX_WORKERS = 2
#: Seconds without a word from a child before it is given up (a chart takes under one).
STALL_SECONDS = 60.0
_guard = threading.Lock()
_drawing = 0


@dataclass(frozen=True)
class ChartJob:
    """One planned chart: ``draw(*args, **kwargs)``, asked for by ``key``."""

    key: Hashable
    draw: Callable[..., Chart | None]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    cost: float = 1.0


def _draw_here(job: ChartJob) -> Chart | None:
    """Draw in this process, counted so that no fork happens meanwhile."""
    global _drawing
    with _guard:
        _drawing += 1
    try:
        return job.draw(*job.args, **job.kwargs)
    finally:
        with _guard:
            _drawing -= 1


@dataclass
class _Child:
    pid: int
    read: int
    keys: list[Hashable]
    done: bool = False


class ChartPool:
    """Charts drawn ahead in forked children; :meth:`draw` returns each one in turn.

    Use as a context manager: leaving it reaps the children (and kills any still running,
    e.g. when the document failed half-way).
    """

    def __init__(self, jobs: Sequence[ChartJob], workers: int = MAX_WORKERS) -> None:
        self._jobs = {job.key: job for job in jobs}
        self._results: dict[Hashable, tuple[bool, object]] = {}
        self._owner: dict[Hashable, _Child] = {}
        self._children: list[_Child] = []
        workers = min(workers, _cores(), len(self._jobs))
        if workers >= 2 and hasattr(os, "fork"):
            self._start(list(self._jobs.values()), workers)

    def _start(self, jobs: list[ChartJob], workers: int) -> None:
        shares: list[list[ChartJob]] = [[] for _ in range(workers)]
        loads = [0.0] * workers
        for job in jobs:  # document order kept; each job to the least loaded child
            index = loads.index(min(loads))
            shares[index].append(job)
            loads[index] += job.cost
        with _guard:
            if _drawing:  # another thread is inside matplotlib: draw here instead
                return
            for share in shares:
                try:
                    read, write = os.pipe()
                except OSError:  # out of descriptors: the parent draws the rest
                    return
                try:
                    pid = os.fork()
                except OSError:  # out of processes or memory: likewise
                    os.close(read)
                    os.close(write)
                    return
                if pid == 0:  # pragma: no cover - the child, which never returns
                    # The child inherits _guard locked; it draws without taking it.
                    # No collection in the child: it would touch (and so copy) every page
                    # of the inherited heap; a child lives for a few charts only.
                    gc.disable()
                    os.close(read)
                    _serve(share, write)
                os.close(write)
                child = _Child(pid=pid, read=read, keys=[job.key for job in share])
                self._children.append(child)
                self._owner.update({key: child for key in child.keys})

    def draw(self, job: ChartJob) -> Chart | None:
        """The chart of ``job``: a child's when one drew it, else drawn now."""
        child = self._owner.get(job.key)
        while child is not None and job.key not in self._results and not child.done:
            self._receive(child)
        done = self._results.pop(job.key, None)
        if done is not None and done[0]:
            return done[1]  # type: ignore[return-value]
        return _draw_here(job)

    def _receive(self, child: _Child) -> None:
        """One result from ``child`` (or mark it done when its pipe ends or breaks).

        A child that sends nothing for :data:`STALL_SECONDS` (stopped, or stuck on a lock
        it inherited from another thread) is killed and its charts drawn here: a nightly
        refresh must never hang on a chart.
        """
        try:
            key, ok, value = pipes.receive(child.read, STALL_SECONDS)  # type: ignore[misc]
        except pipes.Silent:
            self._finish(child, kill=True)
            return
        except (EOFError, OSError, pickle.UnpicklingError, struct.error, ValueError):
            self._finish(child)
            return
        self._results[key] = (ok, value)

    def _finish(self, child: _Child, *, kill: bool = False) -> None:
        if child.done:
            return
        child.done = True
        with contextlib.suppress(OSError):
            os.close(child.read)
        pipes.reap(child.pid, kill=kill)

    def close(self) -> None:
        """Reap every child; one still drawing is killed (its charts are not needed)."""
        for child in self._children:
            self._finish(child, kill=True)

    def __enter__(self) -> ChartPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _cores() -> int:
    """The cores this process may run on (its affinity, not the host's count)."""
    with contextlib.suppress(AttributeError, OSError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _serve(jobs: Sequence[ChartJob], write: int) -> None:  # pragma: no cover - in the child
    """Draw ``jobs`` in order and send each result; never returns."""
    status = 0
    try:
        for job in jobs:
            try:
                value: tuple = (job.key, True, job.draw(*job.args, **job.kwargs))
            except Exception:  # noqa: BLE001 - the parent draws it again and sees the error
                value = (job.key, False, None)
            pipes.send(write, value)
    except BaseException:  # noqa: BLE001 - a broken pipe: the parent gave up on us
        status = 1
    finally:
        os._exit(status)
