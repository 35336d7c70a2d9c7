"""What changed since the previous version: figures, source files and people's text.

``diff_versions`` compares two versions' inputs and outputs; the draft prints the result
as its last section (``outputs.draft.word.changes_section``) and the run writes it as
``changes.json`` (:meth:`Changes.to_json`).

Differences obey the disclosure rules of the figures (``tasks.indicators.disclosure``): a change
between two versions is itself a count — the incidents registered late, corrected or
falling into a longer IA window — so "8 → 7" would give a withheld count of 1 back. A
moved figure is therefore shown without numbers ("ändrad", ``withheld`` in changes.json)
when the old or the new value is withheld in its version, or when the difference of two
counts of a protected source (IA) is smaller than ``min_count``. Both versions' figures
must already be protected (the caller protects the previous version again by today's
rules). Survey shares carry no count of what changed; they are shown unless withheld.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from tasks.indicators.disclosure import COUNT_SOURCES, DisclosureRules

__all__ = [
    "Changes",
    "EditorialChange",
    "FigureChange",
    "SourceChange",
    "diff_versions",
]

_KEY = ("source", "indicator", "group", "year")
_COMPARED = ("value", "significant")


@dataclass(frozen=True)
class FigureChange:
    """A figure of indicators.csv whose value (or significance) moved."""

    source: str
    indicator: str
    group: str
    year: int
    field: str
    old: object
    new: object
    withheld: bool = False  # True: changed, but neither value nor difference is shown


@dataclass(frozen=True)
class SourceChange:
    """An input file that was added, removed or refreshed (its sha256 changed)."""

    name: str
    change: str  # "ny", "borttagen", "uppdaterad"
    old_sha256: str | None = None
    new_sha256: str | None = None


@dataclass(frozen=True)
class EditorialChange:
    """A piece of people's text that was added, removed or edited."""

    key: str
    change: str  # "ny", "borttagen", "ändrad"
    old: str = ""  # the text before and after: the draft and the portal show the sentences
    new: str = ""


@dataclass(frozen=True)
class Changes:
    """Everything that differs from the previous version.

    Attributes:
        previous_version: the version compared with (None: no previous version).
        figures, sources, editorial: the differences.
    """

    previous_version: int | None = None
    figures: tuple[FigureChange, ...] = ()
    sources: tuple[SourceChange, ...] = ()
    editorial: tuple[EditorialChange, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.figures or self.sources or self.editorial)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (sorted, stable)."""
        return {
            "previous_version": self.previous_version,
            "figures": [asdict(f) for f in self.figures],
            "sources": [asdict(s) for s in self.sources],
            "editorial": [asdict(e) for e in self.editorial],
        }

    def to_json(self) -> str:
        """The machine-readable ``changes.json`` text (UTF-8, indented, sorted keys)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _plain(value: object) -> object:
    """A cell as a JSON-friendly value: None for empty, bools and numbers as such."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("", "nan"):
            return None
        if text in ("true", "false"):
            return text == "true"
        try:
            return float(value)
        except ValueError:
            return value
    if hasattr(value, "item"):
        return value.item()
    return value


def _same(old: object, new: object) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-9)
    return old == new


def _records(frame: pd.DataFrame | None) -> dict[tuple, dict[str, object]]:
    if frame is None or frame.empty:
        return {}
    out: dict[tuple, dict[str, object]] = {}
    for row in frame.to_dict("records"):
        group = row.get("group")
        key = (
            str(row["source"]),
            str(row["indicator"]),
            "" if _plain(group) is None else str(group),
            int(row["year"]),
        )
        out[key] = {f: _plain(row.get(f)) for f in _COMPARED}
        out[key]["suppressed"] = _plain(row.get("suppressed")) is True
    return out


def _discloses(key: tuple, before: dict, after: dict, rules: DisclosureRules) -> bool:
    """Would printing this change (values or difference) give a withheld count back?"""
    if before.get("suppressed") or after.get("suppressed"):
        return True
    if key[0] not in COUNT_SOURCES:
        return False
    old, new = before.get("value"), after.get("value")
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return False  # a figure that appears or disappears: the shown one is public
    return 0 < abs(float(new) - float(old)) < rules.min_count


def _figures(prev: pd.DataFrame | None, new: pd.DataFrame,
             rules: DisclosureRules) -> tuple[FigureChange, ...]:  # fmt: skip
    old_rows, new_rows = _records(prev), _records(new)
    empty = {**dict.fromkeys(_COMPARED), "suppressed": False}
    changes = []
    for key in sorted(set(old_rows) | set(new_rows)):
        before = old_rows.get(key, empty)
        after = new_rows.get(key, empty)
        moved = [n for n in _COMPARED if not _same(before[n], after[n])]
        if moved and _discloses(key, before, after, rules):
            # One line, no numbers: the value and its significance moved together.
            changes.append(FigureChange(*key, field=moved[0], old=None, new=None,
                                        withheld=True))  # fmt: skip
            continue
        changes += [FigureChange(*key, field=n, old=before[n], new=after[n]) for n in moved]
    return tuple(changes)


def _sources(prev: Sequence[Mapping], new: Sequence[Mapping]) -> tuple[SourceChange, ...]:
    old = {str(f["name"]): str(f["sha256"]) for f in prev}
    now = {str(f["name"]): str(f["sha256"]) for f in new}
    out = []
    for name in sorted(set(old) | set(now)):
        if name not in old:
            out.append(SourceChange(name, "ny", None, now[name]))
        elif name not in now:
            out.append(SourceChange(name, "borttagen", old[name], None))
        elif old[name] != now[name]:
            out.append(SourceChange(name, "uppdaterad", old[name], now[name]))
    return tuple(out)


def _editorial(prev: Mapping[str, str], new: Mapping[str, str]) -> tuple[EditorialChange, ...]:
    out = []
    for key in sorted(set(prev) | set(new)):
        before, after = (prev.get(key) or "").strip(), (new.get(key) or "").strip()
        if before == after:
            continue
        kind = "ny" if not before else "borttagen" if not after else "ändrad"
        out.append(EditorialChange(key, kind, before, after))
    return tuple(out)


def diff_versions(
    prev_indicators: pd.DataFrame | None,
    new_indicators: pd.DataFrame,
    prev_inputs: list[dict],
    new_inputs: list[dict],
    prev_editorial: Mapping[str, str],
    new_editorial: Mapping[str, str],
    *,
    previous_version: int | None = None,
    rules: DisclosureRules | None = None,
) -> Changes:
    """Compare two versions of an area-year.

    Args:
        prev_indicators: the previous version's indicators.csv (None: no previous version).
        new_indicators: this version's indicators.
        prev_inputs, new_inputs: the raw inputs, dicts with ``name`` and ``sha256``.
        prev_editorial, new_editorial: ``DraftContext.editorial`` of each version.
        previous_version: the number of the version compared with (for the heading).
        rules: the disclosure rules of the figures (defaults when None): a change that
            would disclose a withheld or small count is listed without numbers.

    Returns:
        The figures that moved (keyed by source, indicator, group, year), the files that
        were added, removed or refreshed, and the text keys that were edited.
    """
    return Changes(
        previous_version=previous_version,
        figures=_figures(prev_indicators, new_indicators, rules or DisclosureRules()),
        sources=_sources(prev_inputs, new_inputs),
        editorial=_editorial(prev_editorial, new_editorial),
    )
