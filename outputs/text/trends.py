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

from outputs.text._indicator_row import row_number, row_value
from outputs.text.narrative import crime_label
from outputs.text.sentences import Sentences

__all__ = ["trend_sentences"]

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
    others: bool = False,
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
        others: the categories follow another trend sentence in the section ("också").
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
    common = dict(year=year, first_year=year - 4, level=100 * (1 - alpha), police=police,
                  others=others)  # fmt: skip
    sentences = []
    for direction in ("up", "down") + (("flat",) if flat else ()):
        chosen = [i for i in items if i["direction"] == direction]
        if chosen:
            sentences.append(words.say(f"trend_theme_{direction}", items=chosen, **common))
    return sentences
