"""Police counts per lokalpolisområde: the police statistics system's CSV export (§5).

No public export layout exists, so the columns come from configuration (``sources.yaml``,
``polis.columns``) with the documented defaults ``Lokalpolisområde;Brottskategori;År;Månad;
Antal``. ``Månad`` is 1–12, or empty for a whole year; ``Antal`` an integer or ``..``.

A lokalpolisområde is matched with the areas' ``lokalpolisomrade`` (the ``police_area``).
Several districts can share one police area (Kungsholmen and Norrmalm are both policed by
Lokalpolisområde Norrmalm): each such district then gets its own copy of the police area's
rows, and ``shared_police_area`` tells the indicators that the counts cover more than the
district, so no rate on the district's population is computed from them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
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

__all__ = ["DEFAULT_POLICE_COLUMNS", "read_police"]

log = logging.getLogger(__name__)

DEFAULT_POLICE_COLUMNS: dict[str, str] = {
    "region": "Lokalpolisområde",
    "category": "Brottskategori",
    "year": "År",
    "month": "Månad",
    "value": "Antal",
}


def _months(values: pd.Series, label: str, column: str) -> pd.Series:
    """Month 1–12 as int, 0 for a whole year (empty cell)."""
    text = values.str.strip()
    empty = text == ""
    number = pd.to_numeric(text.where(~empty, "0"), errors="coerce")
    bad = number.isna() | (number < 0) | (number > 12) | (number % 1 != 0) | (
        (number == 0) & ~empty)
    if bad.any():
        row = first_row(bad)
        raise InputError(f"{values.loc[row]!r} är inte en månad (1–12, eller tomt för helår)",
                         file=label, row=row, column=column)
    return number.astype("int64")


def read_police(
    path: Path,
    areas: AreasConfig,
    *,
    columns: Mapping[str, str] | None = None,
    display_name: str | None = None,
) -> pd.DataFrame:
    """Read a police count export into the canonical long shape (``source='polis'``).

    Args:
        path: ``.csv`` (UTF-8 with BOM, ``;``) or ``.xlsx``.
        areas: the areas configuration; a lokalpolisområde maps to every area whose
            ``lokalpolisomrade`` it is (and the city's, for the comparison).
        columns: canonical key → column label; ``DEFAULT_POLICE_COLUMNS`` for what is missing.
        display_name: the name for the ``file`` column and errors; the file name when None.

    Returns:
        One row per area (NA when the police area is not configured), category and period:
        ``period_kind`` ``month`` or ``year``, ``value`` the count (NaN for ``..``).

    Raises:
        SourceSchemaChanged: a mapped column is missing.
        InputError: a bad year, month or count, or one key with two values (file, row, column).
    """
    path = Path(path)
    label = display_name or path.name
    wanted = {**DEFAULT_POLICE_COLUMNS, **(columns or {})}
    table = read_table(path, label=label, expect=(wanted["region"], wanted["value"]))
    cols = resolve_columns(table, wanted, optional=("month",))
    if table.frame.empty:
        log.warning("%s: no rows", label)
        return empty_canonical()
    data = table.frame
    years = parse_year(data[cols["year"]], file=label, column=cols["year"])
    months = (
        _months(data[cols["month"]], label, cols["month"]) if "month" in cols
        else pd.Series(0, index=data.index, dtype="int64")
    )
    start_month = months.where(months > 0, 1)
    start = pd.to_datetime(pd.DataFrame({"year": years, "month": start_month, "day": 1}))
    end = (start + pd.offsets.MonthEnd(0)).where(months > 0,
                                                 pd.to_datetime(years.astype(str) + "-12-31"))
    value = parse_number(data[cols["value"]], file=label, column=cols["value"], integer=True)
    negative = value < 0
    if negative.any():
        row = first_row(negative)
        raise InputError("ett antal kan inte vara negativt", file=label, row=row,
                         column=cols["value"])
    frame = observation_frame(
        data.index, source="polis", file=label, region=data[cols["region"]],
        period_start=start, period_end=end.astype("datetime64[ns]"),
        period_kind=np.where(months > 0, "month", "year"), category=data[cols["category"]],
        value=value,
    )  # fmt: skip
    frame = drop_repeats(
        frame, ["region", "category", "period_start", "period_end"], label=label,
        column=cols["value"],
        describe=lambda r: (f"samma uppgift ({r['region']}, {r['category']}, "
                            f"{r['period_start']:%Y-%m-%d}–{r['period_end']:%Y-%m-%d})"),
    )  # fmt: skip
    return as_canonical(_assign_areas(frame, areas))


def _assign_areas(frame: pd.DataFrame, areas: AreasConfig) -> pd.DataFrame:
    """One copy of each row per area policed by its lokalpolisområde (NA when none)."""
    targets = {r: areas.areas_for_police_area(r) for r in frame["region"].unique()}
    unknown = sorted(r for r, ids in targets.items() if not ids)
    if unknown:
        log.info("police regions not in the areas configuration: %s", ", ".join(unknown))
    pairs = pd.DataFrame(
        [(r, a) for r, ids in targets.items() for a in (ids or (None,))],
        columns=["region", "area"],
    )
    merged = frame.reset_index(drop=True).merge(pairs, on="region", how="left", sort=False)
    return merged
