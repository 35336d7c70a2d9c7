"""The significance wording of the statistics contract, and the draft's methods note.

Split from ``outputs.narrative`` (which re-exports these names): the narrative writes what
changed, this module says whether the change is statistically significant, in the exact
Swedish wording of ``spec/statistics.md``.
"""

from __future__ import annotations

from collections.abc import Mapping

from outputs._indicator_row import row_change as _change
from outputs._indicator_row import row_number as _num
from outputs._indicator_row import row_significant as _is_significant
from outputs._indicator_row import row_value as _get
from outputs.swedish import format_p
from tasks.statistics import DEFAULT_ALPHA

__all__ = ["CANNOT_TEST", "methods_note", "significance_sentence"]

CANNOT_TEST = "Förändringen kan inte prövas statistiskt (för få fall)."


def significance_sentence(row: Mapping, *, alpha: float = DEFAULT_ALPHA) -> str:
    """The significance sentence of the statistics contract for one indicator row.

    Args:
        row: one row of indicators.csv (``method``, ``p_value``, ``p_value_quasi``,
            ``significant``, ``change_abs``).
        alpha: the level the row was tested at (only used when ``significant`` is empty).

    Returns:
        E.g. "Ökningen är statistiskt signifikant (p = 0,036)." or, when the exact test
        is significant but the quasi-Poisson check is not, a sentence that says so.
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
        return f"{noun} är statistiskt signifikant ({format_p(p)})."
    quasi = _num(row, "p_value_quasi")
    if p < alpha and quasi is not None and quasi >= alpha:
        return (
            f"{noun} är inte statistiskt signifikant när den årliga variationen beaktas "
            f"({format_p(p)} i exakt test, {format_p(quasi)} med hänsyn till överspridning)."
        )
    return (
        f"Förändringen är inte statistiskt signifikant ({format_p(p)}) och kan bero på "
        "slumpmässig variation."
    )


def methods_note() -> str:
    """The draft's methods note (statistics contract, "Swedish wording").

    Returns:
        A paragraph of plain Swedish text.
    """
    return (
        "Tvåsidiga test på 5 procents nivå: exakt test för två Poissonfördelade antal "
        "(anmälda brott), χ²-test respektive Fishers exakta test (enkätandelar). "
        "Ingen justering för multipla jämförelser. "
        "Det innebär att ungefär en jämförelse av tjugo kan bli statistiskt signifikant av "
        "en slump, även när ingen verklig förändring har skett. "
        "Antalet anmälda brott varierar mer mellan åren än slumpen ensam förklarar "
        "(överspridning). Därför prövas förändringar med minst fem års serie också med en "
        "kvasi-Poissonmodell, och en förändring kallas signifikant först när båda testen ger "
        "p\u00a0<\u00a00,05. Incidenter i IA jämförs under samma kalenderperiod varje år. "
        "Där undersökningen själv redovisar om en förändring är signifikant används den "
        "redovisningen, eftersom den tar hänsyn till undersökningens vikter. "
        "I indicators.csv redovisas för varje jämförelse även p-värden justerade för "
        "multipla jämförelser enligt Benjamini–Hochberg."
    )
