"""Indicators: counts, rates, changes, intervals and verdicts for one area and report year.

Pure functions, frames in and frames out: no files, no Prefect. The output has one row per
source, indicator and group for the report year, with exactly the columns of
``indicators.csv`` (docs/indicators.md). The methods are statistics v2
(docs/statistics.md): reported crime in ``tasks.indicators.crime_rows``, IA windows in
``tasks.indicators.ia_counts``, survey shares in ``tasks.indicators.survey_changes``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from lagesbild.areas.model import AreasConfig
from tasks.indicators._rows import INDICATOR_COLUMNS, blank_row, is_missing
from tasks.indicators.area_facts import fact_rows
from tasks.indicators.crime_rows import (
    area_crime_series,
    area_population,
    bra_rows,
    crime_dispersion,
    own_dispersion,
)
from tasks.indicators.ia_counts import ia_rows, ia_window, ia_window_counts
from tasks.indicators.survey_changes import SurveySettings, survey_rows
from tasks.statistics import DEFAULT_ALPHA, Dispersion, benjamini_hochberg

__all__ = [
    "INDICATOR_COLUMNS",
    "area_crime_series",
    "with_city_rates",
    "area_population",
    "build_indicators",
    "crime_dispersion",
    "ia_window",
    "ia_window_counts",
    "police_rows",
    "with_bh",
    "with_rates",
]


def _population_row(pop: pd.DataFrame, area: str, year: int) -> list[dict]:
    known = pop[pop["year"] <= year].sort_values("year")
    if known.empty:
        return []
    now = known.iloc[-1]
    row = blank_row(
        source="befolkning", area=area, indicator="Folkmängd", year=int(now["year"]),
        value=now["population"], unit="antal",
        comparable_series=bool(now["comparable_series"]), note="folkmängd 31 december",
    )  # fmt: skip
    if len(known) > 1:
        prev = known.iloc[-2]
        row.update(prev_year=int(prev["year"]), prev_value=prev["population"])
        row["change_abs"] = now["population"] - prev["population"]
        row["change_rel"] = row["change_abs"] / prev["population"]
    return [row]


def with_bh(frame: pd.DataFrame) -> pd.DataFrame:
    """``p_value_bh`` over the deciding p-values of the rows that are published.

    Run it again after disclosure control: a withheld row's p-value is blank and so not
    part of the family.
    """
    return frame.assign(p_value_bh=benjamini_hochberg(
        [None if is_missing(p) else float(p) for p in frame["p_value"]]))  # fmt: skip


def build_indicators(
    *,
    bra_yearly: pd.DataFrame,
    population: pd.DataFrame,
    surveys: pd.DataFrame,
    incidents: pd.DataFrame,
    areas: AreasConfig,
    area: str,
    year: int,
    ia_cutoff: dt.date | None = None,
    alpha: float = DEFAULT_ALPHA,
    area_pop: pd.DataFrame | None = None,
    crime_series: pd.DataFrame | None = None,
    dispersion: Mapping[str, Dispersion] | None = None,
    ia_categories: Iterable[str] = (),
    survey_settings: SurveySettings | None = None,
    police_yearly: pd.DataFrame | None = None,
    facts: pd.DataFrame | None = None,
    facts_lag: int = 1,
    forecasts: tuple[str, ...] = (),
    city_series: pd.DataFrame | None = None,
    city_population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All indicators of one area and report year, with the columns of indicators.csv.

    Args:
        bra_yearly: BRÅ yearly counts in the canonical shape (``sources.readers.bra.bra_yearly``):
            the area's lineage, the city's row (``city_value``) and, for the pooled φ, the
            other districts compared with the same city.
        population: population rows in the canonical shape (the same areas).
        surveys: survey share rows in the canonical shape (the area's and the city's).
        incidents: IA incident records.
        areas: the areas configuration (lineage, comparison level, pool).
        area: the area id.
        year: the report year.
        ia_cutoff: the IA export date; the latest registration date when None.
        alpha: the significance level.
        area_pop, crime_series: ``area_population`` and ``area_crime_series`` of the area
            when the caller has them already (they are computed otherwise).
        dispersion: φ per BRÅ category when the caller has it (``crime_dispersion``).
        ia_categories: the configured IA categories (a row each, 0 when none).
        survey_settings: design effects and rounding per survey.
        police_yearly: the police counts' yearly figures (``bra_yearly`` of the police rows);
            tested exactly as BRÅ's, as source ``polis`` (φ from the area's own series).
        facts: områdesfakta key figures (canonical), as source ``befolkning`` rows with
            the city's figure (``tasks.indicators.area_facts``); ``facts_lag`` and
            ``forecasts`` as in ``conf/sources.yaml``.
        city_series, city_population: the comparison level's ``area_crime_series`` and
            ``area_population`` when the caller has them (computed otherwise).

    Returns:
        One row per source, indicator and group, BH-adjusted p-values over the report.
    """
    pop = area_population(population, areas, area) if area_pop is None else area_pop
    series = area_crime_series(bra_yearly, areas, area) if crime_series is None else crime_series
    if dispersion is None:
        dispersion = crime_dispersion(bra_yearly, population, areas, area, year)
    city = areas.comparison_for(area).id
    rows = (
        _population_row(pop, area, year)
        + bra_rows(series, pop, area, year, alpha, dispersion=dict(dispersion),
                   city_series=area_crime_series(bra_yearly, areas, city)
                   if city_series is None else city_series,
                   city_population=area_population(population, areas, city)
                   if city_population is None else city_population)
        + police_rows(police_yearly, pop, areas, area, year, alpha)
        + fact_rows(facts, areas, area, year, lag=facts_lag, forecasts=forecasts)
        + ia_rows(incidents, areas, area, year, ia_cutoff, alpha, ia_categories)
        + survey_rows(surveys, area, year, alpha, settings=survey_settings, city=city)
    )  # fmt: skip
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    for column in ("significant", "uncertain"):
        frame[column] = frame[column].astype("object")
    return with_bh(frame)


def with_rates(series: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Add ``rate_per_100k`` to a crime series using the same year's population.

    Years without a population get an empty rate rather than one on another year's base.
    """
    pop = population.set_index("year")["population"] if not population.empty else pd.Series()
    rates = [
        value / pop[year] * 100_000 if year in pop.index and not is_missing(value) else np.nan
        for year, value in zip(series["year"], series["value"], strict=True)
    ]
    return series.assign(rate_per_100k=rates)


def with_city_rates(series: pd.DataFrame, bra_yearly: pd.DataFrame, population: pd.DataFrame,
                    areas: AreasConfig, city: str, *,
                    level: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                    ) -> pd.DataFrame:  # fmt: skip
    """Add ``city_rate_per_100k``: the comparison level's rate for the same category and year.

    The draft's charts draw it as the reference line; it stays empty where the level has no
    complete figure (no partial sums, see ``area_crime_series``). ``level``: the level's
    series and population when the caller has them (computed from the frames otherwise).
    """
    if level is None:
        level = (area_crime_series(bra_yearly, areas, city),
                 area_population(population, areas, city))
    city_series = with_rates(*level)
    if city_series.empty:
        return series.assign(city_rate_per_100k=np.nan)
    rates = city_series[["year", "indicator", "rate_per_100k"]].rename(
        columns={"rate_per_100k": "city_rate_per_100k"})
    return series.merge(rates, on=["year", "indicator"], how="left")


def police_rows(
    police_yearly: pd.DataFrame | None, population: pd.DataFrame, areas: AreasConfig,
    area: str, year: int, alpha: float,
) -> list[dict]:
    """Police counts of the area's lokalpolisområde, with the same tests as BRÅ's counts.

    Where the police area also covers other districts, its counts are not put on the
    district's population: the rows compare counts (exposure 1) and say whose area it is.
    ``police_yearly`` also holds the comparison level's police row (``regions.polis``,
    ``Stockholms stad`` in the sample) for the comparison with the city.
    φ comes from the police series' own trend fit (no other police areas are pooled).
    """
    if police_yearly is None or police_yearly.empty:
        return []
    series = area_crime_series(police_yearly, areas, area)
    if series.empty:
        return []
    police_area = areas.get(area).lokalpolisomrade
    sharing = [a for a in areas.areas_for_police_area(police_area) if a != area]
    note = ""
    if sharing:
        names = ", ".join(areas.get(a).name for a in sharing)
        note = f"polisens siffror gäller hela {police_area}, som också omfattar {names}"
        population = population.iloc[0:0]
    return bra_rows(series, population, area, year, alpha, source="polis", extra_note=note,
                    dispersion=own_dispersion(series, population, year))  # fmt: skip
