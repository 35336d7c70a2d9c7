"""Reading ``conf/areas.yaml``: every entry checked, the lineage and the comparison levels
validated, before the pipeline asks the configuration anything.

Errors name the file and the entry (``areas[3].valid_from``), so a data steward can fix the
YAML without reading code.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import yaml

from lagesbild.areas.model import Area, AreasConfig, ComparisonLevel, Party, norm_region, slugify
from lagesbild.errors import ConfigError

__all__ = ["DEFAULT_AREAS_FILE", "load_areas"]

DEFAULT_AREAS_FILE = Path(str(resources.files("lagesbild") / "conf" / "areas.yaml"))


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
            other = seen.setdefault(norm_region(region), area.id)
            if other != area.id:
                raise ConfigError(
                    f"{source}: BRÅ region {region!r} is given to {other} and {area.id}"
                )
    return config
