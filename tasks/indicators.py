"""Indicators: counts, rates, changes and significance for one area and report year.

Pure functions, frames in and frames out: no files, no Prefect. The output has one row per
source, indicator and group for the report year, with exactly the columns of
``indicators.csv`` (see docs/indicators.md). The methods are those of the statistics
contract: (a) exact conditional Poisson test (+ quasi-Poisson check) for reported crime,
(b) χ²/Fisher or the producer's own flag for survey shares, (c) the Poisson test over the
same calendar window for partial-year IA counts.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from lagesbild.config import AreasConfig
from tasks._rows import (
    INDICATOR_COLUMNS,
    apply_poisson,
    blank_row,
    is_missing,
    significance,
    year_of,
)
from tasks.area_facts import fact_rows
from tasks.ia_counts import ia_rows, ia_window, ia_window_counts
from tasks.statistics import DEFAULT_ALPHA, benjamini_hochberg, quasi_poisson
from tasks.survey_changes import survey_rows

__all__ = [
    "INDICATOR_COLUMNS",
    "area_crime_series",
    "area_population",
    "build_indicators",
    "ia_window",
    "police_rows",
    "ia_window_counts",
    "with_rates",
]

QUASI_YEARS = 5


def area_population(population: pd.DataFrame, areas: AreasConfig, area: str) -> pd.DataFrame:
    """Total population per year at 31 December for ``area``, summing predecessors.

    Returns:
        Columns ``year, population, comparable_series``; a year where a member is missing
        is left out rather than under-counted.
    """
    if population.empty:
        return pd.DataFrame(columns=["year", "population", "comparable_series"])
    totals = population[population["category"] == "Folkmängd"]
    years = year_of(totals)
    rows = []
    by_year = {int(y): part for y, part in totals.groupby(years, sort=True)}
    for year, values in by_year.items():
        members = areas.series_members(area, year)
        values = values[values["area"].isin(members)]
        if not members or set(values["area"]) != set(members) or values["value"].isna().any():
            continue
        rows.append(
            {
                "year": year,
                "population": float(values["value"].sum()),
                "comparable_series": members != (area,),
            }
        )
    return pd.DataFrame(rows, columns=["year", "population", "comparable_series"])


def area_crime_series(bra_yearly: pd.DataFrame, areas: AreasConfig, area: str) -> pd.DataFrame:
    """Yearly BRÅ counts per category for ``area``, built from predecessors where needed.

    Returns:
        Columns ``year, indicator, value, preliminary, comparable_series``. A year is NaN when
        any member area's figure is missing: a partial sum would look like a fall in crime.
    """
    if bra_yearly.empty:
        return pd.DataFrame(
            columns=["year", "indicator", "value", "preliminary", "comparable_series"]
        )
    years = year_of(bra_yearly, "period_start")
    members = {int(y): areas.series_members(area, int(y)) for y in years.unique()}
    allowed = pd.DataFrame(
        [(y, a) for y, ids in members.items() for a in ids], columns=["year", "area"]
    )
    frame = bra_yearly.assign(year=years.astype(int), nan=bra_yearly["value"].isna())
    grouped = frame.merge(allowed, on=["year", "area"]).groupby(["year", "category"], sort=True)
    table = grouped.agg(
        total=("value", "sum"),
        missing=("nan", "any"),
        reporting=("area", "nunique"),
        preliminary=("preliminary", "any"),
    ).reset_index()
    expected = table["year"].map({y: len(ids) for y, ids in members.items()})
    complete = (table["reporting"] == expected) & ~table["missing"].astype(bool)
    comparable = table["year"].map({y: ids != (area,) for y, ids in members.items()})
    return pd.DataFrame(
        {
            "year": table["year"].astype(int),
            "indicator": table["category"],
            "value": table["total"].where(complete, np.nan).astype(float),
            "preliminary": table["preliminary"].astype(bool),
            "comparable_series": comparable.astype(bool),
        }
    )


def _exposure(pop: dict[int, float], year: int) -> tuple[float | None, str]:
    """Population for ``year``; else the nearest earlier year, with a note saying so."""
    if year in pop:
        return pop[year], ""
    earlier = [y for y in pop if y < year]
    if earlier:
        used = max(earlier)
        return pop[used], f"befolkning för {year} saknas; befolkningen {used} används"
    return None, f"befolkning för {year} saknas"


def _bra_rows(
    series: pd.DataFrame, population: pd.DataFrame, area: str, year: int, alpha: float,
    source: str = "bra", extra_note: str = "",
) -> list[dict]:
    pop = {int(y): float(p) for y, p in zip(population["year"], population["population"],
                                            strict=True)}  # fmt: skip
    rows = []
    for indicator, group in series.groupby("indicator", sort=True):
        by_year = group.set_index("year")
        if year not in by_year.index:
            continue
        now = by_year.loc[year]
        row = blank_row(
            source=source, area=area, indicator=indicator, year=year, value=now["value"],
            unit="antal", prev_year=year - 1, preliminary=bool(now["preliminary"]),
            comparable_series=bool(group["comparable_series"].any()),
        )  # fmt: skip
        notes = [extra_note] if extra_note else []
        e_new, note_new = _exposure(pop, year)
        e_old, note_old = _exposure(pop, year - 1)
        notes += [n for n in (note_new, note_old) if n]
        if not is_missing(now["value"]) and e_new:
            row["rate_per_100k"] = now["value"] / e_new * 100_000
        prev = by_year["value"].get(year - 1, np.nan)
        row["prev_value"] = prev
        if is_missing(now["value"]) or is_missing(prev):
            notes.append("uppgift saknas" if is_missing(now["value"]) else "föregående år saknas")
        else:
            row["change_abs"] = now["value"] - prev
            row["change_rel"] = (now["value"] - prev) / prev if prev else np.nan
            if e_new is None or e_old is None:
                e_new = e_old = 1.0
                notes.append("jämförelse av antal utan befolkning som exponering")
            apply_poisson(row, now["value"], e_new, prev, e_old)
            _apply_quasi(row, by_year, pop, year)
        row["significant"] = significance(row, alpha)
        if row["preliminary"]:
            notes.append("preliminära siffror")
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows


def _apply_quasi(row: dict, by_year: pd.DataFrame, pop: dict[int, float], year: int) -> None:
    years = list(range(year - QUASI_YEARS + 1, year + 1))
    if not all(y in by_year.index and not is_missing(by_year.loc[y, "value"]) for y in years):
        return
    exposures = [_exposure(pop, y)[0] for y in years]
    if any(e is None for e in exposures):
        return
    result = quasi_poisson([float(by_year.loc[y, "value"]) for y in years], exposures)
    if result is not None:
        row["p_value_quasi"] = result.p_value
        row["dispersion"] = result.dispersion


def _population_row(pop: pd.DataFrame, area: str, year: int) -> list[dict]:
    known = pop[pop["year"] <= year].sort_values("year")
    if known.empty:
        return []
    now = known.iloc[-1]
    row = blank_row(
        source="befolkning", area=area, indicator="Folkmängd", year=int(now["year"]),
        value=now["population"], unit="antal",
        comparable_series=bool(now["comparable_series"]),
        note="folkmängd 31 december",
    )  # fmt: skip
    if len(known) > 1:
        prev = known.iloc[-2]
        row.update(prev_year=int(prev["year"]), prev_value=prev["population"])
        row["change_abs"] = now["population"] - prev["population"]
        row["change_rel"] = row["change_abs"] / prev["population"]
    return [row]


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
    police_yearly: pd.DataFrame | None = None,
    facts: pd.DataFrame | None = None,
    facts_lag: int = 1,
    forecasts: tuple[str, ...] = (),
) -> pd.DataFrame:
    """All indicators of one area and report year, with the columns of indicators.csv.

    Args:
        bra_yearly: BRÅ yearly counts in the canonical shape (``sources.bra.bra_yearly``).
        population: population rows in the canonical shape.
        surveys: survey share rows in the canonical shape.
        incidents: IA incident records.
        areas: the areas configuration (lineage).
        area: the area id.
        year: the report year.
        ia_cutoff: the IA export date; the latest registration date when None.
        alpha: the significance level.
        area_pop, crime_series: ``area_population`` and ``area_crime_series`` of the area
            when the caller has them already (they are computed otherwise).
        police_yearly: the police counts' yearly figures (``bra_yearly`` of the police rows);
            tested exactly as BRÅ's, as source ``polis``.
        facts: områdesfakta key figures (canonical), as source ``befolkning`` rows with
            the city's figure (``tasks.area_facts``); ``facts_lag`` and ``forecasts`` as in
            ``conf/sources.yaml``.

    Returns:
        One row per source, indicator and group, BH-adjusted p-values over the report.
    """
    pop = area_population(population, areas, area) if area_pop is None else area_pop
    series = area_crime_series(bra_yearly, areas, area) if crime_series is None else crime_series
    rows = (
        _population_row(pop, area, year)
        + _bra_rows(series, pop, area, year, alpha)
        + ia_rows(incidents, areas, area, year, ia_cutoff, alpha)
        + police_rows(police_yearly, pop, areas, area, year, alpha)
        + fact_rows(facts, areas, area, year, lag=facts_lag, forecasts=forecasts)
        + survey_rows(surveys, area, year, alpha)
    )
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    frame["p_value_bh"] = benjamini_hochberg(
        [None if is_missing(p) else float(p) for p in frame["p_value"]]
    )
    return frame


def police_rows(
    police_yearly: pd.DataFrame | None, population: pd.DataFrame, areas: AreasConfig,
    area: str, year: int, alpha: float,
) -> list[dict]:
    """Police counts of the area's lokalpolisområde, with the same tests as BRÅ's counts.

    Where the police area also covers other districts, its counts are not put on the
    district's population: the rows compare counts (exposure 1) and say whose area it is.
    ``police_yearly`` also holds the comparison level's police row (``regions.polis``,
    ``Stockholms stad`` in the sample) for the comparison with the city.
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
    return _bra_rows(series, population, area, year, alpha, source="polis", extra_note=note)


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
