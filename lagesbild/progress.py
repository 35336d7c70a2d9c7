"""Step events of a run, for a person to follow: one Swedish line per step.

The flow and the plain pipeline functions announce their steps here (``with step("Läser
indata"):``); whoever shows them registers a sink: the CLI's terminal display, or a warm
worker's socket that streams them back to the ``lagesbild run`` that asked. No sink, no
cost. Standard library only, so any layer may use it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["Event", "Step", "add_sink", "emit", "remove_sink", "sinks", "step"]


@dataclass(frozen=True)
class Event:
    """A step started (``state="start"``), finished (``"done"``) or failed (``"fail"``)."""

    step: str
    state: str
    detail: str = ""
    seconds: float | None = None

    def as_dict(self) -> dict:
        """A JSON-ready form (the worker streams events as JSON lines)."""
        return {"step": self.step, "state": self.state, "detail": self.detail,
                "seconds": self.seconds}  # fmt: skip


Sink = Callable[[Event], None]
_sinks: list[Sink] = []
_lock = threading.Lock()


def add_sink(sink: Sink) -> None:
    """Receive every event from now on (called from the emitting thread)."""
    with _lock:
        _sinks.append(sink)


def remove_sink(sink: Sink) -> None:
    """Stop receiving events."""
    with _lock, contextlib.suppress(ValueError):
        _sinks.remove(sink)


@contextlib.contextmanager
def sinks(*added: Sink) -> Iterator[None]:
    """Register sinks for the duration of a ``with`` block."""
    for sink in added:
        add_sink(sink)
    try:
        yield
    finally:
        for sink in added:
            remove_sink(sink)


def emit(event: Event) -> None:
    """Hand an event to every sink; a failing sink never stops the run."""
    with _lock:
        current = list(_sinks)
    for sink in current:
        with contextlib.suppress(Exception):
            sink(event)


class Step:
    """A running step; set ``detail`` (e.g. "184 av 185 godkända") before it ends."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.detail = ""
        self.started = time.perf_counter()


@contextlib.contextmanager
def step(name: str) -> Iterator[Step]:
    """Announce a step, time it and report how it ended."""
    current = Step(name)
    emit(Event(name, "start"))
    try:
        yield current
    except BaseException:
        emit(Event(name, "fail", current.detail, time.perf_counter() - current.started))
        raise
    emit(Event(name, "done", current.detail, time.perf_counter() - current.started))
