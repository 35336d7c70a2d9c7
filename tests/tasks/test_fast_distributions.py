"""The statistics call scipy.special directly where scipy.stats built a distribution per call.

``wald_log_rr`` (t reference) and ``rate_interval`` (exact χ² bounds) must give exactly the
figures of the scipy.stats formulation they replaced, on a grid that includes 0 counts,
non-integer effective counts, tiny and huge counts, infinite and NaN df.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tasks.statistics import rate_interval, trend_slope
from tasks.statistics.counts import clopper_pearson, wald_log_rr
from tasks.statistics.intervals import _z

COUNTS = np.array([0.0, 1e-9, 0.3, 1, 2, 3, 5, 9, 9.5, 10, 20, 347, 1e6, 1e12])


def _stats_wald(x_new, e_new, x_old, e_old, phi, df, alpha):
    log_rr = np.log(x_new / e_new) - np.log(x_old / e_old)
    se = np.sqrt(phi * (1.0 / x_new + 1.0 / x_old))
    t = stats.t(df)
    q = t.ppf(1.0 - alpha / 2)
    return (np.minimum(1.0, 2.0 * t.sf(np.abs(log_rr) / se)), np.exp(log_rr),
            np.exp(log_rr - q * se), np.exp(log_rr + q * se))  # fmt: skip


@pytest.mark.parametrize("df", [np.inf, 0.5, 1.0, 3.0, 8.0, 27.0, 1e9, np.nan])
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_wald_equals_the_scipy_stats_formulation(df: float, alpha: float) -> None:
    x_new, x_old = np.meshgrid(COUNTS[1:], COUNTS[1:])
    for phi in (1.0, 1.7, 40.0):
        got = wald_log_rr(x_new, 1000.0, x_old, 1200.0, phi, df, alpha)
        want = _stats_wald(x_new, 1000.0, x_old, 1200.0, phi, df, alpha)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)


def test_wald_scalar_equals_the_scipy_stats_formulation() -> None:
    got = wald_log_rr(17, 5000.0, 9, 4900.0, 2.5, 12.0)
    want = _stats_wald(17.0, 5000.0, 9.0, 4900.0, 2.5, 12.0, 0.05)
    assert [float(g) for g in got] == [float(w) for w in want]
    assert 0.0 < float(got[0]) < 1.0


def test_rate_interval_equals_the_chi2_formulation() -> None:
    low, high = rate_interval(COUNTS, 25_000.0)
    for x, lo, hi in zip(COUNTS, low, high, strict=True):
        if x >= 10:
            continue  # Byar's approximation, unchanged
        want_low = stats.chi2.ppf(0.025, 2 * x) / 2 if x > 0 else 0.0
        want_high = stats.chi2.ppf(0.975, 2 * x + 2) / 2
        # scipy's scalar and array paths of the gamma quantile may differ in the last bit
        assert lo == pytest.approx(want_low / 25_000.0 * 100_000, rel=1e-14, abs=0)
        assert hi == pytest.approx(want_high / 25_000.0 * 100_000, rel=1e-14, abs=0)
        assert rate_interval(x, 25_000.0) == (lo, hi)
    assert low[0] == 0.0 and high[0] > 0.0


@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_clopper_pearson_equals_the_beta_ppf_formulation(alpha: float) -> None:
    k, n = np.meshgrid(COUNTS, COUNTS)
    k, n = k[k <= n], n[k <= n]
    for scale in (1.0, 1.7, 40.0):  # the effective counts x/φ of the φ > 1 zero case
        kk, nn = k / scale, n / scale
        low, high = clopper_pearson(kk, nn, alpha)
        with np.errstate(invalid="ignore", divide="ignore"):
            want_low = np.where(
                kk <= 0, 0.0, stats.beta.ppf(alpha / 2, np.maximum(kk, 1e-300), nn - kk + 1.0)
            )
            want_high = np.where(
                kk >= nn, 1.0, stats.beta.ppf(1 - alpha / 2, kk + 1.0, np.maximum(nn - kk, 1e-300))
            )
        np.testing.assert_array_equal(low, want_low)
        np.testing.assert_array_equal(high, want_high)
    assert clopper_pearson(0, 7)[0] == 0.0 and clopper_pearson(7, 7)[1] == 1.0


@pytest.mark.parametrize("df", [0.0, 1.0, 3.0, 8.0, 27.0, 1e9])
@pytest.mark.parametrize("phi", [1.0, 1.4, 30.0])
def test_trend_slope_equals_the_scipy_stats_formulation(df: float, phi: float) -> None:
    for alpha in (0.05, 0.01):
        got = trend_slope(0.031, 0.0004, phi, df, alpha)
        q = (
            stats.t.ppf(1 - alpha / 2, df)
            if phi > 1.0 and df > 0
            else stats.norm.ppf(1 - alpha / 2)
        )
        se = np.sqrt(max(phi, 1.0) * 0.0004)
        want = tuple(100.0 * float(np.expm1(b)) for b in (0.031, 0.031 - q * se, 0.031 + q * se))
        assert got == want


def test_the_normal_quantile_of_the_intervals_equals_norm_ppf() -> None:
    for confidence in (0.8, 0.9, 0.95, 0.99, 0.999):
        assert _z(confidence) == float(stats.norm.ppf(confidence + (1.0 - confidence) / 2.0))
