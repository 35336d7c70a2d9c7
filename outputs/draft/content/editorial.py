"""Text written by people, kept in readable YAML per area and year.

``<text_dir>/<area>/<year>.yaml`` holds the free text of a lägesbild::

    sammanfattning: |
      Den bild som trygghetsmätningen ger ...
    inledning: |
      ...
    geografiskt_ansvarsomrade_sdf: |
      ...
    brott_i_nara_relation: |
      ...
    bedomning: |
      ...
    prioriterade_omraden:
      Unga i risk för kriminalitet:
        status: atgardsplan          # atgardsplan | linjeverksamhet | prioriteras-ej
        beskrivning: |
          ...
        kommentar: |
          ...

Any section key of :data:`outputs.draft.content.context.SECTION_KEYS` may be given; in a section
that also has generated sentences (e.g. ``vald_offentlig_miljo``) people's text stands
first. Missing text of a section only people can write
(:data:`outputs.draft.content.context.PEOPLE_SECTIONS`) is not an error (the draft shows
"[Text saknas: …]" and the loader returns a warning); a wrong status, an unknown priority
area or an unknown key is, and names the file, line and key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lagesbild.errors import InputError
from outputs.draft.content.context import (
    PEOPLE_SECTIONS,
    SECTION_KEYS,
    SECTION_NAMES,
    STATUS_OPTIONS,
)
from outputs.draft.content.locations import editorial_path

__all__ = [
    "AREA_FIELDS",
    "EditorialText",
    "PRIORITY_KEY",
    "REQUIRED_SECTIONS",
    "editorial_path",
    "load_editorial",
    "unfold",
]

logger = logging.getLogger(__name__)

PRIORITY_KEY = "prioriterade_omraden"
#: Sections whose absence is reported (the draft shows a placeholder for each).
REQUIRED_SECTIONS: dict[str, str] = {key: SECTION_NAMES[key] for key in PEOPLE_SECTIONS}
#: Per priority area: YAML key → (DraftContext.editorial prefix, what the warning calls it).
AREA_FIELDS: dict[str, tuple[str, str]] = {
    "status": ("status", "status"),
    "beskrivning": ("beskrivning", "beskrivning av området"),
    "kommentar": ("kommentar", "kommentar"),
}


@dataclass(frozen=True)
class EditorialText:
    """People's text for one area and year, ready for ``DraftContext.editorial``.

    Attributes:
        text: section key or ``status:/beskrivning:/kommentar:<priority area>`` → text.
        warnings: one line per missing piece, e.g. "Text saknas: inledning".
        file: the file read, or None when there was none.
    """

    text: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    file: Path | None = None


def unfold(text: str) -> str:
    """Undo the line wrapping of a YAML block: a single newline is a space, a blank line
    separates paragraphs (kept as ``"\\n\\n"``).

    Args:
        text: the text as written in the file.

    Returns:
        Paragraphs of single-line text joined by blank lines.
    """
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _error(path: Path, node: yaml.Node, key: str, message: str) -> InputError:
    return InputError(message, file=path, row=node.start_mark.line + 1, column=key)


def _scalar(path: Path, node: yaml.Node, key: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise _error(path, node, key, f"{key!r} must be text")
    if node.tag == "tag:yaml.org,2002:null":
        return ""
    return unfold(str(node.value))


def _mapping(path: Path, node: yaml.Node, key: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise _error(path, node, key, f"{key!r} must be a mapping (key: value)")
    pairs = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _error(path, key_node, key, "keys must be text")
        pairs.append((str(key_node.value).strip(), key_node, value_node))
    return pairs


def _compose(path: Path) -> yaml.Node | None:
    try:
        return yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        row = mark.line + 1 if mark is not None else None
        raise InputError(f"not valid YAML: {exc.problem}", file=path, row=row) from exc
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", file=path) from exc


def _priority(
    path: Path, node: yaml.Node, priority_areas: Sequence[str], text: dict[str, str]
) -> None:
    for name, key_node, value_node in _mapping(path, node, PRIORITY_KEY):
        if name not in priority_areas:
            raise _error(
                path, key_node, f"{PRIORITY_KEY}.{name}",
                f"unknown priority area {name!r}; expected one of {list(priority_areas)}",
            )  # fmt: skip
        for field_name, field_key, field_value in _mapping(path, value_node, name):
            where = f"{PRIORITY_KEY}.{name}.{field_name}"
            if field_name not in AREA_FIELDS:
                raise _error(
                    path, field_key, where,
                    f"unknown key {field_name!r}; expected one of {list(AREA_FIELDS)}",
                )  # fmt: skip
            value = _scalar(path, field_value, where)
            if field_name == "status" and value and value not in STATUS_OPTIONS:
                raise _error(
                    path, field_value, where,
                    f"invalid status {value!r}; expected one of {list(STATUS_OPTIONS)}",
                )  # fmt: skip
            if value:
                text[f"{AREA_FIELDS[field_name][0]}:{name}"] = value


def load_editorial(
    text_dir: Path, area: str, year: int, priority_areas: Sequence[str]
) -> EditorialText:
    """Read ``<text_dir>/<area>/<year>.yaml`` and list every piece still to be written.

    Args:
        text_dir: the root of the text files.
        area: area id.
        year: report year.
        priority_areas: the ten city-wide priority areas (``AreasConfig.priority_areas``).

    Returns:
        The text and its warnings; with no file, empty text and a warning per piece.

    Raises:
        InputError: invalid YAML, an unknown key or priority area, or an invalid status;
            names file, line and key.
    """
    path = editorial_path(text_dir, area, year)
    text: dict[str, str] = {}
    if path.is_file():
        root = _compose(path)
        if root is not None:
            for key, key_node, value_node in _mapping(path, root, "(dokument)"):
                if key == PRIORITY_KEY:
                    _priority(path, value_node, priority_areas, text)
                elif key in SECTION_KEYS:
                    value = _scalar(path, value_node, key)
                    if value:
                        text[key] = value
                else:
                    raise _error(
                        path, key_node, key,
                        f"unknown key {key!r}; expected one of "
                        f"{[*SECTION_KEYS, PRIORITY_KEY]}",
                    )  # fmt: skip
    else:
        logger.warning("no editorial text for %s %s (%s)", area, year, path)
    warnings = [f"Text saknas: {what}" for key, what in REQUIRED_SECTIONS.items()
                if key not in text]  # fmt: skip
    for name in priority_areas:
        for prefix, what in AREA_FIELDS.values():
            if f"{prefix}:{name}" not in text:
                warnings.append(f"Text saknas: {what} för {name}")
    where = path if path.is_file() else None
    return EditorialText(text=text, warnings=tuple(warnings), file=where)
