"""The summary a styrgrupp reads in a minute: three to five key sentences.

The figures behind them are in the summary table (``outputs.draft.word.summary``); the full
list of tests is in the appendix. Wording from the sentence templates; no statistic is
computed here (the count of tests expected significant by chance is ``tested × alpha``, the
figure the methods note explains).
"""

from __future__ import annotations

import pandas as pd

from outputs.text._indicator_row import row_change, row_number, row_significant, row_value
from outputs.text.groups import who
from outputs.text.narrative import crime_label
from outputs.text.prose import Place
from outputs.text.sentences import Sentences

__all__ = ["key_sentences", "MAX_ITEMS"]

#: At most this many significant changes are named in the summary (the rest: appendix).
MAX_ITEMS = 4
_TOTAL = "Samtliga brott"


def _label(row: dict) -> str:
    source = row["source"]
    indicator = str(row["indicator"])
    if source == "ia":
        return f"incidenter av {indicator.lower()} i IA"
    if source in ("bra", "polis"):  # the police's own count is not BRÅ's: say whose
        police = " enligt polisen" if source == "polis" else ""
        return f"anmälda brott inom kategorin {crime_label(indicator)}{police}"
    return f"andelen ”{indicator}”"


def _significant_items(rows: list[dict], alpha: float) -> list[str]:
    by_key: dict[tuple[str, str, int], list[dict]] = {}
    for row in rows:
        if not row_significant(row, alpha):
            continue
        change = row_change(row) or 0
        by_key.setdefault((row["source"], str(row["indicator"]), 1 if change > 0 else -1),
                          []).append(row)  # fmt: skip
    items = []
    for (_, _, sign), group in by_key.items():
        verb = "har ökat" if sign > 0 else "har minskat"
        groups = [str(r.get("group") or "") for r in group]
        target = who(groups)
        items.append(f"{_label(group[0])} {verb}{' ' + target if target else ''}")
    return items


def key_sentences(words: Sentences, indicators: pd.DataFrame, where: Place, *, year: int,
                  alpha: float = 0.05) -> list[str]:  # fmt: skip
    """The summary's key sentences: total crime, significant changes, the city, the tests.

    Args:
        words: the sentence set.
        indicators: the public indicators of the report.
        where: the area's wording.
        year: the report year.
        alpha: the test level.

    Returns:
        Three to five sentences (fewer when the data has no total or no city figures).
    """
    if indicators.empty:
        return []
    rows = [r for r in indicators.to_dict("records") if r["source"] != "befolkning"]
    out = []
    total = next((r for r in rows if r["source"] == "bra" and r["indicator"] == _TOTAL), None)
    if total is not None and row_number(total, "prev_value") is not None:
        change = row_change(total) or 0
        significant = row_significant(total, alpha)
        noun = "ökningen" if change > 0 else "minskningen" if change < 0 else "förändringen"
        sig = f"{noun} är {'' if significant else 'inte '}statistiskt signifikant"
        verb = "ökade" if change > 0 else "minskade" if change < 0 else "låg kvar"
        out.append(words.say("summary_total", place=where.place, verb=verb,
                             value=row_number(total, "value"), year=year,
                             rel=row_number(total, "change_rel"), sig=sig))  # fmt: skip
    items = _significant_items(rows, alpha)
    if items:
        shown = items[:MAX_ITEMS]
        more = len(items) - len(shown)
        text = "; ".join(shown) + (f" (och {more} till, se bilagan)" if more else "")
        out.append(words.say("summary_significant", items=text))
    else:
        out.append(words.say("summary_none"))
    compared = [r for r in rows if str(row_value(r, "vs_city") or "").strip()]
    if compared:
        higher = [r for r in compared if str(r["vs_city"]).strip().lower() == "högre"]
        lower = [r for r in compared if str(r["vs_city"]).strip().lower() == "lägre"]
        examples = ", ".join(dict.fromkeys(_label(r) for r in higher[:2]))
        out.append(words.say("summary_city", city_name=where.city_name, area=where.name,
                             higher=len(higher), lower=len(lower), total=len(compared),
                             examples=examples))  # fmt: skip
    tested = [r for r in rows if row_significant(r, alpha) is not None]
    if tested:
        significant = sum(1 for r in tested if row_significant(r, alpha))
        out.append(words.say("summary_tests", tested=len(tested), significant=significant,
                             chance=max(1, round(len(tested) * alpha))))  # fmt: skip
    return out
