"""Counts (statistics v2 (a)): exact central test, quasi-Poisson Wald, one verdict per model.

Reference values are hand-computed here from independent formulas (math.comb sums, the
normal/t quantiles) or come from scipy/statsmodels; the property tests run a seeded
generator over thousands of series.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tasks.statistics import EXACT, WALD, compare_counts, exact_central_p


def _binom_tail_ge(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))


def _binom_tail_le(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(0, k + 1))


def test_exact_central_p_hand_computed():
    # 2 vs 8 with equal exposures: P(X ≤ 2 | n = 10, p = ½) = 56/1024, doubled.
    result = compare_counts(2, 1.0, 8, 1.0)
    assert result.method == EXACT
    assert result.p_value == pytest.approx(2 * 56 / 1024, abs=1e-12)
    assert result.p_value == pytest.approx(0.109375, abs=1e-12)
    # 10 vs 2, the new year with twice the exposure: p0 = 2/3, n = 12, upper tail.
    result = compare_counts(10, 2.0, 2, 1.0)
    assert result.p_value == pytest.approx(2 * _binom_tail_ge(10, 12, 2 / 3), abs=1e-12)
    assert result.rate_ratio == pytest.approx(2.5)


def test_exact_central_p_is_capped_at_one_and_zero_cases():
    assert compare_counts(10, 1.0, 10, 1.0).p_value == 1.0
    zero_new = compare_counts(0, 1.0, 5, 1.0)
    assert zero_new.p_value == pytest.approx(2 * 0.5**5)  # 0.0625
    assert (zero_new.rate_ratio, zero_new.ci_low) == (0.0, 0.0)
    zero_old = compare_counts(5, 1.0, 0, 1.0)
    assert math.isinf(zero_old.rate_ratio) and math.isinf(zero_old.ci_high)
    assert compare_counts(0, 130_000.0, 0, 129_000.0) is None
    assert compare_counts(12, 1.0, float("nan"), 1.0) is None


def test_central_p_is_dual_to_clopper_pearson_where_minlike_is_not():
    # 1 vs 4 crimes, exposures 2 and 1 (p0 = 2/3): R's poisson.test / scipy's minlike p is
    # 0.045 ("significant") while its own exact interval (0.0025–1.26) contains 1.
    minlike = stats.binomtest(1, 5, 2 / 3).pvalue
    assert minlike < 0.05
    result = compare_counts(1, 2.0, 4, 1.0)
    assert result.p_value == pytest.approx(2 * _binom_tail_le(1, 5, 2 / 3))
    assert result.p_value == pytest.approx(0.0905349794, abs=1e-9)
    assert result.ci_low < 1 < result.ci_high and not result.significant
    # The interval is scipy's Clopper–Pearson interval for p, transformed to the ratio.
    ci = stats.binomtest(1, 5).proportion_ci(0.95, method="exact")
    assert result.ci_low == pytest.approx(ci.low / (1 - ci.low) * 1.0 / 2.0, rel=1e-9)
    assert result.ci_high == pytest.approx(ci.high / (1 - ci.high) * 1.0 / 2.0, rel=1e-9)


def test_wald_with_t_reference_hand_computed():
    result = compare_counts(130, 1.0, 100, 1.0, phi=2.5, phi_df=12)
    assert result.method == WALD
    log_rr, se = math.log(1.3), math.sqrt(2.5 * (1 / 130 + 1 / 100))
    assert result.p_value == pytest.approx(2 * stats.t.sf(log_rr / se, 12), rel=1e-12)
    q = stats.t.ppf(0.975, 12)
    assert result.ci_low == pytest.approx(math.exp(log_rr - q * se), rel=1e-12)
    assert result.ci_high == pytest.approx(math.exp(log_rr + q * se), rel=1e-12)
    assert (result.dispersion, result.dispersion_df) == (2.5, 12)


def test_dispersion_below_one_is_floored_and_gives_the_exact_test():
    floored = compare_counts(130, 1.0, 100, 1.0, phi=0.4, phi_df=12)
    assert floored.method == EXACT and floored.dispersion == 1.0
    assert floored == compare_counts(130, 1.0, 100, 1.0, phi=1.0, phi_df=12)


def test_one_zero_count_with_phi_uses_the_effective_counts():
    # 0 vs 8 with φ = 2: the exact test on 0 vs 4 effective cases: p = 2 · (½)^4.
    result = compare_counts(0, 1.0, 8, 1.0, phi=2.0, phi_df=10)
    assert result.method == EXACT and result.dispersion == 2.0
    assert result.p_value == pytest.approx(2 * 0.5**4)
    unscaled = compare_counts(0, 1.0, 8, 1.0)
    assert result.ci_high > unscaled.ci_high  # wider, as the spec asks
    # upper Clopper–Pearson bound of p for 0 of 4: 1 − (α/2)^(1/4)
    high_p = 1 - 0.025 ** (1 / 4)
    assert result.ci_high == pytest.approx(high_p / (1 - high_p))


@pytest.mark.parametrize("args", [(-1, 1.0, 2, 1.0), (1.5, 1.0, 2, 1.0), (1, 0.0, 2, 1.0)])
def test_impossible_input_raises(args):
    with pytest.raises(ValueError):
        compare_counts(*args)


def _excludes_one(result) -> bool:
    return result.ci_low > 1.0 or result.ci_high < 1.0


def test_property_verdict_equals_interval_excludes_one_over_generated_series():
    """Seeded generator: counts from 0 to thousands, exposures, φ and df of every kind."""
    rng = np.random.default_rng(20231)
    checked = {EXACT: 0, WALD: 0}
    for _ in range(4000):
        scale = 10 ** rng.uniform(0, 4)
        x_old = int(rng.poisson(scale))
        x_new = int(rng.poisson(scale * rng.uniform(0.6, 1.6)))
        e_old = float(rng.uniform(1e3, 2e5))
        e_new = e_old * float(rng.uniform(0.9, 1.1))
        phi = float(rng.choice([1.0, rng.uniform(0.3, 1.0), rng.uniform(1.0, 40.0)]))
        df = float(rng.integers(3, 60))
        alpha = float(rng.choice([0.05, 0.01, 0.1]))
        result = compare_counts(x_new, e_new, x_old, e_old, phi=phi, phi_df=df, alpha=alpha)
        if result is None:
            assert x_new == x_old == 0
            continue
        checked[result.method] += 1
        assert result.significant == _excludes_one(result), result
        assert result.dispersion >= 1.0
        assert 0.0 <= result.p_value <= 1.0
    assert min(checked.values()) > 500


def test_exact_central_p_accepts_arrays():
    k, n = np.array([0, 2, 5]), np.array([5, 10, 10])
    p = exact_central_p(k, n, 0.5)
    assert p == pytest.approx([2 * 0.5**5, 0.109375, 1.0])
