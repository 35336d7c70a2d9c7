"""Shared pieces of an indicators.csv row: its columns, a blank row, the tests applied.

Private to ``tasks``: ``indicators``, ``crime_rows``, ``ia_counts`` and ``survey_changes``
build rows with these, so every source's rows have the same columns and the same rule:
``significant`` is ``p_value < alpha`` of the one model that also gave ``ci_low``/``ci_high``.
"""

from __future__ import annotations

import math

import pandas as pd

from tasks.statistics import CountComparison, compare_counts

__all__ = [
    "INDICATOR_COLUMNS",
    "apply_count_test",
    "blank_row",
    "is_missing",
    "year_of",
]

#: The columns of indicators.csv, in the order of spec/outputs.md; ``suppressed`` (added by
#: disclosure control) follows them.
INDICATOR_COLUMNS = [
    "source", "area", "indicator", "group", "year", "value", "unit", "rate_per_100k",
    "prev_year", "prev_value", "change_abs", "change_rel", "rate_ci_low", "rate_ci_high",
    "method", "p_value", "dispersion", "dispersion_df", "rate_ratio", "ci_low", "ci_high",
    "significant", "uncertain", "city_value", "vs_city", "trend_pct", "trend_ci_low",
    "trend_ci_high", "p_value_bh", "window_start", "window_end", "comparable_series",
    "preliminary", "note",
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


def apply_count_test(
    row: dict, x_new: float, e_new: float, x_old: float, e_old: float, *,
    phi: float = 1.0, phi_df: float = 0.0, alpha: float = 0.05,
) -> CountComparison | None:  # fmt: skip
    """Test a count's change and write method, p, φ, RR, interval and verdict into ``row``."""
    result = compare_counts(int(x_new), e_new, int(x_old), e_old, phi=phi, phi_df=phi_df,
                            alpha=alpha)  # fmt: skip
    if result is None:
        row.update(method="none", significant=None)
        return None
    row.update(
        method=result.method, p_value=result.p_value, dispersion=result.dispersion,
        dispersion_df=result.dispersion_df, rate_ratio=result.rate_ratio,
        ci_low=result.ci_low, ci_high=result.ci_high, significant=result.significant,
    )  # fmt: skip
    return result


def vs_city(low: float | None, high: float | None, city_value: float | None) -> str | None:
    """``högre`` / ``lägre`` / ``i nivå``: the district's interval against the city's figure.

    Fingertips' comparison with a benchmark: higher when the whole interval lies above the
    city value, lower when wholly below, otherwise at the city's level. None without a city
    figure or an interval.
    """
    if any(is_missing(v) for v in (low, high, city_value)):
        return None
    if low > city_value:  # type: ignore[operator]
        return "högre"
    if high < city_value:  # type: ignore[operator]
        return "lägre"
    return "i nivå"
