"""Tests for tasks/indicators/comparison_levels.py: a level only from complete inputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.municipalities import municipality_areas, write_areas
from outputs.text.quality_lines import quality_lines
from outputs.text.sentences import load_sentences
from sources.readers._csv import as_canonical
from tasks.indicators.build import area_crime_series, area_population
from tasks.indicators.comparison_levels import build_levels, level_check_results, with_level_rows

REGIONS = {"0127": "Botkyrka", "0126": "Huddinge", "0128": "Salem", "0330": "Knivsta"}


@pytest.fixture(scope="module")
def areas(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("areas") / "kommuner.yaml"
    return load_areas(write_areas(municipality_areas(REGIONS), path))


def _rows(kind: str, values: dict[tuple[str, int], float]) -> pd.DataFrame:
    bra = kind == "bra"
    frame = pd.DataFrame([
        dict(source="bra" if bra else "befolkning", area=a, region=a,
             period_start=f"{y}-01-01" if bra else f"{y}-12-31", period_end=f"{y}-12-31",
             period_kind="year", category="Rån" if bra else "Folkmängd", value=v, unit="antal",
             preliminary=False, group="", file=f"{kind}.txt", row=i + 2)
        for i, ((a, y), v) in enumerate(values.items())])
    return as_canonical(frame)


def test_the_municipalities_file_knows_its_county_and_leaves_other_counties_out(areas):
    assert set(areas.areas) == {"botkyrka", "huddinge", "salem"}  # Knivsta: Uppsala län
    county = areas.comparison_for("botkyrka")
    assert (county.id, county.display, county.members) == (
        "stockholms-lan", "länet", ("huddinge", "botkyrka", "salem"))
    assert areas.area_for_region("Botkyrka kommun") == "botkyrka"
    assert areas.area_for_scb_code("0127") == "botkyrka"
    assert areas.area_for_scb_code("01") == "stockholms-lan"
    assert areas.get("botkyrka").scb_code == "0127"


def test_all_members_present_gives_their_sum(areas):
    bra = _rows("bra", {("botkyrka", 2020): 10, ("huddinge", 2020): 20, ("salem", 2020): 5})
    pop = _rows("pop", {("botkyrka", 2020): 1000, ("huddinge", 2020): 2000,
                        ("salem", 2020): 500})
    county, country = build_levels(bra, pop, areas, "botkyrka", 2020)
    assert (county.how, country.how) == ("summa", "saknas")
    bra2, pop2 = with_level_rows(bra, pop, [county, country])
    series = area_crime_series(bra2, areas, "stockholms-lan")
    assert series["value"].tolist() == [35.0]
    assert area_population(pop2, areas, "stockholms-lan")["population"].tolist() == [3500.0]
    assert [r.message.split(":")[0] for r in level_check_results([county, country])] == [
        "Jämförelse med Riket saknas"]


def test_a_missing_member_gives_no_level_and_a_warning_naming_it(areas):
    bra = _rows("bra", {("botkyrka", 2020): 10, ("huddinge", 2020): 20,
                        ("salem", 2019): 5})  # Salem lacks 2020
    pop = _rows("pop", {("botkyrka", 2020): 1000, ("huddinge", 2020): 2000})
    county = build_levels(bra, pop, areas, "botkyrka", 2020)[0]
    assert county.how == "saknas" and county.bra.empty
    [warning] = [r for r in level_check_results([county]) if "Stockholms län" in r.message]
    assert "saknar Salem" in warning.message and "befolkningen för 2020 saknar Salem" in (
        warning.message)
    assert warning.severity.value == "warning"
    assert warning.facts == {"level": "Stockholms län", "gaps": [
        {"source": "bra", "year": 2020, "absent": ["Salem"]},
        {"source": "befolkning", "year": 2020, "absent": ["Salem"]}]}
    # The draft words it from the datakvalitet_comparison_level template, as the log does.
    assert quality_lines([warning], [], load_sentences(), area_name=str) == [warning.message]
    assert warning.message == (
        "Jämförelse med Stockholms län saknas: BRÅ-underlaget för 2020 har ingen rad för "
        "Stockholms län och saknar Salem; befolkningen för 2020 saknar Salem. En jämförelsenivå "
        "byggs bara av fullständiga underlag (en egen rad, eller alla ingående områden med "
        "befolkning).")


def test_the_levels_own_row_wins(areas):
    bra = _rows("bra", {("stockholms-lan", 2020): 99, ("botkyrka", 2020): 10})
    pop = _rows("pop", {("stockholms-lan", 2020): 9900})
    county = build_levels(bra, pop, areas, "botkyrka", 2020)[0]
    assert county.how == "rad" and county.bra.empty  # nothing added: the row is there


def test_bundled_file_is_the_generators_output(tmp_path: Path):
    from lagesbild.municipalities import STOCKHOLMS_LAN

    bundled = (Path(__file__).parents[2] / "lagesbild" / "conf"
               / "municipalities_stockholms_lan.yaml")
    fresh = write_areas(municipality_areas(STOCKHOLMS_LAN), tmp_path / "fresh.yaml")
    assert fresh.read_bytes() == bundled.read_bytes()
    areas = load_areas(bundled)
    assert len(areas.areas) == 26 and len(areas.comparison_for("botkyrka").members) == 26


def test_areas_file_generated_from_a_pxweb_response(tmp_path: Path):
    import subprocess
    import sys

    from lagesbild.municipalities import regions_from_pxweb
    from sources.readers.jsonstat_write import jsonstat_dataset, write_jsonstat

    dims = {"Region": {"00": "Riket", "01": "Stockholms län", "0127": "0127 Botkyrka",
                       "0139": "Upplands-Bro", "0330": "Knivsta"},
            "ContentsCode": {"BE0101N1": "Folkmängd"}, "Tid": {"2020": "2020"}}
    response = write_jsonstat(tmp_path / "scb.json", jsonstat_dataset(dims, [1, 2, 3, 4, 5]))
    assert regions_from_pxweb(response) == {"0127": "Botkyrka", "0139": "Upplands-Bro",
                                            "0330": "Knivsta"}
    script = Path(__file__).parents[2] / "scripts" / "generate_municipalities.py"
    out = tmp_path / "kommuner.yaml"
    done = subprocess.run([sys.executable, str(script), "--pxweb", str(response), "--out",
                           str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    areas = load_areas(out)
    assert set(areas.areas) == {"botkyrka", "upplands-bro"}
    assert areas.get("upplands-bro").bra_regions == ("Upplands-Bro kommun",)
