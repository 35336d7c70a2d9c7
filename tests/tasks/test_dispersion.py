"""φ from quasi-Poisson trend fits (statistics v2 (a)) and the trend in % per year."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from tasks.statistics import choose_dispersion, fit_trends, trend_slope

YEARS = np.arange(2014, 2024)


def _statsmodels(counts, exposures, years):
    X = sm.add_constant(np.asarray(years, dtype=float) - np.mean(years))
    return sm.GLM(np.asarray(counts, dtype=float), X, family=sm.families.Poisson(),
                  offset=np.log(exposures)).fit(scale="X2")  # fmt: skip


def test_fit_equals_statsmodels_quasi_poisson_trend_fit():
    counts = np.array([[34250, 37900, 40600, 41870, 39615, 38900],
                       [281, 276, 291, 298, 285, 290]], dtype=float)  # fmt: skip
    pops = np.array([130660, 131220, 131750, 131277, 130189, 130420], dtype=float)
    years = np.arange(2017, 2023)
    fit = fit_trends(counts, pops, years)
    for i in range(2):
        ref = _statsmodels(counts[i], pops, years)
        assert fit.chi2[i] / fit.df[i] == pytest.approx(ref.scale, rel=1e-8)
        assert fit.slope[i] == pytest.approx(ref.params[1], rel=1e-8)
        assert fit.var_slope[i] * ref.scale == pytest.approx(ref.bse[1] ** 2, rel=1e-6)
        assert fit.df[i] == 4


def test_missing_years_are_left_out_of_the_fit():
    counts = np.array([[50, np.nan, 61, 58, 70, 66, 75]])
    years = np.arange(2017, 2024)
    fit = fit_trends(counts, 1.0, years)
    keep = ~np.isnan(counts[0])
    ref = _statsmodels(counts[0][keep], np.ones(keep.sum()), years[keep])
    assert fit.df[0] == 4 and fit.chi2[0] / 4 == pytest.approx(ref.scale, rel=1e-8)


def test_series_without_events_or_too_short_is_not_fitted():
    fit = fit_trends(np.array([[0, 0, 0, 0, 0.0], [1, 2, np.nan, np.nan, np.nan]]), 1.0,
                     np.arange(5))  # fmt: skip
    assert np.isnan(fit.chi2).all() and np.isnan(fit.df).all()


def test_pure_poisson_around_a_linear_trend_gives_phi_close_to_one():
    """A steady trend is not over-dispersion: pooled φ of Poisson series is about 1.

    13 districts × 10 years (104 pooled df), each district its own level and trend of up to
    ±8 % a year; 20 seeded replicates so the check is tight without being flaky.
    """
    estimates, constant_model = [], []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        pops = rng.uniform(40_000, 160_000, size=(13, 1))
        slopes = rng.uniform(-0.08, 0.08, size=(13, 1))
        counts = rng.poisson(400e-5 * np.exp(slopes * (YEARS - YEARS.mean())) * pops)
        fit = fit_trends(counts.astype(float), pops, YEARS)
        phi = choose_dispersion(float(fit.chi2.sum()), float(fit.df.sum()), fit.chi2[0],
                                fit.df[0])  # fmt: skip
        assert phi.source == "pooled" and phi.df == 13 * 8
        estimates.append(phi.raw)
        mean = counts.mean(axis=1, keepdims=True)  # the v1 model: a constant rate
        constant_model.append(((counts - mean) ** 2 / mean).sum() / (13 * 9))
    assert 0.9 < np.mean(estimates) < 1.1
    assert all(0.5 < e < 1.7 for e in estimates)
    assert np.mean(constant_model) > 2 * np.mean(estimates)  # v1 called the trend dispersion


def test_over_dispersed_series_give_phi_above_one():
    rng = np.random.default_rng(5)
    mean = rng.gamma(shape=20, scale=500 / 20, size=(13, 10))  # var = mean + mean²/20
    counts = rng.poisson(mean).astype(float)
    fit = fit_trends(counts, 1.0, YEARS)
    phi = choose_dispersion(float(fit.chi2.sum()), float(fit.df.sum()), math.nan, math.nan)
    assert phi.phi > 10


def test_choose_dispersion_pooled_own_none_and_floor():
    assert choose_dispersion(24.0, 8.0, 1.0, 4.0).source == "pooled"
    own = choose_dispersion(14.0, 7.0, 12.0, 4.0)
    assert (own.source, own.phi, own.df) == ("own", 3.0, 4.0)
    none = choose_dispersion(0.0, 0.0, math.nan, math.nan)
    assert (none.source, none.phi, none.df, none.estimated) == ("none", 1.0, 0.0, False)
    floored = choose_dispersion(4.0, 10.0, 1.0, 4.0)
    assert floored.phi == 1.0 and floored.raw == pytest.approx(0.4)


def test_trend_slope_percent_per_year_with_interval():
    pct, low, high = trend_slope(math.log(1.05), 0.0001, 4.0, 8.0)
    assert pct == pytest.approx(5.0)
    se = math.sqrt(4.0 * 0.0001)
    q = stats.t.ppf(0.975, 8)
    assert low == pytest.approx(100 * (1.05 * math.exp(-q * se) - 1), rel=1e-9)
    assert high == pytest.approx(100 * (1.05 * math.exp(q * se) - 1), rel=1e-9)
    # φ = 1: normal reference
    _, low1, _ = trend_slope(math.log(1.05), 0.0001, 1.0, 0.0)
    assert low1 == pytest.approx(100 * (1.05 * math.exp(-1.959963984540054 * 0.01) - 1))
