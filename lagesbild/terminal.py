"""What ``lagesbild run`` shows: one Swedish line per step, a spinner while one runs, and
everything else (Prefect's and Great Expectations' log lines, LibreOffice's output) in a
log file under the data root.

:func:`quiet_terminal` points the process's standard output and error (file descriptors
1 and 2, so child processes too) at the log file and gives back a console on the real
terminal; ``--verbose`` skips it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from rich.console import Console

from lagesbild.progress import Event

__all__ = ["StepDisplay", "quiet_terminal", "seconds"]


def seconds(value: float) -> str:
    """Swedish seconds: ``1,2 s``."""
    return f"{value:.1f}".replace(".", ",") + "\u00a0s"


class StepDisplay:
    """A progress sink: a spinner for the running step, a line when it ends."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._status = None

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def __call__(self, event: Event) -> None:
        """Show one event."""
        if event.state == "start":
            self._stop()
            if self.console.is_terminal:
                self._status = self.console.status(f"{event.step} …", spinner="dots")
                self._status.start()
            return
        self._stop()
        took = seconds(event.seconds or 0.0)
        text = f"{event.detail}, {took}" if event.detail else took
        mark = "[green]✓[/]" if event.state == "done" else "[red]✗[/]"
        self.console.print(f"{mark} {event.step} … {text}", highlight=False)

    def close(self) -> None:
        """Remove a spinner still showing (a run that stopped mid-step)."""
        self._stop()


def _terminal_copy(stream: TextIO, fd: int) -> TextIO:
    try:
        if stream.fileno() == fd:
            return os.fdopen(os.dup(fd), "w", encoding="utf-8", buffering=1)
    except (AttributeError, OSError, ValueError):
        pass
    return stream  # already not the process's fd (a test runner's capture)


def _console(**kwargs: object) -> Console:
    # soft_wrap: an error message or a path is never broken into lines (copyable, greppable)
    return Console(highlight=False, soft_wrap=True, **kwargs)


@contextlib.contextmanager
def quiet_terminal(log: Path | None) -> Iterator[tuple[Console, Console]]:
    """Consoles on the terminal (out, err) while fds 1 and 2 write to ``log``.

    Args:
        log: the log file; None leaves the terminal as it is (``--verbose``).
    """
    if log is None:
        yield _console(), _console(stderr=True)
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    out, err = _terminal_copy(sys.stdout, 1), _terminal_copy(sys.stderr, 2)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(target, 1)
    os.dup2(target, 2)
    os.close(target)
    try:
        yield _console(file=out), _console(file=err)
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        for stream, original in ((out, sys.stdout), (err, sys.stderr)):
            if stream is not original:
                with contextlib.suppress(Exception):
                    stream.close()
