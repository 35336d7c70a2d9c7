"""The bundled sample inbox: real source formats, published figures, determinism.

Reads the files with plain pandas/csv (the adapters are tested elsewhere), so a failure here
points at the sample data or its generator, ``scripts/generate_sample_data.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
INBOX = ROOT / "lagesbild" / "sample_data" / "inbox"
SCRIPT = ROOT / "scripts" / "generate_sample_data.py"
SOD = "Stadsdelsområde Södermalm (Sthlm)"
BRA_HEADER = b"Region;Brott;\xc5r;Period;Antal;/100 000 inv\n"  # ISO-8859-1 "År"
SURVEY_HEADER = "Undersökning;År;Område;Grupp;Indikator;Andel (%);Antal svar;Signifikant"
POP_HEADER = "År;Stadsdelsområde;Folkmängd;0–15 år;16–19 år;20–24 år;25–64 år;65–79 år;80– år"
POP_NAME = {SOD: "Södermalm", "Stockholm kommun": "Stockholms stad",
            "Stadsdelsområde Norrmalm (Sthlm)": "Norrmalm",
            "Stadsdelsområde Östermalm (Sthlm)": "Östermalm",
            "Stadsdelsområde Norra innerstaden (Sthlm)": "Norra innerstaden"}


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_sample_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _half_up(count: int, pop: int) -> int:
    return (count * 200000 + pop) // (2 * pop)


@pytest.fixture(scope="module")
def bra() -> pd.DataFrame:
    """All Databasfil rows, deduplicated, with the year parsed and the prel. flag kept."""
    frames = []
    for path in sorted((INBOX / "bra").glob("*.txt")):
        frame = pd.read_csv(path, sep=";", encoding="iso-8859-1", dtype=str, index_col=False,
                            usecols=range(6))
        frames.append(frame.dropna(how="all").assign(file=path.name))
    rows = pd.concat(frames, ignore_index=True).drop_duplicates()
    rows["year"] = rows["År"].str.slice(0, 4).astype(int)
    rows["prel"] = rows["År"].str.endswith("prel.")
    return rows


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    frame = pd.read_csv(INBOX / "befolkning" / "befolkning_stadsdelsomraden.csv", sep=";",
                        encoding="utf-8-sig", dtype=str)
    for column in frame.columns[2:]:
        frame[column] = frame[column].str.replace(" ", "").astype(int)
    frame["År"] = frame["År"].astype(int)
    return frame


def _yearly(bra: pd.DataFrame, region: str, category: str) -> dict[int, int]:
    rows = bra[(bra["Region"] == region) & (bra["Brott"] == category)]
    assert not rows.duplicated(["year", "Period"]).any(), "same key with two values"
    assert (rows.groupby("year").size() == 12).all()
    return rows.assign(n=rows["Antal"].astype(int)).groupby("year")["n"].sum().to_dict()


def _pop(population: pd.DataFrame, area: str, year: int) -> int:
    rows = population[(population["Stadsdelsområde"] == area) & (population["År"] == year)]
    assert len(rows) == 1
    return int(rows["Folkmängd"].iloc[0])


def test_committed_files_equal_a_fresh_generation_and_rerun_is_byte_identical(tmp_path):
    generator = _load_generator()
    generator.generate(tmp_path / "a")
    generator.generate(tmp_path / "b")
    first = _digests(tmp_path / "a")
    assert first == _digests(tmp_path / "b")
    assert first == _digests(INBOX)


def test_sample_data_stays_small():
    total = sum(p.stat().st_size for p in INBOX.parent.rglob("*") if p.is_file())
    assert total < 3_000_000


def test_bra_files_have_the_real_sol_layout():
    paths = sorted((INBOX / "bra").glob("Databasfil_*.txt"))
    assert {p.name for p in paths} >= {f"Databasfil_sodermalm_{y}.txt" for y in range(2017, 2025)}
    for path in paths:
        data = path.read_bytes()
        assert data.startswith(BRA_HEADER)
        assert data.endswith(b";\n\r\n") and data.count(b"\r") == 1
        lines = data.decode("iso-8859-1").split("\n")[1:-2]  # header; "\r", ""
        assert all(line.endswith(";") and line.count(";") == 6 for line in lines)
        assert len(lines) > len(set(lines)), f"{path.name}: no echoed duplicate rows"


def test_bra_marks_preliminary_year_and_unpublished_cells(bra):
    assert set(bra.loc[bra["prel"], "year"]) == {2024}
    assert (bra.loc[bra["year"] == 2024, "År"] == "2024 prel.").all()
    unpublished = bra[bra["Antal"] == ".."]
    assert (unpublished["/100 000 inv"] == "..").all()
    assert set(zip(unpublished["Region"], unpublished["Brott"], unpublished["year"],
                   strict=True)) == {(SOD, "3-7 kap. Brott mot person", 2017),
                                     ("Stockholm kommun", "6 kap. Sexualbrott", 2018)}


def test_bra_reproduces_the_published_sodermalm_figures(bra, population):
    total = _yearly(bra, SOD, "Samtliga brott")
    robbery = _yearly(bra, SOD, "därav rån inkl. grovt")
    assault = _yearly(bra, SOD, "därav misshandel inkl. grov")
    drugs = _yearly(bra, SOD, "Narkotikabrott")
    pop = {year: _pop(population, "Södermalm", year) for year in range(2017, 2025)}
    assert pop[2021] == 130189 and pop[2021] < pop[2020]
    assert robbery[2020] == 298 and _half_up(298, pop[2020]) == 227
    assert total[2021] == 39615 and _half_up(total[2021], pop[2021]) == 30429
    assert 34000 < total[2017] < 35000 and 41000 < total[2020] < 42000
    assert total[2017] < total[2018] < total[2019] < total[2020] > total[2021]
    assert _half_up(assault[2019], pop[2019]) == _half_up(assault[2020], pop[2020]) == 1273
    assert assault[2020] < assault[2019]
    assert drugs[2017] > drugs[2018] > drugs[2019] < drugs[2020] and 3000 < drugs[2020] < 3100
    assert robbery[2023] / robbery[2022] > 1.2  # the significant change of 2023
    assert drugs[2024] / drugs[2023] < 0.85  # the significant change of 2024


def test_bra_hierarchy_is_consistent_month_by_month(bra):
    published = bra[(bra["Antal"] != "..") & (bra["Region"] == SOD)]
    wide = published.assign(n=published["Antal"].astype(int)).pivot_table(
        index=["year", "Period"], columns="Brott", values="n")
    assert (wide["därav misshandel inkl. grov"] <= wide["3 kap. Brott mot liv och hälsa"]).all()
    assert (wide["därav rån inkl. grovt"] < wide["8 kap. Stöld, rån och andra tillgreppsbrott"]
            ).all()
    parts = wide[["3-7 kap. Brott mot person", "8 kap. Stöld, rån och andra tillgreppsbrott",
                  "Narkotikabrott"]].sum(axis=1)
    assert (parts <= wide["Samtliga brott"]).all()


def test_bra_rates_match_the_population_table(bra, population):
    rows = bra[(bra["Antal"] != "..") & bra["Region"].isin(POP_NAME)]
    pops = population.set_index(["Stadsdelsområde", "År"])["Folkmängd"]
    expected = [_half_up(int(n), int(pops[(POP_NAME[r], y)]))
                for r, y, n in zip(rows["Region"], rows["year"], rows["Antal"], strict=True)]
    assert rows["/100 000 inv"].astype(int).tolist() == expected


def test_bra_lineage_files_for_norra_innerstaden(bra):
    norra = bra[bra["file"].str.startswith("Databasfil_norra_innerstaden")]
    assert set(norra["Region"]) == {
        "Stadsdelsområde Norrmalm (Sthlm)", "Stadsdelsområde Östermalm (Sthlm)",
        "Stadsdelsområde Norra innerstaden (Sthlm)", "Norrmalm stadsdel (upphörde 2024-01-01)",
        "Östermalm stadsdel (upphörde 2024-01-01)"}
    ended = norra[norra["Region"].str.contains("upphörde")]
    assert set(ended["year"]) == {2024} and (ended["Antal"] == "0").all()
    new = norra[norra["Region"] == "Stadsdelsområde Norra innerstaden (Sthlm)"]
    assert set(new["year"]) == {2024} and (new["Antal"].astype(int) > 0).all()
    assert set(norra.loc[norra["Region"] == "Stadsdelsområde Norrmalm (Sthlm)", "year"]) == {
        2020, 2021, 2022, 2023}
    assert SOD not in set(norra["Region"])


def test_population_table_format_and_2021_age_shares(population):
    raw = (INBOX / "befolkning" / "befolkning_stadsdelsomraden.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + POP_HEADER.encode("utf-8"))
    assert ";130 189;" in raw.decode("utf-8")
    groups = list(population.columns[3:])
    assert (population[groups].sum(axis=1) == population["Folkmängd"]).all()
    row = population[(population["Stadsdelsområde"] == "Södermalm") & (population["År"] == 2021)]
    shares = (row[groups].iloc[0] / 130189 * 100).round(1)
    assert shares["25–64 år"] == 59.0 and shares["0–15 år"] == 14.2
    assert shares["65–79 år"] == 15.0 and shares["16–19 år"] == 3.3
    areas = population.groupby("Stadsdelsområde")["År"].apply(set)
    assert areas["Norrmalm"] == areas["Östermalm"] == set(range(2019, 2024))
    assert areas["Norra innerstaden"] == {2024}


@pytest.fixture(scope="module")
def ia() -> pd.DataFrame:
    return pd.read_excel(INBOX / "ia" / "IA_export_2024-11-15.xlsx", sheet_name=0)


def test_ia_export_layout(ia):
    workbook = load_workbook(INBOX / "ia" / "IA_export_2024-11-15.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "Incidenter"
    assert list(ia.columns) == ["Ärendenummer", "Händelsedatum", "Registreringsdatum",
                                "Händelsetyp", "Kategori", "Förvaltning", "Avdelning",
                                "Beskrivning"]
    assert ia["Ärendenummer"].is_unique
    assert ia["Ärendenummer"].str.fullmatch(r"IA-\d{4}-\d{6}").all()
    delay = (ia["Registreringsdatum"] - ia["Händelsedatum"]).dt.days
    assert delay.between(0, 10).all()
    assert ia["Händelsedatum"].min() >= pd.Timestamp("2017-01-01")
    assert ia["Registreringsdatum"].max() == pd.Timestamp("2024-11-15")
    assert {"Utbildningsförvaltningen", "Norrmalms stadsdelsförvaltning"} <= set(ia["Förvaltning"])


def test_ia_window_counts_reproduce_the_seed(ia):
    sod = ia[ia["Förvaltning"] == "Södermalms stadsdelsförvaltning"]
    day = sod["Händelsedatum"].dt.month * 100 + sod["Händelsedatum"].dt.day
    window = sod[day <= 1115]
    counts = window.groupby([window["Kategori"], window["Händelsedatum"].dt.year]).size()
    expected = {"Otillåten påverkan": (0, 0, 6, 47), "Hot": (100, 62, 51, 50)}
    for category, values in expected.items():
        got = tuple(int(counts.get((category, y), 0)) for y in (2019, 2020, 2021, 2022))
        assert got == values, category
    late = sod[(day > 1115) & (sod["Händelsedatum"].dt.year < 2024)]
    assert late["Händelsedatum"].dt.year.nunique() == 7  # full years differ from windows
    assert {"Våld", "Våldsbejakande extremism", "Trakasserier"} <= set(sod["Kategori"])


def _survey(name: str) -> pd.DataFrame:
    raw = (INBOX / "enkater" / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + SURVEY_HEADER.encode("utf-8"))
    return pd.read_csv(io.BytesIO(raw), sep=";", encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)


def _share(frame: pd.DataFrame, year: int, group: str, indicator: str,
           area: str = "Södermalm") -> tuple[str, str]:
    row = frame[(frame["År"] == str(year)) & (frame["Område"] == area)
                & (frame["Grupp"] == group) & (frame["Indikator"] == indicator)]
    assert len(row) == 1
    return row["Andel (%)"].iloc[0], row["Signifikant"].iloc[0]


def test_stockholmsenkaten_reproduces_the_seed():
    frame = _survey("stockholmsenkaten.csv")
    assert set(frame["År"]) == {"2018", "2020", "2022", "2024"}
    assert set(frame["Område"]) == {"Södermalm", "Stockholms stad"}
    assert frame["Andel (%)"].str.fullmatch(r"\d+,\d").all()
    n = frame.loc[frame["Område"] == "Södermalm", "Antal svar"].astype(int)
    assert n.between(240, 450).all()
    assert (frame.loc[frame["År"] == "2024", "Signifikant"] == "").all()
    assert set(frame.loc[frame["År"] != "2024", "Signifikant"]) == {"ja", "nej"}
    misshandel = "Utsatt för misshandel senaste 12 mån"
    assert _share(frame, 2020, "Åk 9 pojkar", misshandel)[0] == "7,0"
    assert _share(frame, 2022, "Åk 9 pojkar", misshandel) == ("3,0", "ja")
    assert _share(frame, 2022, "Åk 9 flickor", misshandel) == ("2,0", "ja")
    assert _share(frame, 2022, "Gy 2 pojkar", misshandel) == ("6,0", "nej")
    assert _share(frame, 2022, "Åk 9 pojkar", "Allvarligt hotad") == ("13,0", "nej")
    assert _share(frame, 2022, "Åk 9 flickor", "Rånad senaste 12 mån") == ("1,0", "nej")
    assert _share(frame, 2022, "Åk 9 flickor", "Använt narkotika någon gång") == ("14,0", "nej")
    assert _share(frame, 2020, "Åk 9 flickor", "Använt narkotika någon gång")[0] == "25,0"
    assert _share(frame, 2022, "Åk 9 flickor", "Storkonsumtion av alkohol") == ("12,0", "ja")
    trygg = "Känner sig trygg ute ensam sent en kväll"
    assert _share(frame, 2022, "Åk 9 flickor", trygg) == ("60,0", "ja")
    assert _share(frame, 2022, "Gy 2 pojkar", trygg) == ("85,0", "ja")
    assert _share(frame, 2022, "Gy 2 pojkar", "Snattat")[0] == "22,0"


def test_trygghetsmatningen_reproduces_the_seed():
    frame = _survey("trygghetsmatningen.csv")
    assert set(frame["År"]) == {"2017", "2020", "2023"} and set(frame["Grupp"]) == {"Alla"}
    assert (frame["Signifikant"] == "").all()
    n = frame.loc[frame["Område"] == "Södermalm", "Antal svar"].astype(int)
    assert n.between(1150, 1800).all()
    oro = "Oro att utsättas för brott"
    assert _share(frame, 2017, "Alla", oro)[0] == "8,0"
    assert _share(frame, 2020, "Alla", oro)[0] == "6,0"
    avstar = "Otrygg, avstår från att gå ut på kvällen"
    assert _share(frame, 2020, "Alla", avstar)[0] == "5,0"
    assert _share(frame, 2020, "Alla", avstar, area="Stockholms stad")[0] == "10,0"
    assert _share(frame, 2020, "Alla", "Utsatt för sexuella trakasserier")[0] == "4,0"
    assert _share(frame, 2020, "Alla", "Berusade personer upplevs som problem")[0] == "12,0"


def test_ia_dates_are_plain_dates_in_the_sheet():
    workbook = load_workbook(INBOX / "ia" / "IA_export_2024-11-15.xlsx", read_only=True)
    first = next(workbook["Incidenter"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert isinstance(first[1], dt.datetime) and first[1].time() == dt.time(0, 0)


def test_police_sample_reproduces_the_published_status_count():
    """003: "Fram till den 30 november 2021 var det totalt 36 944 brott anmälda" (Status)."""
    frame = pd.read_csv(next((INBOX / "polis").glob("*.csv")), sep=";", encoding="utf-8-sig",
                        dtype={"Månad": "Int64"})
    assert list(frame.columns) == ["Lokalpolisområde", "Brottskategori", "År", "Månad", "Antal"]
    sod = frame[(frame["Lokalpolisområde"] == "Lokalpolisområde Södermalm")
                & (frame["Brottskategori"] == "Totalt antal brott") & (frame["År"] == 2021)]
    assert sod[sod["Månad"] <= 11]["Antal"].sum() == 36944
    city = frame[frame["Lokalpolisområde"] == "Stockholms stad"]
    assert city["Månad"].isna().all() and len(city) == 8 * 5  # whole years, five categories


def test_omradesfakta_sample_reproduces_the_published_befolkningsfakta():
    """003's Befolkningsfakta (31 December 2021), each with the city's figure beside it."""
    frame = pd.read_csv(next((INBOX / "omradesfakta").glob("*.csv")), sep=";",
                        encoding="utf-8-sig", dtype=str)
    assert list(frame.columns) == ["År", "Område", "Nyckeltal", "Värde", "Enhet"]
    sod = frame[(frame["Område"] == "Södermalm") & (frame["År"] == "2021")]
    published = {"Utländsk bakgrund": "20,9", "Eftergymnasial utbildning 25–64 år": "68,7",
                 "Behörighet till gymnasieskolan": "96,2", "Öppet arbetslösa 16–64 år": "2,4",
                 "Hushåll med ekonomiskt bistånd": "0,8", "Bostadsrätter": "42 901",
                 "Övriga hyresrätter": "21 217", "Allmännyttan": "8 278"}
    assert dict(zip(sod["Nyckeltal"], sod["Värde"], strict=True)) == published
    forecast = frame[(frame["Område"] == "Södermalm")
                     & (frame["Nyckeltal"] == "Befolkningsprognos")]
    assert forecast[["År", "Värde"]].values.tolist() == [["2026", "131 013"]]
    city = frame[(frame["Område"] == "Stockholms stad") & (frame["År"] == "2021")]
    assert set(city["Nyckeltal"]) == set(published)
    value = {(r.År, r.Nyckeltal): float(r.Värde.replace(" ", "").replace(",", "."))
             for r in frame[frame["Område"] == "Södermalm"].itertuples()}
    # "ökat något sedan lägesbild 2021" / "hyresrätter har minskat"; a higher share than before
    assert value[("2021", "Bostadsrätter")] > value[("2020", "Bostadsrätter")]
    assert value[("2021", "Övriga hyresrätter")] < value[("2020", "Övriga hyresrätter")]
    assert value[("2021", "Behörighet till gymnasieskolan")] > value[
        ("2020", "Behörighet till gymnasieskolan")]
