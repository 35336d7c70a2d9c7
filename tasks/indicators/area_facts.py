"""Områdesfakta key figures as indicators.csv rows: the district's figure and the city's.

Key figures are register statistics published by the city (shares and counts of a whole
population, not samples), so no test or interval applies: each row carries the figure,
the previous year's figure and the city's figure for the same year (``city_value``), and
``method='none'``. They appear in ``indicators.csv`` as source ``befolkning`` (the sources
that ``outputs.md`` allows), with the Nyckeltal as the indicator and its own unit.

Which year: the city publishes a year's figures after the year has ended, so a report for
year Y shows the key figures of Y − lag (``conf/sources.yaml``; 003, the 2022 lägesbild,
gives those of 31 December 2021). A forecast (``Befolkningsprognos``) is a figure about a
future year: the farthest year published is shown.
"""

from __future__ import annotations

import pandas as pd

from lagesbild.areas.model import AreasConfig
from tasks.indicators._rows import blank_row, year_of

__all__ = ["fact_rows"]


def _by_year(frame: pd.DataFrame) -> dict[int, float]:
    return {int(y): float(v) for y, v in zip(year_of(frame), frame["value"], strict=True)}


def fact_rows(
    facts: pd.DataFrame | None,
    areas: AreasConfig,
    area: str,
    year: int,
    *,
    lag: int = 1,
    forecasts: tuple[str, ...] = (),
) -> list[dict]:
    """One row per key figure of ``area`` for report ``year``, with the city's figure.

    Args:
        facts: områdesfakta rows in the canonical shape (any areas).
        areas: the areas configuration (the city is its reference area).
        area: the area id.
        year: the report year.
        lag: years between the report year and the figures it shows.
        forecasts: key figures whose year is the year forecast.

    Returns:
        Rows with ``source='befolkning'``, ``indicator`` the Nyckeltal, ``year`` the
        figure's year, ``prev_year``/``prev_value`` the year before (when published) and
        ``city_value`` the city's figure of the same year (NaN when the city has none).
    """
    if facts is None or facts.empty:
        return []
    own = facts[facts["area"] == area]
    city = facts[facts["area"] == areas.comparison_for(area).id]
    target = year - lag
    rows = []
    for (indicator, unit), part in own.groupby(["category", "unit"], sort=False):
        values = {y: v for y, v in _by_year(part).items() if not pd.isna(v)}
        is_forecast = indicator in forecasts
        years = [y for y in values if y > target] if is_forecast else [
            y for y in values if y <= target]
        if not years:
            continue
        shown = max(years)
        city_values = _by_year(city[(city["category"] == indicator) & (city["unit"] == unit)])
        note = ("prognos" if is_forecast else f"områdesfakta 31 december {shown}")
        if shown != target and not is_forecast:
            note += f"; uppgift för {target} saknas"
        row = blank_row(source="befolkning", area=area, indicator=indicator, year=shown,
                        value=values[shown], unit=unit, note=note)
        row["city_value"] = city_values.get(shown, float("nan"))
        if not is_forecast and shown - 1 in values:
            prev = values[shown - 1]
            row.update(prev_year=shown - 1, prev_value=prev, change_abs=values[shown] - prev)
            row["change_rel"] = (values[shown] - prev) / prev if prev else float("nan")
        rows.append(row)
    return rows
