"""Year-over-year change of a count (statistics v2 (a), (e)): one model per comparison.

The verdict and the interval come from the same model, so ``significant`` is true exactly
when the rate ratio's interval excludes 1:

* φ = 1: the exact conditional test. Given n = x_new + x_old, x_new ~ Binomial(n, p0),
  p0 = e_new / (e_new + e_old). The p-value is the *central* one, 2 × the smaller tail
  (at most 1), which is dual to the Clopper–Pearson interval for p: p0 lies outside the
  1 − α interval exactly when a tail is below α/2. The interval is transformed into the
  rate ratio, RR = p/(1 − p) · e_old/e_new, which is monotone, and p0 maps to RR = 1.
* φ > 1, both counts > 0: Wald on log RR with var φ (1/x_new + 1/x_old) and a t reference
  with the df φ was estimated with; interval exp(log RR ± t · se).
* φ > 1, one count 0 (log RR infinite): the exact test on the quasi-likelihood effective
  counts x/φ (a quasi-Poisson count with mean μ varies like φ × a Poisson count with mean
  μ/φ). The tails and the Clopper–Pearson bounds are incomplete-beta functions, defined for
  non-integer counts, so test and interval stay dual; the interval is wider by about √φ.
* Both counts 0: no test.

Every array function accepts numpy arrays (broadcast) so a whole country's areas can be
computed at once; ``compare_counts`` is the scalar wrapper the indicator rows use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from tasks.statistics._common import missing_number

__all__ = [
    "DEFAULT_ALPHA",
    "EXACT",
    "WALD",
    "CountComparison",
    "clopper_pearson",
    "compare_counts",
    "exact_central_p",
    "odds_to_ratio",
    "wald_log_rr",
]

DEFAULT_ALPHA = 0.05
EXACT = "poisson-exact-cond"
WALD = "quasi-poisson-wald"


def _tails(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(X ≤ k) and P(X ≥ k) for X ~ Binomial(n, p), as incomplete beta functions.

    For integers these equal ``binom.cdf(k, n, p)`` and ``binom.sf(k - 1, n, p)``; they are
    defined for real k, n too (the effective counts of the φ > 1 zero case).
    """
    k, n, p = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (k, n, p)))
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(k >= n, 1.0, special.betainc(np.maximum(n - k, 1e-300), k + 1.0,
                                                      1.0 - p))  # fmt: skip
        upper = np.where(k <= 0, 1.0, special.betainc(np.maximum(k, 1e-300), n - k + 1.0, p))
    return lower, upper


def exact_central_p(k: np.ndarray, n: np.ndarray, p0: np.ndarray) -> np.ndarray:
    """Central two-sided p-value of the binomial test: min(1, 2 × the smaller tail)."""
    lower, upper = _tails(k, n, p0)
    return np.minimum(1.0, 2.0 * np.minimum(lower, upper))


def clopper_pearson(
    k: np.ndarray, n: np.ndarray, alpha: float = DEFAULT_ALPHA
) -> tuple[np.ndarray, np.ndarray]:
    """Clopper–Pearson 1 − α interval for a binomial proportion (beta quantiles).

    Exactly the set of p whose central test is not rejected at α: the bounds solve
    P(X ≥ k | p) = α/2 and P(X ≤ k | p) = α/2. Real k and n are allowed.
    """
    k, n = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    # The beta quantiles as the inverse regularised incomplete beta function (what
    # scipy.stats.beta.ppf computes), without scipy.stats' per-call argument handling.
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k <= 0, 0.0, special.betaincinv(np.maximum(k, 1e-300), n - k + 1.0,
                                                       alpha / 2))  # fmt: skip
        high = np.where(k >= n, 1.0, special.betaincinv(k + 1.0, np.maximum(n - k, 1e-300),
                                                        1 - alpha / 2))  # fmt: skip
    return low, high


def odds_to_ratio(p: np.ndarray, e_new: np.ndarray, e_old: np.ndarray) -> np.ndarray:
    """A binomial proportion as a rate ratio: p/(1 − p) · e_old/e_new (∞ at p = 1)."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p >= 1.0, np.inf, p / (1.0 - p) * np.asarray(e_old) / np.asarray(e_new))


def wald_log_rr(
    x_new: np.ndarray, e_new: np.ndarray, x_old: np.ndarray, e_old: np.ndarray,
    phi: np.ndarray, df: np.ndarray, alpha: float = DEFAULT_ALPHA,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Quasi-Poisson Wald test on log RR with a t reference: (p, RR, low, high).

    Needs both counts > 0. ``df`` is the residual df φ was estimated with; an infinite df
    is the normal reference.
    """
    x_new, x_old = np.asarray(x_new, dtype=float), np.asarray(x_old, dtype=float)
    log_rr = np.log(x_new / np.asarray(e_new)) - np.log(x_old / np.asarray(e_old))
    se = np.sqrt(np.asarray(phi) * (1.0 / x_new + 1.0 / x_old))
    # The t distribution's sf and ppf as scipy.stats computes them (stdtr, stdtrit), without
    # building a frozen distribution per call: this runs for every category of every area.
    df = np.asarray(df, dtype=float)
    p = np.minimum(1.0, 2.0 * special.stdtr(df, -(np.abs(log_rr) / se)))
    q = special.stdtrit(df, 1.0 - alpha / 2)
    return p, np.exp(log_rr), np.exp(log_rr - q * se), np.exp(log_rr + q * se)


@dataclass(frozen=True)
class CountComparison:
    """The change of one count: the deciding p-value and the rate ratio's interval.

    ``dispersion`` is φ (floored at 1) and ``dispersion_df`` the df it was estimated with
    (0 when it could not be estimated). ``significant`` is ``p_value < alpha``, which is
    the same as the interval excluding 1 (the tests prove it over generated series).
    """

    method: str
    p_value: float
    rate_ratio: float
    ci_low: float
    ci_high: float
    dispersion: float
    dispersion_df: float
    alpha: float = DEFAULT_ALPHA

    @property
    def significant(self) -> bool:
        """True exactly when the interval excludes 1."""
        return self.p_value < self.alpha


def _check(x_new: object, e_new: object, x_old: object, e_old: object) -> None:
    if any(missing_number(e) or not float(e) > 0 for e in (e_new, e_old)):  # type: ignore[arg-type]
        raise ValueError(f"exposures must be positive: {e_new!r}, {e_old!r}")
    for x in (x_new, x_old):
        if float(x) != int(x) or int(x) < 0:  # type: ignore[arg-type]
            raise ValueError(f"counts must be non-negative integers: {x_new!r}, {x_old!r}")


def compare_counts(
    x_new: float, exposure_new: float, x_old: float, exposure_old: float,
    *, phi: float = 1.0, phi_df: float = 0.0, alpha: float = DEFAULT_ALPHA,
) -> CountComparison | None:  # fmt: skip
    """Test the change of a count from the previous year (or the same window a year before).

    Args:
        x_new, exposure_new: the report year's count and population (1 for IA windows).
        x_old, exposure_old: the previous year's count and population.
        phi: the extra-Poisson variation; values below 1 are floored at 1.
        phi_df: the residual df φ was estimated with (the t reference's df).
        alpha: 1 − the confidence level.

    Returns:
        The comparison, or None when it cannot be tested: a count missing, or both 0.

    Raises:
        ValueError: negative or non-integer counts, non-positive exposures.
    """
    if missing_number(x_new) or missing_number(x_old):
        return None
    _check(x_new, exposure_new, x_old, exposure_old)
    k, m = int(x_new), int(x_old)
    if k + m == 0:
        return None
    e_new, e_old = float(exposure_new), float(exposure_old)
    phi = max(1.0, float(phi)) if not missing_number(phi) else 1.0
    df = float(phi_df) if not missing_number(phi_df) else 0.0
    rr = math.inf if m == 0 else (k / e_new) / (m / e_old)
    if phi > 1.0 and k > 0 and m > 0:
        p, _, low, high = wald_log_rr(k, e_new, m, e_old, phi, df if df > 0 else np.inf, alpha)
        return CountComparison(WALD, float(p), rr, float(low), float(high), phi, df, alpha)
    kk, nn = k / phi, (k + m) / phi
    p0 = e_new / (e_new + e_old)
    p = float(exact_central_p(kk, nn, p0))
    low, high = clopper_pearson(kk, nn, alpha)
    return CountComparison(
        EXACT, p, rr, float(odds_to_ratio(low, e_new, e_old)),
        float(odds_to_ratio(high, e_new, e_old)), phi, df, alpha,
    )  # fmt: skip
