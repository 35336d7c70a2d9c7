"""Tests for sources/readers/population.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import InputError, SourceSchemaChanged
from sources.readers._csv import CANONICAL_COLUMNS
from sources.readers.population import AGE_GROUPS, read_population

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sources" / "befolkning_2022_2023.csv"
HEADER = "År;Stadsdelsområde;Folkmängd;0-15 år;16-19 år;20-24 år;25-64 år;65-79 år;80- år"


@pytest.fixture(scope="module")
def areas():
    return load_areas()


def value(frame, area, year, category):
    hit = frame[(frame["area"] == area) & (frame["period_start"].dt.year == year)
                & (frame["category"] == category)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_reads_totals_and_age_groups_at_31_december(areas):
    frame = read_population(FIXTURE, areas)
    assert tuple(frame.columns) == CANONICAL_COLUMNS
    assert len(frame) == 4 * 7
    assert set(frame["category"]) == {"Folkmängd", *AGE_GROUPS}
    row = value(frame, "sodermalm", 2022, "Folkmängd")
    assert row["value"] == 130189
    assert row["period_start"] == row["period_end"] == pd.Timestamp("2022-12-31")
    assert (row["period_kind"], row["unit"], row["source"]) == ("year", "antal", "befolkning")
    assert row["row"] == 2 and row["file"] == FIXTURE.name
    assert value(frame, "sodermalm", 2023, "80– år")["value"] == 6551


def test_bra_style_names_map_and_dotdot_is_missing(areas):
    frame = read_population(FIXTURE, areas)
    assert value(frame, "norrmalm", 2023, "Folkmängd")["value"] == 72000
    bromma = frame[frame["area"] == "bromma"]
    assert len(bromma) == 7 and bromma["value"].isna().all()


def test_hyphens_and_no_break_spaces_are_accepted(tmp_path, areas):
    path = tmp_path / "bef.csv"
    path.write_text(f"{HEADER}\n2023;Farsta;60\u00a0512;1;2;3;4;5;6\n", encoding="utf-8-sig")
    frame = read_population(path, areas)
    assert set(frame["category"]) == {"Folkmängd", *AGE_GROUPS}  # normalised to en dashes
    assert value(frame, "farsta", 2023, "Folkmängd")["value"] == 60512
    assert value(frame, "farsta", 2023, "0–15 år")["value"] == 1


def test_xlsx_first_sheet_with_a_title_row(tmp_path, areas):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Befolkning 31 december, områdesfakta"])
    sheet.append(HEADER.split(";"))
    sheet.append([2023, "Södermalm", 129976, 19820, 4600, 7700, 74100, 17205, 6551])
    book.create_sheet("Annat").append(["x"])
    path = tmp_path / "bef.xlsx"
    book.save(path)
    frame = read_population(path, areas)
    row = value(frame, "sodermalm", 2023, "Folkmängd")
    assert row["value"] == 129976 and row["row"] == 3


def test_bad_number_names_file_row_and_column(tmp_path, areas):
    path = tmp_path / "bef.csv"
    path.write_text(f"{HEADER}\n2023;Farsta;60512;1;2;3;4;5;6\n2023;Bromma;ca 70000;1;2;3;4;5;6\n",
                    encoding="utf-8-sig")
    with pytest.raises(InputError) as err:
        read_population(path, areas, display_name="befolkning/bef.csv")
    assert (err.value.file, err.value.row, err.value.column) == ("befolkning/bef.csv", 3,
                                                                 "Folkmängd")


def test_bad_year_and_missing_column(tmp_path, areas):
    path = tmp_path / "bef.csv"
    path.write_text(f"{HEADER}\n'23;Farsta;60512;1;2;3;4;5;6\n", encoding="utf-8-sig")
    with pytest.raises(InputError) as err:
        read_population(path, areas)
    assert (err.value.row, err.value.column) == (2, "År")
    path.write_text(HEADER.replace(";80- år", "") + "\n2023;Farsta;1;1;2;3;4;5\n",
                    encoding="utf-8-sig")
    with pytest.raises(SourceSchemaChanged) as err:
        read_population(path, areas)
    assert err.value.column == "80– år" and err.value.file == "bef.csv"


def test_unknown_district_keeps_its_name_with_area_missing(tmp_path, areas):
    path = tmp_path / "bef.csv"
    path.write_text(f"{HEADER}\n2023;Lidingö;48000;1;2;3;4;5;6\n", encoding="utf-8-sig")
    frame = read_population(path, areas)
    assert frame["area"].isna().all() and set(frame["region"]) == {"Lidingö"}
    assert not np.isnan(frame["value"]).any()
