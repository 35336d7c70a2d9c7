"""Tests for sources/readers/surveys.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import InputError, SourceSchemaChanged
from sources.readers._csv import CANONICAL_COLUMNS
from sources.readers.surveys import read_surveys

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sources" / "enkater.csv"
HEADER = "Undersökning;År;Område;Grupp;Indikator;Andel (%);Antal svar;Signifikant"


@pytest.fixture(scope="module")
def areas():
    return load_areas()


@pytest.fixture(scope="module")
def frame(areas):
    return read_surveys(FIXTURE, areas)


def test_shape_sources_and_values(frame):
    assert tuple(frame.columns) == CANONICAL_COLUMNS
    assert len(frame) == 5
    assert list(frame["source"]) == ["stockholmsenkaten"] * 3 + ["trygghetsmatningen"] * 2
    first = frame.iloc[0]
    assert first["value"] == 13.0 and first["n"] == 412
    assert (first["area"], first["group"], first["unit"]) == ("sodermalm", "Åk 9 pojkar",
                                                              "procent")
    assert first["category"] == "Otrygg i området där man bor"
    assert first["period_start"] == pd.Timestamp("2022-01-01")
    assert first["period_end"] == pd.Timestamp("2022-12-31")
    assert first["period_kind"] == "year" and first["row"] == 2
    assert frame.iloc[1]["value"] == 21.5
    assert frame.iloc[3]["n"] == 1204


def test_suppressed_share_is_nan(frame):
    assert np.isnan(frame.iloc[2]["value"]) and frame.iloc[2]["n"] == 25


def test_producer_significance_flag(frame):
    assert str(frame["producer_significant"].dtype) == "boolean"
    flags = frame["producer_significant"].tolist()
    assert flags[0] is False and flags[1] is True and pd.isna(flags[2])


def test_basomrade_keeps_region_and_out_of_range_values_pass(frame):
    last = frame.iloc[4]
    assert pd.isna(last["area"]) and last["region"] == "Katarina-Sofia"
    assert last["value"] == 120.0 and last["n"] == 0  # quality rejects these, not the adapter


def test_text_in_a_number_column_names_file_row_and_column(tmp_path, areas):
    path = tmp_path / "enk.csv"
    path.write_text(f"{HEADER}\nStockholmsenkäten;2022;Södermalm;Alla;X;cirka 13;100;\n",
                    encoding="utf-8-sig")
    with pytest.raises(InputError) as err:
        read_surveys(path, areas, display_name="enkater/enk.csv")
    assert (err.value.file, err.value.row, err.value.column) == ("enkater/enk.csv", 2,
                                                                 "Andel (%)")


def test_unknown_survey_and_flag_are_errors(tmp_path, areas):
    path = tmp_path / "enk.csv"
    path.write_text(f"{HEADER}\nLUPP;2022;Södermalm;Alla;X;13,0;100;\n", encoding="utf-8-sig")
    with pytest.raises(InputError) as err:
        read_surveys(path, areas)
    assert err.value.column == "Undersökning"
    path.write_text(f"{HEADER}\nStockholmsenkäten;2022;Södermalm;Alla;X;13,0;100;kanske\n",
                    encoding="utf-8-sig")
    with pytest.raises(InputError) as err:
        read_surveys(path, areas)
    assert (err.value.row, err.value.column) == (2, "Signifikant")


def test_signifikant_column_is_optional_but_indikator_is_not(tmp_path, areas):
    path = tmp_path / "enk.csv"
    header = HEADER.rsplit(";", 1)[0]
    path.write_text(f"{header}\nTrygghetsmätningen;2023;Södermalm;Alla;X;13,0;100\n",
                    encoding="utf-8-sig")
    assert read_surveys(path, areas)["producer_significant"].isna().all()
    path.write_text(header.replace("Indikator", "Fråga") + "\n", encoding="utf-8-sig")
    with pytest.raises(SourceSchemaChanged) as err:
        read_surveys(path, areas)
    assert err.value.column == "Indikator"


def test_xlsx_with_decimal_numbers(tmp_path, areas):
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(";"))
    book.active.append(["Stockholmsenkäten", 2024, "Södermalm", "Gy 2 flickor", "X", 12.5, 300,
                        "ja"])
    path = tmp_path / "enk.xlsx"
    book.save(path)
    frame = read_surveys(path, areas)
    assert frame["value"].tolist() == [12.5] and frame["n"].tolist() == [300]
    assert frame["producer_significant"].tolist() == [True]
