"""Områdesfakta key figures: the city's published facts per stadsdelsområde (§6).

A long table ``År;Område;Nyckeltal;Värde;Enhet`` (CSV: UTF-8 with BOM, ``;``, decimal
comma; or xlsx), e.g. ``2021;Södermalm;Utländsk bakgrund;20,9;procent``. The city's own rows
(``Stockholms stad``) give the comparison. Thousands may be written with a space
(``133 500``). Which key figures the draft shows is the report configuration's business.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from lagesbild.areas.model import AreasConfig
from lagesbild.errors import InputError
from sources.readers._canonical import drop_repeats, observation_frame
from sources.readers._csv import (
    as_canonical,
    empty_canonical,
    first_row,
    parse_number,
    parse_year,
    read_table,
    resolve_columns,
)

__all__ = ["OMRADESFAKTA_COLUMNS", "UNITS", "read_omradesfakta"]

log = logging.getLogger(__name__)

OMRADESFAKTA_COLUMNS: dict[str, str] = {
    "year": "År",
    "region": "Område",
    "category": "Nyckeltal",
    "value": "Värde",
    "unit": "Enhet",
}
UNITS: dict[str, str] = {"procent": "procent", "%": "procent", "antal": "antal"}


def _units(values: pd.Series, label: str, column: str) -> pd.Series:
    key = values.str.strip().str.casefold()
    bad = ~key.isin(list(UNITS))
    if bad.any():
        row = first_row(bad)
        raise InputError(f"{values.loc[row]!r} är ingen känd enhet ('procent' eller 'antal')",
                         file=label, row=row, column=column)
    return key.map(UNITS)


def read_omradesfakta(
    path: Path, areas: AreasConfig, *, display_name: str | None = None
) -> pd.DataFrame:
    """Read an områdesfakta key-figure table into the canonical long shape.

    Args:
        path: ``.csv`` (UTF-8 with BOM, ``;``, decimal comma) or ``.xlsx`` (first sheet).
        areas: the areas configuration; an Område is a display name, a BRÅ name or an id
            (``Stockholms stad`` is the city).
        display_name: the name for the ``file`` column and errors; the file name when None.

    Returns:
        One row per year, area and key figure: ``source='omradesfakta'``, ``category`` the
        Nyckeltal, ``unit`` ``procent`` or ``antal``, period 31 December of the year (a
        forecast's year is the year forecast), ``value`` NaN for ``..`` or an empty cell.

    Raises:
        SourceSchemaChanged: a documented column is missing.
        InputError: a bad year, number or unit, a share outside 0–100, or one key with two
            values (file, row and column named).
    """
    path = Path(path)
    label = display_name or path.name
    table = read_table(path, label=label, expect=("År", "Nyckeltal", "Värde"))
    cols = resolve_columns(table, OMRADESFAKTA_COLUMNS)
    if table.frame.empty:
        log.warning("%s: no rows", label)
        return empty_canonical()
    data = table.frame
    years = parse_year(data[cols["year"]], file=label, column=cols["year"])
    regions = data[cols["region"]]
    mapped = {name: areas.area_for_name(name) for name in regions.unique()}
    unknown = sorted(n for n, a in mapped.items() if a is None)
    if unknown:
        log.warning("%s: areas not in the areas configuration: %s", label, ", ".join(unknown))
    units = _units(data[cols["unit"]], label, cols["unit"])
    value = parse_number(data[cols["value"]], file=label, column=cols["value"], integer=False,
                         missing=("..", ""))
    bad = (value < 0) | ((units == "procent") & (value > 100))
    if bad.any():
        row = first_row(bad)
        raise InputError("en andel ska ligga mellan 0 och 100 och ett antal kan inte vara "
                         "negativt", file=label, row=row, column=cols["value"])
    day = pd.to_datetime(years.astype(str) + "-12-31")
    frame = observation_frame(
        data.index, source="omradesfakta", file=label, area=regions.map(mapped),
        region=regions, period_start=day, period_end=day, period_kind="year",
        category=data[cols["category"]], value=value, unit=units,
    )  # fmt: skip
    return as_canonical(drop_repeats(
        frame, ["region", "category", "period_end", "unit"], label=label, column=cols["value"],
        describe=lambda r: (f"samma nyckeltal ({r['region']}, {r['category']}, "
                            f"{r['period_end']:%Y})"),
    ))  # fmt: skip
