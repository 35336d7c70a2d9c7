"""Tests for tasks/indicators/area_facts.py and the police rows of tasks/indicators/build.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from sources.readers._csv import as_canonical
from tasks.indicators.area_facts import fact_rows
from tasks.indicators.build import police_rows


@pytest.fixture(scope="module")
def areas():
    return load_areas()


def _facts(rows):
    frame = pd.DataFrame(
        [dict(source="omradesfakta", area=a, region=a, period_start=f"{y}-12-31",
              period_end=f"{y}-12-31", period_kind="year", category=c, value=v, unit=u,
              preliminary=False, group="", file="f.csv", row=i + 2)
         for i, (a, y, c, v, u) in enumerate(rows)])
    return as_canonical(frame)


def test_figures_of_the_year_before_with_the_citys_and_the_forecast(areas):
    facts = _facts([
        ("sodermalm", 2020, "Utländsk bakgrund", 20.7, "procent"),
        ("sodermalm", 2021, "Utländsk bakgrund", 20.9, "procent"),
        ("sodermalm", 2022, "Utländsk bakgrund", 21.1, "procent"),
        ("stockholm", 2021, "Utländsk bakgrund", 33.4, "procent"),
        ("sodermalm", 2026, "Befolkningsprognos", 131013, "antal"),
        ("sodermalm", 2024, "Befolkningsprognos", 132000, "antal"),
        ("farsta", 2021, "Utländsk bakgrund", 50.0, "procent"),
    ])
    rows = {r["indicator"]: r for r in fact_rows(facts, areas, "sodermalm", 2022, lag=1,
                                                  forecasts=("Befolkningsprognos",))}
    share = rows["Utländsk bakgrund"]
    assert (share["source"], share["year"], share["value"], share["unit"]) == (
        "befolkning", 2021, 20.9, "procent")
    assert (share["prev_year"], share["prev_value"], share["city_value"]) == (2020, 20.7, 33.4)
    assert share["change_abs"] == pytest.approx(0.2) and share["method"] == "none"
    forecast = rows["Befolkningsprognos"]
    assert (forecast["year"], forecast["value"], forecast["note"]) == (2026, 131013, "prognos")
    assert np.isnan(forecast["city_value"])
    later = {r["indicator"]: r for r in fact_rows(facts, areas, "sodermalm", 2024, lag=1)}
    assert later["Utländsk bakgrund"]["year"] == 2022  # latest published; the gap is noted
    assert "uppgift för 2023 saknas" in later["Utländsk bakgrund"]["note"]
    assert fact_rows(facts, areas, "sodermalm", 2020, lag=1,
                     forecasts=("Befolkningsprognos",))[0]["indicator"] == "Befolkningsprognos"


def _yearly(area, values):
    frame = pd.DataFrame(
        [dict(source="polis", area=area, region="LPO", period_start=f"{y}-01-01",
              period_end=f"{y}-12-31", period_kind="year", category="Rån", value=v,
              unit="antal", preliminary=False, group="", file="p.csv", row=2)
         for y, v in values.items()])
    return as_canonical(frame)


def test_police_rows_use_the_population_unless_the_police_area_is_shared(areas):
    pop = pd.DataFrame({"year": [2022, 2023], "population": [130000.0, 131000.0],
                        "comparable_series": [False, False]})
    own = police_rows(_yearly("sodermalm", {2022: 300, 2023: 378}), pop, areas, "sodermalm",
                      2023, 0.05)
    assert len(own) == 1 and own[0]["source"] == "polis"
    assert own[0]["rate_per_100k"] == pytest.approx(378 / 131000 * 100_000)
    assert own[0]["method"] == "poisson-exact-cond"
    shared = police_rows(_yearly("kungsholmen", {2022: 300, 2023: 378}), pop, areas,
                         "kungsholmen", 2023, 0.05)
    assert shared[0]["rate_per_100k"] is None  # the police area covers Norrmalm too
    assert "Lokalpolisområde Norrmalm" in shared[0]["note"] and "Norrmalm" in shared[0]["note"]
    assert police_rows(None, pop, areas, "sodermalm", 2023, 0.05) == []
