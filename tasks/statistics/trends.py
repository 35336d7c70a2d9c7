"""Multi-year trends: the change over the last three and five calendar years.

Descriptive end-point changes only; no test is implied. The draft no longer words trends
from these windows: its trend sentence follows the quasi-Poisson interval (``trend_pct``,
``trend_ci_low``, ``trend_ci_high`` of ``tasks.indicators.crime_rows``), as statistics.md (a)
requires. This lives apart from the significance tests of ``tasks.statistics`` (which
re-exports the public names). Pure functions, no Prefect, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tasks.statistics._common import missing_number

__all__ = ["STABLE_THRESHOLD", "Trend", "TrendWindow", "trend"]

# |relative change| below this is "i stort sett oförändrat" (trend words).
STABLE_THRESHOLD = 0.05


@dataclass(frozen=True)
class TrendWindow:
    """Change between the first and the last year of a window of calendar years."""

    years: int
    start_year: int
    end_year: int
    start_value: float
    end_value: float
    change_abs: float
    change_rel: float | None  # None when start_value is 0
    direction: str  # 'ökat', 'minskat', 'i stort sett oförändrat'


@dataclass(frozen=True)
class Trend:
    """Multi-year context for a series: the last three and five calendar years."""

    last_year: int
    last_value: float
    three: TrendWindow | None
    five: TrendWindow | None


def _direction(start: float, end: float) -> str:
    if start == 0:
        return "i stort sett oförändrat" if end == 0 else "ökat"
    rel = (end - start) / start
    if abs(rel) < STABLE_THRESHOLD:
        return "i stort sett oförändrat"
    return "ökat" if rel > 0 else "minskat"


def _window(by_year: dict[int, float], last: int, years: int) -> TrendWindow | None:
    first = last - years + 1
    if first not in by_year:
        return None
    start, end = by_year[first], by_year[last]
    return TrendWindow(
        years=years,
        start_year=first,
        end_year=last,
        start_value=start,
        end_value=end,
        change_abs=end - start,
        change_rel=(end - start) / start if start else None,
        direction=_direction(start, end),
    )


def trend(values: Sequence[tuple[int, float]]) -> Trend | None:
    """The change over the last three and five calendar years, for context sentences.

    A window of N years runs from year (last − N + 1) to the last year with a value, e.g.
    "de senaste tre åren" 2018–2020; both end points must be present (NaN counts as absent:
    the area may not have existed), the years between are not used. The direction is
    'i stort sett oförändrat' when |relative change| < 5 % (``STABLE_THRESHOLD``): smaller
    moves are within ordinary year-to-year noise for district crime counts and too small to
    call a trend in words. This is descriptive; no test is implied.

    Args:
        values: (year, value) pairs in any order; duplicate years raise.

    Returns:
        The trend, or None when no window of three or five years has both end points.

    Raises:
        ValueError: the same year twice.
    """
    by_year: dict[int, float] = {}
    for year, value in values:
        if int(year) in by_year:
            raise ValueError(f"year {year} given twice")
        if not missing_number(value):
            by_year[int(year)] = float(value)
    if not by_year:
        return None
    last = max(by_year)
    three, five = _window(by_year, last, 3), _window(by_year, last, 5)
    if three is None and five is None:
        return None
    return Trend(last_year=last, last_value=by_year[last], three=three, five=five)
