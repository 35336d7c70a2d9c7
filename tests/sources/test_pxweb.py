"""Tests for sources/readers/pxweb.py on JSON-stat 2.0 responses shaped like SCB's PxWeb API."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import InputError, SourceSchemaChanged
from sources.readers._csv import CANONICAL_COLUMNS
from sources.readers.jsonstat_write import jsonstat_dataset, write_jsonstat
from sources.readers.population import AGE_GROUPS
from sources.readers.pxweb import read_pxweb

REGION = {"0180": "Stockholm", "0127": "Botkyrka"}
KON = {"1": "män", "2": "kvinnor"}
CONTENTS = {"BE0101N1": "Folkmängd"}
TID = {"2019": "2019", "2020": "2020"}


@pytest.fixture(scope="module")
def areas():
    return load_areas()


def _cube(**dims):
    return {"Region": REGION, **dims, "ContentsCode": CONTENTS, "Tid": TID}


def _write(tmp_path: Path, dataset: dict) -> Path:
    return write_jsonstat(tmp_path / "befolkning" / "scb.json", dataset)


def test_row_major_values_summed_over_kon_with_status_dotdot(tmp_path, areas):
    # Region × Kon × ContentsCode × Tid, Tid fastest: [0180 män 2019, 0180 män 2020, …]
    values = [480000, 482000, 494000, 496000, 47000, None, 46000, 46500]
    data = jsonstat_dataset(_cube(Kon=KON), values, status={5: ".."})
    result = read_pxweb(_write(tmp_path, data), areas)
    frame = result.frame
    assert tuple(frame.columns) == CANONICAL_COLUMNS
    assert result.metadata["updated"] == "2024-02-21T07:00:00Z"
    assert result.metadata["source"] == "Statistiska centralbyrån (SCB)"
    sthlm = frame[frame["region"] == "Stockholm"]
    assert sthlm["area"].unique().tolist() == ["stockholm"]  # scb_code 0180 in areas.yaml
    assert sthlm["value"].tolist() == [974000.0, 978000.0]
    assert sthlm["period_end"].dt.strftime("%Y-%m-%d").tolist() == ["2019-12-31", "2020-12-31"]
    botkyrka = frame[frame["region"] == "Botkyrka"]
    assert botkyrka["area"].isna().all()  # not configured in the districts' areas file
    assert botkyrka["value"].iloc[0] == 93000.0
    assert np.isnan(botkyrka["value"].iloc[1])  # one part '..' → the total is missing
    assert set(frame["category"]) == {"Folkmängd"}
    assert (frame["source"] == "befolkning").all() and (frame["unit"] == "antal").all()
    assert botkyrka["row"].tolist() == [5, 6]  # 1-based position of the first cell


def test_single_years_of_age_give_the_age_groups(tmp_path, areas):
    ages = {str(a): f"{a} år" for a in range(100)} | {"100+": "100+ år"}
    dims = {"Region": {"0180": "Stockholm"}, "Alder": ages, "ContentsCode": CONTENTS,
            "Tid": {"2020": "2020"}}
    values = [1000 + a for a in range(101)]
    frame = read_pxweb(_write(tmp_path, jsonstat_dataset(dims, values)), areas).frame
    got = dict(zip(frame["category"], frame["value"], strict=True))
    assert got["Folkmängd"] == sum(values)
    assert got["0–15 år"] == sum(1000 + a for a in range(16))
    assert got["80– år"] == sum(1000 + a for a in range(80, 101))
    assert set(got) == {"Folkmängd", *AGE_GROUPS}


def test_a_total_category_is_used_instead_of_summing(tmp_path, areas):
    dims = _cube(Alder={"tot": "totalt ålder"}, Kon={"1": "män", "2": "kvinnor", "1+2": "totalt"})
    dims["Region"] = {"0180": "Stockholm"}
    values = [480000, 482000, 494000, 496000, 974000, 978000]
    frame = read_pxweb(_write(tmp_path, jsonstat_dataset(dims, values)), areas).frame
    assert frame["value"].tolist() == [974000.0, 978000.0]


def test_sparse_values_and_list_index(tmp_path, areas):
    data = jsonstat_dataset(_cube(), [1.0, 2.0, 3.0, 4.0])
    data["value"] = {"0": 1, "1": 2, "2": 3, "3": 4}
    data["dimension"]["Tid"]["category"]["index"] = ["2019", "2020"]
    frame = read_pxweb(_write(tmp_path, data), areas).frame
    assert frame["value"].tolist() == [1.0, 2.0, 3.0, 4.0]


def _error(tmp_path, areas, data) -> InputError:
    with pytest.raises(InputError) as info:
        read_pxweb(_write(tmp_path, data), areas, display_name="befolkning/scb.json")
    assert info.value.file == "befolkning/scb.json"
    return info.value


def test_unknown_contents_code_is_named(tmp_path, areas):
    dims = _cube()
    dims["ContentsCode"] = {"BE0101N2": "Folkökning"}
    error = _error(tmp_path, areas, jsonstat_dataset(dims, [1, 2, 3, 4]))
    assert error.column == "ContentsCode" and "BE0101N2" in str(error)


def test_unknown_time_code_is_named(tmp_path, areas):
    dims = _cube()
    dims["Tid"] = {"2020M01": "2020M01", "2020M02": "2020M02"}
    error = _error(tmp_path, areas, jsonstat_dataset(dims, [1, 2, 3, 4]))
    assert error.column == "Tid" and "2020M01" in str(error)


def test_missing_cell_names_its_coordinates(tmp_path, areas):
    data = jsonstat_dataset(_cube(), [1, 2, None, 4])  # null without a status
    error = _error(tmp_path, areas, data)
    assert "Region=0127" in str(error) and "Tid=2019" in str(error)
    assert "värde nr 3" in str(error)
    data["value"] = {"0": 1, "1": 2, "3": 4}  # sparse, position 2 absent
    assert "saknas" in str(_error(tmp_path, areas, data))


def test_wrong_size_names_the_dimension(tmp_path, areas):
    data = jsonstat_dataset(_cube(), [1, 2, 3, 4])
    data["size"] = [2, 1, 3]
    error = _error(tmp_path, areas, data)
    assert error.column == "Tid" and "3" in str(error)
    data["size"] = [2, 1, 2]
    data["value"] = [1, 2, 3]
    error = _error(tmp_path, areas, data)
    assert error.column == "size" and "Region=2, ContentsCode=1, Tid=2" in str(error)


def test_not_jsonstat2_and_unknown_dimension(tmp_path, areas):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"dataset": {"dimension": {}}}), encoding="utf-8")
    with pytest.raises(SourceSchemaChanged, match="json-stat2"):
        read_pxweb(path, areas)
    dims = {"Region": REGION, "Utbildning": {"1": "a", "2": "b"}, "ContentsCode": CONTENTS,
            "Tid": TID}
    with pytest.raises(SourceSchemaChanged) as info:
        read_pxweb(_write(tmp_path, jsonstat_dataset(dims, list(range(8)))), areas)
    assert info.value.column == "Utbildning"
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": [', encoding="utf-8")
    with pytest.raises(InputError, match="ogiltig JSON"):
        read_pxweb(bad, areas)
