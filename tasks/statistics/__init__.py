"""The statistics of the lägesbild (statistics contract v2), as pure functions.

Numbers (or numpy arrays) in, numbers or frozen dataclasses out; no Prefect, no I/O.
One rule above all: a verdict and the interval printed beside it come from the same model,
so a change is significant exactly when its interval excludes "no change".

* ``counts``: the change of a count — exact conditional test with the central p-value
  (φ = 1), Wald on log RR with a t reference (φ > 1).
* ``dispersion``: φ from quasi-Poisson trend fits pooled over the city's districts; the
  trend in % per year.
* ``intervals``: ``rate_interval`` (exact / Byar's) and ``proportion_interval`` (Wilson).
* ``shares``: the change of a survey share — Newcombe, design effect, rounding.
* ``multiplicity``: Benjamini–Hochberg.
* ``trends``: the descriptive three- and five-year windows (``trend``).
"""

from tasks.statistics.counts import (
    DEFAULT_ALPHA,
    EXACT,
    WALD,
    CountComparison,
    clopper_pearson,
    compare_counts,
    exact_central_p,
    odds_to_ratio,
    wald_log_rr,
)
from tasks.statistics.dispersion import (
    Dispersion,
    TrendFit,
    choose_dispersion,
    fit_trends,
    trend_slope,
)
from tasks.statistics.intervals import proportion_interval, rate_interval
from tasks.statistics.multiplicity import benjamini_hochberg
from tasks.statistics.shares import (
    NEWCOMBE,
    ShareChange,
    newcombe_interval,
    newcombe_p,
    rounding_unit,
    share_change,
)
from tasks.statistics.trends import STABLE_THRESHOLD, Trend, TrendWindow, trend

__all__ = [
    "DEFAULT_ALPHA",
    "EXACT",
    "NEWCOMBE",
    "STABLE_THRESHOLD",
    "WALD",
    "CountComparison",
    "Dispersion",
    "ShareChange",
    "Trend",
    "TrendFit",
    "TrendWindow",
    "benjamini_hochberg",
    "choose_dispersion",
    "clopper_pearson",
    "compare_counts",
    "exact_central_p",
    "fit_trends",
    "newcombe_interval",
    "newcombe_p",
    "odds_to_ratio",
    "proportion_interval",
    "rate_interval",
    "rounding_unit",
    "share_change",
    "trend",
    "trend_slope",
    "wald_log_rr",
]
