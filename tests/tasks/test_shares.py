"""Survey shares (statistics v2 (d)): Newcombe, design effect, rounding-robust rule."""

from __future__ import annotations

import numpy as np
import pytest

from tasks.statistics import newcombe_interval, rounding_unit, share_change


def test_newcombe_hybrid_score_interval_published_example():
    # Newcombe (1998), Stat Med 17:873, example (a): 56/70 − 48/80, method 10: 0.0524–0.3339
    low, high = newcombe_interval(56 / 70, 70, 48 / 80, 80)
    assert (float(low), float(high)) == pytest.approx((0.0524, 0.3339), abs=5e-5)


def test_p_value_is_dual_to_the_interval():
    result = share_change(13.0, 400, 18.0, 420)
    low, high = newcombe_interval(0.13, 400, 0.18, 420, 1 - result.p_value)
    assert float(high) == pytest.approx(0.0, abs=1e-9)  # the interval touches 0 at α = p
    assert result.significant == (result.ci_high < 0 or result.ci_low > 0)


def test_design_effect_widens_the_interval():
    plain = share_change(13.0, 400, 18.0, 420)
    wide = share_change(13.0, 400, 18.0, 420, deff=2.0)
    assert wide.ci_low < plain.ci_low and wide.ci_high > plain.ci_high
    assert wide.p_value > plain.p_value


def test_whole_percent_shares_are_tested_at_both_ends_of_the_rounding():
    exact = share_change(13.0, 1500, 16.0, 1500)
    rounded = share_change(13.0, 1500, 16.0, 1500, rounding=1)
    assert exact.significant and rounded.ci_low < exact.ci_low
    worst = share_change(13.5, 1500, 15.5, 1500)
    assert rounded.p_value == pytest.approx(worst.p_value)
    assert rounded.significant == worst.significant
    # 1 pp apart in whole percent: one end of the rounding is no difference at all
    assert not share_change(7.0, 5000, 6.0, 5000, rounding=1).significant


def test_both_zero_or_both_hundred_is_not_testable():
    assert share_change(0.0, 100, 0.0, 120) is None
    assert share_change(100.0, 100, 100.0, 120) is None
    assert share_change(5.0, 0, 6.0, 100) is None
    assert share_change(float("nan"), 100, 6.0, 100) is None


@pytest.mark.parametrize("bad", [dict(deff=0.5), dict(rounding=-1)])
def test_bad_settings_raise(bad):
    with pytest.raises(ValueError):
        share_change(5.0, 100, 6.0, 100, **bad)


def test_property_share_verdict_equals_interval_excludes_zero():
    rng = np.random.default_rng(7)
    for _ in range(600):
        n1, n2 = (int(v) for v in rng.integers(30, 3000, size=2))
        s1, s2 = (float(v) for v in rng.uniform(0, 100, size=2))
        rounding = float(rng.choice([0.0, 1.0, 0.1]))
        if rounding:
            s1, s2 = round(s1 / rounding) * rounding, round(s2 / rounding) * rounding
        deff = float(rng.choice([1.0, 1.3, 2.0]))
        result = share_change(s1, n1, s2, n2, deff=deff, rounding=rounding)
        if result is None:
            continue
        excludes = result.ci_low > 0 or result.ci_high < 0
        assert result.significant == excludes, result


def test_rounding_unit_read_off_the_shares():
    assert rounding_unit(np.array([5.0, 12.0, 100.0])) == 1.0
    assert rounding_unit(np.array([5.5, 12.0])) == 0.1
    assert rounding_unit(np.array([5.123])) == 0.0


def test_design_effect_is_the_effective_sample_size():
    assert share_change(13.0, 400, 18.0, 420, deff=2.0).ci_low == pytest.approx(
        share_change(13.0, 200, 18.0, 210).ci_low)
