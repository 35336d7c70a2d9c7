"""Tests for sources/readers/ia.py, including that the free-text description never leaks."""

from __future__ import annotations

import logging
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import InputError, SourceSchemaChanged
from sources.readers._csv import INCIDENT_COLUMNS
from sources.readers.ia import DEFAULT_IA_COLUMNS, read_ia

FIXTURE = Path(__file__).parents[1] / "fixtures" / "sources" / "ia_export.csv"
MARKER = "HEMLIG-PERSONUPPGIFT-7731"
HEADER = list(DEFAULT_IA_COLUMNS.values())


@pytest.fixture(scope="module")
def areas():
    return load_areas()


def workbook(path: Path, rows: list[list], *, first_sheet: str = "Ärenden") -> Path:
    book = openpyxl.Workbook()
    book.active.title = first_sheet
    for row in rows:
        book.active.append(row)
    book.create_sheet("Info").append(["Exporterad 2024-05-01"])
    book.save(path)
    return path


def test_reads_incident_records(areas):
    frame = read_ia(FIXTURE, areas)
    assert tuple(frame.columns) == INCIDENT_COLUMNS
    ids = frame["incident_id"]
    assert ids.str.fullmatch(r"ia-[0-9a-f]{16}").all() and ids.is_unique  # not the numbers
    assert not ids.str.contains("2024-001").any()
    assert frame["occurred_on"].dtype == "datetime64[ns]"
    assert frame["occurred_on"].iloc[1] == pd.Timestamp("2024-02-03")  # time of day dropped
    assert pd.isna(frame["reported_on"].iloc[2])
    assert list(frame["area"].fillna("-")) == ["sodermalm", "sodermalm", "-", "norrmalm"]
    assert list(frame["row"]) == [2, 3, 4, 5]  # records; a quoted line break is one record
    assert frame["category"].iloc[2] == "Otillåten påverkan"
    # Not configured for any area: counted, never named; type and unit are not carried on.
    assert list(frame["organisation"]) == ["Södermalms stadsdelsförvaltning"] * 2 + [
        "Övrigt", "Norrmalms stadsdelsförvaltning"]
    assert frame["unit"].isna().all() and frame["event_type"].isna().all()


def test_categories_outside_the_configured_list_are_counted_as_ovrigt(areas):
    frame = read_ia(FIXTURE, areas, categories=["hot"])
    assert list(frame["category"]) == ["hot", "Övrigt", "Övrigt", "hot"]  # as configured


def test_description_appears_nowhere(areas, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    frame = read_ia(FIXTURE, areas)
    assert "Beskrivning" not in frame.columns
    assert MARKER not in frame.to_csv()
    bad = tmp_path / "bad.csv"
    text = FIXTURE.read_text(encoding="utf-8").replace("2024-03-10", "10/3-24")
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_ia(bad, areas)
    dup = tmp_path / "dup.csv"
    dup.write_text(FIXTURE.read_text(encoding="utf-8").replace("IA-2023-117", "IA-2024-001"),
                   encoding="utf-8")
    with pytest.raises(InputError) as err2:
        read_ia(dup, areas)
    for message in (str(err.value), str(err2.value), caplog.text):
        assert MARKER not in message


def test_unparseable_date_names_file_row_and_column(areas, tmp_path):
    path = tmp_path / "ia.csv"
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace("2024-03-10", "10/3-24"),
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_ia(path, areas, display_name="ia/ia.csv")
    assert (err.value.file, err.value.row, err.value.column) == ("ia/ia.csv", 4,
                                                                 "Händelsedatum")


def test_duplicate_case_number_names_both_rows(areas, tmp_path):
    path = tmp_path / "ia.csv"
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace("IA-2023-117", "IA-2024-002"),
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_ia(path, areas)
    assert (err.value.file, err.value.row, err.value.column) == ("ia.csv", 5, "Ärendenummer")
    assert "rad 3 och rad 5" in str(err.value)


def test_xlsx_named_sheet_and_custom_mapping(areas, tmp_path):
    header = ["Id", "Datum", "Reg", "Typ", "Kategori", "Förvaltning", "Avdelning", "Text"]
    path = workbook(tmp_path / "ia.xlsx", [
        header,
        ["A1", pd.Timestamp("2024-04-02").to_pydatetime(), "2024-04-03", "Tillbud", "Hot",
         "Södermalms stadsdelsförvaltning", "Skola", MARKER],
    ])
    columns = {"incident_id": "Id", "occurred_on": "Datum", "reported_on": "Reg",
               "event_type": "Typ", "description": "Text"}
    frame = read_ia(path, areas, columns=columns, sheet="Ärenden")
    assert frame["occurred_on"].iloc[0] == pd.Timestamp("2024-04-02")
    assert frame["reported_on"].iloc[0] == pd.Timestamp("2024-04-03")
    assert frame["area"].iloc[0] == "sodermalm" and frame["row"].iloc[0] == 2
    assert MARKER not in frame.to_csv()


def test_missing_column_says_which_sheet_was_read(areas, tmp_path):
    path = workbook(tmp_path / "ia.xlsx", [["Rubrik"], ["x"]], first_sheet="Sammanfattning")
    with pytest.raises(SourceSchemaChanged) as err:
        read_ia(path, areas)
    message = str(err.value)
    assert err.value.column == "Ärendenummer"
    assert "'Sammanfattning'" in message and "Info" in message
    with pytest.raises(SourceSchemaChanged) as err:
        read_ia(path, areas, sheet="Data")
    assert "Sammanfattning, Info" in str(err.value)


def test_comma_separated_csv_is_sniffed(areas, tmp_path):
    path = tmp_path / "ia.csv"
    path.write_text(",".join(HEADER) + "\n"
                    "X-1,2024-05-01,2024-05-02,Tillbud,Våld,Bromma stadsdelsförvaltning,,\n",
                    encoding="utf-8-sig")
    frame = read_ia(path, areas)
    assert len(frame) == 1 and frame["area"].iloc[0] == "bromma"


def test_an_unknown_mapping_field_is_a_config_error(areas):
    from lagesbild.errors import ConfigError

    with pytest.raises(ConfigError, match="incident"):
        read_ia(FIXTURE, areas, columns={"incident": "Id"})
