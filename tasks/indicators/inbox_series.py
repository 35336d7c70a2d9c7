"""Each area's and comparison level's crime series and population, once per inbox read.

``compute`` needs an area's series for its rows and for the pooled φ of every area of its
county, and the comparison level's series for the city column and the charts' reference
line. They depend on the inbox read, the areas file and the area (a level's also on the
report year, as its summed rows do), so they are built once and kept with the ``Inputs``:
a run over 290 municipalities builds each municipality's series once and each county's
once, not once per area that needs it. The nightly runs areas in threads, hence the lock.
Cached frames are shared: callers must not change them in place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pandas as pd

from lagesbild.areas.model import AreasConfig
from sources.store.inbox import Inputs
from tasks.indicators.crime_rows import (
    MemberFits,
    area_crime_series,
    area_population,
    crime_dispersion,
    member_fits,
)
from tasks.statistics.dispersion import Dispersion

__all__ = ["inbox_dispersion", "level_series", "lineage_series"]

_LOCK = threading.Lock()
_T = TypeVar("_T")


def _cached(inputs: Inputs, name: str, key: tuple, make: Callable[[], _T]) -> _T:
    """The value kept under ``key`` in the inputs' cache ``name``, made once if absent.

    ``make`` runs outside the lock (two threads may both make it; the first one is kept).
    """
    with _LOCK:
        cache = inputs.__dict__.setdefault(name, {})
        if key in cache:
            return cache[key]
    value = make()
    with _LOCK:
        return cache.setdefault(key, value)


def lineage_series(inputs: Inputs, areas: AreasConfig,
                   area: str) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """``area_crime_series`` and ``area_population`` of an area, from its lineage's rows."""

    def make() -> tuple[pd.DataFrame, pd.DataFrame]:
        lineage = areas.lineage(area)
        return (area_crime_series(inputs.rows_for("yearly_bra", lineage), areas, area),
                area_population(inputs.rows_for("befolkning", lineage), areas, area))  # fmt: skip

    return _cached(inputs, "_lineage_series", (str(areas.source_file), area), make)


def level_series(inputs: Inputs, areas: AreasConfig, level: str, year: int,
                 yearly: pd.DataFrame, population: pd.DataFrame
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """A comparison level's series and population from an area's frames for ``year``.

    ``yearly`` and ``population`` are the frames ``compute`` builds (``with_level_rows``):
    their rows of the level are its own or its members' sum, the same for every area
    compared with it (``level_builds`` keeps one build per level and year).
    """

    def make() -> tuple[pd.DataFrame, pd.DataFrame]:
        return (area_crime_series(yearly, areas, level), area_population(population, areas, level))

    return _cached(inputs, "_level_series", (str(areas.source_file), level, year), make)


def inbox_dispersion(inputs: Inputs, areas: AreasConfig, area: str,
                     year: int) -> dict[str, Dispersion]:  # fmt: skip
    """``crime_dispersion`` with each pool member fitted once per inbox read.

    Every area compared with the same level pools the same members' fits, so a run over
    all 290 municipalities fits each municipality once (from its own lineage's series,
    ``lineage_series``), not once per area of its county.
    """

    def fits(member: str) -> MemberFits:
        def make() -> MemberFits:
            series, population = lineage_series(inputs, areas, member)
            return member_fits(series, population, year)

        return _cached(inputs, "_member_fits", (str(areas.source_file), member, year), make)

    return crime_dispersion(inputs.yearly_bra.iloc[0:0], inputs.befolkning.iloc[0:0], areas,
                            area, year, fits=fits)  # fmt: skip
