"""A municipality of Stockholms län end to end, on the real BRÅ län export (issue 15).

``lagesbild run --area botkyrka --year 2020 --areas-file <municipalities> --inbox <dir>``
as a user types it (a real process; Prefect's temporary server), with the real 2020 export,
a 2019 export in the same layout and a PxWeb JSON-stat population file. The figures of
``indicators.csv`` are checked against a computation by hand from those files. The real
export has no county row and lacks members of the county, so there must be no county
comparison, a quality warning naming what is missing, and the draft must say so. With the
county's own rows added, the county comparison appears.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import docx
import pandas as pd
import pytest
from inbox_builder import COUNTY, build_inbox

from lagesbild.settings import load_settings
from tasks.indicators.build import area_crime_series, area_population
from tasks.indicators.comparison_levels import level_builds
from tasks.pipeline.spec import RunSpec
from tasks.pipeline.stages import check, compute, ingest

ROOT = Path(__file__).resolve().parents[2]
AREAS = ROOT / "lagesbild" / "conf" / "municipalities_stockholms_lan.yaml"
LAGESBILD = Path(sys.executable).parent / "lagesbild"


def _by_hand(path: Path, region: str) -> dict[str, int]:
    """Yearly counts of one region: distinct lines, twelve months summed, per Brott."""
    text = path.read_bytes().decode("iso-8859-1")
    lines = {tuple(r[:6]) for r in csv.reader(io.StringIO(text), delimiter=";")
             if r and r[0] == region}
    totals: dict[str, int] = {}
    months: dict[str, int] = {}
    for _, crime, _, _, count, _ in lines:
        totals[crime] = totals.get(crime, 0) + int(count)
        months[crime] = months.get(crime, 0) + 1
    assert set(months.values()) == {12}
    return totals


def _population(inbox: Path, code: str) -> dict[int, int]:
    data = json.loads((inbox / "befolkning" / "scb_folkmangd_2019_2020.json").read_text("utf-8"))
    regions = data["dimension"]["Region"]["category"]["index"]
    years = data["dimension"]["Tid"]["category"]["index"]
    at = regions[code] * len(years)  # Region × ContentsCode(1) × Tid, row-major
    return {int(y): data["value"][at + i] for y, i in years.items()}


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("botkyrka")
    inbox = root / "inbox"
    build_inbox(inbox)
    env = {**os.environ, "LAGESBILD_HOME": str(root / "data"),
           "PREFECT_HOME": str(root / "prefect")}
    env.pop("LAGESBILD_DATABASE_URL", None)
    env.pop("PREFECT_API_URL", None)
    try:
        done = subprocess.run(
            [str(LAGESBILD), "run", "--area", "botkyrka", "--year", "2020", "--areas-file",
             str(AREAS), "--inbox", str(inbox), "--out", str(root / "out")],
            capture_output=True, text=True, env=env, timeout=600, check=False,
        )
    finally:  # the run keeps a local Prefect server for its data root: stop it
        subprocess.run([str(LAGESBILD), "server", "stop"], env=env, capture_output=True,
                       timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    version = root / "out" / "botkyrka" / "2020" / "v001"
    return {"inbox": inbox, "version": version, "stdout": done.stdout}


def test_rates_match_a_hand_computation_from_the_files(cli_run):
    inbox, version = cli_run["inbox"], cli_run["version"]
    assert str(version / "lagesbild_botkyrka_2020_v001.docx") in cli_run["stdout"]
    indicators = pd.read_csv(version / "indicators.csv", keep_default_na=False, na_values=[""])
    bra = indicators[indicators["source"] == "bra"].set_index("indicator")
    now = _by_hand(inbox / "bra" / "Databasfil_stockholms_lan_2020.txt", "Botkyrka kommun")
    before = _by_hand(inbox / "bra" / "Databasfil_stockholms_lan_2019.txt", "Botkyrka kommun")
    pop = _population(inbox, "0127")
    assert set(bra.index) == set(now)
    for crime, count in now.items():
        row = bra.loc[crime]
        assert (row["value"], row["prev_value"], row["year"]) == (count, before[crime], 2020)
        assert row["rate_per_100k"] == pytest.approx(count / pop[2020] * 100_000, rel=1e-12)
        assert row["change_abs"] == count - before[crime]
    folk = indicators[indicators["indicator"] == "Folkmängd"].iloc[0]
    assert (folk["value"], folk["prev_value"]) == (pop[2020], pop[2019])


def test_no_county_comparison_from_incomplete_inputs_and_the_draft_says_so(cli_run):
    version = cli_run["version"]
    indicators = pd.read_csv(version / "indicators.csv", keep_default_na=False, na_values=[""])
    assert indicators["city_value"].isna().all() and indicators["vs_city"].isna().all()
    quality = json.loads((version / "quality.json").read_text(encoding="utf-8"))
    warning = next(r for r in quality["results"] if r["check"].startswith("jämförelsenivå")
                   and "Stockholms län" in r["message"])
    assert not warning["success"] and warning["severity"] == "warning"
    for name in ("Ekerö", "Nykvarn", "Nynäshamn", "Upplands-Bro", "Stockholm"):
        assert name in warning["message"]
    assert "ingen rad för Stockholms län" in warning["message"]
    text = "\n".join(p.text for p in docx.Document(
        str(version / "lagesbild_botkyrka_2020_v001.docx")).paragraphs)
    assert "Jämförelse med Stockholms län saknas" in text.replace("\u00a0", " ")


def test_complete_inputs_give_the_county_comparison(tmp_path, monkeypatch):
    monkeypatch.setenv("LAGESBILD_HOME", str(tmp_path / "data"))
    inbox = tmp_path / "inbox"
    pops = build_inbox(inbox, complete=True)
    spec = RunSpec(area="botkyrka", year=2020, inbox=inbox, out=tmp_path / "out",
                   areas_file=AREAS, as_of=dt.date(2021, 3, 1), pdf=False)
    inputs = ingest(spec, load_settings())
    report = check(spec, inputs, None)
    assert not any("Stockholms län" in r.message for r in report.warnings)
    areas = spec.areas()
    builds = level_builds(inputs, areas, "botkyrka", 2020)
    assert [(b.level.id, b.how) for b in builds] == [("stockholms-lan", "rad"),
                                                     ("riket", "saknas")]
    county = _by_hand(inbox / "bra" / "Databasfil_stockholms_lan_2020.txt", COUNTY)
    series = area_crime_series(inputs.rows_for("yearly_bra", ["stockholms-lan"]), areas,
                               "stockholms-lan").set_index(["year", "indicator"])["value"]
    assert {c: series[(2020, c)] for c in county} == county
    level_pop = area_population(inputs.rows_for("befolkning", ["stockholms-lan"]), areas,
                                "stockholms-lan")
    assert level_pop.set_index("year")["population"].to_dict() == pops["01"]
    indicators = compute(spec, inputs).indicators
    bra = indicators[indicators["source"] == "bra"].set_index("indicator")
    assert set(bra.index) == set(county)
    for crime, count in county.items():  # statistics v2: the comparison level's rate
        expected = count / pops["01"][2020] * 100_000
        assert bra.loc[crime, "city_value"] == pytest.approx(expected, rel=1e-12)
        row = bra.loc[crime]
        side = ("högre" if row["rate_ci_low"] > expected else
                "lägre" if row["rate_ci_high"] < expected else "i nivå")
        assert row["vs_city"] == side
