"""IA incidents per category over several years, each year in the same calendar window.

The published lägesbild shows IA as a four-year series (2019–2022: 0, 0, 6, 47 otillåten
påverkan; 100, 62, 51, 50 hot), each year counted over the same window as the partial
report year. The counts come from ``tasks.indicators.ia_counts.ia_window_counts``;
disclosure control is then applied to each year column exactly as to the report's own IA
table (``tasks.indicators.disclosure``), so the series never shows a figure the table
withholds and never gives a withheld cell back through a year's total. Pure function, no I/O.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from lagesbild.areas.model import AreasConfig
from tasks.indicators.disclosure import DisclosureRules, withheld_counts
from tasks.indicators.ia_counts import ia_window, ia_window_counts

__all__ = ["IA_SERIES_COLUMNS", "DEFAULT_IA_YEARS", "ia_series"]

#: Years shown in the draft's IA series (the published lägesbild shows four).
DEFAULT_IA_YEARS = 4
IA_SERIES_COLUMNS = ("year", "category", "count", "suppressed", "window_start", "window_end")


def ia_series(
    incidents: pd.DataFrame,
    areas: AreasConfig,
    area: str,
    year: int,
    cutoff: dt.date | None,
    rules: DisclosureRules | None = None,
    *,
    years: int = DEFAULT_IA_YEARS,
) -> pd.DataFrame:
    """Incidents per category for ``years`` years up to ``year``, one window for all.

    Args:
        incidents: IA incident records (``sources.readers.ia``).
        areas: the areas configuration (lineage for comparable series).
        area: the area id.
        year: the report year.
        cutoff: the export date (None: the latest registration in the export).
        rules: disclosure thresholds; ``DisclosureRules()`` when None.
        years: how many years, the report year last.

    Returns:
        :data:`IA_SERIES_COLUMNS`, one row per category and year; ``count`` is NaN where
        disclosure control withholds it (``suppressed`` true). Empty when the export does
        not reach into the report year.
    """
    window = ia_window(incidents, year, cutoff)
    if window is None or incidents.empty:
        return pd.DataFrame(columns=list(IA_SERIES_COLUMNS))
    counts = ia_window_counts(incidents, areas, area, range(year - years + 1, year + 1),
                              window[1])  # fmt: skip
    rules = rules or DisclosureRules()
    parts = []
    for each, column in counts.groupby("year", sort=True):
        # Disclosure control of the year column exactly as apply_disclosure_control does it
        # for the report's IA table, on plain arrays.
        values = column["count"].astype(float).to_numpy()
        withheld = withheld_counts(values, list(column["category"]), rules)
        parts.append(pd.DataFrame({
            "year": int(each), "category": column["category"].to_numpy(),
            "count": np.where(withheld, np.nan, values), "suppressed": withheld,
            "window_start": column["window_start"].to_numpy(),
            "window_end": column["window_end"].to_numpy(),
        }))  # fmt: skip
    return pd.concat(parts, ignore_index=True)[list(IA_SERIES_COLUMNS)]
