"""A source frame's rows found by area and year without scanning the frame each time.

The per-area checks (``quality.checks``: required, complete and compared years) look at the
rows of an area and its predecessors. On a national inbox (450 000 BRÅ rows, a million IA
incidents) filtering the whole frame per area and year costs about 0.2 s an area, an hour's
worth of minutes over a nightly run of 290 areas. ``AreaRows`` parses each row's year and
groups the rows by area once per inbox read (``validate_inbox`` keeps one per source in
``InboxChecks``), so an area's checks only touch its own rows.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["YEAR", "AreaRows", "area_rows", "year_of"]

#: The column holding each row's year (float; NaN when the date does not parse).
YEAR = "_y"


def year_of(series: pd.Series) -> pd.Series:
    """The year of each date (NaN where it does not parse)."""
    return pd.to_datetime(series, errors="coerce").dt.year


class AreaRows:
    """A frame with each row's year (``YEAR``) and its row positions per area.

    ``rows(area)`` is the frame's rows of that area in frame order, the same rows (and
    order) as ``frame[frame["area"] == area]``.
    """

    def __init__(self, frame: pd.DataFrame, date_column: str = "period_end") -> None:
        self.frame = frame.assign(**{YEAR: year_of(frame[date_column])})
        self._years = self.frame[YEAR].to_numpy(dtype="float64", na_value=np.nan)
        self._positions = {
            str(k): v for k, v in self.frame.groupby("area", sort=False).indices.items()
        }
        self._memo: dict[str, Any] = {}
        self._lock = threading.Lock()  # the nightly checks its areas in threads

    def memo(self, name: str, compute: Callable[[pd.DataFrame], Any]) -> Any:  # noqa: ANN401
        """``compute(frame)``, once: a table of the whole frame that each area looks up."""
        with self._lock:
            if name not in self._memo:
                self._memo[name] = compute(self.frame)
            return self._memo[name]

    @functools.cached_property
    def years(self) -> tuple[int, ...]:
        """The distinct years of the whole frame, ascending."""
        return tuple(sorted(int(y) for y in pd.unique(self._years[~np.isnan(self._years)])))

    def rows(self, area: str) -> pd.DataFrame:
        """The rows of one area (none when it has none)."""
        positions = self._positions.get(str(area))
        if positions is None:
            return self.frame.iloc[0:0]
        return self.frame.iloc[positions]

    def rows_in(self, area: str, year: int) -> pd.DataFrame:
        """The rows of one area in one year."""
        positions = self._positions.get(str(area))
        if positions is None:
            return self.frame.iloc[0:0]
        return self.frame.iloc[positions[self._years[positions] == year]]

    def has_year(self, areas: tuple[str, ...] | list[str], year: int) -> bool:
        """True when any of ``areas`` has a row in ``year``."""
        for area in areas:
            positions = self._positions.get(str(area))
            if positions is not None and (self._years[positions] == year).any():
                return True
        return False


def area_rows(
    frames: Mapping[str, pd.DataFrame], columns: Mapping[str, str]
) -> dict[str, AreaRows]:
    """``AreaRows`` of each given source that has an ``area`` and its date column.

    Args:
        frames: the given (non-empty) frames by source key.
        columns: source key → the date column whose year the per-area checks compare.
    """
    return {
        key: AreaRows(frames[key], column)
        for key, column in columns.items()
        if key in frames and {"area", column} <= set(frames[key].columns)
    }
