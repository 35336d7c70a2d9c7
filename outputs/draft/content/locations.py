"""Where the text people write for a draft lives: standard library only.

Apart from ``editorial`` and ``action_plan`` (which parse the files) so that the inputs
fingerprint (``outputs.publish.fingerprint``) names the same files without their imports.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["action_plan_paths", "editorial_path", "text_root"]


def text_root(inbox: Path, text_dir: Path | None) -> Path:
    """Editorial text and åtgärdsplan files: ``--text-dir``, else ``<inbox>/../text``."""
    return text_dir or Path(inbox).parent / "text"


def editorial_path(text_dir: Path, area: str, year: int) -> Path:
    """Where the editorial text of an area and year lives.

    Args:
        text_dir: the root of the text files.
        area: area id.
        year: report year.

    Returns:
        ``<text_dir>/<area>/<year>.yaml``.
    """
    return Path(text_dir) / area / f"{year}.yaml"


def action_plan_paths(text_dir: Path, area: str, year: int) -> tuple[Path, Path]:
    """The YAML and xlsx locations of an area-year's plan (YAML wins when both exist).

    Args:
        text_dir: the root of the text files.
        area: area id.
        year: report year.

    Returns:
        ``(<text_dir>/<area>/<year>-atgardsplan.yaml, …xlsx)``.
    """
    base = Path(text_dir) / area
    return base / f"{year}-atgardsplan.yaml", base / f"{year}-atgardsplan.xlsx"
