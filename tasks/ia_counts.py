"""IA incident counts over a calendar window, compared with the same window a year before.

Method (c) of the statistics contract: a partial report year is compared with the same
calendar window (1 January – cut-off day) of the previous year, with the exact Poisson
test and exposure 1; the window is named in the output. Pure functions, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from lagesbild.config import AreasConfig
from tasks._rows import apply_poisson, blank_row, significance

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


def ia_rows(
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
        row = blank_row(
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
        apply_poisson(row, row["value"], 1.0, row["prev_value"], 1.0)
        row["significant"] = significance(row, alpha)
        rows.append(row)
    return rows
