"""IA incident counts over a calendar window, compared with the same window a year before.

Statistics v2 (e): a partial report year is compared with the same calendar window
(1 January – cut-off day) of the previous year, with test (a) and exposure 1; φ comes from
trend fits over the same series' earlier windows where at least five exist, else φ = 1.
Every configured category has a row every year, 0 when nothing was reported. The window is
named in the output. Pure functions, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from lagesbild.areas.model import AreasConfig
from tasks.indicators._rows import apply_count_test, blank_row
from tasks.indicators.crime_rows import NOT_ESTIMATED
from tasks.statistics import choose_dispersion, fit_trends
from tasks.statistics.dispersion import MAX_YEARS, MIN_YEARS

__all__ = ["ia_rows", "ia_window", "ia_window_counts"]

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
    categories: Iterable[str] = (),
) -> pd.DataFrame:
    """Incidents per category and year within 1 January – ``window_end``'s day of each year.

    Counted by ``occurred_on`` (Händelsedatum), as the source contract says. An export taken
    later also holds incidents registered late; they count in the year they happened.
    ``categories`` (the configured ones) get a row every year, 0 when none were reported,
    besides every category found in the data.

    Returns:
        Columns ``year, category, count, window_start, window_end, comparable_series``.
    """
    years = list(years)
    lineage = {y: areas.series_members(area, y) for y in years}
    everyone = {a for members in lineage.values() for a in members} | {area}
    data = incidents[incidents["area"].isin(everyone)] if not incidents.empty else incidents
    found = set(data["category"].dropna().unique()) if not data.empty else set()
    categories = sorted(found | set(categories))
    # One pass of plain arrays per call (not a mask and value_counts per year): it runs for
    # every area of a national run, twice (the rows and the series).
    index = {category: i for i, category in enumerate(categories)}
    if not data.empty:
        occurred = pd.to_datetime(data["occurred_on"]).to_numpy(dtype="datetime64[ns]")
        codes = data["category"].map(index).to_numpy(dtype=float, na_value=np.nan)
        area_codes, area_ids = pd.factorize(data["area"])
        known = ~np.isnan(codes)
    rows = []
    for year in years:
        start, end = _same_window(window_end, year)
        members = lineage[year]
        counts = np.zeros(len(categories), dtype=np.int64)
        if not data.empty:
            wanted = [i for i, a in enumerate(area_ids) if a in members]
            mask = (
                known
                & np.isin(area_codes, wanted)
                & (occurred >= np.datetime64(start, "ns"))
                & (occurred < np.datetime64(end + dt.timedelta(days=1), "ns"))
            )
            counts = np.bincount(codes[mask].astype(np.int64), minlength=len(categories))
        rows += [
            {
                "year": year, "category": category, "count": int(counts[index[category]]),
                "window_start": start, "window_end": end,
                "comparable_series": members not in ((), (area,)),
            }
            for category in categories
        ]  # fmt: skip
    return pd.DataFrame(rows, columns=["year", "category", "count", "window_start",
                                       "window_end", "comparable_series"])


def _first_year(incidents: pd.DataFrame) -> int | None:
    """The first calendar year the export covers (its earliest Händelsedatum)."""
    if incidents.empty:
        return None
    return int(pd.to_datetime(incidents["occurred_on"]).min().year)


def ia_rows(
    incidents: pd.DataFrame, areas: AreasConfig, area: str, year: int,
    cutoff: dt.date | None, alpha: float, categories: Iterable[str] = (),
) -> list[dict]:  # fmt: skip
    """One row per IA category: the report year's window against the same window before."""
    window = ia_window(incidents, year, cutoff)
    if window is None:
        return []
    start, end, partial = window
    first = _first_year(incidents) or year - 1
    years = list(range(max(first, year - 1 - MAX_YEARS), year + 1))
    counts = ia_window_counts(incidents, areas, area, years, end, categories)
    earlier = [y for y in years if y < year]
    rows = []
    for category, group in counts.groupby("category", sort=True):
        by_year = group.set_index("year")
        now, prev = by_year.loc[year], by_year.loc[year - 1]
        row = blank_row(
            source="ia", area=area, indicator=category, year=year, value=float(now["count"]),
            unit="antal", prev_year=year - 1, prev_value=float(prev["count"]),
            comparable_series=bool(group["comparable_series"].any()),
        )  # fmt: skip
        notes = []
        if partial:
            row.update(window_start=start.isoformat(), window_end=end.isoformat())
            notes.append(f"jämförelse av samma period: {start:%m-%d}–{end:%m-%d} i båda åren")
        row["change_abs"] = row["value"] - row["prev_value"]
        row["change_rel"] = row["change_abs"] / row["prev_value"] if row["prev_value"] else None
        history = earlier[-MAX_YEARS:]
        own_chi2, own_df = np.nan, np.nan
        if len(history) >= MIN_YEARS:
            fit = fit_trends(np.array([[float(by_year.loc[y, "count"]) for y in history]]),
                             np.ones((1, len(history))), np.array(history))  # fmt: skip
            own_chi2, own_df = float(fit.chi2[0]), float(fit.df[0])
        phi = choose_dispersion(0.0, 0.0, own_chi2, own_df)
        test = apply_count_test(row, row["value"], 1.0, row["prev_value"], 1.0, phi=phi.phi,
                                phi_df=phi.df, alpha=alpha)  # fmt: skip
        if test is not None and not phi.estimated:
            notes.append(NOT_ESTIMATED)
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows
