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
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from lagesbild.config import AreasConfig
from tasks.statistics import (
    DEFAULT_ALPHA,
    benjamini_hochberg,
    poisson_exact_cond,
    quasi_poisson,
    share_test,
)

__all__ = [
    "INDICATOR_COLUMNS",
    "area_crime_series",
    "area_population",
    "build_indicators",
    "ia_window",
    "ia_window_counts",
    "with_rates",
]

INDICATOR_COLUMNS = [
    "source", "area", "indicator", "group", "year", "value", "unit", "rate_per_100k",
    "prev_year", "prev_value", "change_abs", "change_rel", "method", "p_value",
    "p_value_quasi", "dispersion", "rate_ratio", "ci_low", "ci_high", "significant",
    "p_value_bh", "window_start", "window_end", "comparable_series", "preliminary", "note",
]  # fmt: skip

QUASI_YEARS = 5


def _year(frame: pd.DataFrame, column: str = "period_end") -> pd.Series:
    return pd.to_datetime(frame[column]).dt.year


def _nan(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def area_population(population: pd.DataFrame, areas: AreasConfig, area: str) -> pd.DataFrame:
    """Total population per year at 31 December for ``area``, summing predecessors.

    Returns:
        Columns ``year, population, comparable_series``; a year where a member is missing
        is left out rather than under-counted.
    """
    if population.empty:
        return pd.DataFrame(columns=["year", "population", "comparable_series"])
    totals = population[population["category"] == "Folkmängd"].assign(year=_year(population))
    rows = []
    for year in sorted(totals["year"].unique()):
        members = areas.series_members(area, int(year))
        values = totals[(totals["year"] == year) & totals["area"].isin(members)]
        if not members or set(values["area"]) != set(members) or values["value"].isna().any():
            continue
        rows.append(
            {
                "year": int(year),
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
    years = _year(bra_yearly, "period_start")
    everyone = {a for y in years.unique() for a in areas.series_members(area, int(y))}
    keep = bra_yearly["area"].isin(everyone | {area})
    frame = bra_yearly[keep].assign(year=years[keep])
    rows = []
    for (year, category), group in frame.groupby(["year", "category"], sort=True):
        members = areas.series_members(area, int(year))
        if not members:
            continue
        part = group[group["area"].isin(members)]
        if part.empty:
            continue
        complete = set(part["area"]) == set(members) and not part["value"].isna().any()
        rows.append(
            {
                "year": int(year),
                "indicator": category,
                "value": float(part["value"].sum()) if complete else np.nan,
                "preliminary": bool(part["preliminary"].any()),
                "comparable_series": members != (area,),
            }
        )
    return pd.DataFrame(rows, columns=["year", "indicator", "value", "preliminary",
                                       "comparable_series"])


def _exposure(pop: pd.DataFrame, year: int) -> tuple[float | None, str]:
    """Population for ``year``; else the nearest earlier year, with a note saying so."""
    exact = pop[pop["year"] == year]
    if not exact.empty:
        return float(exact["population"].iloc[0]), ""
    earlier = pop[pop["year"] < year].sort_values("year")
    if not earlier.empty:
        used = int(earlier["year"].iloc[-1])
        return (
            float(earlier["population"].iloc[-1]),
            f"befolkning för {year} saknas; befolkningen {used} används",
        )
    return None, f"befolkning för {year} saknas"


def _blank_row(**values: object) -> dict:
    row = dict.fromkeys(INDICATOR_COLUMNS)
    row.update(group="", method="none", comparable_series=False, preliminary=False, note="")
    row.update(values)
    return row


def _apply_poisson(row: dict, x_new: float, e_new: float, x_old: float, e_old: float) -> None:
    result = poisson_exact_cond(int(x_new), e_new, int(x_old), e_old)
    if result is None:
        row["method"] = "none"
        return
    row.update(
        method=result.method,
        p_value=result.p_value,
        rate_ratio=result.rate_ratio,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
    )


def _bra_rows(
    series: pd.DataFrame, pop: pd.DataFrame, area: str, year: int, alpha: float
) -> list[dict]:
    rows = []
    for indicator, group in series.groupby("indicator", sort=True):
        by_year = group.set_index("year")
        if year not in by_year.index:
            continue
        now = by_year.loc[year]
        row = _blank_row(
            source="bra", area=area, indicator=indicator, year=year, value=now["value"],
            unit="antal", prev_year=year - 1, preliminary=bool(now["preliminary"]),
            comparable_series=bool(group["comparable_series"].any()),
        )  # fmt: skip
        notes = []
        e_new, note_new = _exposure(pop, year)
        e_old, note_old = _exposure(pop, year - 1)
        notes += [n for n in (note_new, note_old) if n]
        if not _nan(now["value"]) and e_new:
            row["rate_per_100k"] = now["value"] / e_new * 100_000
        prev = by_year["value"].get(year - 1, np.nan)
        row["prev_value"] = prev
        if _nan(now["value"]) or _nan(prev):
            notes.append("uppgift saknas" if _nan(now["value"]) else "föregående år saknas")
        else:
            row["change_abs"] = now["value"] - prev
            row["change_rel"] = (now["value"] - prev) / prev if prev else np.nan
            if e_new is None or e_old is None:
                e_new = e_old = 1.0
                notes.append("jämförelse av antal utan befolkning som exponering")
            _apply_poisson(row, now["value"], e_new, prev, e_old)
            _apply_quasi(row, by_year, pop, year)
        row["significant"] = _significant(row, alpha)
        if row["preliminary"]:
            notes.append("preliminära siffror")
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows


def _apply_quasi(row: dict, by_year: pd.DataFrame, pop: pd.DataFrame, year: int) -> None:
    years = list(range(year - QUASI_YEARS + 1, year + 1))
    if not all(y in by_year.index and not _nan(by_year.loc[y, "value"]) for y in years):
        return
    exposures = [_exposure(pop, y)[0] for y in years]
    if any(e is None for e in exposures):
        return
    result = quasi_poisson([float(by_year.loc[y, "value"]) for y in years], exposures)
    if result is not None:
        row["p_value_quasi"] = result.p_value
        row["dispersion"] = result.dispersion


def _significant(row: dict, alpha: float) -> bool | None:
    if row["method"] in ("none", None):
        return None
    if row["method"] == "producer-flag":
        return row["significant"]
    significant = row["p_value"] < alpha
    if not _nan(row.get("p_value_quasi")):
        significant = significant and row["p_value_quasi"] < alpha
    return bool(significant)


def ia_window(
    incidents: pd.DataFrame, year: int, cutoff: dt.date | None
) -> tuple[dt.date, dt.date, bool] | None:
    """The calendar window of ``year`` that the IA export covers.

    The cut-off is the export date (configuration or command line), by default the latest
    ``reported_on`` in the export. Returns ``(start, end, partial)`` or None when the export
    does not reach into the report year.
    """
    if cutoff is None:
        if incidents.empty:
            return None
        cutoff = pd.Timestamp(incidents["reported_on"].max()).date()
    start = dt.date(year, 1, 1)
    if cutoff < start:
        return None
    year_end = dt.date(year, 12, 31)
    if cutoff >= year_end:
        return start, year_end, False
    return start, cutoff, True


def _same_window(end: dt.date, year: int) -> tuple[dt.date, dt.date]:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    day = 28 if (end.month, end.day) == (2, 29) and not leap else end.day
    return dt.date(year, 1, 1), dt.date(year, end.month, day)


def ia_window_counts(
    incidents: pd.DataFrame,
    areas: AreasConfig,
    area: str,
    years: Iterable[int],
    window_end: dt.date,
) -> pd.DataFrame:
    """Incidents per category and year within 1 January – ``window_end``'s day of each year.

    Counted by ``occurred_on`` (Händelsedatum), as the source contract says. An export taken
    later also holds incidents registered late; they count in the year they happened.

    Returns:
        Columns ``year, category, count, window_start, window_end, comparable_series``.
    """
    years = list(years)
    lineage = {y: areas.series_members(area, y) for y in years}
    everyone = {a for members in lineage.values() for a in members} | {area}
    data = incidents[incidents["area"].isin(everyone)] if not incidents.empty else incidents
    categories = sorted(data["category"].dropna().unique()) if not data.empty else []
    occurred = pd.to_datetime(data["occurred_on"]) if not data.empty else None
    rows = []
    for year in years:
        start, end = _same_window(window_end, year)
        members = lineage[year]
        counts: dict[str, int] = {}
        if occurred is not None:
            mask = (
                data["area"].isin(members)
                & (occurred >= pd.Timestamp(start))
                & (occurred < pd.Timestamp(end) + pd.Timedelta(days=1))
            )
            counts = data.loc[mask, "category"].value_counts().to_dict()
        rows += [
            {
                "year": year, "category": category, "count": int(counts.get(category, 0)),
                "window_start": start, "window_end": end,
                "comparable_series": members not in ((), (area,)),
            }
            for category in categories
        ]  # fmt: skip
    return pd.DataFrame(rows, columns=["year", "category", "count", "window_start",
                                       "window_end", "comparable_series"])


def _ia_rows(
    incidents: pd.DataFrame, areas: AreasConfig, area: str, year: int,
    cutoff: dt.date | None, alpha: float,
) -> list[dict]:  # fmt: skip
    window = ia_window(incidents, year, cutoff)
    if window is None:
        return []
    start, end, partial = window
    counts = ia_window_counts(incidents, areas, area, [year - 1, year], end)
    rows = []
    for category, group in counts.groupby("category", sort=True):
        now = group[group["year"] == year].iloc[0]
        prev = group[group["year"] == year - 1].iloc[0]
        row = _blank_row(
            source="ia", area=area, indicator=category, year=year, value=float(now["count"]),
            unit="antal", prev_year=year - 1, prev_value=float(prev["count"]),
            comparable_series=bool(group["comparable_series"].any()),
        )  # fmt: skip
        if partial:
            row.update(window_start=start.isoformat(), window_end=end.isoformat())
            row["note"] = (
                f"jämförelse av samma period: {start:%m-%d}–{end:%m-%d} i båda åren"
            )
        row["change_abs"] = row["value"] - row["prev_value"]
        row["change_rel"] = row["change_abs"] / row["prev_value"] if row["prev_value"] else None
        _apply_poisson(row, row["value"], 1.0, row["prev_value"], 1.0)
        row["significant"] = _significant(row, alpha)
        rows.append(row)
    return rows


def _survey_rows(surveys: pd.DataFrame, area: str, year: int, alpha: float) -> list[dict]:
    if surveys.empty:
        return []
    data = surveys[surveys["area"] == area].assign(year=_year(surveys))
    data = data[data["year"] <= year]
    rows = []
    for (source, indicator, group_name), group in data.groupby(
        ["source", "category", "group"], sort=True
    ):
        waves = group.sort_values("year")
        now = waves.iloc[-1]
        row = _blank_row(
            source=source, area=area, indicator=indicator, group=group_name,
            year=int(now["year"]), value=now["value"], unit="procent",
        )  # fmt: skip
        if len(waves) < 2:
            row["note"] = "föregående mätning saknas"
            rows.append(row)
            continue
        prev = waves.iloc[-2]
        row.update(prev_year=int(prev["year"]), prev_value=prev["value"])
        if _nan(now["value"]) or _nan(prev["value"]):
            row["note"] = "andel ej redovisad (..)"
            rows.append(row)
            continue
        row["change_abs"] = now["value"] - prev["value"]
        row["change_rel"] = row["change_abs"] / prev["value"] if prev["value"] else None
        test = share_test(now["value"], _int(now["n"]), prev["value"], _int(prev["n"]))
        if test is not None:
            row.update(ci_low=test.ci_low, ci_high=test.ci_high, rate_ratio=None)
        flag = now.get("producer_significant")
        if flag is not None and flag is not pd.NA and not _nan(flag):
            row.update(method="producer-flag", significant=bool(flag))
            row["note"] = "signifikans enligt producentens redovisning"
        elif test is not None:
            row.update(method=test.method, p_value=test.p_value)
            row["note"] = (
                f"antal beräknade ur andel × svar och avrundade: {test.x_new} av "
                f"{_int(now['n'])} mot {test.x_old} av {_int(prev['n'])}"
            )
        row["significant"] = _significant(row, alpha)
        rows.append(row)
    return rows


def _int(value: object) -> int:
    return 0 if _nan(value) else int(value)


def _population_row(pop: pd.DataFrame, area: str, year: int) -> list[dict]:
    known = pop[pop["year"] <= year].sort_values("year")
    if known.empty:
        return []
    now = known.iloc[-1]
    row = _blank_row(
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

    Returns:
        One row per source, indicator and group, BH-adjusted p-values over the report.
    """
    pop = area_population(population, areas, area)
    series = area_crime_series(bra_yearly, areas, area)
    rows = (
        _population_row(pop, area, year)
        + _bra_rows(series, pop, area, year, alpha)
        + _ia_rows(incidents, areas, area, year, ia_cutoff, alpha)
        + _survey_rows(surveys, area, year, alpha)
    )
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    frame["p_value_bh"] = benjamini_hochberg(
        [None if _nan(p) else float(p) for p in frame["p_value"]]
    )
    return frame


def with_rates(series: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Add ``rate_per_100k`` to a crime series using the same year's population.

    Years without a population get an empty rate rather than one on another year's base.
    """
    pop = population.set_index("year")["population"] if not population.empty else pd.Series()
    rates = [
        value / pop[year] * 100_000 if year in pop.index and not _nan(value) else np.nan
        for year, value in zip(series["year"], series["value"], strict=True)
    ]
    return series.assign(rate_per_100k=rates)
