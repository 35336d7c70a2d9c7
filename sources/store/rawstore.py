"""The raw store: every input kept byte-for-byte, addressed by its sha256.

Raw data is immutable: a report must be reproducible from exactly the bytes it was built
from, so each file is copied once into ``root/<sha[:2]>/<sha256>`` and never edited or
overwritten. ``root/manifest.jsonl`` records, one JSON object per line, where each blob
came from (URL or inbox path), its original file name and when it was retrieved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lagesbild.errors import InputError, PipelineError

__all__ = ["MANIFEST_NAME", "RawFile", "RawStore", "sha256_file"]

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.jsonl"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RawFile:
    """One kept input: its content hash, size, origin, name and retrieval time."""

    sha256: str
    size: int
    origin: str
    name: str
    retrieved_at: dt.datetime
    stored_path: Path


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes.

    Args:
        path: the file.

    Returns:
        64 lowercase hex digits.
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _utc(moment: dt.datetime | None) -> dt.datetime:
    """An aware UTC datetime; naive values are taken to be UTC already."""
    if moment is None:
        return dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


class RawStore:
    """A content-addressed directory of raw inputs with an append-only manifest.

    Size limits (None: none) keep a wrong file (a disk image dropped into the inbox, a
    runaway download) from filling the disk that holds every earlier input: a file larger
    than ``max_file_bytes`` is refused, and so is a new blob that would take the store
    past ``max_total_bytes``; nothing is kept then, and the error names the file.
    """

    def __init__(self, root: Path, *, max_file_bytes: int | None = None,
                 max_total_bytes: int | None = None) -> None:  # fmt: skip
        self.root = Path(root)
        self.max_file_bytes = max_file_bytes
        self.max_total_bytes = max_total_bytes

    @property
    def manifest(self) -> Path:
        """The manifest file (one JSON line per kept file)."""
        return self.root / MANIFEST_NAME

    def blob_path(self, sha256: str) -> Path:
        """Where the blob with this hash lies (whether or not it exists yet)."""
        return self.root / sha256[:2] / sha256

    def keep(
        self, path: Path, *, origin: str, retrieved_at: dt.datetime | None = None
    ) -> RawFile:
        """Copy a file into the store and record it in the manifest.

        Args:
            path: the file to keep (left untouched).
            origin: where it came from: the URL or the inbox path.
            retrieved_at: when it was retrieved; now (UTC) when None.

        Returns:
            The record. Keeping the same bytes from the same origin under the same name
            again returns the first record instead of adding a duplicate line.
        """
        path = Path(path)
        with path.open("rb") as handle:
            return self._store(handle, name=path.name, origin=origin, retrieved_at=retrieved_at)

    def keep_bytes(
        self,
        data: bytes,
        *,
        name: str,
        origin: str,
        retrieved_at: dt.datetime | None = None,
    ) -> RawFile:
        """Keep downloaded bytes (e.g. an HTTP response body) like a file.

        Args:
            data: the exact bytes received.
            name: the file name to record (e.g. the last part of the URL).
            origin: the URL.
            retrieved_at: when it was fetched; now (UTC) when None.

        Returns:
            The record, as for ``keep``.
        """
        return self._store(io.BytesIO(data), name=name, origin=origin, retrieved_at=retrieved_at)

    def history(self, name_or_origin: str) -> list[RawFile]:
        """Every manifest record whose file name or origin equals the argument, oldest first.

        Args:
            name_or_origin: an original file name, a URL or an inbox path.

        Returns:
            The records in manifest order (empty when none).
        """
        return [r for r in self._records() if name_or_origin in (r.name, r.origin)]

    def records(self) -> list[RawFile]:
        """All manifest records, oldest first."""
        return list(self._records())

    # -- internals ---------------------------------------------------------------------

    def _store(
        self, handle: BinaryIO, *, name: str, origin: str, retrieved_at: dt.datetime | None
    ) -> RawFile:
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in iter(lambda: handle.read(_CHUNK), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    if self.max_file_bytes is not None and size > self.max_file_bytes:
                        limit = _mb(self.max_file_bytes)
                        raise InputError(
                            f"filen är större än råarkivets gräns per fil ({limit}, "
                            "LAGESBILD_RAW_MAX_FILE_MB); den sparas inte och läses inte",
                            file=origin,
                        )
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.blob_path(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():  # never overwrite a blob: same hash, same bytes
                tmp.unlink()
            else:  # same file system, so the rename is atomic
                self._check_room(size, origin)
                os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        for record in self._records():
            if (record.sha256, record.origin, record.name) == (sha, origin, name):
                return record
        record = RawFile(
            sha256=sha,
            size=size,
            origin=origin,
            name=name,
            retrieved_at=_utc(retrieved_at),
            stored_path=target,
        )
        self._append(record)
        log.info("kept %s (%s) as %s", name, origin, sha[:12])
        return record

    def size(self) -> int:
        """Bytes held by the store's blobs (each blob counted once)."""
        return sum({r.sha256: r.size for r in self._records()}.values())

    def _check_room(self, size: int, origin: str) -> None:
        if self.max_total_bytes is None:
            return
        used = self.size()
        if used + size > self.max_total_bytes:
            raise PipelineError(
                f"råarkivet {self.root} är fullt: {_mb(used)} används av "
                f"{_mb(self.max_total_bytes)} (LAGESBILD_RAW_MAX_GB); {origin} ({_mb(size)}) "
                "sparas inte. Flytta äldre råfiler till ett arkiv eller höj gränsen."
            )

    def _append(self, record: RawFile) -> None:
        line = json.dumps(
            {
                "sha256": record.sha256,
                "size": record.size,
                "origin": record.origin,
                "name": record.name,
                "retrieved_at": record.retrieved_at.isoformat(),
            },
            ensure_ascii=False,
        )
        with self.manifest.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())

    def _records(self) -> Iterator[RawFile]:
        if not self.manifest.exists():
            return
        with self.manifest.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                    yield RawFile(
                        sha256=raw["sha256"],
                        size=int(raw["size"]),
                        origin=raw["origin"],
                        name=raw["name"],
                        retrieved_at=dt.datetime.fromisoformat(raw["retrieved_at"]),
                        stored_path=self.blob_path(raw["sha256"]),
                    )
                except (ValueError, KeyError, TypeError):
                    log.warning("%s line %d is not a manifest record; skipped", self.manifest,
                                number)


def _mb(size: int) -> str:
    text = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
    return text.replace(".", ",")
