"""Benjamini–Hochberg and the descriptive three- and five-year windows."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.multitest import multipletests

from tasks.statistics import benjamini_hochberg, trend

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
