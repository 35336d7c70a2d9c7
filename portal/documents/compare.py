"""Comparing two versions: word-level text differences per section, and the recorded changes.

Text is compared from the two recorded drafts (``portal.documents.rendition``), section by section
(matched by anchor), word by word (``difflib``). Figures and sources come from the newer
version's ``changes.json``, which the pipeline writes under the disclosure rules (a withheld
figure stays withheld in a difference); the portal shows it as written and never recomputes
a difference from ``indicators.csv``.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from portal.documents.rendition import Section, section_text

__all__ = ["FigureRow", "SectionDiff", "Token", "diff_sections", "figure_rows", "read_changes"]

log = logging.getLogger(__name__)
_WORDS = re.compile(r"\S+|\n")


@dataclass(frozen=True)
class Token:
    """A run of words: ``same``, ``added`` or ``removed``."""

    kind: str
    text: str


@dataclass
class SectionDiff:
    """One section's change: ``ändrad``, ``ny`` or ``borttagen``, with the word runs."""

    anchor: str
    title: str
    change: str
    tokens: list[Token] = field(default_factory=list)

    @property
    def added_words(self) -> int:
        """How many words were added."""
        return sum(len(t.text.split()) for t in self.tokens if t.kind == "added")

    @property
    def removed_words(self) -> int:
        """How many words were removed."""
        return sum(len(t.text.split()) for t in self.tokens if t.kind == "removed")


def _words(section: Section | None) -> list[str]:
    return _WORDS.findall(section_text(section)) if section else []


def _tokens(old: list[str], new: list[str]) -> list[Token]:
    out: list[Token] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(Token("same", " ".join(old[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            out.append(Token("removed", " ".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(Token("added", " ".join(new[j1:j2])))
    return out


def _trim(tokens: list[Token], keep: int = 12) -> list[Token]:
    """Long unchanged runs shortened to their first and last ``keep`` words."""
    out = []
    for token in tokens:
        words = token.text.split(" ")
        if token.kind == "same" and len(words) > 2 * keep + 3:
            token = Token("same", " ".join([*words[:keep], "…", *words[-keep:]]))
        out.append(token)
    return out


def diff_sections(old: list[Section], new: list[Section]) -> list[SectionDiff]:
    """Every section whose text differs, in the newer version's order (removed ones last).

    Args:
        old: the older version's sections.
        new: the newer version's sections.

    Returns:
        One entry per changed, added or removed section.
    """
    before = {s.anchor: s for s in old}
    after = {s.anchor: s for s in new}
    diffs: list[SectionDiff] = []
    for section in new:
        previous = before.get(section.anchor)
        old_words, new_words = _words(previous), _words(section)
        if old_words == new_words:
            continue
        change = "ny" if previous is None else "ändrad"
        tokens = _trim(_tokens(old_words, new_words))
        diffs.append(SectionDiff(section.anchor, section.title, change, tokens))
    for section in old:
        if section.anchor not in after:
            diffs.append(
                SectionDiff(section.anchor, section.title, "borttagen",
                            [Token("removed", " ".join(_words(section)))])  # fmt: skip
            )
    return diffs


def read_changes(directory: Path) -> dict | None:
    """The version's ``changes.json`` (None when absent or unreadable)."""
    path = Path(directory) / "changes.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("unreadable %s: %s", path, exc)
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class FigureRow:
    """A figure that moved: its value old → new and its verdict (significant change) old → new."""

    label: str
    year: int
    old: str
    new: str
    verdict_old: str
    verdict_new: str


def _show(value: object) -> str:
    from outputs.swedish import format_decimal

    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int | float):
        number = float(value)
        return format_decimal(number, 0 if number.is_integer() else 1)
    return str(value)


def _verdict(value: object) -> str:
    if value is None:
        return "–"
    return "signifikant förändring" if value in (True, "true", "ja") else "ingen säker förändring"


def figure_rows(changes: dict | None) -> list[FigureRow]:
    """The figures of ``changes.json`` that moved, one row per indicator, group and year."""
    grouped: dict[tuple, dict[str, dict]] = {}
    for f in (changes or {}).get("figures", []) or []:
        key = (f.get("source"), f.get("indicator"), f.get("group") or "", f.get("year"))
        grouped.setdefault(key, {})[str(f.get("field"))] = f
    rows = []
    for (_source, indicator, group, year), fields in grouped.items():
        value = fields.get("value", {})
        verdict = fields.get("significant", {})
        rows.append(
            FigureRow(
                label=f"{indicator} ({group})" if group else str(indicator),
                year=int(year) if str(year).isdigit() else year,
                old=_show(value.get("old")) if value else "oförändrat",
                new=_show(value.get("new")) if value else "oförändrat",
                verdict_old=_verdict(verdict.get("old")) if verdict else "oförändrad",
                verdict_new=_verdict(verdict.get("new")) if verdict else "oförändrad",
            )
        )
    return rows
