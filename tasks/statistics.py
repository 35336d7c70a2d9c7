"""Significance tests behind every "ökat/minskat" in the lägesbild.

Pure functions: numbers in, frozen dataclasses out; no Prefect, no I/O. The methods are
those of the statistics contract (``spec/statistics.md``): all tests two-sided at the 5 %
level; "new" is the report year, "old" the previous measurement of the same series.

Every "cannot be tested" case (both counts 0, both shares 0 % or 100 %, a missing value)
returns ``None`` instead of raising, so the caller writes ``method = none`` and the draft
says "Förändringen kan inte prövas statistiskt". Impossible input (negative counts,
non-positive exposures, shares outside 0–100) raises ``ValueError``: that is a bug upstream,
not a feature of the data.

The multi-year trends (``trend``, ``Trend``, ``TrendWindow``, ``STABLE_THRESHOLD``) live
in ``tasks.trends`` and are re-exported here.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from tasks._stat_common import missing_number as _missing
from tasks.trends import STABLE_THRESHOLD, Trend, TrendWindow, trend

__all__ = [
    "DEFAULT_ALPHA",
    "STABLE_THRESHOLD",
    "PoissonTest",
    "QuasiPoissonTest",
    "ShareTest",
    "Trend",
    "TrendWindow",
    "benjamini_hochberg",
    "poisson_exact_cond",
    "quasi_poisson",
    "share_test",
    "trend",
]

logger = logging.getLogger(__name__)

DEFAULT_ALPHA = 0.05
QUASI_YEARS = 5


# --------------------------------------------------------------------------- (a) and (c)


@dataclass(frozen=True)
class PoissonTest:
    """Exact conditional test of two Poisson rates (new vs old).

    ``rate_ratio`` is (x_new/e_new)/(x_old/e_old); ``ci_low``/``ci_high`` its exact
    (Clopper–Pearson based) ``1 - alpha`` interval; ``inf`` when x_old is 0.
    """

    p_value: float
    rate_ratio: float
    ci_low: float
    ci_high: float
    method: str = "poisson-exact-cond"
    alpha: float = DEFAULT_ALPHA


def _odds_to_ratio(p: float, e_new: float, e_old: float) -> float:
    """R's transformation of a binomial proportion to a rate ratio: p/(1-p) · e_old/e_new."""
    if p >= 1.0:
        return math.inf
    return p / (1.0 - p) * e_old / e_new


def poisson_exact_cond(
    x_new: int,
    exposure_new: float,
    x_old: int,
    exposure_old: float,
    *,
    alpha: float = DEFAULT_ALPHA,
) -> PoissonTest | None:
    """Exact conditional test for two Poisson counts with exposures (spec (a) and (c)).

    Given n = x_new + x_old, x_new ~ Binomial(n, p0) with p0 = e_new / (e_new + e_old)
    under equal rates. The two-sided p-value is R's ``binom.test`` rule (sum of the
    probabilities ≤ the observed one × (1 + 1e-7)), via scipy's ``binomtest``, so it equals
    R's ``poisson.test(c(x_new, x_old), c(e_new, e_old))`` and statsmodels'
    ``test_poisson_2indep(..., method="exact-cond")``. It is capped at 1.

    Args:
        x_new: count in the report year (or window).
        exposure_new: population of the report year (1 for IA incident counts).
        x_old: count of the previous year (same window).
        exposure_old: population of the previous year.
        alpha: 1 − the confidence level of the rate ratio's interval.

    Returns:
        The test, or None when it cannot be done: both counts 0, or a count missing (NaN).

    Raises:
        ValueError: negative or non-integer counts, non-positive exposures.
    """
    if _missing(x_new) or _missing(x_old):
        return None
    if any(_missing(e) or not float(e) > 0 for e in (exposure_new, exposure_old)):
        raise ValueError(f"exposures must be positive: {exposure_new!r}, {exposure_old!r}")
    if float(x_new) != int(x_new) or float(x_old) != int(x_old) or x_new < 0 or x_old < 0:
        raise ValueError(f"counts must be non-negative integers: {x_new!r}, {x_old!r}")
    k, m = int(x_new), int(x_old)
    n = k + m
    if n == 0:
        return None
    e_new, e_old = float(exposure_new), float(exposure_old)
    p0 = e_new / (e_new + e_old)
    result = stats.binomtest(k, n, p0, alternative="two-sided")
    p_value = min(1.0, float(result.pvalue))
    # Clopper–Pearson from the beta quantiles directly: the same interval as scipy's
    # ``proportion_ci(method="exact")``, without its root search (national scale).
    low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    rate_ratio = math.inf if m == 0 else (k / e_new) / (m / e_old)
    return PoissonTest(
        p_value=p_value,
        rate_ratio=rate_ratio,
        ci_low=0.0 if k == 0 else _odds_to_ratio(low, e_new, e_old),
        ci_high=math.inf if m == 0 else _odds_to_ratio(high, e_new, e_old),
        alpha=alpha,
    )


@dataclass(frozen=True)
class QuasiPoissonTest:
    """Quasi-Poisson check of the report year against the four years before it.

    ``dispersion`` is Pearson χ² / residual df (3 df for five years), unfloored.
    """

    p_value: float
    dispersion: float
    rate_ratio: float
    method: str = "quasi-poisson"
    n_years: int = QUASI_YEARS


def quasi_poisson(counts: Sequence[float], exposures: Sequence[float]) -> QuasiPoissonTest | None:
    """Over-dispersion check for reported crime: quasi-Poisson GLM over the last five years.

    Model ``count ~ 1 + [year == report year]``, log link, offset log(exposure), scale =
    Pearson χ² / residual df — what statsmodels ``GLM(..., family=Poisson(),
    offset=...).fit(scale="X2")`` and R's ``glm(family = quasipoisson)`` compute. The fit is
    done in closed form (each group's rate is its pooled count over its pooled exposure),
    which equals the iterative fit and is fast enough for every area of a country. The
    p-value is the Wald p of the report-year term.

    Decisions (a careful statistician's, since the spec is silent):

    * The dispersion is kept as estimated, **not floored at 1**. It is the conventional
      quasi-Poisson estimate that a reader can reproduce in R, and a change is only called
      significant when the exact test agrees too, so an estimate below 1 (noise with 3 df)
      cannot on its own make a change significant.
    * Degenerate series return None (the exact test still stands): fewer than five years or
      NaN among the last five; a report-year count of 0 or four zero years before it (perfect
      separation: the coefficient is ±∞); a dispersion of 0 (the earlier years fit exactly,
      so the Wald statistic would be infinite).

    Args:
        counts: yearly counts ordered by year; the last one is the report year.
        exposures: the population of the same years (same length and order).

    Returns:
        The check, or None when it cannot be done (see above).

    Raises:
        ValueError: different lengths, negative counts or non-positive exposures.
    """
    if len(counts) != len(exposures):
        raise ValueError(f"{len(counts)} counts but {len(exposures)} exposures")
    if len(counts) < QUASI_YEARS:
        return None
    y = np.asarray(counts[-QUASI_YEARS:], dtype=float)
    e = np.asarray(exposures[-QUASI_YEARS:], dtype=float)
    if np.isnan(y).any() or np.isnan(e).any():
        return None
    if (y < 0).any() or (e <= 0).any():
        raise ValueError("counts must be non-negative and exposures positive")
    if y[-1] == 0 or y[:-1].sum() == 0:
        return None

    # The model has one parameter per group (earlier years; the report year), so its maximum
    # likelihood fit has a closed form, identical to statsmodels' IRLS fit (the tests compare
    # the two): the report year is fitted exactly, the earlier years at their pooled rate.
    pooled_rate = y[:-1].sum() / e[:-1].sum()
    fitted = pooled_rate * e[:-1]
    dispersion = float(((y[:-1] - fitted) ** 2 / fitted).sum() / (QUASI_YEARS - 2))
    log_ratio = math.log((y[-1] / e[-1]) / pooled_rate)
    # Wald: Var(log rate) = scale / (sum of fitted counts), for each of the two groups.
    se = math.sqrt(dispersion * (1.0 / y[-1] + 1.0 / y[:-1].sum()))
    if not dispersion > 1e-12 or not se > 0:
        logger.info("quasi-Poisson check degenerate (dispersion %s); skipped", dispersion)
        return None
    p_value = float(2.0 * stats.norm.sf(abs(log_ratio) / se))
    return QuasiPoissonTest(
        p_value=min(1.0, p_value),
        dispersion=dispersion,
        rate_ratio=math.exp(log_ratio),
    )


# --------------------------------------------------------------------------- (b) shares


@dataclass(frozen=True)
class ShareTest:
    """Test of two survey shares from counts reconstructed as round(share × n).

    ``diff_pp`` is share_new − share_old in percentage points (from the published shares);
    ``ci_low``/``ci_high`` its Wald interval; ``x_new``/``x_old`` the rounded counts used.
    """

    method: str
    p_value: float
    diff_pp: float
    ci_low: float
    ci_high: float
    x_new: int
    x_old: int
    alpha: float = DEFAULT_ALPHA


def _count_from_share(share: float, n: int) -> int:
    """round(share/100 · n) with halves rounded up (Python's round() would round to even)."""
    return int(math.floor(share / 100.0 * n + 0.5 + 1e-9))


def share_test(
    share_new: float,
    n_new: int,
    share_old: float,
    n_old: int,
    *,
    alpha: float = DEFAULT_ALPHA,
) -> ShareTest | None:
    """Two survey shares without the producer's own test (spec (b)).

    Counts are reconstructed as round(share/100 · n), halves rounded up (a tiny tolerance
    absorbs float noise such as 12.5 % × 100 = 12.4999…); they are returned so the rounding
    stays visible. On the 2×2 table: Pearson χ² without continuity correction (equal to the
    pooled two-proportion z-test) when every expected cell is ≥ 5, else Fisher's exact test
    (two-sided). The difference's interval is the unpooled Wald interval of the published
    shares — simple, descriptive, and like the tests it ignores the survey weights.

    Args:
        share_new: share in % in the latest wave.
        n_new: respondents (Antal svar) in the latest wave.
        share_old: share in % in the previous wave.
        n_old: respondents in the previous wave.
        alpha: 1 − the confidence level of the difference's interval.

    Returns:
        The test, or None when it cannot be done: a share or n missing or n = 0, both shares
        0 % or both 100 % (also after rounding to counts).

    Raises:
        ValueError: a share outside 0–100 or a negative n.
    """
    if any(_missing(v) for v in (share_new, n_new, share_old, n_old)):
        return None
    s_new, s_old, m_new, m_old = float(share_new), float(share_old), int(n_new), int(n_old)
    if not (0.0 <= s_new <= 100.0 and 0.0 <= s_old <= 100.0):
        raise ValueError(f"shares must be within 0–100 %: {share_new!r}, {share_old!r}")
    if m_new < 0 or m_old < 0:
        raise ValueError(f"numbers of respondents must be non-negative: {n_new!r}, {n_old!r}")
    if m_new == 0 or m_old == 0:
        return None
    x_new, x_old = _count_from_share(s_new, m_new), _count_from_share(s_old, m_old)
    if x_new + x_old == 0 or (x_new == m_new and x_old == m_old):
        return None
    table = np.array([[x_new, m_new - x_new], [x_old, m_old - x_old]])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()
    if expected.min() >= 5:
        method = "chi2"
        p_value = float(stats.chi2_contingency(table, correction=False).pvalue)
    else:
        method = "fisher"
        p_value = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
    p1, p2 = s_new / 100.0, s_old / 100.0
    se = math.sqrt(p1 * (1 - p1) / m_new + p2 * (1 - p2) / m_old)
    z = float(stats.norm.ppf(1 - alpha / 2))
    diff = s_new - s_old
    return ShareTest(
        method=method,
        p_value=min(1.0, p_value),
        diff_pp=diff,
        ci_low=diff - 100 * z * se,
        ci_high=diff + 100 * z * se,
        x_new=x_new,
        x_old=x_old,
        alpha=alpha,
    )


# --------------------------------------------------------------------------- multiplicity


def benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg (FDR) adjusted p-values over one report's tests.

    Missing p-values (None or NaN: not testable) are left out of the family and stay None.
    Equal to statsmodels ``multipletests(method="fdr_bh")`` on the present values.

    Args:
        p_values: the raw two-sided p-values, in any order.

    Returns:
        The adjusted p-values in the same order, capped at 1.

    Raises:
        ValueError: a p-value outside [0, 1].
    """
    present = [(i, float(p)) for i, p in enumerate(p_values) if not _missing(p)]
    out: list[float | None] = [None] * len(p_values)
    if not present:
        return out
    if any(not 0.0 <= p <= 1.0 for _, p in present):
        raise ValueError("p-values must lie in [0, 1]")
    m = len(present)
    order = sorted(present, key=lambda item: item[1])
    running = 1.0
    for rank in range(m, 0, -1):  # step-up: cumulative minimum from the largest p down
        index, p = order[rank - 1]
        running = min(running, p * m / rank)
        out[index] = running
    return out
