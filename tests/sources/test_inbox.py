"""Tests for sources/store/inbox.py: discovery, raw store first, merging files of one kind."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import InputError
from sources.readers._csv import CANONICAL_COLUMNS, INCIDENT_COLUMNS
from sources.store.inbox import SOURCE_KINDS, merge_incidents, read_inbox
from sources.store.rawstore import RawStore

FIXTURES = Path(__file__).parents[1] / "fixtures"
BRA = FIXTURES / "bra-sol"
HEADER = "Region;Brott;År;Period;Antal;/100 000 inv"
SODER = "Stadsdelsområde Södermalm (Sthlm)"
KAP3 = "3 kap. Brott mot liv och hälsa"


@pytest.fixture(scope="module")
def areas():
    return load_areas()


def put(inbox: Path, kind: str, source: Path, name: str | None = None) -> Path:
    target = inbox / kind / (name or source.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def bra_text(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("latin-1"))
    return path


@pytest.fixture
def full_inbox(tmp_path):
    inbox = tmp_path / "inbox"
    for f in sorted(BRA.iterdir()):
        put(inbox, "bra", f)
    put(inbox, "befolkning", FIXTURES / "sources" / "befolkning_2022_2023.csv")
    put(inbox, "enkater", FIXTURES / "sources" / "enkater.csv")
    put(inbox, "ia", FIXTURES / "sources" / "ia_export.csv")
    (inbox / "polis").mkdir()
    (inbox / "polis" / "lpo.csv").write_text(
        "Lokalpolisområde;Brottskategori;År;Månad;Antal\nLokalpolisområde Södermalm;Rån;2023;;7\n",
        encoding="utf-8-sig")
    (inbox / "befolkning" / "fakta.csv").write_text(
        "År;Område;Nyckeltal;Värde;Enhet\n2021;Södermalm;Utländsk bakgrund;20,9;procent\n",
        encoding="utf-8-sig")
    (inbox / "bra" / "~$lock.txt").write_text("lock", encoding="utf-8")
    (inbox / "bra" / "notes.docx").write_text("not data", encoding="utf-8")
    return inbox


def test_reads_every_kind_and_keeps_every_file_first(full_inbox, tmp_path, areas, caplog):
    caplog.set_level(logging.INFO)
    store = RawStore(tmp_path / "raw")
    inputs = read_inbox(full_inbox, areas, store)
    assert set(inputs.files) == set(SOURCE_KINDS)
    assert [p.name for p in inputs.files["bra"]] == sorted(p.name for p in BRA.iterdir())
    assert len(inputs.raw_files) == 3 + 2 + 1 + 1 + 1  # + områdesfakta in befolkning/, polis
    kept = {Path(r.origin).name for r in store.records()}
    assert "lpo.csv" in kept and "notes.docx" not in kept
    for record in inputs.raw_files:
        assert record.stored_path.read_bytes() == Path(record.origin).read_bytes()
    assert set(inputs.bra["file"]) <= {f"bra/{p.name}" for p in BRA.iterdir()}
    assert set(inputs.befolkning["file"]) == {"befolkning/befolkning_2022_2023.csv"}
    assert set(inputs.enkater["file"]) == {"enkater/enkater.csv"}
    assert set(inputs.ia["file"]) == {"ia/ia_export.csv"}
    assert tuple(inputs.bra.columns) == CANONICAL_COLUMNS
    assert tuple(inputs.ia.columns) == INCIDENT_COLUMNS
    # an områdesfakta table in befolkning/ is recognised by its header
    assert inputs.omradesfakta[["area", "category", "value"]].values.tolist() == [
        ["sodermalm", "Utländsk bakgrund", 20.9]]
    assert inputs.polis[["area", "category", "value"]].values.tolist() == [
        ["sodermalm", "Rån", 7.0]]


def test_merging_real_exports_gives_one_row_per_observation(full_inbox, areas):
    bra = read_inbox(full_inbox, areas).bra
    key = bra.assign(k=bra["area"].fillna(bra["region"]))
    assert not key.duplicated(["k", "category", "period_start", "period_end"]).any()
    # Norrmalm under its two names in two files is one observation per month
    jan = bra[(bra["area"] == "norrmalm") & (bra["category"] == KAP3)
              & (bra["period_start"] == pd.Timestamp("2020-01-01"))]
    assert len(jan) == 1
    # Danderyd is '..' in the district export but counted in the län export: the count wins
    dand = bra[(bra["region"] == "Danderyd kommun")
               & (bra["category"] == "3-7 kap. Brott mot person")
               & (bra["period_start"] == pd.Timestamp("2020-01-01"))]
    assert len(dand) == 1 and dand["value"].notna().all()
    assert dand["file"].iloc[0] == "bra/Databasfil_stockholms_lan_2020.txt"
    assert bra.loc[bra["period_start"].dt.year == 2023, "preliminary"].all()


def test_two_files_with_different_values_name_both(tmp_path, areas):
    inbox = tmp_path / "inbox"
    bra_text(inbox / "bra" / "a.txt", [f"{SODER};{KAP3};2020;Jan;134;102;"])
    bra_text(inbox / "bra" / "b.txt", [f"{SODER};{KAP3};2020;Feb;1;1;",
                                       f"Södermalm stadsdel;{KAP3};2020;Jan;140;102;"])
    with pytest.raises(InputError) as err:
        read_inbox(inbox, areas)
    message = str(err.value)
    assert "bra/a.txt" in message and "bra/b.txt" in message
    assert (err.value.file, err.value.row, err.value.column) == ("bra/b.txt", 3, "Antal")


def test_identical_repeat_across_files_is_merged(tmp_path, areas):
    inbox = tmp_path / "inbox"
    bra_text(inbox / "bra" / "a.txt", [f"{SODER};{KAP3};2020;Jan;134;102;"])
    bra_text(inbox / "bra" / "b.csv", [f"{SODER};{KAP3};2020;Jan;134;102;"])
    bra = read_inbox(inbox, areas).bra
    assert len(bra) == 1 and bra["file"].iloc[0] == "bra/a.txt"


def test_final_figures_replace_preliminary_ones(tmp_path, areas):
    inbox = tmp_path / "inbox"
    bra_text(inbox / "bra" / "a_prel.txt", [f"{SODER};{KAP3};2023 prel.;Jan;130;100;"])
    bra_text(inbox / "bra" / "b_final.txt", [f"{SODER};{KAP3};2023;Jan;131;100;"])
    bra = read_inbox(inbox, areas).bra
    assert len(bra) == 1
    assert bra["value"].iloc[0] == 131 and not bra["preliminary"].iloc[0]


def test_missing_inbox_gives_empty_frames_with_the_columns(tmp_path, areas):
    inputs = read_inbox(tmp_path / "nowhere", areas, RawStore(tmp_path / "raw"))
    for frame in (inputs.bra, inputs.befolkning, inputs.enkater):
        assert frame.empty and tuple(frame.columns) == CANONICAL_COLUMNS
    assert inputs.ia.empty and tuple(inputs.ia.columns) == INCIDENT_COLUMNS
    assert inputs.raw_files == [] and all(v == [] for v in inputs.files.values())


def test_incident_in_two_exports_must_agree(areas):
    from sources.readers.ia import read_ia

    one = read_ia(FIXTURES / "sources" / "ia_export.csv", areas, display_name="ia/jan.csv")
    two = read_ia(FIXTURES / "sources" / "ia_export.csv", areas, display_name="ia/feb.csv")
    assert len(merge_incidents([one, two])) == 4
    changed = two.assign(category=two["category"].where(two.index != 0, "Våld"))
    with pytest.raises(InputError) as err:
        merge_incidents([one, changed])
    assert "ia/jan.csv" in str(err.value) and "ia/feb.csv" in str(err.value)
    assert err.value.column == "Ärendenummer"


def test_the_first_unreadable_file_in_reading_order_is_the_error(tmp_path, areas):
    # The files are read in a thread pool: b.txt fails late in a long file, c.txt and the
    # IA export at once; the error is still b.txt's, as when they were read one by one.
    inbox = tmp_path / "inbox"
    good = [f"{SODER};{KAP3};{year};{month};134;102;"
            for year in range(1990, 2020) for month in ("Jan", "Feb", "Mar", "Apr")]
    bra_text(inbox / "bra" / "a.txt", [f"{SODER};{KAP3};2020;Jan;134;102;"])
    bra_text(inbox / "bra" / "b.txt", [*good, f"{SODER};{KAP3};2020;Feb;inte-ett-tal;1;"])
    bra_text(inbox / "bra" / "c.txt", [f"{SODER};{KAP3};2020;Mar;inte-ett-tal;1;"])
    (inbox / "ia").mkdir()
    (inbox / "ia" / "export.csv").write_bytes(b"\xff\xfe not an export")
    for _ in range(3):
        with pytest.raises(InputError) as err:
            read_inbox(inbox, areas)
        assert err.value.file == "bra/b.txt"
        assert err.value.row == len(good) + 2
