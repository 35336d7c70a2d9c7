"""Tests for sources/readers/bra.py against BRÅ's real SOL exports and small hand-made files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import InputError, SourceSchemaChanged
from sources.readers._csv import CANONICAL_COLUMNS
from sources.readers.bra import bra_quarterly, bra_yearly, read_bra

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bra-sol"
STADSDELAR_2020 = FIXTURES / "Databasfil_stockholm_stadsdelar_2020.txt"
LAN_2020 = FIXTURES / "Databasfil_stockholms_lan_2020.txt"
LAN_2023 = FIXTURES / "Databasfil_stockholms_lan_2023prel.txt"
HEADER = "Region;Brott;År;Period;Antal;/100 000 inv"
SODER = "Stadsdelsområde Södermalm (Sthlm)"
KAP3 = "3 kap. Brott mot liv och hälsa"


@pytest.fixture(scope="module")
def areas():
    return load_areas()


@pytest.fixture(scope="module")
def stadsdelar(areas):
    return read_bra(STADSDELAR_2020, areas)


def write_bra(path: Path, rows: list[str], encoding: str = "latin-1") -> Path:
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n\r\n").encode(encoding))
    return path


def pick(frame, region, category, start):
    hit = frame[(frame["region"] == region) & (frame["category"] == category)
                & (frame["period_start"] == pd.Timestamp(start))]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_real_exports_are_deduplicated_to_their_distinct_lines(areas, stadsdelar):
    # 6396 data lines of which 3444 distinct; the län exports repeat every line twice
    assert len(stadsdelar) == 3444
    assert len(read_bra(LAN_2020, areas)) == 2772
    assert len(read_bra(LAN_2023, areas)) == 2772


def test_canonical_columns_and_dtypes(stadsdelar):
    assert tuple(stadsdelar.columns) == CANONICAL_COLUMNS
    assert stadsdelar["value"].dtype == "float64"
    assert stadsdelar["period_start"].dtype == "datetime64[ns]"
    assert stadsdelar["preliminary"].dtype == bool
    assert stadsdelar["row"].dtype == "int64"
    assert set(stadsdelar["source"]) == {"bra"}
    assert set(stadsdelar["unit"]) == {"antal"}
    assert set(stadsdelar["period_kind"]) == {"month"}
    assert set(stadsdelar["file"]) == {STADSDELAR_2020.name}


def test_known_value_with_rate_period_and_first_line(stadsdelar):
    row = pick(stadsdelar, SODER, KAP3, "2020-01-01")
    assert row["value"] == 134
    assert row["published_rate"] == 102
    assert row["area"] == "sodermalm"
    assert row["period_end"] == pd.Timestamp("2020-01-31")
    assert row["row"] == 2978  # the first of its two identical lines
    assert not row["preliminary"]
    feb = pick(stadsdelar, SODER, KAP3, "2020-02-01")
    assert feb["period_end"] == pd.Timestamp("2020-02-29")


def test_not_available_is_nan_not_zero(stadsdelar):
    row = pick(stadsdelar, "Danderyd kommun", "3-7 kap. Brott mot person", "2020-01-01")
    assert np.isnan(row["value"]) and np.isnan(row["published_rate"])
    assert pd.isna(row["area"])  # a municipality outside the configured areas
    assert pick(stadsdelar, "Danderyd kommun", "6 kap. Sexualbrott", "2020-01-01")["value"] == 5


def test_preliminary_year_is_flagged(areas):
    frame = read_bra(LAN_2023, areas)
    assert frame["preliminary"].all()
    assert set(frame["period_start"].dt.year) == {2023}
    assert pick(frame, "Botkyrka kommun", "3-7 kap. Brott mot person", "2023-01-01")["value"] == 194
    assert not read_bra(LAN_2020, areas)["preliminary"].any()


def test_zeros_before_an_area_existed_are_missing(areas, stadsdelar):
    norra = stadsdelar[stadsdelar["region"] == "Stadsdelsområde Norra innerstaden (Sthlm)"]
    assert len(norra) == 7 * 12
    assert set(norra["area"]) == {"norra-innerstaden"}
    assert norra["value"].isna().all() and norra["published_rate"].isna().all()
    lan = read_bra(LAN_2020, areas)
    hagalv = lan[lan["area"] == "hagersten-alvsjo"]  # from 2021: BRÅ shows 0 for 2020
    assert len(hagalv) == 7 * 12 and hagalv["value"].isna().all()
    # a predecessor that still existed in 2020 keeps its figures, zeros included
    alvsjo = stadsdelar[stadsdelar["area"] == "alvsjo"]
    assert alvsjo["value"].notna().any()
    kap7 = stadsdelar[(stadsdelar["area"] == "norrmalm")
                      & (stadsdelar["category"] == "7 kap. Brott mot familj")]
    assert (kap7["value"] == 0).any()


def test_both_names_of_norrmalm_map_to_one_area(areas, stadsdelar):
    lan = read_bra(LAN_2020, areas)
    assert set(stadsdelar.loc[stadsdelar["region"].str.startswith("Norrmalm"), "area"]) == {
        "norrmalm"}
    assert set(lan.loc[lan["region"] == "Stadsdelsområde Norrmalm (Sthlm)", "area"]) == {
        "norrmalm"}
    assert set(stadsdelar.loc[stadsdelar["region"] == "Stockholm kommun", "area"]) == {
        "stockholm"}


def test_yearly_sum_of_real_months(stadsdelar):
    yearly = bra_yearly(stadsdelar)
    months = stadsdelar[(stadsdelar["region"] == SODER) & (stadsdelar["category"] == KAP3)]
    row = pick(yearly, SODER, KAP3, "2020-01-01")
    assert row["value"] == months["value"].sum() == 1759
    assert row["months"] == 12 and row["note"] == ""
    assert row["period_kind"] == "year"
    assert row["period_end"] == pd.Timestamp("2020-12-31")
    assert np.isnan(row["published_rate"])
    norra = yearly[yearly["area"] == "norra-innerstaden"]
    assert norra["value"].isna().all()
    assert set(norra["note"]) == {"saknar alla månader"}


def test_identical_repeats_are_dropped_but_a_second_value_is_an_error(tmp_path, areas):
    ok = write_bra(tmp_path / "ok.txt", [f"{SODER};{KAP3};2020;Jan;134;102;"] * 3)
    assert len(read_bra(ok, areas)) == 1
    bad = write_bra(tmp_path / "bad.txt", [
        f"{SODER};{KAP3};2020;Jan;134;102;",
        f"{SODER};{KAP3};2020;Feb;132;101;",
        f"{SODER};{KAP3};2020;Jan;135;102;",
    ])
    with pytest.raises(InputError) as err:
        read_bra(bad, areas)
    assert err.value.file == "bad.txt" and err.value.row == 4 and err.value.column == "Antal"
    assert "rad 2 och rad 4" in str(err.value)


def test_a_count_that_is_not_an_integer_names_file_line_and_column(tmp_path, areas):
    path = write_bra(tmp_path / "x.txt", [
        f"{SODER};{KAP3};2020;Jan;134;102;",
        f"{SODER};{KAP3};2020;Feb;13,5;101;",
    ])
    with pytest.raises(InputError) as err:
        read_bra(path, areas, display_name="bra/x.txt")
    assert (err.value.file, err.value.row, err.value.column) == ("bra/x.txt", 3, "Antal")
    assert "13,5" in str(err.value)


def test_a_renamed_column_is_a_schema_change(tmp_path, areas):
    path = tmp_path / "renamed.txt"
    path.write_bytes(f"Region;Brott;År;Månad;Antal;/100 000 inv\n{SODER};{KAP3};2020;Jan;1;1;\n"
                     .encode("latin-1"))
    with pytest.raises(SourceSchemaChanged) as err:
        read_bra(path, areas)
    assert err.value.file == "renamed.txt" and err.value.column == "Period"
    assert "Månad" in str(err.value)


def test_unknown_period_and_extra_fields_are_errors(tmp_path, areas):
    path = write_bra(tmp_path / "p.txt", [f"{SODER};{KAP3};2020;Vecka 3;1;1;"])
    with pytest.raises(InputError) as err:
        read_bra(path, areas)
    assert (err.value.row, err.value.column) == (2, "Period")
    path = write_bra(tmp_path / "f.txt", [f"{SODER};{KAP3};2020;Jan;1;1;",
                                          f"{SODER};x;2020;Jan;1;1;9"])
    with pytest.raises(InputError) as err:
        read_bra(path, areas)
    assert err.value.row == 3


def test_yearly_menus_quarters_and_whole_years(tmp_path, areas):
    path = write_bra(tmp_path / "menus.txt", [
        f"{SODER};{KAP3};År;2022;1500;1150;",
        f"{SODER};{KAP3};År;2023 prel.;1600;1200;",
        f"{SODER};{KAP3};2021;Kvartal 2;400;300;",
        f"{SODER};{KAP3};2021;Helår;1700;1300;",
    ], encoding="utf-8")  # a re-saved UTF-8 file is read too
    frame = read_bra(path, areas)
    assert list(frame["period_kind"]) == ["year", "year", "quarter", "year"]
    assert list(frame["period_start"].dt.strftime("%Y-%m-%d")) == [
        "2022-01-01", "2023-01-01", "2021-04-01", "2021-01-01"]
    assert frame["period_end"].iloc[2] == pd.Timestamp("2021-06-30")
    assert list(frame["preliminary"]) == [False, True, False, False]
    assert frame["area"].iloc[0] == "sodermalm"


def months_file(tmp_path, name, values, year="2022"):
    names = ["Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec"]
    rows = [f"{SODER};{KAP3};{year};{m};{v};1;" for m, v in zip(names, values, strict=False)]
    return write_bra(tmp_path / name, rows)


def test_yearly_prefers_helar_and_leaves_incomplete_years_missing(tmp_path, areas):
    full = read_bra(months_file(tmp_path, "a.txt", [10] * 12, "2023 prel."), areas)
    partial = read_bra(months_file(tmp_path, "b.txt", [10] * 10), areas)
    gap = read_bra(months_file(tmp_path, "c.txt", [10, "..", 10, 10, 10, 10, 10, 10, 10, 10, 10,
                                                   10], "2021"), areas)
    helar = read_bra(write_bra(tmp_path / "d.txt", [
        f"{SODER};{KAP3};2020;Helår;999;1;", f"{SODER};{KAP3};2020;Jan;5;1;"]), areas)
    yearly = bra_yearly(pd.concat([full, partial, gap, helar], ignore_index=True))
    by_year = yearly.set_index(yearly["period_start"].dt.year)
    assert by_year.loc[2023, "value"] == 120 and by_year.loc[2023, "preliminary"]
    assert by_year.loc[2023, "months"] == 12
    assert np.isnan(by_year.loc[2022, "value"])
    assert by_year.loc[2022, "note"] == "saknar månader: Nov, Dec"
    assert by_year.loc[2022, "months"] == 10
    assert np.isnan(by_year.loc[2021, "value"]) and by_year.loc[2021, "note"] == (
        "saknar månader: Feb")
    assert by_year.loc[2020, "value"] == 999 and by_year.loc[2020, "months"] == 0
    assert by_year.loc[2020, "published_rate"] == 1


def test_quarterly_sums_three_months(tmp_path, areas):
    frame = read_bra(months_file(tmp_path, "q.txt", [1, 2, 3, 4, 5]), areas)
    quarters = bra_quarterly(frame)
    assert list(quarters["period_start"].dt.month) == [1, 4]
    assert quarters["value"].iloc[0] == 6
    assert np.isnan(quarters["value"].iloc[1])
    assert quarters["note"].iloc[1] == "saknar månader: Jun"


def test_yearly_of_an_empty_frame_has_the_columns(areas):
    from sources.readers._csv import empty_canonical

    yearly = bra_yearly(empty_canonical())
    assert yearly.empty
    assert list(yearly.columns) == [*CANONICAL_COLUMNS, "months", "note"]
