"""Finding a version's files in the draft store, never outside it.

The path always comes from the version's database record, never from a request; a record
or a symlink that points outside the store, or a .docx whose sha256 differs from the one
recorded, is refused.
"""

from __future__ import annotations

import logging
from pathlib import Path

from lagesbild.errors import PipelineError
from outputs.publish import sha256_file

__all__ = ["FILE_KINDS", "NotFound", "find_file", "resolve_draft"]

log = logging.getLogger(__name__)

FILE_KINDS = {"docx": ".docx", "pdf": ".pdf"}


class NotFound(PipelineError):
    """Raised for an unknown version, an area the user was not granted, or a missing file."""


def find_file(directory: str, draft_root: Path, kind: str) -> Path | None:
    """The first ``.docx``/``.pdf`` of a version directory inside ``draft_root``, or None.

    Args:
        directory: the recorded version directory.
        draft_root: the resolved draft store.
        kind: ``docx`` or ``pdf``.

    Returns:
        The resolved file, or None when absent, unknown kind or outside the store.
    """
    suffix = FILE_KINDS.get(kind)
    folder = Path(directory).resolve()
    if suffix is None or not folder.is_relative_to(draft_root) or not folder.is_dir():
        return None
    files = sorted(  # the stamped rendition of an adopted version is not the draft
        p for p in folder.glob(f"*{suffix}") if p.is_file() and not p.stem.endswith("_faststalld")
    )
    path = files[0].resolve() if files else None
    return path if path is not None and path.is_relative_to(folder) else None


def resolve_draft(directory: str, draft_root: Path, kind: str, docx_sha256: str) -> Path:
    """Like :func:`find_file`, but raising NotFound with the reason; checks the docx hash.

    Args:
        directory: the recorded version directory.
        draft_root: the resolved draft store.
        kind: ``docx`` or ``pdf``.
        docx_sha256: the recorded sha256 of the draft.

    Returns:
        The resolved file.

    Raises:
        NotFound: unknown kind, outside the store, missing, or changed since recorded.
    """
    if kind not in FILE_KINDS:
        raise NotFound(f"okänt filformat {kind!r}")
    if not Path(directory).resolve().is_relative_to(draft_root):
        log.warning("version directory outside the draft store: %s", directory)
        raise NotFound("utkastet ligger utanför utkastarkivet")
    path = find_file(directory, draft_root, kind)
    if path is None:
        raise NotFound(f"versionen har ingen {kind}-fil")
    if kind == "docx" and sha256_file(path) != docx_sha256:
        raise NotFound("utkastet har ändrats sedan versionen registrerades")
    return path
