"""Indicator assembly on tiny hand-built frames: lineage, windows, surveys, population."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lagesbild.areas.load import load_areas
from tasks.indicators.build import (
    INDICATOR_COLUMNS,
    area_crime_series,
    area_population,
    build_indicators,
    crime_dispersion,
    ia_window,
    ia_window_counts,
)

AREAS = load_areas()


def _yearly(rows: list[tuple[str, int, str, float]], preliminary_years=()) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": "bra",
            "area": [r[0] for r in rows],
            "region": [r[0] for r in rows],
            "period_start": [pd.Timestamp(r[1], 1, 1) for r in rows],
            "period_end": [pd.Timestamp(r[1], 12, 31) for r in rows],
            "period_kind": "year",
            "category": [r[2] for r in rows],
            "value": [r[3] for r in rows],
            "unit": "antal",
            "preliminary": [r[1] in preliminary_years for r in rows],
            "group": "",
        }
    )


def _population(rows: list[tuple[str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": "befolkning",
            "area": [r[0] for r in rows],
            "period_start": [pd.Timestamp(r[1], 12, 31) for r in rows],
            "period_end": [pd.Timestamp(r[1], 12, 31) for r in rows],
            "category": "Folkmängd",
            "value": [r[2] for r in rows],
        }
    )


EMPTY_SURVEYS = pd.DataFrame(
    columns=["source", "area", "period_end", "category", "group", "value", "n",
             "producer_significant"]
)  # fmt: skip
EMPTY_IA = pd.DataFrame(columns=["incident_id", "occurred_on", "reported_on", "category", "area"])


def _build(bra, pop, *, area="sodermalm", year=2023, surveys=EMPTY_SURVEYS, ia=EMPTY_IA, **kw):
    return build_indicators(
        bra_yearly=bra, population=pop, surveys=surveys, incidents=ia, areas=AREAS,
        area=area, year=year, **kw,
    )  # fmt: skip


def test_successor_area_is_compared_with_the_sum_of_its_predecessors():
    bra = _yearly([
        ("norrmalm", 2023, "Rån", 300.0), ("ostermalm", 2023, "Rån", 100.0),
        ("norrmalm", 2024, "Rån", 0.0), ("ostermalm", 2024, "Rån", 0.0),
        ("norra-innerstaden", 2024, "Rån", 480.0),
    ])  # fmt: skip
    pop = _population([("norrmalm", 2023, 70_000.0), ("ostermalm", 2023, 75_000.0),
                       ("norra-innerstaden", 2024, 146_000.0)])  # fmt: skip
    series = area_crime_series(bra, AREAS, "norra-innerstaden")
    assert series.set_index("year")["value"].to_dict() == {2023: 400.0, 2024: 480.0}
    assert series.set_index("year")["comparable_series"].to_dict() == {2023: True, 2024: False}

    row = _build(bra, pop, area="norra-innerstaden", year=2024).query("source == 'bra'").iloc[0]
    assert row["prev_value"] == 400.0 and row["value"] == 480.0
    assert bool(row["comparable_series"]) is True
    p0 = 146_000.0 / (146_000.0 + 145_000.0)
    expected = 2 * min(stats.binom.cdf(480, 880, p0), stats.binom.sf(479, 880, p0))
    assert row["p_value"] == pytest.approx(expected, rel=1e-9)
    assert row["rate_per_100k"] == pytest.approx(480 / 146_000 * 100_000)


def test_a_missing_predecessor_leaves_the_year_empty_not_partially_summed():
    bra = _yearly([("norrmalm", 2023, "Rån", 300.0), ("norra-innerstaden", 2024, "Rån", 480.0)])
    series = area_crime_series(bra, AREAS, "norra-innerstaden").set_index("year")
    assert np.isnan(series.loc[2023, "value"])
    pop = _population([("norra-innerstaden", 2024, 146_000.0)])
    row = _build(bra, pop, area="norra-innerstaden", year=2024).query("source == 'bra'").iloc[0]
    assert row["method"] == "none" and pd.isna(row["p_value"])
    assert "föregående år saknas" in row["note"]


def test_population_of_an_earlier_year_is_used_and_said():
    bra = _yearly([("sodermalm", 2022, "Rån", 290.0), ("sodermalm", 2023, "Rån", 365.0)],
                  preliminary_years=(2023,))  # fmt: skip
    pop = _population([("sodermalm", 2022, 130_000.0)])
    row = _build(bra, pop).query("source == 'bra'").iloc[0]
    assert "befolkning för 2023 saknas; befolkningen 2022 används" in row["note"]
    assert bool(row["preliminary"]) is True and "preliminära siffror" in row["note"]
    # equal exposures, φ = 1 (two years: not estimable): central p of Binomial(655, ½)
    expected = 2 * stats.binom.sf(364, 655, 0.5)
    assert row["p_value"] == pytest.approx(expected)
    assert row["dispersion"] == 1.0 and row["dispersion_df"] == 0
    assert "årlig variation kunde inte skattas" in row["note"]


def test_both_counts_zero_is_not_testable():
    bra = _yearly([("sodermalm", 2022, "7 kap.", 0.0), ("sodermalm", 2023, "7 kap.", 0.0)])
    row = _build(bra, _population([("sodermalm", 2022, 1e5), ("sodermalm", 2023, 1e5)]))
    row = row.query("source == 'bra'").iloc[0]
    assert row["method"] == "none" and pd.isna(row["p_value"]) and row["significant"] is None


def test_over_dispersed_series_is_tested_with_the_wald_t_test_and_its_own_interval():
    values = [1000.0, 1300.0, 900.0, 1250.0, 950.0, 1200.0, 1420.0]  # noisy, last year high
    bra = _yearly([("sodermalm", 2017 + i, "Stöld", v) for i, v in enumerate(values)])
    pop = _population([("sodermalm", 2017 + i, 130_000.0) for i in range(7)])
    row = _build(bra, pop).query("source == 'bra'").iloc[0]
    assert 2 * stats.binom.sf(1419, 2620, 0.5) < 0.05  # the Poisson test alone would say yes
    assert row["method"] == "quasi-poisson-wald" and row["dispersion"] > 1
    assert row["dispersion_df"] == 4  # own series 2017–2022: 6 years − 2
    assert bool(row["significant"]) is False and row["ci_low"] < 1 < row["ci_high"]
    assert row["trend_pct"] == pytest.approx(row["trend_pct"])  # present
    assert row["trend_ci_low"] < row["trend_pct"] < row["trend_ci_high"]


def test_dispersion_is_pooled_over_the_citys_districts():
    districts = ["sodermalm", "kungsholmen", "bromma", "farsta"]
    rng = np.random.default_rng(3)
    rows, pops = [], []
    for d in districts:
        for year in range(2013, 2024):
            rows.append((d, year, "Stöld", float(rng.poisson(800))))
            pops.append((d, year, 100_000.0))
    bra, pop = _yearly(rows), _population(pops)
    phi = crime_dispersion(bra, pop, AREAS, "sodermalm", 2023)["Stöld"]
    assert phi.source == "pooled" and phi.df == 4 * 8  # 10 years before 2023 each
    short = bra[(bra["area"] == "sodermalm") & (bra["period_start"].dt.year >= 2016)]
    own = crime_dispersion(short, pop, AREAS, "sodermalm", 2023)["Stöld"]
    assert own.source == "own" and own.df == 5  # 2016–2022: 7 years − 2 < 8 pooled df


def _incidents(dates: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "incident_id": [f"IA-{i}" for i in range(len(dates))],
            "occurred_on": pd.to_datetime([d for d, _ in dates]),
            "reported_on": pd.to_datetime([d for d, _ in dates]),
            "category": [c for _, c in dates],
            "area": "sodermalm",
        }
    )


def test_partial_year_is_compared_over_the_same_calendar_window():
    ia = _incidents([
        ("2021-03-01", "Hot"), ("2021-11-20", "Hot"), ("2021-12-30", "Hot"),
        ("2022-02-01", "Hot"), ("2022-11-15", "Hot"), ("2022-06-01", "Hot"),
    ])  # fmt: skip
    assert ia_window(ia, 2022, None) == (dt.date(2022, 1, 1), dt.date(2022, 11, 15), True)
    assert ia_window(ia, 2021, None) == (dt.date(2021, 1, 1), dt.date(2021, 12, 31), False)
    assert ia_window(ia, 2023, None) is None
    counts = ia_window_counts(ia, AREAS, "sodermalm", [2021, 2022], dt.date(2022, 11, 15))
    assert counts.set_index("year")["count"].to_dict() == {2021: 1, 2022: 3}

    row = _build(_yearly([]), _population([]), year=2022, ia=ia).query("source == 'ia'").iloc[0]
    assert (row["value"], row["prev_value"]) == (3.0, 1.0)
    assert (row["window_start"], row["window_end"]) == ("2022-01-01", "2022-11-15")
    assert row["p_value"] == pytest.approx(2 * stats.binom.sf(2, 4, 0.5))


def test_leap_day_cut_off_maps_to_28_february_in_other_years():
    ia = _incidents([("2023-02-28", "Hot"), ("2024-02-29", "Hot")])
    counts = ia_window_counts(ia, AREAS, "sodermalm", [2023, 2024], dt.date(2024, 2, 29))
    assert counts.set_index("year")["window_end"].to_dict() == {
        2023: dt.date(2023, 2, 28), 2024: dt.date(2024, 2, 29)
    }


def _survey(rows):
    return pd.DataFrame(
        {
            "source": "stockholmsenkaten",
            "area": "sodermalm",
            "period_end": [pd.Timestamp(r[0], 12, 31) for r in rows],
            "category": "Utsatt för misshandel",
            "group": "Åk 9 pojkar",
            "value": [r[1] for r in rows],
            "n": [r[2] for r in rows],
            "producer_significant": pd.array([r[3] for r in rows], dtype="boolean"),
        }
    )


def test_producer_flag_wins_over_a_recomputed_test():
    surveys = _survey([(2020, 7.0, 300, None), (2022, 3.0, 310, True)])
    row = _build(_yearly([]), _population([]), year=2023, surveys=surveys).iloc[0]
    assert row["method"] == "producer-flag" and bool(row["significant"]) is True
    assert pd.isna(row["p_value"]) and row["year"] == 2022 and row["prev_year"] == 2020
    assert row["change_abs"] == pytest.approx(-4.0)


def test_shares_without_a_flag_get_newcombe_with_design_effect_and_rounding():
    from tasks.statistics import share_change

    surveys = _survey([(2020, 7.0, 300, None), (2022, 3.0, 310, None)])
    row = _build(_yearly([]), _population([]), year=2022, surveys=surveys).iloc[0]
    expected = share_change(3.0, 310, 7.0, 300, deff=1.5, rounding=1.0)
    assert row["method"] == "newcombe" and row["p_value"] == pytest.approx(expected.p_value)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((expected.ci_low, expected.ci_high))
    assert "designeffekt 1.5" in row["note"] and "avrundade" in row["note"]
    assert row["rate_ci_low"] < 3.0 < row["rate_ci_high"]


def test_every_configured_ia_category_has_a_row_with_zero():
    ia = _incidents([("2022-03-01", "Hot"), ("2023-03-02", "Hot")])
    frame = _build(_yearly([]), _population([]), year=2023, ia=ia,
                   ia_categories=["Hot", "Våldsbejakande extremism"])  # fmt: skip
    extremism = frame.query("indicator == 'Våldsbejakande extremism'").iloc[0]
    assert (extremism["value"], extremism["prev_value"]) == (0.0, 0.0)
    assert extremism["method"] == "none"


def test_columns_are_exactly_those_of_indicators_csv():
    bra = _yearly([("sodermalm", 2022, "Rån", 290.0), ("sodermalm", 2023, "Rån", 365.0)])
    frame = _build(bra, _population([("sodermalm", 2022, 1e5), ("sodermalm", 2023, 1e5)]))
    assert list(frame.columns) == INDICATOR_COLUMNS
    assert frame.query("source == 'bra'")["p_value_bh"].notna().all()


def test_area_population_sums_predecessors():
    pop = _population([("norrmalm", 2023, 70_000.0), ("ostermalm", 2023, 75_000.0)])
    result = area_population(pop, AREAS, "norra-innerstaden")
    assert result.to_dict("records") == [
        {"year": 2023, "population": 145_000.0, "comparable_series": True}
    ]
