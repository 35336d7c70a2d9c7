"""IA, the city's incident reporting system: one record per reported incident.

No public export layout exists, so column names come from configuration (default below).
The export's free-text description holds personal data: it stays in the raw store and is
never selected, returned, logged or quoted in an error message by this module.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from lagesbild.config import AreasConfig
from lagesbild.errors import ConfigError, InputError
from sources._csv import (
    as_incidents,
    empty_incidents,
    first_row,
    read_table,
    resolve_columns,
)

__all__ = ["DEFAULT_IA_COLUMNS", "read_ia"]

log = logging.getLogger(__name__)

DEFAULT_IA_COLUMNS: dict[str, str] = {
    "incident_id": "Ärendenummer",
    "occurred_on": "Händelsedatum",
    "reported_on": "Registreringsdatum",
    "event_type": "Händelsetyp",
    "category": "Kategori",
    "organisation": "Förvaltning",
    "unit": "Avdelning",
    "description": "Beskrivning",
}
_PRIVATE = frozenset({"description"})
_TEXT_COLUMNS = ("event_type", "category", "organisation", "unit")


def _dates(values: pd.Series, *, label: str, column: str, required: bool) -> pd.Series:
    """ISO dates (time of day dropped); Swedish exports also write ``2024-03-01 13:45``."""
    text = values.str.strip()
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    bad = parsed.isna() if required else parsed.isna() & (text != "")
    if bad.any():
        row = first_row(bad)
        shown = values.loc[row]
        reason = "datum saknas" if shown == "" else f"{shown!r} är inte ett datum (ÅÅÅÅ-MM-DD)"
        raise InputError(reason, file=label, row=row, column=column)
    return parsed.dt.normalize().astype("datetime64[ns]")


def read_ia(
    path: Path,
    areas: AreasConfig,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    display_name: str | None = None,
) -> pd.DataFrame:
    """Read an IA export into incident records.

    Args:
        path: ``.xlsx`` (first sheet or ``sheet``) or ``.csv`` (UTF-8/BOM, ``;`` or ``,``).
        areas: the areas configuration, to map a förvaltning to its area.
        columns: canonical name → column label; ``DEFAULT_IA_COLUMNS`` fills what is not given.
        sheet: the workbook sheet to read; the first when None.
        display_name: the name for the ``file`` column and errors; the file name when None.

    Returns:
        Columns ``incident_id, occurred_on, reported_on, event_type, category, organisation,
        unit, area, file, row`` (dates as datetime64, ``area`` NA for other förvaltningar).
        The description is never part of it.

    Raises:
        SourceSchemaChanged: a mapped column is missing (says which sheet was read and which
            sheets the workbook has).
        InputError: an unreadable or missing date, an empty or repeated ``Ärendenummer``.
        ConfigError: ``columns`` names a field that does not exist.
    """
    path = Path(path)
    label = display_name or path.name
    unknown = sorted(set(columns or {}) - set(DEFAULT_IA_COLUMNS))
    if unknown:
        raise ConfigError(
            f"okända fält i IA-kolumnmappningen: {', '.join(unknown)}; "
            f"kända fält: {', '.join(DEFAULT_IA_COLUMNS)}"
        )
    mapping = {**DEFAULT_IA_COLUMNS, **dict(columns or {})}
    wanted = {k: v for k, v in mapping.items() if k not in _PRIVATE}
    table = read_table(path, label=label, expect=wanted.values(), sheet=sheet)
    cols = resolve_columns(table, wanted)
    if table.frame.empty:
        log.warning("%s: no incidents", label)
        return empty_incidents()
    data = table.frame[list(cols.values())]  # the description column is left behind here
    ids = data[cols["incident_id"]]
    if (ids == "").any():
        raise InputError("ärendenummer saknas", file=label, row=first_row(ids == ""),
                         column=cols["incident_id"])
    for key in _TEXT_COLUMNS:
        blank = int((data[cols[key]] == "").sum())
        if blank:
            log.warning("%s: %d incidents without %s", label, blank, cols[key])
    repeated = ids.duplicated(keep="first")
    if repeated.any():
        second = first_row(repeated)
        first = first_row(ids == ids.loc[second])
        raise InputError(
            f"ärendenummer {ids.loc[second]!r} förekommer två gånger (rad {first} och rad "
            f"{second}); ärendenumret ska vara unikt i en export",
            file=label, row=second, column=cols["incident_id"],
        )
    organisations = data[cols["organisation"]]
    mapped = {o: areas.area_for_forvaltning(o) for o in organisations.unique()}
    text = {key: data[cols[key]].replace("", None) for key in _TEXT_COLUMNS}
    frame = pd.DataFrame(
        {
            "incident_id": ids,
            "occurred_on": _dates(data[cols["occurred_on"]], label=label,
                                  column=cols["occurred_on"], required=True),
            "reported_on": _dates(data[cols["reported_on"]], label=label,
                                  column=cols["reported_on"], required=False),
            "event_type": text["event_type"],
            "category": text["category"],
            "organisation": text["organisation"],
            "unit": text["unit"],
            "area": organisations.map(mapped),
            "file": label,
            "row": data.index,
        },
        index=data.index,
    )
    log.info("%s: %d incidents, %d in configured areas", label, len(frame),
             int(frame["area"].notna().sum()))
    return as_incidents(frame)
