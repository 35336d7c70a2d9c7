"""Extra-Poisson variation φ and the trend, from quasi-Poisson log-linear trend fits.

Statistics v2 (a): count ~ intercept + year, log link, offset log(population), fitted by
maximum likelihood (Poisson score equations; the quasi-Poisson fit has the same
coefficients) and φ = Pearson χ² / residual df. A steady trend is part of the model, so it
is not counted as over-dispersion. Fits are done for many series at once: the counts are a
(series × years) array with NaN where a year is missing, and a two-parameter Newton
iteration runs on all rows together (the speed of one fit per country).

Pure functions; ``tests/tasks/test_dispersion.py`` compares them with statsmodels' GLM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = [
    "MIN_DF_OWN",
    "MIN_POOLED_DF",
    "MIN_YEARS",
    "MAX_YEARS",
    "TREND_YEARS",
    "Dispersion",
    "TrendFit",
    "choose_dispersion",
    "fit_trends",
    "trend_slope",
]

MIN_YEARS = 5  # a series enters the φ estimate with at least this many years before
MAX_YEARS = 10  # and at most this many
MIN_POOLED_DF = 8  # fewer pooled df: the district's own series is used
MIN_DF_OWN = 3  # fewer own df: φ = 1, "could not be estimated"
TREND_YEARS = 5  # the trend: the last five years including the report year


@dataclass(frozen=True)
class TrendFit:
    """Fits of count ~ a + b·(year − centre) + log(exposure), one per series (arrays).

    ``chi2`` is the Pearson χ², ``df`` the residual df (years − 2), ``slope`` b per year and
    ``var_slope`` its Poisson variance (multiply by φ for the quasi-Poisson one). A series
    with fewer than 3 years, or without a single event, is NaN throughout (no fit).
    """

    slope: np.ndarray
    var_slope: np.ndarray
    chi2: np.ndarray
    df: np.ndarray


def fit_trends(counts: np.ndarray, exposures: np.ndarray, years: np.ndarray,
               *, iterations: int = 50) -> TrendFit:  # fmt: skip
    """Poisson log-linear trend fits with an offset, for every row of ``counts`` at once.

    Args:
        counts: (series × years) counts; NaN where a year is missing.
        exposures: the same shape (or broadcastable); populations, 1 for IA windows.
        years: the calendar years of the columns.
        iterations: Newton steps (the fit converges in well under 20 for count data).

    Returns:
        The fits; rows that cannot be fitted are NaN.
    """
    y = np.atleast_2d(np.asarray(counts, dtype=float))
    e = np.broadcast_to(np.asarray(exposures, dtype=float), y.shape)
    observed = ~np.isnan(y) & ~np.isnan(e) & (e > 0)
    y0 = np.where(observed, y, 0.0)
    e0 = np.where(observed, e, 1.0)
    w = observed.astype(float)
    n = w.sum(axis=1)
    t_raw = np.broadcast_to(np.asarray(years, dtype=float), y.shape)
    centre = np.where(n > 0, (t_raw * w).sum(axis=1) / np.maximum(n, 1), 0.0)
    t = (t_raw - centre[:, None]) * w
    total = y0.sum(axis=1)
    fit = (n >= 3) & (total > 0)
    a = np.where(fit, np.log(np.maximum(total, 1e-300) / (e0 * w).sum(axis=1).clip(1e-300)), 0.0)
    b = np.zeros_like(a)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(iterations):
            mu = w * e0 * np.exp(np.clip(a[:, None] + b[:, None] * t, -700, 700))
            r = y0 - mu
            ga, gb = r.sum(axis=1), (r * t).sum(axis=1)
            haa, hab, hbb = mu.sum(axis=1), (mu * t).sum(axis=1), (mu * t * t).sum(axis=1)
            det = haa * hbb - hab**2
            step_a = np.where(fit & (det > 0), (hbb * ga - hab * gb) / det, 0.0)
            step_b = np.where(fit & (det > 0), (haa * gb - hab * ga) / det, 0.0)
            a, b = a + step_a, b + step_b
            if np.all(np.abs(step_a) < 1e-12) and np.all(np.abs(step_b) < 1e-12):
                break
        mu = w * e0 * np.exp(np.clip(a[:, None] + b[:, None] * t, -700, 700))
        haa, hab, hbb = mu.sum(axis=1), (mu * t).sum(axis=1), (mu * t * t).sum(axis=1)
        var_b = haa / (haa * hbb - hab**2)
        chi2 = np.where(observed & (mu > 0), (y0 - mu) ** 2 / np.where(mu > 0, mu, 1.0),
                        0.0).sum(axis=1)  # fmt: skip
    nan = np.full_like(a, np.nan)
    return TrendFit(
        slope=np.where(fit, b, nan), var_slope=np.where(fit, var_b, nan),
        chi2=np.where(fit, chi2, nan), df=np.where(fit, n - 2.0, nan),
    )  # fmt: skip


@dataclass(frozen=True)
class Dispersion:
    """φ for one comparison: floored at 1, with the df it was estimated with.

    ``source`` is ``pooled`` (the city's districts), ``own`` (the district's series) or
    ``none`` (fewer than 3 df: φ = 1 and the draft says the year-to-year variation could
    not be estimated). ``raw`` is Σχ²/Σdf before the floor (NaN for ``none``).
    """

    phi: float
    df: float
    source: str
    raw: float

    @property
    def estimated(self) -> bool:
        """False when the variation could not be estimated (φ = 1 by default)."""
        return self.source != "none"


def choose_dispersion(pooled_chi2: float, pooled_df: float, own_chi2: float,
                      own_df: float) -> Dispersion:  # fmt: skip
    """The v2 rule: pooled when ≥ 8 df, else the district's own series when ≥ 3 df, else 1.

    Args:
        pooled_chi2, pooled_df: Σχ² and Σdf over the districts' trend fits (0 when none).
        own_chi2, own_df: the district's own fit (NaN or 0 df when it has none).
    """
    if pooled_df >= MIN_POOLED_DF:
        raw, df, source = pooled_chi2 / pooled_df, pooled_df, "pooled"
    elif not np.isnan(own_df) and own_df >= MIN_DF_OWN:
        raw, df, source = own_chi2 / own_df, own_df, "own"
    else:
        return Dispersion(phi=1.0, df=0.0 if np.isnan(own_df) else float(own_df),
                          source="none", raw=float("nan"))  # fmt: skip
    return Dispersion(phi=max(1.0, float(raw)), df=float(df), source=source, raw=float(raw))


def trend_slope(slope: float, var_slope: float, phi: float, df: float,
                alpha: float = 0.05) -> tuple[float, float, float]:  # fmt: skip
    """A fitted slope as % per year with its 1 − α interval: (pct, low, high).

    The variance is φ × the Poisson variance; the reference is t with the df φ was
    estimated with when φ > 1, else the normal (Poisson, nothing estimated).
    """
    if np.isnan(slope) or np.isnan(var_slope):
        return (float("nan"),) * 3  # type: ignore[return-value]
    se = float(np.sqrt(max(phi, 1.0) * var_slope))
    # t.ppf and norm.ppf as scipy.stats evaluates them (stdtrit, ndtri), called directly.
    q = float(special.stdtrit(df, 1 - alpha / 2) if phi > 1.0 and df > 0 else
              special.ndtri(1 - alpha / 2))  # fmt: skip
    pct = lambda b: 100.0 * float(np.expm1(b))  # noqa: E731
    return pct(slope), pct(slope - q * se), pct(slope + q * se)
