"""Five-year trends of the crime categories a section shows, worded together by theme.

The total ("Samtliga brott") has a sentence of its own (``outputs.text.narrative.trend_sentence``).
Every other category the draft shows gets its trend here, one sentence per direction and
section, so "Våld i offentlig miljö" says "visar ingen av kategorierna brott mot liv och
hälsa (3 kap.) eller misshandel inkl. grov någon säker trend" once instead of two sentences
that differ in one word. A trend is "ökande"/"minskande" only when its interval excludes 0
(statistics.md (a) "Trend"); a flat trend is worth a mention only for the categories a
themed section is about, not for the rest of a table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from outputs.text._indicator_row import row_number, row_value
from outputs.text.narrative import crime_label
from outputs.text.sentences import Sentences

__all__ = ["section_trends", "trend_sentences"]

_TOTALS = {"samtliga brott", "totalt antal brott"}


def _item(row: Mapping) -> dict | None:
    pct, low, high = (row_number(row, k) for k in ("trend_pct", "trend_ci_low", "trend_ci_high"))
    if pct is None or low is None or high is None:
        return None
    direction = "up" if low > 0 else "down" if high < 0 else "flat"
    label = crime_label(str(row_value(row, "indicator") or ""))
    return {"label": label, "pct": pct, "low": low, "high": high, "direction": direction}


def trend_sentences(
    words: Sentences,
    rows: Sequence[Mapping],
    *,
    year: int,
    flat: bool,
    alpha: float = 0.05,
) -> list[str]:
    """The trend sentences of one section's crime categories (one source).

    Args:
        words: the draft's sentence templates (``trend_theme_up``, ``trend_theme_down``,
            ``trend_theme_flat``).
        rows: the section's indicator rows of the report year (BRÅ or police), with
            ``trend_pct``, ``trend_ci_low``, ``trend_ci_high``; totals and rows without a
            trend are left out.
        year: the report year (the window is ``year − 4``–``year``).
        flat: also say so when the trends are flat (the categories a section is about).
        alpha: the level the intervals were computed at.

    Returns:
        Up to three sentences: increasing, decreasing, flat.
    """
    items = [
        i for r in rows
        if str(row_value(r, "indicator") or "").strip().lower() not in _TOTALS
        and (i := _item(r)) is not None
    ]  # fmt: skip
    police = any(row_value(r, "source") == "polis" for r in rows)
    common = dict(year=year, first_year=year - 4, level=100 * (1 - alpha), police=police)
    sentences = []
    for direction in ("up", "down") + (("flat",) if flat else ()):
        chosen = [i for i in items if i["direction"] == direction]
        if chosen:
            sentences.append(words.say(f"trend_theme_{direction}", items=chosen, **common))
    return sentences


def section_trends(
    words: Sentences,
    indicators: pd.DataFrame,
    routed: Mapping[str, Mapping[str, Sequence[Mapping]]],
    *,
    year: int,
    alpha: float = 0.05,
) -> dict[str, list[str]]:
    """Section key → the trend sentences of the crime categories it shows.

    A themed section ("Våld i offentlig miljö", "Rån" …) words the trends of the headline
    categories routed to it, flat ones included; "Anmälda brott enligt BRÅ" and
    "Anmälda brott enligt polisen" word the significant trends of the other categories
    of their tables (the total has its own sentence).

    Args:
        words: the draft's sentence templates.
        indicators: the report's indicators.
        routed: section key → source → headline rows (as ``compose_context`` routes them).
        year: the report year.
        alpha: the level of the intervals.
    """
    out: dict[str, list[str]] = {}
    themed: set[tuple[str, str]] = set()
    for key, by_source in routed.items():
        for source, rows in by_source.items():
            if source not in ("bra", "polis") or key in ("brottslighet", "polis"):
                continue
            out.setdefault(key, []).extend(
                trend_sentences(words, rows, year=year, flat=True, alpha=alpha)
            )
            themed.update((source, str(r["indicator"])) for r in rows)
    if indicators.empty:
        return {k: v for k, v in out.items() if v}
    current = indicators[indicators["year"] == year]
    for source, key in (("bra", "brottslighet"), ("polis", "polis")):
        rest = [
            r for r in current[current["source"] == source].to_dict("records")
            if (source, str(r["indicator"])) not in themed
        ]  # fmt: skip
        out.setdefault(key, []).extend(
            trend_sentences(words, rest, year=year, flat=False, alpha=alpha)
        )
    return {k: v for k, v in out.items() if v}
