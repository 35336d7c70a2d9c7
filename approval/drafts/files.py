"""Finding a version's files in the draft store, never outside it.

The path always comes from the version's database record, never from a request; a record
or a symlink that points outside the store (or outside that area-year's own folder
``<store>/<area>/<year>/``), or a .docx or .pdf whose sha256 differs from the one recorded,
is refused. A PDF whose sha256 was never recorded (a version made before it was) is refused
too: nothing vouches for its content.
"""

from __future__ import annotations

import logging
from pathlib import Path

from lagesbild.errors import PipelineError
from outputs.publish.versions import sha256_file

__all__ = ["FILE_KINDS", "NotFound", "area_year_root", "find_file", "resolve_draft"]

log = logging.getLogger(__name__)

FILE_KINDS = {"docx": ".docx", "pdf": ".pdf"}


class NotFound(PipelineError):
    """Raised for an unknown version, an area the user was not granted, or a missing file."""


def area_year_root(draft_root: Path, area: str, year: int) -> Path:
    """The folder every version of one area-year must lie in: ``<store>/<area>/<year>``.

    Args:
        draft_root: the resolved draft store.
        area: the version's area id (from its database record).
        year: the version's year.

    Returns:
        The resolved folder; a record whose directory is elsewhere is never served.
    """
    return (Path(draft_root) / area / str(year)).resolve()


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


def resolve_draft(
    directory: str,
    draft_root: Path,
    kind: str,
    docx_sha256: str,
    *,
    pdf_sha256: str | None = None,
) -> Path:
    """Like :func:`find_file`, but raising NotFound with the reason; checks the file's hash.

    Args:
        directory: the recorded version directory.
        draft_root: the resolved draft store, or better the area-year's folder
            (:func:`area_year_root`).
        kind: ``docx`` or ``pdf``.
        docx_sha256: the recorded sha256 of the draft.
        pdf_sha256: the recorded sha256 of the PDF (None: never recorded, so refused).

    Returns:
        The resolved file.

    Raises:
        NotFound: unknown kind, outside the store, missing, or changed since recorded.
    """
    if kind not in FILE_KINDS:
        raise NotFound(f"okänt filformat {kind!r}")
    if not Path(directory).resolve().is_relative_to(draft_root):
        log.warning("version directory outside its area-year folder %s: %s", draft_root, directory)
        raise NotFound("utkastet ligger utanför utkastarkivet")
    path = find_file(directory, draft_root, kind)
    if path is None:
        raise NotFound(f"versionen har ingen {kind}-fil")
    expected = docx_sha256 if kind == "docx" else pdf_sha256
    if expected is None:
        log.warning("no recorded sha256 for %s: not served", path)
        raise NotFound(f"{kind}-filen har ingen registrerad kontrollsumma och visas inte")
    if sha256_file(path) != expected:
        log.warning("%s differs from the recorded sha256: not served", path)
        raise NotFound(f"{kind}-filen har ändrats sedan versionen registrerades")
    return path
