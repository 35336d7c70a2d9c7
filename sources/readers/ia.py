"""IA, the city's incident reporting system: one record per reported incident.

No public export layout exists, so column names come from configuration (default below).
Every cell of an IA export may hold personal data — not only the free-text description:
a name typed into ``Kategori``, a person's unit in ``Avdelning``. So this module never
quotes a cell in an error or a log line (errors name file, row and column only), and it
returns no more than the report needs:

* the description is never selected;
* ``Kategori`` is kept when it is one of the configured categories (``report.yaml``:
  ``ia_categories``), else it becomes ``Övrigt``;
* ``Förvaltning`` is kept when it is configured for an area, else it becomes ``Övrigt``;
* ``Händelsetyp`` and ``Avdelning`` are not carried on (the report does not use them);
* ``Ärendenummer`` is replaced by a digest keyed per process (SipHash-2-4, a keyed
  pseudorandom function, with a random 16-byte key): equal within a run (so duplicates and
  merging across exports still work), but it does not give the case number back, not even
  by trying every number of the series.
"""

from __future__ import annotations

import logging
import secrets
import string
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from lagesbild.areas.model import AreasConfig
from lagesbild.errors import ConfigError, InputError
from sources.readers._csv import (
    as_incidents,
    empty_incidents,
    first_row,
    read_table,
    resolve_columns,
)

__all__ = ["DEFAULT_IA_CATEGORIES", "DEFAULT_IA_COLUMNS", "OTHER", "read_ia"]

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
#: IA's incident categories that the report counts; others are counted as ``OTHER``.
DEFAULT_IA_CATEGORIES: tuple[str, ...] = (
    "Hot", "Våld", "Otillåten påverkan", "Våldsbejakande extremism", "Trakasserier",
)  # fmt: skip
OTHER = "Övrigt"
#: 16 ASCII characters (pandas' SipHash key is 16 bytes of text): about 104 random bits.
_KEY = "".join(secrets.choice(string.ascii_letters + string.digits + string.punctuation)
               for _ in range(16))  # fmt: skip


def _pseudonym(ids: pd.Series) -> pd.Series:
    """A stable digest per case number: equal ids stay equal, the number itself is gone.

    ``ia-`` and 16 hex digits of the keyed SipHash of the text, hashed and formatted in C
    (a Python loop over a million incidents took 1.5 s).
    """
    digests = pd.util.hash_array(ids.to_numpy(dtype=object), hash_key=_KEY, categorize=False)
    hexes = digests.astype(">u8").tobytes().hex()
    labels = np.array(["ia-" + hexes[i : i + 16] for i in range(0, len(hexes), 16)], dtype=object)
    return pd.Series(labels, index=ids.index, dtype="str")


def _known(values: pd.Series, known: Iterable[str]) -> pd.Series:
    """Keep a value that is in ``known`` (matched case-insensitively), else ``OTHER``.

    Blank cells become None. Each distinct text is looked up once, then spread back by code.
    """
    by_fold = {k.casefold(): k for k in known}
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.array([by_fold.get(v.strip().casefold(), OTHER) if v else None
                       for v in np.asarray(uniques, dtype=object)], dtype=object)  # fmt: skip
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _dates(values: pd.Series, *, label: str, column: str, required: bool) -> pd.Series:
    """ISO dates (time of day dropped); Swedish exports also write ``2024-03-01 13:45``.

    Dates repeat (a year of incidents has a few hundred days): each distinct text is parsed
    once, then spread back by code.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    text = pd.Series(uniques, dtype="str").str.strip()
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    bad_unique = (parsed.isna() if required else parsed.isna() & (text != "")).to_numpy()
    if bad_unique.any():
        bad = pd.Series(bad_unique[codes], index=values.index)
        row = first_row(bad)
        # The cell is not quoted: it may hold anything a person typed.
        reason = ("datum saknas" if values.loc[row] == "" else
                  "cellen är inte ett datum (ÅÅÅÅ-MM-DD); innehållet visas inte")  # fmt: skip
        raise InputError(reason, file=label, row=row, column=column)
    days = parsed.dt.normalize().astype("datetime64[ns]").to_numpy()
    return pd.Series(days[codes], index=values.index, dtype="datetime64[ns]")


def read_ia(
    path: Path,
    areas: AreasConfig,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    display_name: str | None = None,
    categories: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read an IA export into incident records.

    Args:
        path: ``.xlsx`` (first sheet or ``sheet``) or ``.csv`` (UTF-8/BOM, ``;`` or ``,``).
        areas: the areas configuration, to map a förvaltning to its area.
        columns: canonical name → column label; ``DEFAULT_IA_COLUMNS`` fills what is not given.
        sheet: the workbook sheet to read; the first when None.
        display_name: the name for the ``file`` column and errors; the file name when None.
        categories: the categories counted by name (``DEFAULT_IA_CATEGORIES`` when None);
            any other is ``Övrigt``.

    Returns:
        Columns ``incident_id, occurred_on, reported_on, event_type, category, organisation,
        unit, area, file, row`` (dates as datetime64, ``area`` NA for other förvaltningar,
        which are ``Övrigt``; ``event_type`` and ``unit`` NA; ``incident_id`` a digest).
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
    table = read_table(path, label=label, expect=wanted.values(), sheet=sheet, private=True)
    cols = resolve_columns(table, wanted, private=True)
    if table.frame.empty:
        log.warning("%s: no incidents", label)
        return empty_incidents()
    data = table.frame[list(cols.values())]  # the description column is left behind here
    ids = data[cols["incident_id"]]
    if (ids == "").any():
        raise InputError(
            "ärendenummer saknas", file=label, row=first_row(ids == ""), column=cols["incident_id"]
        )
    for key in _TEXT_COLUMNS:
        blank = int((data[cols[key]] == "").sum())
        if blank:
            log.warning("%s: %d incidents without %s", label, blank, cols[key])
    repeated = ids.duplicated(keep="first")
    if repeated.any():
        second = first_row(repeated)
        first = first_row(ids == ids.loc[second])
        raise InputError(
            f"ärendenumret förekommer redan på rad {first} (rad {first} och rad {second}); "
            "det ska vara unikt i en export (numret visas inte)",
            file=label,
            row=second,
            column=cols["incident_id"],
        )
    organisations = data[cols["organisation"]]
    mapped = {o: areas.area_for_forvaltning(o) for o in organisations.unique()}
    configured = [o for o, a in mapped.items() if a is not None]
    known = DEFAULT_IA_CATEGORIES if categories is None else tuple(categories)
    frame = pd.DataFrame(
        {
            "incident_id": _pseudonym(ids),
            "occurred_on": _dates(
                data[cols["occurred_on"]], label=label, column=cols["occurred_on"], required=True
            ),
            "reported_on": _dates(
                data[cols["reported_on"]], label=label, column=cols["reported_on"], required=False
            ),
            "event_type": None,
            "category": _known(data[cols["category"]], known),
            "organisation": _known(organisations, configured),
            "unit": None,
            "area": organisations.map(mapped),
            "file": label,
            "row": data.index,
        },
        index=data.index,
    )
    others = int((frame["category"] == OTHER).sum())
    if others:
        log.info("%s: %d incidents of categories not configured, counted as %s", label, others,
                 OTHER)  # fmt: skip
    log.info(
        "%s: %d incidents, %d in configured areas",
        label,
        len(frame),
        int(frame["area"].notna().sum()),
    )
    return as_incidents(frame)
