"""Private helpers of ``sources.fetch.fetch``: the JSON state file, atomic writes and snapshots.

The state file remembers, per URL, the validators (ETag, Last-Modified) and the hash and
time of the last good body; the raw store holds the bodies themselves. Nothing here speaks
HTTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from sources.fetch.config import FetchSpec
from sources.store.rawstore import RawFile, RawStore

__all__ = [
    "file_sha",
    "last_good",
    "now_utc",
    "read_state",
    "record_for",
    "restore",
    "save_state",
    "sha256_hex",
    "write_atomic",
]

log = logging.getLogger(__name__)


def read_state(state_file: Path) -> dict[str, dict]:
    """The per-URL entries of the state file; empty when it is missing or unreadable."""
    try:
        raw = json.loads(Path(state_file).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("fetch state %s unreadable (%s); fetching unconditionally", state_file, exc)
        return {}
    sources = raw.get("sources") if isinstance(raw, dict) else None
    return sources if isinstance(sources, dict) else {}


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary sibling and ``os.replace``: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_state(state_file: Path, url: str, entry: dict) -> None:
    """Replace one URL's entry, keeping the others (read, change, write atomically)."""
    state = read_state(state_file)
    state[url] = entry
    text = json.dumps({"version": 1, "sources": state}, ensure_ascii=False, indent=2)
    write_atomic(Path(state_file), text.encode("utf-8"))


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 of a body: how snapshots are named in the raw store."""
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str | None:
    """The hex SHA-256 of a file, or None when there is no such file."""
    return sha256_hex(path.read_bytes()) if path.is_file() else None


def record_for(store: RawStore, url: str, sha: str) -> RawFile | None:
    """The latest raw-store record of ``url`` with this hash, if any."""
    matches = [r for r in store.history(url) if r.sha256 == sha]
    return matches[-1] if matches else None


def restore(path: Path, store: RawStore, sha: str) -> bool:
    """Put the snapshot back into the inbox when the file is gone; True when written."""
    if path.is_file():
        return False
    write_atomic(path, store.blob_path(sha).read_bytes())
    log.info("%s restored from the raw store (%s)", path, sha[:12])
    return True


def now_utc() -> dt.datetime:
    """The current time, timezone-aware in UTC (one place, so the state is consistent)."""
    return dt.datetime.now(dt.UTC)


def last_good(
    spec: FetchSpec, store: RawStore, state_file: Path
) -> tuple[str, dt.datetime] | None:
    """The last good snapshot's hash and success time: state file first, else the store."""
    entry = read_state(state_file).get(spec.url, {})
    sha, when = entry.get("sha256"), entry.get("last_success")
    if sha and when and store.blob_path(sha).is_file():
        return sha, dt.datetime.fromisoformat(when)
    kept = [r for r in store.history(spec.url) if r.stored_path.is_file()]
    if not kept:
        return None
    latest = max(kept, key=lambda r: r.retrieved_at)
    return latest.sha256, latest.retrieved_at
