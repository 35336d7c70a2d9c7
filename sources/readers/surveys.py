"""Survey shares: Stockholmsenkäten and the city's trygghetsmätning.

Published as tables of shares (decimal comma) with the number of respondents and an optional
producer's significance flag. Values are returned as sent: a share outside 0–100 or a
non-positive respondent count is the quality stage's to reject, not this adapter's.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from lagesbild.areas.model import AreasConfig, slugify
from lagesbild.errors import InputError
from sources.readers._csv import (
    as_canonical,
    empty_canonical,
    first_row,
    parse_number,
    parse_year,
    read_table,
    resolve_columns,
)

__all__ = ["SURVEY_COLUMNS", "SURVEY_SOURCES", "read_surveys"]

log = logging.getLogger(__name__)

SURVEY_COLUMNS: dict[str, str] = {
    "survey": "Undersökning",
    "year": "År",
    "region": "Område",
    "group": "Grupp",
    "category": "Indikator",
    "value": "Andel (%)",
    "n": "Antal svar",
    "significant": "Signifikant",
}
SURVEY_SOURCES: dict[str, str] = {
    "stockholmsenkaten": "Stockholmsenkäten",
    "trygghetsmatningen": "Trygghetsmätningen",
}
_FLAGS = {"ja": True, "nej": False, "": pd.NA}


def _sources(values: pd.Series, label: str, column: str) -> pd.Series:
    slugs = values.map(slugify)
    bad = ~slugs.isin(list(SURVEY_SOURCES))
    if bad.any():
        row = first_row(bad)
        known = " eller ".join(repr(v) for v in SURVEY_SOURCES.values())
        raise InputError(f"{values.loc[row]!r} är ingen känd undersökning ({known})",
                         file=label, row=row, column=column)
    return slugs


def _flags(values: pd.Series, label: str, column: str) -> pd.Series:
    key = values.str.strip().str.casefold()
    bad = ~key.isin(list(_FLAGS))
    if bad.any():
        row = first_row(bad)
        raise InputError(f"{values.loc[row]!r} är varken 'ja', 'nej' eller tomt",
                         file=label, row=row, column=column)
    return key.map(_FLAGS).astype("boolean")


def read_surveys(
    path: Path, areas: AreasConfig, *, display_name: str | None = None
) -> pd.DataFrame:
    """Read a survey share table into the canonical long shape.

    Args:
        path: ``.csv`` (UTF-8 with BOM, ``;``, decimal comma) or ``.xlsx`` (first sheet).
        areas: the areas configuration; a stadsdelsområde maps to its area id, a basområde
            keeps ``area`` NA and its name in ``region``.
        display_name: the name for the ``file`` column and errors; the file name when None.

    Returns:
        One row per survey, year, area, group and indicator: ``source``
        ``stockholmsenkaten``/``trygghetsmatningen``, ``value`` the share in percent (NaN for
        ``..``), ``n`` the respondents, ``producer_significant`` True/False/NA.

    Raises:
        SourceSchemaChanged: a documented column is missing (``Signifikant`` is optional).
        InputError: text where a number, year, survey or flag belongs (file, row, column).
    """
    path = Path(path)
    label = display_name or path.name
    table = read_table(path, label=label, expect=("Undersökning", "Indikator", "Andel (%)"))
    cols = resolve_columns(table, SURVEY_COLUMNS, optional=("significant",))
    if table.frame.empty:
        log.warning("%s: no rows", label)
        return empty_canonical()
    data = table.frame
    years = parse_year(data[cols["year"]], file=label, column=cols["year"])
    regions = data[cols["region"]]
    mapped = {name: areas.area_for_name(name) for name in regions.unique()}
    significant = (
        _flags(data[cols["significant"]], label, cols["significant"])
        if "significant" in cols
        else pd.Series(pd.NA, index=data.index, dtype="boolean")
    )
    frame = pd.DataFrame(
        {
            "source": _sources(data[cols["survey"]], label, cols["survey"]),
            "area": regions.map(mapped),
            "region": regions,
            "period_start": pd.to_datetime(years.astype(str) + "-01-01"),
            "period_end": pd.to_datetime(years.astype(str) + "-12-31"),
            "period_kind": "year",
            "category": data[cols["category"]],
            "value": parse_number(data[cols["value"]], file=label, column=cols["value"],
                                  integer=False, missing=("..", "")),
            "unit": "procent",
            "preliminary": False,
            "group": data[cols["group"]],
            "n": parse_number(data[cols["n"]], file=label, column=cols["n"], integer=True,
                              missing=("..", "")),
            "published_rate": np.nan,
            "producer_significant": significant,
            "file": label,
            "row": data.index,
        },
        index=data.index,
    )
    return as_canonical(frame)
