"""Shared pieces of an indicators.csv row: its columns, a blank row, the tests applied.

Private to ``tasks``: ``indicators``, ``ia_counts`` and ``survey_changes`` build rows with
these, so every source's rows have the same columns and the same significance rule.
"""

from __future__ import annotations

import math

import pandas as pd

from tasks.statistics import poisson_exact_cond

__all__ = [
    "INDICATOR_COLUMNS",
    "apply_poisson",
    "blank_row",
    "is_missing",
    "significance",
    "year_of",
]

INDICATOR_COLUMNS = [
    "source", "area", "indicator", "group", "year", "value", "unit", "rate_per_100k",
    "prev_year", "prev_value", "change_abs", "change_rel", "method", "p_value",
    "p_value_quasi", "dispersion", "rate_ratio", "ci_low", "ci_high", "significant",
    "p_value_bh", "window_start", "window_end", "comparable_series", "preliminary", "note",
]  # fmt: skip

def year_of(frame: pd.DataFrame, column: str = "period_end") -> pd.Series:
    return pd.to_datetime(frame[column]).dt.year


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def blank_row(**values: object) -> dict:
    row = dict.fromkeys(INDICATOR_COLUMNS)
    row.update(group="", method="none", comparable_series=False, preliminary=False, note="")
    row.update(values)
    return row


def apply_poisson(row: dict, x_new: float, e_new: float, x_old: float, e_old: float) -> None:
    result = poisson_exact_cond(int(x_new), e_new, int(x_old), e_old)
    if result is None:
        row["method"] = "none"
        return
    row.update(
        method=result.method,
        p_value=result.p_value,
        rate_ratio=result.rate_ratio,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
    )


def significance(row: dict, alpha: float) -> bool | None:
    if row["method"] in ("none", None):
        return None
    if row["method"] == "producer-flag":
        return row["significant"]
    significant = row["p_value"] < alpha
    if not is_missing(row.get("p_value_quasi")):
        significant = significant and row["p_value_quasi"] < alpha
    return bool(significant)
