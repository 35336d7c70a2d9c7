"""Versioned, atomic publication of a run's files, and the inputs fingerprint.

A version directory ``OUT/<area>/<year>/v<NNN>/`` is built as a hidden temporary sibling
and renamed into place in one step, so a reader (or a run killed half-way) never sees a
half-written version. Earlier versions are never touched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd

__all__ = [
    "FAULT_PAUSE_ENV",
    "current_umask",
    "fault_point",
    "make_shareable",
    "next_version_number",
    "sha256_file",
    "version_dir",
    "write_csv_atomic",
    "write_json_atomic",
    "write_text_atomic",
    "write_version",
]

log = logging.getLogger(__name__)

#: A version's number, as a version directory or a quarantined one (never reused).
_NUMBERED_DIR = re.compile(r"^(?:v(\d{3,})|\.v(\d{3,})\.quarantine-.+)$")
#: Fault injection for tests only: ``<point>=<flag file>`` makes the process touch the flag
#: file and wait at that point (``fault_point``) until it is killed.
FAULT_PAUSE_ENV = "LAGESBILD_FAULT_PAUSE"
FAULT_PAUSE_SECONDS = 600


def fault_point(name: str) -> None:
    """Wait here when ``LAGESBILD_FAULT_PAUSE`` names this point (kill -9 tests).

    A test sets ``LAGESBILD_FAULT_PAUSE=after-rename=/tmp/flag``, waits for the flag file
    and kills the process with SIGKILL exactly between two steps. Unset: nothing happens.
    """
    point, _, flag = os.environ.get(FAULT_PAUSE_ENV, "").partition("=")
    if point != name or not flag:
        return
    log.warning("fault injection: pausing at %s (%s)", name, FAULT_PAUSE_ENV)
    Path(flag).touch()
    time.sleep(FAULT_PAUSE_SECONDS)


def current_umask() -> int:
    """The process's umask, read without changing it (``os.umask`` would race threads).

    Linux reports it in ``/proc/self/status``; elsewhere 0o022 is assumed.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def make_shareable(path: Path, mode: int = 0o666) -> Path:
    """Give a file written through ``tempfile.mkstemp`` (always 0600) the mode a plain
    ``open`` would: ``mode`` less the umask, so colleagues sharing the reports directory can
    read the drafts (0644 or 0640 under the usual umasks, still 0600 under umask 077)."""
    os.chmod(path, mode & ~current_umask())
    return path


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def version_dir(out: Path, area: str, year: int, version: int) -> Path:
    """Where version ``version`` of an area-year lives."""
    return Path(out) / area / str(year) / f"v{version:03d}"


def next_version_number(out: Path, area: str, year: int, recorded_max: int) -> int:
    """One more than the highest version known to the database or present on disk.

    Looking at the disk too means that a number once seen there is never reused: neither a
    directory left unrecorded by a killed run nor one quarantined by ``approval.drafts.recovery``.
    A number skipped that way is logged.
    """
    parent = Path(out) / area / str(year)
    on_disk = [
        int(m.group(1) or m.group(2))
        for p in (parent.iterdir() if parent.is_dir() else [])
        if (m := _NUMBERED_DIR.match(p.name))
    ]
    number = max([recorded_max, *on_disk]) + 1
    if number > recorded_max + 1:
        log.warning("%s %s: version %s follows recorded version %s: numbers %s are taken by "
                    "unrecorded or quarantined directories in %s", area, year, number,
                    recorded_max, list(range(recorded_max + 1, number)), parent)  # fmt: skip
    return number


def write_version(target: Path, build: Callable[[Path], None]) -> Path:
    """Run ``build(tmp_dir)`` and rename the finished directory to ``target`` atomically.

    Raises:
        FileExistsError: when ``target`` already exists (another run took the number).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        build(tmp)
        if target.exists():
            raise FileExistsError(f"{target} already exists")
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def write_text_atomic(path: Path, text: str) -> Path:
    """Write text through a temporary file in the same directory and ``os.replace``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> Path:
    """Write a frame as UTF-8 CSV with ``.`` decimals, atomically."""
    return write_text_atomic(path, frame.to_csv(index=False, lineterminator="\n"))


def write_json_atomic(path: Path, data: object) -> Path:
    """Write JSON (UTF-8, sorted keys, readable) atomically."""
    return write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, default=str))
