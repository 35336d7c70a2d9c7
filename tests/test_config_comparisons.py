"""The comparison levels of the areas configuration (statistics v2 (c))."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lagesbild.areas.load import DEFAULT_AREAS_FILE, load_areas
from lagesbild.errors import ConfigError


def _write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "areas.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _bundled() -> dict:
    return yaml.safe_load(DEFAULT_AREAS_FILE.read_text(encoding="utf-8"))


def test_bundled_city_level_is_found_under_each_sources_own_name():
    areas = load_areas()
    level = areas.comparison_for("sodermalm")
    assert (level.id, level.name, level.display) == ("stockholm", "Stockholms stad", "staden")
    assert areas.area_for_region("Stockholm kommun") == "stockholm"  # BRÅ
    assert areas.area_for_name("Stockholms stad") == "stockholm"  # population, surveys
    assert level.names_for("bra") == ("Stockholm kommun",)
    assert areas.city.id == "stockholm" and areas.get("stockholm").name == "Stockholms stad"


def test_pool_is_the_partition_of_the_city_in_the_year():
    areas = load_areas()
    assert "norra-innerstaden" not in areas.pool_members("sodermalm", 2023)
    assert {"norrmalm", "ostermalm"} <= set(areas.pool_members("sodermalm", 2023))
    in_2024 = areas.pool_members("sodermalm", 2024)
    assert "norra-innerstaden" in in_2024 and "norrmalm" not in in_2024


def test_an_area_names_several_levels_the_first_is_primary(tmp_path):
    raw = _bundled()
    raw["comparisons"].append({"id": "stockholms-lan", "name": "Stockholms län",
                               "display": "länet", "regions": {"bra": ["Stockholms län"]}})
    raw["areas"][0]["comparison"] = ["stockholms-lan", "stockholm"]
    areas = load_areas(_write(tmp_path, raw))
    first = raw["areas"][0]["id"]
    assert [lv.id for lv in areas.comparisons_for(first)] == ["stockholms-lan", "stockholm"]
    assert areas.comparison_for(first).display == "länet"
    assert areas.area_for_region("Stockholms län") == "stockholms-lan"
    assert first not in areas.pool_members(raw["areas"][1]["id"], 2023)


def test_older_city_mapping_still_loads(tmp_path):
    raw = _bundled()
    del raw["comparisons"]
    raw["city"] = {"id": "stockholm", "name": "Stockholms stad",
                   "bra_regions": ["Stockholm kommun"]}
    areas = load_areas(_write(tmp_path, raw))
    assert areas.comparison_for("sodermalm").display == "staden"
    assert areas.area_for_region("Stockholm kommun") == "stockholm"


def test_unknown_comparison_is_named(tmp_path):
    raw = _bundled()
    raw["areas"][0]["comparison"] = "riket"
    with pytest.raises(ConfigError, match="unknown comparison 'riket'"):
        load_areas(_write(tmp_path, raw))
