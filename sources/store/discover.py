"""Which files of the inbox a run reads: one folder per source kind, standard library only.

Apart from the readers so that ``lagesbild run`` can list (and hash) the inbox's files to
recognise an unchanged rerun without importing pandas (``lagesbild.unchanged``), by exactly
the rules ``read_inbox`` uses.
"""

from __future__ import annotations

import logging
from pathlib import Path

from lagesbild.errors import InputError

__all__ = ["SOURCE_KINDS", "discover"]

log = logging.getLogger(__name__)

SOURCE_KINDS: dict[str, tuple[str, ...]] = {
    "bra": (".txt", ".csv"),
    "befolkning": (".csv", ".xlsx", ".json"),
    "ia": (".xlsx", ".csv"),
    "enkater": (".csv", ".xlsx"),
    "polis": (".csv", ".xlsx"),
    "omradesfakta": (".csv", ".xlsx"),
}


def discover(inbox: Path) -> dict[str, list[Path]]:
    """The files of each kind in the inbox, sorted by name (so runs are deterministic).

    Args:
        inbox: the inbox directory.

    Returns:
        Kind → files with one of the kind's suffixes (hidden files and Office lock files
        ``~$…`` skipped); every kind is present, possibly with an empty list.

    Raises:
        InputError: a folder or file is a symbolic link that leads out of the inbox (it
            would read, keep and perhaps quote a file nobody put in the inbox); the error
            names the link, never the target's content.
    """
    root = Path(inbox).resolve()
    found: dict[str, list[Path]] = {}
    for kind, suffixes in SOURCE_KINDS.items():
        folder = Path(inbox) / kind
        files = []
        _inside(folder, root, inbox)
        if folder.is_dir():
            for path in sorted(folder.iterdir(), key=lambda p: p.name):
                if path.name.startswith((".", "~$")):
                    continue
                _inside(path, root, inbox)
                if not path.is_file():
                    continue
                if path.suffix.lower() in suffixes:
                    files.append(path)
                else:
                    log.warning("%s: not a %s file (%s); ignored", path, kind, ", ".join(suffixes))
        found[kind] = files
    return found


def _inside(path: Path, root: Path, inbox: Path) -> None:
    """Refuse a symbolic link (or a chain of them) that leads outside the inbox."""
    if not path.is_symlink():
        return
    target = path.resolve()
    if target != root and root not in target.parents:
        raise InputError(
            "är en symbolisk länk som pekar utanför inkorgen; lägg en kopia av filen i "
            "inkorgen i stället (länkens mål läses inte)",
            file=path.relative_to(inbox).as_posix(),
        )
