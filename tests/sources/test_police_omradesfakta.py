"""Tests for sources/readers/police.py and sources/readers/omradesfakta.py on files shaped
as §5 and §6."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import InputError, SourceSchemaChanged
from sources.readers._csv import CANONICAL_COLUMNS
from sources.readers.bra import bra_yearly
from sources.readers.omradesfakta import read_omradesfakta
from sources.readers.police import read_police

POLICE = "Lokalpolisområde;Brottskategori;År;Månad;Antal"
FACTS = "År;Område;Nyckeltal;Värde;Enhet"


@pytest.fixture(scope="module")
def areas():
    return load_areas()


def _csv(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_police_months_and_whole_years_in_the_canonical_shape(tmp_path, areas):
    months = [f"Lokalpolisområde Södermalm;Rån;2023;{m};{10 + m}" for m in range(1, 13)]
    path = _csv(tmp_path, "polis.csv", [POLICE, *months, "Stockholms stad;Rån;2023;;1 811",
                                        "Lokalpolisområde Södermalm;Rån;2022;;..",
                                        "Lokalpolisområde Okänt;Rån;2023;;5"])
    frame = read_police(path, areas)
    assert tuple(frame.columns) == CANONICAL_COLUMNS
    assert set(frame["source"]) == {"polis"}
    march = frame[(frame["area"] == "sodermalm") & (frame["period_start"] == "2023-03-01")]
    assert march.iloc[0][["period_kind", "value", "row"]].tolist() == ["month", 13.0, 4]
    assert march.iloc[0]["period_end"] == pd.Timestamp("2023-03-31")
    city = frame[frame["area"] == "stockholm"].iloc[0]
    assert (city["period_kind"], city["value"]) == ("year", 1811.0)
    assert city["period_end"] == pd.Timestamp("2023-12-31")
    assert np.isnan(frame[frame["period_start"] == "2022-01-01"].iloc[0]["value"])  # '..'
    assert frame[frame["region"] == "Lokalpolisområde Okänt"]["area"].isna().all()
    yearly = bra_yearly(frame)  # the same yearly rule as BRÅ: own row, else 12 months
    sod = yearly[(yearly["area"] == "sodermalm") & (yearly["period_start"] == "2023-01-01")]
    assert sod.iloc[0]["value"] == sum(10 + m for m in range(1, 13))


def test_a_shared_police_area_gives_each_district_its_rows(tmp_path, areas):
    path = _csv(tmp_path, "polis.csv", [POLICE, "Lokalpolisområde Norrmalm;Rån;2023;;400"])
    frame = read_police(path, areas)
    assert set(frame["area"]) >= {"kungsholmen", "norrmalm"}
    assert set(frame["value"]) == {400.0}


def test_police_column_mapping_from_configuration(tmp_path, areas):
    path = _csv(tmp_path, "polis.csv", ["LPO;Kategori;År;Månad;Antal brott",
                                        "Lokalpolisområde Södermalm;Rån;2023;;7"])
    frame = read_police(path, areas, columns={"region": "LPO", "category": "Kategori",
                                              "value": "Antal brott"})
    assert frame.iloc[0][["area", "category", "value"]].tolist() == ["sodermalm", "Rån", 7.0]


@pytest.mark.parametrize(
    ("lines", "error", "row", "column"),
    [
        ([POLICE.replace(";Antal", ""), "Lokalpolisområde Södermalm;Rån;2023;1"],
         SourceSchemaChanged, 1, "Antal"),  # the header row
        ([POLICE, "Lokalpolisområde Södermalm;Rån;2023;1;tolv"], InputError, 2, "Antal"),
        ([POLICE, "Lokalpolisområde Södermalm;Rån;2023;13;1"], InputError, 2, "Månad"),
        ([POLICE, "Lokalpolisområde Södermalm;Rån;2023;1;-3"], InputError, 2, "Antal"),
        ([POLICE, "Lokalpolisområde Södermalm;Rån;2023;1;4",
          "Lokalpolisområde Södermalm;Rån;2023;2;4",
          "Lokalpolisområde Södermalm;Rån;2023;1;5"], InputError, 4, "Antal"),
    ],
    ids=["missing-column", "bad-number", "bad-month", "negative", "duplicate-two-values"],
)
def test_police_errors_name_file_row_and_column(tmp_path, areas, lines, error, row, column):
    path = _csv(tmp_path, "polis.csv", lines)
    with pytest.raises(error) as info:
        read_police(path, areas, display_name="polis/polis.csv")
    assert info.value.file == "polis/polis.csv"
    assert info.value.row == row and info.value.column == column
    if row is not None:
        assert f"row {row}" in str(info.value)


def test_omradesfakta_shares_counts_and_the_city(tmp_path, areas):
    path = _csv(tmp_path, "fakta.csv", [
        FACTS, "2021;Södermalm;Utländsk bakgrund;20,9;procent",
        "2021;Stockholms stad;Utländsk bakgrund;33,4;procent",
        "2026;Södermalm;Befolkningsprognos;133 500;antal",
        "2021;Södermalm;Öppet arbetslösa 16–64 år;..;procent",
        "2021;Södermalm;Utländsk bakgrund;20,9;procent",  # an identical repeat is fine
    ])
    frame = read_omradesfakta(path, areas)
    assert tuple(frame.columns) == CANONICAL_COLUMNS
    assert len(frame) == 4
    first = frame.iloc[0]
    assert first[["source", "area", "category", "value", "unit", "row"]].tolist() == [
        "omradesfakta", "sodermalm", "Utländsk bakgrund", 20.9, "procent", 2]
    assert first["period_end"] == pd.Timestamp("2021-12-31")
    assert frame.iloc[1]["area"] == "stockholm"
    assert frame.iloc[2][["value", "unit"]].tolist() == [133500.0, "antal"]
    assert np.isnan(frame.iloc[3]["value"])


@pytest.mark.parametrize(
    ("lines", "error", "row", "column"),
    [
        (["År;Område;Nyckeltal;Enhet", "2021;Södermalm;Utländsk bakgrund;procent"],
         SourceSchemaChanged, 1, "Värde"),
        ([FACTS, "2021;Södermalm;Utländsk bakgrund;cirka 21;procent"], InputError, 2, "Värde"),
        ([FACTS, "2021;Södermalm;Utländsk bakgrund;120,5;procent"], InputError, 2, "Värde"),
        ([FACTS, "2021;Södermalm;Utländsk bakgrund;20,9;kronor"], InputError, 2, "Enhet"),
        ([FACTS, "2021;Södermalm;Utländsk bakgrund;20,9;procent",
          "2021;Södermalm;Utländsk bakgrund;21,9;procent"], InputError, 3, "Värde"),
    ],
    ids=["missing-column", "bad-number", "share-over-100", "unknown-unit", "duplicate-two-values"],
)
def test_omradesfakta_errors_name_file_row_and_column(tmp_path, areas, lines, error, row,
                                                      column):
    path = _csv(tmp_path, "fakta.csv", lines)
    with pytest.raises(error) as info:
        read_omradesfakta(path, areas, display_name="omradesfakta/fakta.csv")
    assert info.value.file == "omradesfakta/fakta.csv"
    assert info.value.row == row and info.value.column == column
