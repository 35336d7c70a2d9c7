"""The manifest of a version directory: what its database row will say, written inside it.

``manifest.json`` is the last file written into the hidden build directory before the
rename, so a ``vNNN`` directory carries everything its row holds (area, year, number,
inputs fingerprint and inputs, flow run, creation time) and the sha256 of every file. A
run killed after the rename but before the insert leaves a directory that the next run can
check against its manifest and adopt, or quarantine when anything disagrees
(``approval.drafts.recovery``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from outputs.publish.versions import sha256_file, write_json_atomic

__all__ = ["MANIFEST", "ManifestCheck", "check_manifest", "write_manifest"]

MANIFEST = "manifest.json"
SCHEMA = 1


_NOT_LISTED = frozenset({MANIFEST, "audit-head.json"})


def _files(directory: Path) -> dict[str, str]:
    """Relative path → sha256 of every file below ``directory`` except the manifest and the
    audit anchor (``audit-head.json``, written once the version is recorded)."""
    return {
        path.relative_to(directory).as_posix(): sha256_file(path)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.relative_to(directory).as_posix() not in _NOT_LISTED
    }


def write_manifest(
    directory: Path,
    *,
    area: str,
    year: int,
    version: int,
    inputs_fingerprint: str,
    inputs: Sequence[dict],
    flow_run_id: str | None,
    created_at: dt.datetime,
    revision_of: int | None = None,
    revision_reason: str | None = None,
    actor: str | None = None,
) -> dict[str, Any]:
    """Write ``manifest.json`` over the directory's finished files; returns its content.

    ``revision_of`` (the adopted version's id), ``revision_reason`` and ``actor`` are what
    the row and the audit entry of a revision carry.
    """
    manifest = {
        "schema": SCHEMA,
        "area": area,
        "year": year,
        "version": version,
        "inputs_fingerprint": inputs_fingerprint,
        "inputs": list(inputs),
        "flow_run_id": flow_run_id,
        "created_at": created_at.isoformat(),
        "revision_of": revision_of,
        "revision_reason": revision_reason,
        "actor": actor,
        "files": _files(directory),
    }
    write_json_atomic(directory / MANIFEST, manifest)
    return manifest


class ManifestCheck:
    """The result of checking a directory against its manifest."""

    def __init__(self, manifest: dict[str, Any] | None, problems: list[str]) -> None:
        self.manifest = manifest
        self.problems = problems

    @property
    def ok(self) -> bool:
        """True when the directory is complete and agrees with its manifest."""
        return self.manifest is not None and not self.problems

    @property
    def draft(self) -> str | None:
        """The draft's relative path (the one ``.docx`` at the top level)."""
        drafts = [n for n in (self.manifest or {}).get("files", {})
                  if "/" not in n and n.endswith(".docx")]  # fmt: skip
        return drafts[0] if len(drafts) == 1 else None

    def sha256_of(self, suffix: str) -> str | None:
        """The sha256 of the top-level file with this suffix (``.docx``, ``.pdf``), if any."""
        files = sorted(n for n in (self.manifest or {}).get("files", {})
                       if "/" not in n and n.endswith(suffix))  # fmt: skip
        return self.manifest["files"][files[0]] if files else None  # type: ignore[index]

    @property
    def created_at(self) -> dt.datetime:
        """When the version was made (the manifest's time, UTC)."""
        return dt.datetime.fromisoformat(self.manifest["created_at"])  # type: ignore[index]


def check_manifest(directory: Path, *, area: str, year: int, version: int) -> ManifestCheck:
    """Check that a version directory is complete and consistent with its manifest.

    Args:
        directory: the ``vNNN`` directory.
        area: the area-year it sits under (must match the manifest).
        year: report year.
        version: the number its name says.

    Returns:
        The manifest (None when missing or unreadable) and the problems found, in words.
    """
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
            raise ValueError("not a manifest")
    except FileNotFoundError:
        return ManifestCheck(None, [f"{path.name} is missing"])
    except (OSError, ValueError) as exc:
        return ManifestCheck(None, [f"{path.name} cannot be read ({type(exc).__name__})"])
    problems = [
        f"the manifest says {key} {manifest.get(key)!r}, the directory is {want!r}"
        for key, want in (("area", area), ("year", year), ("version", version))
        if manifest.get(key) != want
    ]
    for key in ("inputs_fingerprint", "inputs", "created_at"):
        if key not in manifest:
            problems.append(f"the manifest has no {key}")
    present = _files(Path(directory))
    listed: dict[str, str] = manifest["files"]
    problems += [f"{name} is missing" for name in sorted(set(listed) - set(present))]
    problems += [f"{name} is not in the manifest" for name in sorted(set(present) - set(listed))]
    problems += [f"{name} differs from the manifest (sha256)"
                 for name in sorted(set(listed) & set(present))
                 if listed[name] != present[name]]  # fmt: skip
    result = ManifestCheck(manifest, problems)
    if not problems and result.draft is None:
        problems.append("no single .docx draft")
    if not problems:
        try:
            result.created_at  # noqa: B018 - parses
        except (TypeError, ValueError):
            problems.append("the manifest's created_at is not a time")
    return result
