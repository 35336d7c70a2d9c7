"""Reported crime (BRÅ): the area's series, φ from the city's districts, and its rows.

Statistics v2 (a)–(c) for every BRÅ category of the report year: the change from the year
before (exact conditional test or quasi-Poisson Wald, by φ), the rate's own interval, the
comparison with the city, the five-year trend, and the fragility of a preliminary count.
Pure functions, frames in and lists of rows out.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from lagesbild.areas.model import AreasConfig
from tasks.indicators._rows import apply_count_test, blank_row, is_missing, vs_city, year_of
from tasks.statistics import compare_counts, fit_trends, rate_interval, trend_slope
from tasks.statistics.dispersion import (
    MAX_YEARS,
    MIN_YEARS,
    TREND_YEARS,
    Dispersion,
    choose_dispersion,
)

__all__ = [
    "NOT_ESTIMATED",
    "area_crime_series",
    "area_population",
    "bra_rows",
    "crime_dispersion",
    "member_fits",
    "own_dispersion",
]

#: The note (and the draft's wording) when φ could not be estimated.
NOT_ESTIMATED = "årlig variation kunde inte skattas (för kort serie); Poissontest"
_SERIES_COLUMNS = ["year", "indicator", "value", "preliminary", "comparable_series"]


def area_population(population: pd.DataFrame, areas: AreasConfig, area: str) -> pd.DataFrame:
    """Total population per year at 31 December for ``area``, summing predecessors.

    Returns:
        Columns ``year, population, comparable_series``; a year where a member is missing
        is left out rather than under-counted.
    """
    if population.empty:
        return pd.DataFrame(columns=["year", "population", "comparable_series"])
    totals = population[population["category"] == "Folkmängd"]
    # Plain arrays, not a groupby: called for every area and pool member of a national run.
    years = year_of(totals).to_numpy(dtype=float)
    ids = totals["area"].to_numpy(dtype=object)
    values = totals["value"].to_numpy(dtype=float)
    rows = []
    for year in np.unique(years[~np.isnan(years)]):
        members = areas.series_members(area, int(year))
        mine = (years == year) & np.array([isinstance(a, str) and a in members for a in ids],
                                          dtype=bool)
        if not members or set(ids[mine]) != set(members) or np.isnan(values[mine]).any():
            continue
        rows.append({"year": int(year), "population": float(values[mine].sum()),
                     "comparable_series": members != (area,)})  # fmt: skip
    return pd.DataFrame(rows, columns=["year", "population", "comparable_series"])


def area_crime_series(bra_yearly: pd.DataFrame, areas: AreasConfig, area: str) -> pd.DataFrame:
    """Yearly BRÅ counts per category for ``area``, built from predecessors where needed.

    Returns:
        Columns ``year, indicator, value, preliminary, comparable_series``. A year is NaN when
        any member area's figure is missing: a partial sum would look like a fall in crime.
    """
    if bra_yearly.empty:
        return pd.DataFrame(columns=_SERIES_COLUMNS)
    years = year_of(bra_yearly, "period_start").to_numpy(dtype=int)
    members = {int(y): areas.series_members(area, int(y)) for y in np.unique(years)}
    # One pass over the rows with plain arrays (not a merge and groupby): it runs for every
    # area and comparison level of a national run. Sums of counts are exact in any order.
    groups: dict[tuple[int, str], list] = {}  # → [total, missing, areas, preliminary]
    for year, member, category, value, preliminary in zip(
        years.tolist(), bra_yearly["area"].tolist(), bra_yearly["category"].tolist(),
        bra_yearly["value"].to_numpy(dtype=float).tolist(),
        bra_yearly["preliminary"].tolist(), strict=True,
    ):  # fmt: skip
        if member not in members[year] or is_missing(category):
            continue
        group = groups.setdefault((year, category), [0.0, False, set(), False])
        if math.isnan(value):
            group[1] = True
        else:
            group[0] += value
        group[2].add(member)
        group[3] = group[3] or bool(preliminary)
    keys = sorted(groups)
    complete = [len(groups[k][2]) == len(members[k[0]]) and not groups[k][1] for k in keys]
    return pd.DataFrame({
        "year": np.array([k[0] for k in keys], dtype=int),
        "indicator": pd.Series([k[1] for k in keys], dtype=bra_yearly["category"].dtype),
        "value": np.array([groups[k][0] if ok else np.nan for k, ok in zip(keys, complete,
                                                                          strict=True)],
                          dtype=float),
        "preliminary": np.array([groups[k][3] for k in keys], dtype=bool),
        "comparable_series": np.array([members[k[0]] != (area,) for k in keys], dtype=bool),
    })  # fmt: skip


def _matrix(series: pd.DataFrame, population: pd.DataFrame, years: list[int]
            ) -> tuple[list[str], np.ndarray, np.ndarray]:  # fmt: skip
    """Counts and populations as (category × years) arrays, NaN where either is missing."""
    # A series has one row per (category, year): a dict, not a pivot table per area.
    values = dict(zip(zip(series["indicator"].tolist(), series["year"].tolist(), strict=True),
                      series["value"].to_numpy(dtype=float).tolist(), strict=True))  # fmt: skip
    categories = sorted({c for c, _ in values})
    pop = population.set_index("year")["population"] if not population.empty else pd.Series()
    exposure = np.array([float(pop.get(y, np.nan)) for y in years])
    counts = np.array([[values.get((c, y), np.nan) for y in years] for c in categories],
                      dtype=float).reshape(len(categories), len(years))  # fmt: skip
    counts = np.where(np.isnan(exposure)[None, :], np.nan, counts)
    return categories, counts, np.broadcast_to(exposure, counts.shape)


#: Trend fits of one area's series: category → (χ², df) of the fit over the years before
#: the report year (only series with at least ``MIN_YEARS`` years).
MemberFits = dict[str, tuple[float, float]]


def member_fits(series: pd.DataFrame, population: pd.DataFrame, year: int) -> MemberFits:
    """One area's own trend fits for report ``year``: its share of the pooled φ.

    ``series`` and ``population`` are the area's ``area_crime_series`` and
    ``area_population``; they depend on its lineage's rows only, so a caller reporting on
    many areas can fit each area once and pool the fits (``crime_dispersion(fits=...)``).
    """
    years = list(range(year - MAX_YEARS, year))
    if series.empty:
        return {}
    categories, counts, exposures = _matrix(series, population, years)
    fit = fit_trends(counts, exposures, np.array(years))
    enough = (~np.isnan(counts)).sum(axis=1) >= MIN_YEARS
    return {category: (float(fit.chi2[i]), float(fit.df[i]))
            for i, category in enumerate(categories)
            if enough[i] and not np.isnan(fit.df[i])}  # fmt: skip


def crime_dispersion(
    bra_yearly: pd.DataFrame, population: pd.DataFrame, areas: AreasConfig, area: str,
    year: int, *, fits: Callable[[str], MemberFits] | None = None,
) -> dict[str, Dispersion]:  # fmt: skip
    """φ per BRÅ category for ``area``'s report ``year`` (statistics v2 (a)).

    Trend fits over the years before the report year (at most 10, at least 5 per series)
    for every district compared with the same city that existed in the report year (each
    its own intercept and slope; a successor's earlier years are its predecessors' sum), so
    no count enters twice. φ = Σχ²/Σdf when the pool has ≥ 8 df, else the area's own fit
    when it has ≥ 3 df, else 1. A series without a single event is left out: it has no
    variation to measure and would pull φ towards 0.

    Args:
        bra_yearly: yearly BRÅ counts of (at least) the pool's districts and lineages.
        population: population rows of the same areas.
        areas: the configuration (``pool_members``, lineage).
        area: the area reported on.
        year: the report year.
        fits: a pool member's ``member_fits`` for ``year`` when the caller keeps them
            (the frames are then not read); computed from the frames otherwise.

    Returns:
        Category → the dispersion chosen.
    """
    pool = areas.pool_members(area, year) if area in areas.areas else (area,)
    if area not in pool:
        pool = (*pool, area)
    if fits is None:
        def fits(member: str) -> MemberFits:
            return member_fits(area_crime_series(bra_yearly, areas, member),
                               area_population(population, areas, member), year)
    pooled: dict[str, dict[str, tuple[float, float]]] = {}
    for member in pool:
        for category, fit in fits(member).items():
            pooled.setdefault(category, {})[member] = fit
    result = {}
    for category, by_member in pooled.items():
        chi2 = sum(c for c, _ in by_member.values())
        df = sum(d for _, d in by_member.values())
        own_chi2, own_df = by_member.get(area, (math.nan, math.nan))
        result[category] = choose_dispersion(chi2, df, own_chi2, own_df)
    return result


def own_dispersion(series: pd.DataFrame, population: pd.DataFrame,
                   year: int) -> dict[str, Dispersion]:  # fmt: skip
    """φ per category from the series' own trend fit (exposure 1 without a population)."""
    years = list(range(year - MAX_YEARS, year))
    if population.empty:
        population = pd.DataFrame({"year": years, "population": 1.0})
    categories, counts, exposures = _matrix(series, population, years)
    fit = fit_trends(counts, exposures, np.array(years))
    enough = (~np.isnan(counts)).sum(axis=1) >= MIN_YEARS
    return {c: choose_dispersion(0.0, 0.0, float(fit.chi2[i]) if enough[i] else math.nan,
                                 float(fit.df[i]) if enough[i] else math.nan)
            for i, c in enumerate(categories)}  # fmt: skip


def _exposure(pop: dict[int, float], year: int) -> tuple[float | None, str]:
    """Population for ``year``; else the nearest earlier year, with a note saying so."""
    if year in pop:
        return pop[year], ""
    earlier = [y for y in pop if y < year]
    if earlier:
        used = max(earlier)
        return pop[used], f"befolkning för {year} saknas; befolkningen {used} används"
    return None, f"befolkning för {year} saknas"


def _trend(by_year: dict[int, float], pop: dict[int, float], year: int, phi: Dispersion,
           alpha: float) -> tuple[float, float, float] | None:  # fmt: skip
    years = list(range(year - TREND_YEARS + 1, year + 1))
    counts = [float(by_year.get(y, np.nan)) for y in years]
    exposures = [pop.get(y, np.nan) for y in years]
    if any(math.isnan(v) for v in (*counts, *exposures)):
        return None
    fit = fit_trends(np.array([counts]), np.array([exposures]), np.array(years))
    pct, low, high = trend_slope(float(fit.slope[0]), float(fit.var_slope[0]), phi.phi,
                                 phi.df, alpha)  # fmt: skip
    return None if math.isnan(pct) else (pct, low, high)


def _uncertain(x_new: float, e_new: float, x_old: float, e_old: float, phi: Dispersion,
               significant: bool, alpha: float) -> bool:  # fmt: skip
    """Whether changing the preliminary count by ±1 % (rounded) flips the verdict."""
    for changed in (math.floor(x_new * 0.99 + 0.5), math.floor(x_new * 1.01 + 0.5)):
        test = compare_counts(changed, e_new, x_old, e_old, phi=phi.phi, phi_df=phi.df,
                              alpha=alpha)  # fmt: skip
        if (test is not None and test.significant) != significant:
            return True
    return False


def _city(city: dict[tuple[str, int], float], city_pop: dict[int, float], indicator: str,
          year: int) -> float | None:  # fmt: skip
    if year not in city_pop:
        return None
    value = city.get((indicator, year))
    if value is None or is_missing(value):
        return None
    return float(value) / city_pop[year] * 100_000


def bra_rows(
    series: pd.DataFrame, population: pd.DataFrame, area: str, year: int, alpha: float, *,
    dispersion: dict[str, Dispersion] | None = None, city_series: pd.DataFrame | None = None,
    city_population: pd.DataFrame | None = None, source: str = "bra", extra_note: str = "",
) -> list[dict]:  # fmt: skip
    """One row per BRÅ (or police) category of the report year (see the module docstring)."""
    pop = dict(zip(population["year"].astype(int), population["population"].astype(float),
                   strict=True))  # fmt: skip
    city_pop = {} if city_population is None or city_population.empty else dict(
        zip(city_population["year"].astype(int), city_population["population"].astype(float),
            strict=True))  # fmt: skip
    dispersion = dispersion or {}
    # The city's count per (category, year), looked up once per row rather than filtered.
    city = {} if city_series is None or city_series.empty else dict(zip(
        zip(city_series["indicator"], city_series["year"], strict=True),
        city_series["value"], strict=True))  # fmt: skip
    rows = []
    for indicator, group in series.groupby("indicator", sort=True):
        # The category's counts and preliminary flags by year (one row a year): dicts.
        years = group["year"].tolist()
        by_year = dict(zip(years, group["value"].tolist(), strict=True))
        if year not in by_year:
            continue
        now = {"value": by_year[year],
               "preliminary": dict(zip(years, group["preliminary"].tolist(), strict=True))[year]}
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
            row["rate_ci_low"], row["rate_ci_high"] = rate_interval(now["value"], e_new)
        row["city_value"] = _city(city, city_pop, indicator, year)
        row["vs_city"] = vs_city(row["rate_ci_low"], row["rate_ci_high"], row["city_value"])
        phi = dispersion.get(indicator, Dispersion(1.0, 0.0, "none", math.nan))
        trend = _trend(by_year, pop, year, phi, alpha)
        if trend is not None:
            row["trend_pct"], row["trend_ci_low"], row["trend_ci_high"] = trend
        prev = by_year.get(year - 1, np.nan)
        row["prev_value"] = prev
        if is_missing(now["value"]) or is_missing(prev):
            notes.append("uppgift saknas" if is_missing(now["value"]) else "föregående år saknas")
        else:
            row["change_abs"] = now["value"] - prev
            row["change_rel"] = (now["value"] - prev) / prev if prev else np.nan
            if e_new is None or e_old is None:
                e_new = e_old = 1.0
                notes.append("jämförelse av antal utan befolkning som exponering")
            test = apply_count_test(row, now["value"], e_new, prev, e_old, phi=phi.phi,
                                    phi_df=phi.df, alpha=alpha)  # fmt: skip
            if test is not None:
                if not phi.estimated:
                    notes.append(NOT_ESTIMATED)
                elif phi.phi > 1 and (now["value"] == 0 or prev == 0):
                    notes.append("ett av åren har 0 fall: exakt test på antal delade med φ")
                if row["preliminary"]:
                    row["uncertain"] = _uncertain(now["value"], e_new, prev, e_old, phi,
                                                  test.significant, alpha)  # fmt: skip
        if row["preliminary"]:
            notes.append("preliminära siffror")
            if row["uncertain"]:
                notes.append("preliminär bedömning: ±1 % av antalet ändrar slutsatsen")
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows
