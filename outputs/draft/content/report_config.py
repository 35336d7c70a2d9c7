"""The report configuration's routing and caveats (``lagesbild/conf/report.yaml``).

Checked here, when the draft is composed, so that a wrong key names the file and the key
instead of silently routing a sentence nowhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

import lagesbild
from lagesbild.errors import InputError
from outputs.draft.content.context import SECTION_KEYS, SOURCE_SECTIONS
from outputs.text.prose import Caveat

__all__ = ["REPORT_CONFIG", "REST", "Routing", "load_caveats", "load_section_routing"]

REPORT_CONFIG = Path(lagesbild.__file__).parent / "conf" / "report.yaml"
#: A section's routing entry that takes a source's headline indicators routed nowhere else.
REST = "*"
#: section key → source → indicator labels (or ``"*"``), as in report.yaml's ``sections:``.
Routing = Mapping[str, Mapping[str, Sequence[str]]]

def load_section_routing(path: Path = REPORT_CONFIG) -> dict[str, dict[str, tuple[str, ...]]]:
    """Read and check the ``sections:`` routing of the report configuration.

    Args:
        path: the report configuration (``lagesbild/conf/report.yaml``).

    Returns:
        Section key → source → indicator labels (``"*"``: the source's other headline
        indicators); empty when the file has no ``sections:``.

    Raises:
        InputError: an unknown section key or source, or a value that is not a list of
            labels; names the file and the key.
    """
    config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    raw = config.get("sections") or {}
    if not isinstance(raw, Mapping):
        raise InputError("'sections' must be a mapping", file=path, column="sections")
    routing: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, by_source in raw.items():
        where = f"sections.{key}"
        if key not in SECTION_KEYS:
            raise InputError(f"unknown section key {key!r}; expected one of "
                             f"{list(SECTION_KEYS)}", file=path, column=where)  # fmt: skip
        if not isinstance(by_source, Mapping):
            raise InputError(f"{where} must map sources to indicator lists",
                             file=path, column=where)  # fmt: skip
        routing[key] = {}
        for source, labels in by_source.items():
            if source not in SOURCE_SECTIONS:
                raise InputError(f"unknown source {source!r}; expected one of "
                                 f"{list(SOURCE_SECTIONS)}", file=path,
                                 column=f"{where}.{source}")  # fmt: skip
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                raise InputError("expected a list of indicator labels", file=path,
                                 column=f"{where}.{source}")  # fmt: skip
            routing[key][source] = tuple(labels)
    return routing


def load_caveats(raw: object, *, path: Path = REPORT_CONFIG) -> tuple[Caveat, ...]:
    """The ``caveats:`` of the report configuration.

    Each entry: ``source``, ``indicator``, ``from`` (YYYY-MM-DD), ``text`` and optionally
    ``area``. A caveat stands before the significance statement of every comparison that
    spans its date (e.g. a new reporting routine from 2022-01-01).

    Raises:
        InputError: a missing key or a bad date; names the file and the entry.
    """
    if not raw:
        return ()
    if not isinstance(raw, list):
        raise InputError("'caveats' must be a list", file=path, column="caveats")
    out = []
    for number, entry in enumerate(raw):
        where = f"caveats[{number}]"
        if not isinstance(entry, Mapping):
            raise InputError("expected a mapping", file=path, column=where)
        missing = [k for k in ("source", "indicator", "from", "text") if not entry.get(k)]
        if missing:
            raise InputError(f"missing {missing}", file=path, column=where)
        start = entry["from"]
        try:
            start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        except ValueError:
            raise InputError("'from' is not a date (YYYY-MM-DD)", file=path,
                             column=f"{where}.from") from None  # fmt: skip
        out.append(Caveat(source=str(entry["source"]), indicator=str(entry["indicator"]),
                          start=start, text=" ".join(str(entry["text"]).split()),
                          area=str(entry.get("area") or "")))  # fmt: skip
    return tuple(out)
