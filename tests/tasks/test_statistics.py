"""Tests for tasks.statistics: against statsmodels/scipy computed here and hand-checked cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.rates import test_poisson_2indep as sm_poisson_2indep

from tasks.statistics import (
    DEFAULT_ALPHA,
    benjamini_hochberg,
    poisson_exact_cond,
    quasi_poisson,
    share_test,
    trend,
)

# ---------------------------------------------------------------- poisson_exact_cond

POISSON_CASES = [
    (298, 131_000.0, 280, 130_000.0),
    (41_900, 130_189.0, 39_800, 131_020.0),
    (47, 1.0, 6, 1.0),
    (50, 1.0, 51, 1.0),
    (3, 2.0, 17, 5.0),
    (0, 1.0, 5, 1.0),
    (5, 1.0, 0, 1.0),
    (1, 1.0, 1, 3.0),
]


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # statsmodels, x_old = 0
@pytest.mark.parametrize(("x_new", "e_new", "x_old", "e_old"), POISSON_CASES)
def test_poisson_p_equals_statsmodels_and_scipy(x_new, e_new, x_old, e_old):
    result = poisson_exact_cond(x_new, e_new, x_old, e_old)
    expected_sm = sm_poisson_2indep(x_new, e_new, x_old, e_old, method="exact-cond").pvalue
    expected_scipy = stats.binomtest(x_new, x_new + x_old, e_new / (e_new + e_old)).pvalue
    assert result is not None
    assert result.p_value == pytest.approx(min(1.0, expected_sm), rel=1e-9)
    assert result.p_value == pytest.approx(min(1.0, expected_scipy), rel=1e-9)
    assert result.method == "poisson-exact-cond"


@pytest.mark.parametrize(("x_new", "e_new", "x_old", "e_old"), POISSON_CASES[2:])
def test_poisson_p_equals_r_definition(x_new, e_new, x_old, e_old):
    """R's binom.test: sum of the probabilities ≤ d·(1 + 1e-7) of the observed one."""
    n = x_new + x_old
    pmf = stats.binom.pmf(np.arange(n + 1), n, e_new / (e_new + e_old))
    d = pmf[x_new]
    expected = min(1.0, pmf[pmf <= d * (1 + 1e-7)].sum())
    assert poisson_exact_cond(x_new, e_new, x_old, e_old).p_value == pytest.approx(expected)


def test_poisson_matches_r_documentation_example():
    # R ?poisson.test: poisson.test(c(11, 6+8+7), c(800, 1083+1050+878)) prints
    # p-value = 0.07967, CI 0.8584264 4.2772659, rate ratio 1.971488.
    result = poisson_exact_cond(11, 800.0, 21, 1083.0 + 1050.0 + 878.0)
    assert result.p_value == pytest.approx(0.07967, abs=5e-6)
    assert result.rate_ratio == pytest.approx(1.971488, abs=5e-7)
    assert result.ci_low == pytest.approx(0.8584264, abs=5e-8)
    assert result.ci_high == pytest.approx(4.2772659, abs=5e-8)


def test_poisson_rate_ratio_and_clopper_pearson_interval():
    x_new, e_new, x_old, e_old = 298, 131_000.0, 280, 130_000.0
    result = poisson_exact_cond(x_new, e_new, x_old, e_old)
    ci = stats.binomtest(x_new, x_new + x_old).proportion_ci(method="exact")
    assert result.rate_ratio == pytest.approx((298 / 131_000) / (280 / 130_000))
    assert result.ci_low == pytest.approx(ci.low / (1 - ci.low) * e_old / e_new)
    assert result.ci_high == pytest.approx(ci.high / (1 - ci.high) * e_old / e_new)
    assert result.ci_low < result.rate_ratio < result.ci_high


def test_poisson_alpha_changes_interval_width():
    wide = poisson_exact_cond(30, 1.0, 20, 1.0, alpha=0.01)
    narrow = poisson_exact_cond(30, 1.0, 20, 1.0)
    assert wide.ci_low < narrow.ci_low and wide.ci_high > narrow.ci_high
    assert wide.alpha == 0.01 and narrow.alpha == DEFAULT_ALPHA


def test_poisson_zero_new_hand_checked():
    result = poisson_exact_cond(0, 1.0, 5, 1.0)
    assert result.p_value == pytest.approx(2 * 0.5**5)  # 0.0625
    assert result.rate_ratio == 0.0
    assert result.ci_low == 0.0
    assert math.isfinite(result.ci_high)


def test_poisson_zero_old_gives_infinite_ratio():
    result = poisson_exact_cond(5, 1.0, 0, 1.0)
    assert result.p_value == pytest.approx(0.0625)
    assert math.isinf(result.rate_ratio) and math.isinf(result.ci_high)
    assert 0 < result.ci_low < 5


def test_poisson_equal_counts_gives_p_exactly_one():
    result = poisson_exact_cond(10, 1.0, 10, 1.0)
    assert result.p_value == 1.0
    assert result.rate_ratio == 1.0


def test_poisson_p_never_above_one_for_near_equal_rates():
    for x in range(0, 40):
        result = poisson_exact_cond(x, 1.0, x + 1, 1.0)
        assert 0.0 < result.p_value <= 1.0


def test_poisson_both_zero_cannot_be_tested():
    assert poisson_exact_cond(0, 130_000.0, 0, 129_000.0) is None


def test_poisson_missing_count_cannot_be_tested():
    assert poisson_exact_cond(12, 1.0, float("nan"), 1.0) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "args", [(-1, 1.0, 3, 1.0), (2.5, 1.0, 3, 1.0), (1, 0.0, 3, 1.0), (1, 1.0, 3, -2.0)]
)
def test_poisson_impossible_input_raises(args):
    with pytest.raises(ValueError):
        poisson_exact_cond(*args)


# ---------------------------------------------------------------- quasi_poisson

COUNTS = [34_200.0, 36_100.0, 41_900.0, 39_800.0, 40_300.0]
POPS = [128_400.0, 129_900.0, 131_000.0, 130_500.0, 130_189.0]


def _reference_quasi(counts, pops):
    design = np.column_stack([np.ones(5), [0, 0, 0, 0, 1]])
    fit = sm.GLM(np.asarray(counts), design, family=sm.families.Poisson(), offset=np.log(pops)).fit(
        scale="X2"
    )
    return fit


def test_quasi_poisson_equals_statsmodels_fit():
    result = quasi_poisson(COUNTS, POPS)
    fit = _reference_quasi(COUNTS, POPS)
    assert result.p_value == pytest.approx(fit.pvalues[1])
    assert result.dispersion == pytest.approx(fit.scale)
    assert result.rate_ratio == pytest.approx(np.exp(fit.params[1]))
    assert result.dispersion > 1  # crime counts are over-dispersed


def test_quasi_poisson_dispersion_is_pearson_chi2_over_df():
    result = quasi_poisson(COUNTS, POPS)
    # the four earlier years share one rate: the pooled rate
    fitted = np.array(POPS[:4]) * (sum(COUNTS[:4]) / sum(POPS[:4]))
    chi2 = (((np.array(COUNTS[:4]) - fitted) ** 2) / fitted).sum()
    assert result.dispersion == pytest.approx(chi2 / 3, rel=1e-6)
    # the report year is fitted exactly, so its rate ratio is its rate over the pooled rate
    assert result.rate_ratio == pytest.approx(
        (COUNTS[4] / POPS[4]) / (sum(COUNTS[:4]) / sum(POPS[:4])), rel=1e-6
    )


def test_quasi_poisson_uses_only_last_five_years():
    longer = quasi_poisson([1.0, 99_999.0, *COUNTS], [1.0, 2.0, *POPS])
    assert longer == quasi_poisson(COUNTS, POPS)


def test_quasi_poisson_keeps_dispersion_below_one_unfloored():
    counts = [100.0, 101.0, 99.0, 100.0, 130.0]
    result = quasi_poisson(counts, [1.0] * 5)
    fit = _reference_quasi(counts, [1.0] * 5)
    assert result.dispersion < 1
    assert result.dispersion == pytest.approx(fit.scale)


@pytest.mark.parametrize(
    ("counts", "exposures"),
    [
        (COUNTS[:4], POPS[:4]),  # fewer than five years
        ([1.0, float("nan"), 3.0, 4.0, 5.0], [1.0] * 5),  # NaN count
        (COUNTS, [1.0, 1.0, float("nan"), 1.0, 1.0]),  # NaN exposure
        ([0.0] * 5, [1.0] * 5),  # all zeros
        ([3.0, 4.0, 2.0, 5.0, 0.0], [1.0] * 5),  # report year 0: perfect separation
        ([0.0, 0.0, 0.0, 0.0, 7.0], [1.0] * 5),  # earlier years 0: perfect separation
        ([250.0, 250.0, 250.0, 250.0, 298.0], [1.0] * 5),  # dispersion 0
    ],
)
def test_quasi_poisson_degenerate_returns_none(counts, exposures):
    assert quasi_poisson(counts, exposures) is None


def test_quasi_poisson_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        quasi_poisson(COUNTS, POPS[:4])


# ---------------------------------------------------------------- share_test


def test_share_chi2_equals_scipy_without_correction():
    result = share_test(3.0, 500, 7.0, 480)
    assert (result.x_new, result.x_old) == (15, 34)
    table = [[15, 485], [34, 446]]
    expected = stats.chi2_contingency(table, correction=False).pvalue
    assert result.method == "chi2"
    assert result.p_value == pytest.approx(expected)
    assert result.diff_pp == pytest.approx(-4.0)


def test_share_chi2_equals_pooled_z_test():
    result = share_test(13.0, 400, 18.0, 420)
    p1, p2 = result.x_new / 400, result.x_old / 420
    pooled = (result.x_new + result.x_old) / 820
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / 400 + 1 / 420))
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))


def test_share_small_expected_cells_use_fisher():
    result = share_test(1.0, 50, 6.0, 40)
    assert (result.x_new, result.x_old) == (1, 2)  # 0.5 rounds half up to 1; 2.4 to 2
    assert result.method == "fisher"
    expected = stats.fisher_exact([[1, 49], [2, 38]], alternative="two-sided").pvalue
    assert result.p_value == pytest.approx(expected)


def test_share_rounding_is_half_up():
    # 12.5 % of 100 = 12.5 → 13 (Python's round() would give 12); 2.5 % of 100 → 3
    result = share_test(12.5, 100, 2.5, 100)
    assert (result.x_new, result.x_old) == (13, 3)


def test_share_difference_interval_is_unpooled_wald():
    result = share_test(30.0, 200, 40.0, 250)
    se = math.sqrt(0.3 * 0.7 / 200 + 0.4 * 0.6 / 250)
    z = stats.norm.ppf(0.975)
    assert result.ci_low == pytest.approx(-10.0 - 100 * z * se)
    assert result.ci_high == pytest.approx(-10.0 + 100 * z * se)


def test_share_equal_shares_give_p_one_at_most():
    result = share_test(20.0, 300, 20.0, 300)
    assert result.p_value == pytest.approx(1.0)
    assert result.p_value <= 1.0


@pytest.mark.parametrize(
    "args",
    [
        (0.0, 300, 0.0, 280),  # both 0 %
        (100.0, 300, 100.0, 280),  # both 100 %
        (0.1, 100, 0.2, 100),  # both round to 0 respondents
        (5.0, 300, float("nan"), 280),  # previous share suppressed (..)
        (5.0, 300, 4.0, float("nan")),  # n missing
        (5.0, 0, 4.0, 280),  # n = 0
        (None, 300, 4.0, 280),
    ],
)
def test_share_cannot_be_tested_returns_none(args):
    assert share_test(*args) is None


@pytest.mark.parametrize("args", [(101.0, 10, 5.0, 10), (-1.0, 10, 5.0, 10), (5.0, -3, 5.0, 3)])
def test_share_impossible_input_raises(args):
    with pytest.raises(ValueError):
        share_test(*args)


# ---------------------------------------------------------------- benjamini_hochberg


def test_bh_equals_statsmodels_with_missing_left_out():
    raw = [0.01, None, 0.04, 0.03, float("nan"), 0.5, 0.001, 0.2]
    present = [p for p in raw if p is not None and not math.isnan(p)]
    expected = iter(multipletests(present, method="fdr_bh")[1])
    adjusted = benjamini_hochberg(raw)
    for p, adj in zip(raw, adjusted, strict=True):
        if p is None or math.isnan(p):
            assert adj is None
        else:
            assert adj == pytest.approx(next(expected))


def test_bh_hand_checked_and_capped():
    assert benjamini_hochberg([0.01, 0.02, 0.03]) == pytest.approx([0.03, 0.03, 0.03])
    assert benjamini_hochberg([0.9, 1.0]) == pytest.approx([1.0, 1.0])
    assert benjamini_hochberg([]) == []
    assert benjamini_hochberg([None]) == [None]


def test_bh_rejects_invalid_p():
    with pytest.raises(ValueError):
        benjamini_hochberg([0.2, 1.5])


# ---------------------------------------------------------------- trend


def test_trend_three_and_five_year_windows():
    result = trend([(2020, 41_900.0), (2016, 30_000.0), (2018, 34_200.0), (2017, 31_000.0),
                    (2019, 38_000.0)])  # fmt: skip
    assert result.last_year == 2020
    assert (result.three.start_year, result.three.end_year) == (2018, 2020)
    assert result.three.change_abs == pytest.approx(7_700.0)
    assert result.three.change_rel == pytest.approx(7_700 / 34_200)
    assert result.three.direction == "ökat"
    assert result.five.start_value == 30_000.0
    assert result.five.direction == "ökat"


def test_trend_direction_threshold_five_percent():
    assert trend([(2018, 100.0), (2019, 1.0), (2020, 104.9)]).three.direction == (
        "i stort sett oförändrat"
    )
    assert trend([(2018, 100.0), (2020, 94.0)]).three.direction == "minskat"
    assert trend([(2018, 100.0), (2020, 105.0)]).three.direction == "ökat"


def test_trend_start_zero_has_no_relative_change():
    window = trend([(2018, 0.0), (2020, 6.0)]).three
    assert window.change_rel is None and window.direction == "ökat"


def test_trend_missing_endpoint_gives_no_window():
    result = trend([(2016, 10.0), (2018, float("nan")), (2019, 12.0), (2020, 13.0)])
    assert result.three is None
    assert result.five.start_year == 2016
    assert trend([(2019, 1.0), (2020, 2.0)]) is None
    assert trend([]) is None


def test_trend_duplicate_year_raises():
    with pytest.raises(ValueError):
        trend([(2020, 1.0), (2020, 2.0)])
