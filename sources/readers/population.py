"""Population per stadsdelsområde at 31 December, as the city's områdesfakta publish it.

A CSV (UTF-8 with BOM, ``;``) or xlsx table with one row per year and district: total
population and six age groups. Thousands may be written with a (no-break) space.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from lagesbild.areas.model import AreasConfig
from sources.readers._csv import (
    as_canonical,
    empty_canonical,
    parse_number,
    parse_year,
    read_table,
    resolve_columns,
)

__all__ = ["AGE_GROUPS", "POPULATION_COLUMNS", "read_population"]

log = logging.getLogger(__name__)

AGE_GROUPS: tuple[str, ...] = (
    "0–15 år", "16–19 år", "20–24 år", "25–64 år", "65–79 år", "80– år",
)
POPULATION_COLUMNS: dict[str, str] = {
    "year": "År",
    "area": "Stadsdelsområde",
    "Folkmängd": "Folkmängd",
    **{group: group for group in AGE_GROUPS},
}


def read_population(
    path: Path, areas: AreasConfig, *, display_name: str | None = None
) -> pd.DataFrame:
    """Read a population table into the canonical long shape.

    Args:
        path: ``.csv`` (UTF-8 with BOM, ``;``) or ``.xlsx`` (first sheet).
        areas: the areas configuration; districts are named as its display names or as BRÅ.
        display_name: the name for the ``file`` column and errors; the file name when None.

    Returns:
        One row per year, district and category (``Folkmängd`` and each age group, labelled
        with an en dash), period 31 December of the year, unit ``antal``.

    Raises:
        SourceSchemaChanged: a documented column is missing (hyphens for dashes are fine).
        InputError: a year or number that cannot be read, naming file, row and column.
    """
    path = Path(path)
    label = display_name or path.name
    table = read_table(path, label=label, expect=("År", "Stadsdelsområde", "Folkmängd"))
    cols = resolve_columns(table, POPULATION_COLUMNS)
    if table.frame.empty:
        log.warning("%s: no rows", label)
        return empty_canonical()
    data = table.frame
    years = parse_year(data[cols["year"]], file=label, column=cols["year"])
    names = data[cols["area"]]
    mapped = {name: areas.area_for_name(name) for name in names.unique()}
    unknown = sorted(n for n, a in mapped.items() if a is None)
    if unknown:
        log.warning("%s: districts not in the areas configuration: %s", label, ", ".join(unknown))
    day = pd.to_datetime(years.astype(str) + "-12-31")
    parts = []
    for category in ("Folkmängd", *AGE_GROUPS):
        column = cols[category]
        parts.append(
            pd.DataFrame(
                {
                    "region": names,
                    "area": names.map(mapped),
                    "period_start": day,
                    "period_end": day,
                    "category": category,
                    "value": parse_number(data[column], file=label, column=column,
                                          integer=True, missing=("..", "")),
                    "row": data.index,
                },
                index=data.index,
            )
        )
    frame = pd.concat(parts).sort_index(kind="stable")
    frame = frame.assign(
        source="befolkning", period_kind="year", unit="antal", preliminary=False, group="",
        n=np.nan, published_rate=np.nan, producer_significant=pd.NA, file=label,
    )
    return as_canonical(frame)
