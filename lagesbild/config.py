"""The areas configuration: districts, their BRÅ names over time and their lineage.

What describes the world lives in ``conf/areas.yaml`` (editable by a data steward); this
module loads it once, validates it and answers the questions the pipeline asks: which area
does a BRÅ region name belong to, did an area exist in a given year, which areas make up
a comparable series for a successor area in an earlier year.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import yaml

from lagesbild.errors import ConfigError

__all__ = [
    "Area",
    "AreasConfig",
    "ComparisonLevel",
    "DEFAULT_AREAS_FILE",
    "Party",
    "load_areas",
    "slugify",
]

DEFAULT_AREAS_FILE = Path(str(resources.files("lagesbild") / "conf" / "areas.yaml"))

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
    — but only when every member is present (``tasks.comparison_levels``); a partial sum
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
                index[_norm_region(region)] = area.id
        for level in self._levels():
            for region in level.regions.get("bra", ()):
                index[_norm_region(region)] = level.id
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
        return self._region_index.get(_norm_region(region))

    @cached_property
    def _police_index(self) -> dict[str, tuple[str, ...]]:
        index: dict[str, list[str]] = {}
        for area in self.areas.values():
            if area.lokalpolisomrade:
                index.setdefault(_norm_region(area.lokalpolisomrade), []).append(area.id)
        for level in self._levels():
            for name in level.regions.get("polis", ()):
                index.setdefault(_norm_region(name), []).append(level.id)
        return {k: tuple(v) for k, v in index.items()}

    def areas_for_police_area(self, name: str) -> tuple[str, ...]:
        """Every area policed by this lokalpolisområde, or the comparison level whose
        police name (``regions.polis``) it is; () when none."""
        return self._police_index.get(_norm_region(name), ())

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
        key = forvaltning.strip().casefold()
        for area in self.areas.values():
            if any(key == f.casefold() for f in area.forvaltningar):
                return area.id
        return None

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


def _norm_region(region: str) -> str:
    return " ".join(region.split()).casefold()


def _date(value: object, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _scb_code(value: object, where: str) -> str:
    """A region code as text; YAML reads ``0180`` unquoted as the integer 180."""
    if value is None or value == "":
        return ""
    if isinstance(value, int):
        return f"{value:04d}"
    return str(value).strip()


def _preposition(value: object, where: str) -> str:
    """``på`` or ``i`` (default): the preposition of the area's name in running text."""
    if value is None or value == "":
        return "i"
    if str(value).strip() not in ("på", "i"):
        raise ConfigError(f"{where}.preposition: {value!r} must be 'på' or 'i'")
    return str(value).strip()


def _area(raw: dict, where: str) -> Area:
    for key in ("id", "name"):
        if not raw.get(key):
            raise ConfigError(f"{where}: missing {key!r}")
    if raw["id"] != slugify(raw["name"]):
        raise ConfigError(
            f"{where}: id {raw['id']!r} is not the slug of its name ({slugify(raw['name'])!r})"
        )
    parties = tuple(Party(key=p["key"], name=p["name"]) for p in raw.get("parties", []))
    diarienummer = {int(y): dict(v) for y, v in (raw.get("diarienummer") or {}).items()}
    return Area(
        id=raw["id"],
        name=raw["name"],
        bra_regions=tuple(raw.get("bra_regions", [])),
        lokalpolisomrade=str(raw.get("lokalpolisomrade") or raw.get("police_area") or ""),
        forvaltningar=tuple(raw.get("forvaltningar", [])),
        parties=parties,
        diarienummer=diarienummer,
        valid_from=_date(raw.get("valid_from"), f"{where}.valid_from"),
        valid_to=_date(raw.get("valid_to"), f"{where}.valid_to"),
        predecessors=tuple(raw.get("predecessors", [])),
        comparison=_ids(raw.get("comparison"), f"{where}.comparison"),
        scb_code=_scb_code(raw.get("scb_code"), where),
        preposition=_preposition(raw.get("preposition"), where),
    )


def _ids(value: object, where: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: expected an id or a list of ids, got {value!r}")


def _codes(value: object) -> object:
    """SCB codes written unquoted in YAML (``01``) arrive as integers: back to text."""
    if isinstance(value, list):
        return [f"{v:02d}" if isinstance(v, int) else v for v in value]
    return f"{value:02d}" if isinstance(value, int) else value


def _comparisons(raw: dict, source: Path) -> dict[str, ComparisonLevel]:
    """The comparison levels: ``comparisons`` (a list), else the older ``city`` mapping."""
    entries = raw.get("comparisons")
    if entries is None:
        city = raw.get("city") or {"id": "stockholm", "name": "Stockholm", "bra_regions": []}
        entries = [{"id": city["id"], "name": city["name"], "display": "staden",
                    "regions": {"bra": city.get("bra_regions", [])}}]  # fmt: skip
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{source}: 'comparisons' must be a non-empty list")
    levels: dict[str, ComparisonLevel] = {}
    for i, entry in enumerate(entries):
        where = f"{source}: comparisons[{i}]"
        for key in ("id", "name", "display"):
            if not isinstance(entry, dict) or not entry.get(key):
                raise ConfigError(f"{where}: missing {key!r}")
        regions = entry.get("regions") or {}
        if not isinstance(regions, dict):
            raise ConfigError(f"{where}.regions: expected source kind → list of names")
        if entry["id"] in levels:
            raise ConfigError(f"{where}: comparison id {entry['id']!r} appears twice")
        levels[entry["id"]] = ComparisonLevel(
            id=entry["id"], name=entry["name"], display=entry["display"],
            regions={k: tuple(str(c) for c in _ids(_codes(v), f"{where}.regions.{k}"))
                     for k, v in regions.items()},
            members=_ids(entry.get("members"), f"{where}.members"),
        )  # fmt: skip
    return levels


def _check_lineage(areas: dict[str, Area], source: Path) -> None:
    for area in areas.values():
        for pred_id in area.predecessors:
            pred = areas.get(pred_id)
            if pred is None:
                raise ConfigError(f"{source}: {area.id}: unknown predecessor {pred_id!r}")
            if pred.valid_to is None or area.valid_from is None:
                raise ConfigError(
                    f"{source}: {area.id}: a successor needs valid_from and its predecessor "
                    f"{pred_id!r} a valid_to"
                )
            if pred.valid_to != area.valid_from:
                raise ConfigError(
                    f"{source}: {pred_id} ends {pred.valid_to} but its successor {area.id} "
                    f"starts {area.valid_from}"
                )
        if area.valid_from and area.valid_to and area.valid_from >= area.valid_to:
            raise ConfigError(f"{source}: {area.id}: valid_from is not before valid_to")


def load_areas(path: Path | None = None) -> AreasConfig:
    """Load and validate the areas configuration.

    Args:
        path: a YAML file; the bundled ``conf/areas.yaml`` when None.

    Returns:
        The validated configuration.
    """
    source = Path(path) if path else DEFAULT_AREAS_FILE
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"areas configuration not found: {source}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not raw.get("areas"):
        raise ConfigError(f"{source}: expected a mapping with an 'areas' list")
    areas: dict[str, Area] = {}
    for i, entry in enumerate(raw["areas"]):
        area = _area(entry, f"{source}: areas[{i}]")
        if area.id in areas:
            raise ConfigError(f"{source}: area id {area.id!r} appears twice")
        areas[area.id] = area
    _check_lineage(areas, source)
    levels = _comparisons(raw, source)
    for area in areas.values():
        unknown = [c for c in area.comparison if c not in levels]
        if unknown:
            raise ConfigError(f"{source}: {area.id}: unknown comparison {unknown[0]!r}; "
                              f"configured: {', '.join(levels)}")  # fmt: skip
        if area.id in levels:
            raise ConfigError(f"{source}: {area.id!r} is both an area and a comparison level")
    for level in levels.values():
        unknown = [m for m in level.members if m not in areas]
        if unknown:
            raise ConfigError(f"{source}: comparison {level.id}: unknown member {unknown[0]!r}")
    city = next(iter(levels.values())).as_area()
    config = AreasConfig(
        areas=areas,
        city=city,
        priority_areas=tuple(raw.get("priority_areas", [])),
        source_file=source,
        comparisons=levels,
    )
    seen: dict[str, str] = {}
    for area in (*areas.values(), *(lv.as_area() for lv in levels.values())):
        for region in area.bra_regions:
            other = seen.setdefault(_norm_region(region), area.id)
            if other != area.id:
                raise ConfigError(
                    f"{source}: BRÅ region {region!r} is given to {other} and {area.id}"
                )
    return config
