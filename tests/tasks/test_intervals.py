"""rate_interval and proportion_interval against PHEindicatormethods' published values.

The reference values are the worked output of PHEindicatormethods' introduction vignette
(``phe_rate(df, obs, pop)`` and ``phe_proportion(df, obs, pop)``, printed to seven
significant digits); the exact branch (x < 10) is cross-checked with the gamma quantiles
of the Poisson–gamma relation and Wilson with statsmodels.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from tasks.statistics import proportion_interval, rate_interval

# (obs, pop, lower, upper): phe_rate default (95 %, per 100 000), Byar's method.
PHE_RATE_95 = [
    (27, 106, 16782.04, 37061.41), (22, 113, 12196.90, 29477.68),
    (80, 150, 42288.58, 66378.77), (53, 193, 20568.85, 35920.56),
    (37, 159, 16382.37, 32076.16), (84, 122, 54917.70, 85245.02),
    (89, 101, 70764.64, 108438.96), (85, 196, 34639.24, 53625.01),
]  # fmt: skip
# phe_rate(df, obs, pop, confidence = 99.8, multiplier = 100)
PHE_RATE_998 = [
    (27, 106, 12.926737, 44.59202), (22, 113, 9.074329, 36.05431),
    (80, 150, 36.773690, 74.46881), (89, 101, 62.029689, 120.99575),
]  # fmt: skip
# phe_proportion default (95 %, proportion of 1), Wilson.
PHE_PROPORTION_95 = [
    (27, 106, 0.1813642, 0.3452262), (22, 113, 0.1322333, 0.2772229),
    (80, 150, 0.4536625, 0.6113395), (53, 193, 0.2165053, 0.3415146),
    (37, 159, 0.1738037, 0.3042162), (84, 122, 0.6016542, 0.7638851),
    (89, 101, 0.8037295, 0.9307128), (85, 196, 0.3662266, 0.5036703),
]  # fmt: skip
PHE_PROPORTION_998 = [(27, 106, 0.1481031, 0.4018735), (89, 101, 0.7476217, 0.9488987)]


@pytest.mark.parametrize(("x", "n", "low", "high"), PHE_RATE_95)
def test_rate_interval_matches_phe_rate(x, n, low, high):
    got = rate_interval(x, n)
    assert got == pytest.approx((low, high), rel=1e-6)


@pytest.mark.parametrize(("x", "n", "low", "high"), PHE_RATE_998)
def test_rate_interval_matches_phe_rate_998_per_100(x, n, low, high):
    got = rate_interval(x, n, confidence=0.998, multiplier=100)
    assert got == pytest.approx((low, high), rel=1e-6)


@pytest.mark.parametrize(("x", "n", "low", "high"), PHE_PROPORTION_95)
def test_proportion_interval_matches_phe_proportion(x, n, low, high):
    assert proportion_interval(x, n) == pytest.approx((low, high), abs=1e-6)


@pytest.mark.parametrize(("x", "n", "low", "high"), PHE_PROPORTION_998)
def test_proportion_interval_matches_phe_proportion_998(x, n, low, high):
    assert proportion_interval(x, n, confidence=0.998) == pytest.approx((low, high), abs=1e-6)


@pytest.mark.parametrize("x", range(0, 10))
def test_rate_interval_below_ten_is_the_exact_gamma_interval(x):
    low, high = rate_interval(x, 130_000)
    exact_low = 0.0 if x == 0 else stats.gamma.ppf(0.025, x)
    exact_high = stats.gamma.ppf(0.975, x + 1)
    assert (low, high) == pytest.approx((exact_low / 130_000 * 1e5, exact_high / 130_000 * 1e5),
                                        rel=1e-9)  # fmt: skip


def test_rate_interval_from_ten_is_byars_formula():
    x, z = 10, stats.norm.ppf(0.975)
    low = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    high = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    assert rate_interval(10, 1.0, multiplier=1) == pytest.approx((low, high), rel=1e-12)


def test_proportion_interval_equals_statsmodels_wilson():
    for x, n in [(0, 40), (1, 40), (20, 40), (40, 40), (3, 1000)]:
        expected = proportion_confint(x, n, alpha=0.05, method="wilson")
        assert proportion_interval(x, n) == pytest.approx(expected, abs=1e-12)


def test_both_accept_arrays():
    low, high = rate_interval(np.array([5, 50]), np.array([1e4, 1e4]))
    assert low.shape == (2,) and high[1] > high[0]
    low, high = proportion_interval(np.array([1, 10]), 20)
    assert low.shape == (2,)


@pytest.mark.parametrize("bad", [(-1, 10), (1, 0), (11, 10)])
def test_proportion_interval_rejects_impossible_input(bad):
    with pytest.raises(ValueError):
        proportion_interval(*bad)


def test_rate_interval_rejects_bad_confidence():
    with pytest.raises(ValueError):
        rate_interval(5, 10, confidence=95)
