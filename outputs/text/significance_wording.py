"""The significance wording of statistics v2, and the draft's methods texts.

Split from ``outputs.text.narrative`` (which re-exports these names): the narrative writes what
changed, this module says whether the change is statistically significant, in the Swedish
wording of ``spec/statistics.md`` ("statistiskt signifikant" throughout; never "p = 1").
The verdict is the row's own ``significant`` (the same model as its interval). The methods
note and the appendix are Jinja templates in ``outputs/templates/methods/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import jinja2

from outputs.swedish import NBSP, format_p
from outputs.text._indicator_row import row_change as _change
from outputs.text._indicator_row import row_flag as _flag
from outputs.text._indicator_row import row_number as _num
from outputs.text._indicator_row import row_significant as _is_significant
from outputs.text._indicator_row import row_value as _get
from tasks.statistics import DEFAULT_ALPHA

__all__ = [
    "CANNOT_TEST",
    "NOT_ESTIMATED_SENTENCE",
    "PRELIMINARY_SENTENCE",
    "methods_appendix",
    "methods_note",
    "significance_sentence",
]

CANNOT_TEST = "Förändringen kan inte prövas statistiskt (för få fall)."
PRELIMINARY_SENTENCE = (
    "Det är en preliminär bedömning: en ändring av det preliminära antalet med 1\u00a0% skulle "
    "ändra slutsatsen."
)
NOT_ESTIMATED_SENTENCE = (
    "Serien är för kort för att skatta den årliga variationen, så prövningen bygger på "
    "slumpvariation enbart."
)
_TEMPLATES = Path(__file__).parent.parent / "templates" / "methods"


def significance_sentence(row: Mapping, *, alpha: float = DEFAULT_ALPHA) -> str:
    """The significance sentence of statistics v2 for one indicator row.

    Args:
        row: one row of indicators.csv (``method``, ``p_value``, ``significant``,
            ``change_abs``, ``uncertain``, ``dispersion_df``).
        alpha: the level the row was tested at (only used when ``significant`` is empty).

    Returns:
        E.g. "Ökningen är statistiskt signifikant (p = 0,036)."; followed by "Det är en
        preliminär bedömning …" when ±1 % of a preliminary count would flip the verdict.
    """
    method = _get(row, "method")
    significant = _is_significant(row, alpha)
    if method == "producer-flag":
        if significant is None:
            return CANNOT_TEST
        negation = "" if significant else "inte "
        return (
            "Enligt undersökningens egen redovisning är förändringen "
            f"{negation}statistiskt signifikant."
        )
    p = _num(row, "p_value")
    if method in (None, "none") or p is None or significant is None:
        return CANNOT_TEST
    change = _change(row) or 0.0
    noun = "Ökningen" if change > 0 else "Minskningen" if change < 0 else "Förändringen"
    if significant:
        text = f"{noun} är statistiskt signifikant ({format_p(p)})."
    else:
        text = (
            f"Förändringen är inte statistiskt signifikant ({format_p(p)}) och kan bero på "
            "slumpmässig variation."
        )
    if method == "poisson-exact-cond" and _num(row, "dispersion_df") == 0:
        text += " " + NOT_ESTIMATED_SENTENCE
    if _flag(row, "uncertain"):
        text += " " + PRELIMINARY_SENTENCE
    return text


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=False,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=False)


def _context(**values: object) -> dict:
    context = {"alpha_pct": "5", "confidence_pct": "95", "city_display": "staden",
               "area_name": "stadsdelsområdet", "ia_window": "", "deffs": ""}  # fmt: skip
    context.update({k: v for k, v in values.items() if v is not None})
    return context


def methods_note(**values: object) -> str:
    """The plain-Swedish methods note for the styrgrupp: three sentences, one paragraph.

    Keyword values fill the template (``city_display``, ``area_name``, ``alpha_pct``).
    """
    text = _environment().get_template("note.txt.j2").render(_context(**values))
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def methods_appendix(**values: object) -> list[str]:
    """The technical appendix "Metod och statistisk prövning", one string per paragraph."""
    text = _environment().get_template("appendix.txt.j2").render(_context(**values))
    # "per 100 000 invånare": the template's thousands space must not break across lines.
    return [" ".join(p.split()).replace("100 000", f"100{NBSP}000")
            for p in text.split("\n\n") if p.strip()]  # fmt: skip
