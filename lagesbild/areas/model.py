"""The areas configuration: districts, their BRÅ names over time and their lineage.

What describes the world lives in ``conf/areas.yaml`` (editable by a data steward;
``lagesbild.areas.load`` reads and validates it); this module answers the questions the
pipeline asks: which area does a BRÅ region name belong to, did an area exist in a given
year, which areas make up a comparable series for a successor area in an earlier year.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from lagesbild.errors import ConfigError

__all__ = ["Area", "AreasConfig", "ComparisonLevel", "Party", "norm_region", "slugify"]

_SLUG_MAP = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def slugify(name: str) -> str:
    """Lowercase ASCII slug of a Swedish name: å, ä → a; ö → o; words joined by ``-``.

    Args:
        name: a display name such as ``"Hägersten-Älvsjö"``.

    Returns:
        The id, e.g. ``"hagersten-alvsjo"``.
    """
    text = name.lower().translate(_SLUG_MAP)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return "-".join(words)


@dataclass(frozen=True)
class Party:
    """One of the three parties of a local cooperation agreement."""

    key: str
    name: str


@dataclass(frozen=True)
class ComparisonLevel:
    """A level the district is compared with: the city (or, for a municipality, the county
    or the country).

    ``regions`` maps a source kind (``bra``, ``befolkning``, ``stockholmsenkaten``,
    ``trygghetsmatningen``, ...) to the names that source writes for the level, so each
    adapter finds the level's rows under its own spelling ("Stockholm kommun" in BRÅ,
    "Stockholms stad" in the population and survey files). ``display`` is the word the
    draft uses ("staden": "högre än i staden som helhet").

    ``members`` lists the areas that make up the level (a county's municipalities). Where a
    source has no row of its own for the level, its figure may be summed from the members
    — but only when every member is present (``tasks.indicators.comparison_levels``); a partial sum
    would be a wrong figure. ``regions.scb`` holds the level's SCB region code(s) for PxWeb
    files (``01`` Stockholms län, ``00`` Riket), ``regions.polis`` its police name.
    """

    id: str
    name: str
    display: str
    regions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    members: tuple[str, ...] = ()

    def names_for(self, source: str) -> tuple[str, ...]:
        """The level's names in ``source``; every source's names when it lists none."""
        if source in self.regions:
            return self.regions[source]
        return tuple(n for names in self.regions.values() for n in names)

    def as_area(self) -> Area:
        """The level as a reference area (its BRÅ names as ``bra_regions``)."""
        return Area(id=self.id, name=self.name, bra_regions=self.regions.get("bra", ()))


@dataclass(frozen=True)
class Area:
    """A district as it exists between ``valid_from`` (incl.) and ``valid_to`` (excl.)."""

    id: str
    name: str
    bra_regions: tuple[str, ...]
    lokalpolisomrade: str = ""  # the police_area: matched with the police export
    forvaltningar: tuple[str, ...] = ()
    parties: tuple[Party, ...] = ()
    diarienummer: dict[int, dict[str, str]] = field(default_factory=dict)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    predecessors: tuple[str, ...] = ()
    comparison: tuple[str, ...] = ()
    scb_code: str = ""  # SCB's region code (municipality: 4 digits, "0180" Stockholm)
    #: The preposition Swedish uses with the name: "på Södermalm", "i Farsta" (areas.yaml).
    preposition: str = "i"

    @property
    def place(self) -> str:
        """The name with its preposition, as running text writes it: "på Södermalm"."""
        return f"{self.preposition} {self.name}"

    def existed_in(self, year: int) -> bool:
        """True when the area existed on at least one day of ``year``."""
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        if self.valid_from and self.valid_from >= end:
            return False
        return not (self.valid_to and self.valid_to <= start)

    def existed_on(self, day: dt.date) -> bool:
        """True when the area existed on ``day``."""
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_to and day >= self.valid_to)

    def diarienummer_for(self, year: int) -> dict[str, str]:
        """The diarienummer per party key for a report year (empty when not yet given)."""
        return dict(self.diarienummer.get(year, {}))


@dataclass(frozen=True)
class AreasConfig:
    """All configured areas, the levels they are compared with, and the priority areas.

    ``city`` is the default comparison level as a reference area (kept for the callers that
    only need its id and BRÅ names); ``comparisons`` holds every level by id, the first
    one being the default of areas that name none.
    """

    areas: dict[str, Area]
    city: Area
    priority_areas: tuple[str, ...]
    source_file: Path
    comparisons: dict[str, ComparisonLevel] = field(default_factory=dict)

    @cached_property
    def _region_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for area in self.areas.values():
            for region in area.bra_regions:
                index[norm_region(region)] = area.id
        for level in self._levels():
            for region in level.regions.get("bra", ()):
                index[norm_region(region)] = level.id
        return index

    def _levels(self) -> tuple[ComparisonLevel, ...]:
        if self.comparisons:
            return tuple(self.comparisons.values())
        return (ComparisonLevel(self.city.id, self.city.name, "staden",
                                {"bra": self.city.bra_regions}),)  # fmt: skip

    def comparisons_for(self, area_id: str) -> tuple[ComparisonLevel, ...]:
        """The levels ``area_id`` is compared with, the primary one (``vs_city``) first."""
        levels = {level.id: level for level in self._levels()}
        area = self.areas.get(area_id)
        ids = area.comparison if area is not None and area.comparison else ()
        if not ids:
            return (next(iter(levels.values())),)
        return tuple(levels[i] for i in ids)

    def comparison_for(self, area_id: str) -> ComparisonLevel:
        """The primary comparison level of ``area_id`` (the city for a Stockholm district)."""
        return self.comparisons_for(area_id)[0]

    def pool_members(self, area_id: str, year: int) -> tuple[str, ...]:
        """The areas compared with the same primary level that existed in ``year``.

        These are the districts whose trend fits are pooled for the extra-Poisson
        variation of ``area_id`` (statistics v2): a partition of the city in that year, so
        no count enters twice.
        """
        level = self.comparison_for(area_id).id
        return tuple(
            a.id for a in self.areas.values()
            if a.existed_in(year) and self.comparison_for(a.id).id == level
        )  # fmt: skip

    def get(self, area_id: str) -> Area:
        """The area with this id; a ``ConfigError`` lists the known ids otherwise."""
        if area_id == self.city.id:
            return self.city
        for level in self._levels():
            if area_id == level.id:
                return level.as_area()
        try:
            return self.areas[area_id]
        except KeyError:
            known = ", ".join(sorted(self.areas))
            raise ConfigError(f"unknown area {area_id!r}; configured areas: {known}") from None

    def area_for_region(self, region: str) -> str | None:
        """The area id a BRÅ region name belongs to, or None when not configured."""
        return self._region_index.get(norm_region(region))

    @cached_property
    def _police_index(self) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for area in self.areas.values():
            if area.lokalpolisomrade:
                index.setdefault(norm_region(area.lokalpolisomrade), []).append(area.id)
        for level in self._levels():
            for name in level.regions.get("polis", ()):
                index.setdefault(norm_region(name), []).append(level.id)
        return {k: tuple(v) for k, v in index.items()}

    def areas_for_police_area(self, name: str) -> tuple[str, ...]:
        """Every area policed by this lokalpolisområde, or the comparison level whose
        police name (``regions.polis``) it is; () when none."""
        return self._police_index.get(norm_region(name), ())

    @cached_property
    def _scb_index(self) -> dict[str, str]:
        index = {a.scb_code: a.id for a in self.areas.values() if a.scb_code}
        for level in self._levels():
            index.update({str(c): level.id for c in level.regions.get("scb", ())})
        return index

    def area_for_scb_code(self, code: str) -> str | None:
        """The area or comparison level with this SCB region code (``regions.scb`` of a
        level: ``0180`` → the city, ``01`` → Stockholms län, ``00`` → Riket), or None."""
        return self._scb_index.get(str(code).strip())

    def area_for_name(self, name: str) -> str | None:
        """The area id for a display name, a BRÅ name or an id (population, surveys)."""
        key = name.strip()
        levels = self._levels()
        if key.casefold() in self.areas or key.casefold() in {lv.id for lv in levels}:
            return key.casefold()
        for area in self.areas.values():
            if key.casefold() == area.name.casefold():
                return area.id
        for level in levels:
            names = (level.name, *level.names_for(""))
            if any(key.casefold() == n.casefold() for n in names):
                return level.id
        return self.area_for_region(key)

    def area_for_forvaltning(self, forvaltning: str) -> str | None:
        """The area whose configured förvaltning this is (IA exports)."""
        return self._forvaltning_index.get(forvaltning.strip().casefold())

    @cached_property
    def _forvaltning_index(self) -> dict[str, str]:
        """Casefolded förvaltning → the first area (in configuration order) that lists it."""
        index: dict[str, str] = {}
        for area in self.areas.values():
            for name in area.forvaltningar:
                index.setdefault(name.casefold(), area.id)
        return index

    def series_members(self, area_id: str, year: int) -> tuple[str, ...]:
        """The areas whose figures make up ``area_id``'s series in ``year``.

        An area that existed in the year stands for itself. For a year before it existed
        the series is the sum of its predecessors (recursively), which is a comparable
        series. An empty tuple means there is no comparable figure for that year.
        """
        area = self.get(area_id)
        if area.existed_in(year) or not area.predecessors:
            return (area.id,) if area.existed_in(year) else ()
        members: list[str] = []
        for pred in area.predecessors:
            members.extend(self.series_members(pred, year))
        return tuple(members)

    def lineage(self, area_id: str) -> tuple[str, ...]:
        """The area and all its predecessors, recursively: every id its series can use."""
        area = self.get(area_id)
        ids = [area.id]
        for pred in area.predecessors:
            ids.extend(a for a in self.lineage(pred) if a not in ids)
        return tuple(ids)

    def is_comparable_series(self, area_id: str, year: int) -> bool:
        """True when ``area_id``'s figure for ``year`` is built from predecessors."""
        return self.series_members(area_id, year) not in ((), (area_id,))


def norm_region(region: str) -> str:
    """A region name as matched: white space folded, case ignored."""
    return " ".join(region.split()).casefold()
