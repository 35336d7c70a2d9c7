"""One publishing run per area-year at a time, across threads, processes and machines.

``publish_version`` reads the latest version, then writes the next one; two runs of the
same area-year doing that together would both write (or one would fail on the unique
constraint). :func:`area_year_lock` serialises that check-then-write:

* PostgreSQL: ``pg_advisory_xact_lock`` on a key derived from the area-year, held in a
  transaction of its own connection. Every process and machine using the database sees it,
  and the server drops it when the holder's connection dies (a killed run never leaves a
  stale lock).
* SQLite: an exclusive ``flock`` on ``<database>.locks/<area>-<year>.lock``. A SQLite
  database lives on one machine, so a file lock next to it reaches every writer; the kernel
  releases it when the holder dies. (A database transaction cannot be used here: SQLite
  locks the whole file, so the version insert inside the lock would wait for itself.)
* ``sqlite:///:memory:`` (tests): a lock inside the process.

Other area-years are never blocked.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from lagesbild.errors import PipelineError

__all__ = ["DEFAULT_LOCK_TIMEOUT", "area_year_lock", "lock_key", "remove_stale_temp_dirs"]

log = logging.getLogger(__name__)

#: Seconds to wait for another run of the same area-year (publishing takes seconds).
DEFAULT_LOCK_TIMEOUT = 900.0
_POLL = 0.2
_MEMORY_LOCKS: dict[str, threading.Lock] = {}
_MEMORY_GUARD = threading.Lock()
_TEMP_DIR = re.compile(r"^\.v\d{3,}\.tmp-[0-9a-f]+$")


def lock_key(area: str, year: int) -> int:
    """A stable signed 64-bit key for an area-year (PostgreSQL advisory locks take bigint).

    Args:
        area: area id.
        year: report year.

    Returns:
        The key; the same in every process (unlike ``hash()``).
    """
    digest = hashlib.sha256(f"lagesbild:{area}:{year}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _busy(area: str, year: int, timeout: float) -> PipelineError:
    return PipelineError(
        f"another run of {area} {year} has been publishing for more than {timeout:.0f} s; "
        "try again when it has finished"
    )


@contextmanager
def _postgres_lock(url: str, area: str, year: int, timeout: float) -> Iterator[None]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(text(f"SET LOCAL lock_timeout = '{int(timeout * 1000)}ms'"))
            try:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": lock_key(area, year)})  # fmt: skip
            except OperationalError as exc:
                raise _busy(area, year, timeout) from exc
            yield
    finally:
        engine.dispose()


@contextmanager
def _file_lock(path: Path, area: str, year: int, timeout: float) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _busy(area, year, timeout) from None
                time.sleep(_POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _memory_lock(name: str, area: str, year: int, timeout: float) -> Iterator[None]:
    with _MEMORY_GUARD:
        lock = _MEMORY_LOCKS.setdefault(name, threading.Lock())
    if not lock.acquire(timeout=timeout):
        raise _busy(area, year, timeout)
    try:
        yield
    finally:
        lock.release()


@contextmanager
def area_year_lock(
    database_url: str, area: str, year: int, *, timeout: float = DEFAULT_LOCK_TIMEOUT
) -> Iterator[None]:
    """Hold the publishing lock of one area-year for the duration of the ``with`` block.

    Args:
        database_url: the SQLAlchemy URL of the version database (decides the lock kind).
        area: area id.
        year: report year.
        timeout: seconds to wait for another holder before giving up.

    Yields:
        Nothing; the lock is held inside the block.

    Raises:
        PipelineError: when the lock was not free within ``timeout``.
    """
    url = make_url(database_url)
    started = time.monotonic()
    if url.get_backend_name() == "postgresql":
        manager = _postgres_lock(database_url, area, year, timeout)
    elif url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database).absolute()
        path = database.with_name(f"{database.name}.locks") / f"{area}-{year}.lock"
        manager = _file_lock(path, area, year, timeout)
    else:
        manager = _memory_lock(f"{database_url}|{area}|{year}", area, year, timeout)
    with manager:
        waited = time.monotonic() - started
        if waited > 1:
            log.info("%s %s: waited %.1f s for another run to finish publishing",
                     area, year, waited)  # fmt: skip
        yield


def remove_stale_temp_dirs(out: Path, area: str, year: int) -> list[Path]:
    """Delete ``.vNNN.tmp-*`` directories of an area-year left by killed runs.

    Only safe while holding :func:`area_year_lock` for that area-year: then no other run
    can be building one of them.

    Args:
        out: root of the version directories.
        area: area id.
        year: report year.

    Returns:
        The directories removed.
    """
    parent = Path(out) / area / str(year)
    if not parent.is_dir():
        return []
    stale = [p for p in parent.iterdir() if p.is_dir() and _TEMP_DIR.match(p.name)]
    for path in stale:
        log.warning("removing %s, left by an interrupted run", path)
        shutil.rmtree(path, ignore_errors=True)
    return stale
