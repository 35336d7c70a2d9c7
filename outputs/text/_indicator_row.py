"""Private reader of one ``indicators.csv`` row for the sentence writers.

A row comes either from a frame (floats, NaN, bools, pandas NA) or back from the CSV
(strings, "true"/"false", empty strings); these helpers read both the same way, so
``outputs.text.narrative`` and ``outputs.text.significance_wording`` agree on what a row says.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["row_change", "row_flag", "row_number", "row_significant", "row_value"]


def row_value(row: Mapping, key: str) -> object | None:
    """The row's value, with NaN, pandas NA and the empty string read as missing."""
    value = row.get(key)
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    try:
        if value != value:  # NaN and pd.NA-like
            return None
    except TypeError:  # pd.NA refuses a truth value
        return None
    return value


def row_number(row: Mapping, key: str) -> float | None:
    """The row's value as a float; None when missing, NaN or not a number."""
    value = row_value(row, key)
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def row_flag(row: Mapping, key: str) -> bool | None:
    """A boolean column read from a frame (bool) or back from the CSV ("true"/"false")."""
    value = row_value(row, key)
    if value is None:
        return None
    if isinstance(value, str):
        return {"true": True, "false": False, "1": True, "0": False}.get(value.strip().lower())
    return bool(value)


def row_significant(row: Mapping, alpha: float) -> bool | None:
    """The row's own decision; derived from the p-values only when the column is empty."""
    flag = row_flag(row, "significant")
    if flag is not None:
        return flag
    p = row_number(row, "p_value")
    if p is None:
        return None
    return p < alpha


def row_change(row: Mapping) -> float | None:
    """``change_abs``, or value − prev_value when that column is empty."""
    change = row_number(row, "change_abs")
    if change is None:
        value, prev = row_number(row, "value"), row_number(row, "prev_value")
        if value is not None and prev is not None:
            change = value - prev
    return change
