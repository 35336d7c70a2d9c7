"""Källor's "hämtad" dates: the file's own or the steward's date, never the run date."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import InputError
from outputs.draft.content.kallor import sources_used
from sources.store.inbox import read_inbox
from sources.store.rawstore import RawStore
from sources.store.retrieved import retrieval_dates
from tasks.pipeline.publishing import _raw_inputs

FIXTURES = Path(__file__).parents[1] / "fixtures"
MTIME = dt.datetime(2024, 2, 14, 10, 0, tzinfo=dt.UTC)


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    for kind, source in [("bra", next(iter(sorted((FIXTURES / "bra-sol").iterdir())))),
                         ("ia", FIXTURES / "sources" / "ia_export.csv")]:  # fmt: skip
        target = inbox / kind / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        os.utime(target, (MTIME.timestamp(), MTIME.timestamp()))
    return inbox


def _kallor(inbox: Path, store: RawStore) -> dict[str, str]:
    inputs = read_inbox(inbox, load_areas(), store)
    used = sources_used(_raw_inputs(inputs), pd.DataFrame(columns=["source", "year"]))
    assert len({u.label for u in used}) == len(used)  # no source listed twice
    return {u.label: u.retrieved_at.date().isoformat() for u in used}


def test_inbox_file_date_is_its_mtime_not_the_run_date(tmp_path) -> None:
    kallor = _kallor(_inbox(tmp_path), RawStore(tmp_path / "raw"))
    assert kallor == {"Brottsstatistik BRÅ, anmälda brott": "2024-02-14",
                      "IA, incidentrapporteringssystem inom Stockholms stad": "2024-02-14"}
    assert dt.date.today().isoformat() not in kallor.values()


def test_kallor_yaml_overrides_by_kind_and_by_file(tmp_path) -> None:
    inbox = _inbox(tmp_path)
    (inbox / "kallor.yaml").write_text("bra: 2025-01-31\nia_export.csv: 2025-03-01\n",
                                       encoding="utf-8")  # fmt: skip
    kallor = _kallor(inbox, RawStore(tmp_path / "raw"))
    assert kallor["Brottsstatistik BRÅ, anmälda brott"] == "2025-01-31"
    assert kallor["IA, incidentrapporteringssystem inom Stockholms stad"] == "2025-03-01"


def test_fetched_file_carries_the_store_retrieval_time(tmp_path) -> None:
    inbox = _inbox(tmp_path)
    store = RawStore(tmp_path / "raw")
    path = inbox / "ia" / "ia_export.csv"
    fetched = dt.datetime(2023, 12, 24, 8, 0, tzinfo=dt.UTC)
    store.keep_bytes(path.read_bytes(), name=path.name, origin="https://example.org/ia.csv",
                     retrieved_at=fetched)  # fmt: skip
    store.keep(path, origin=str(path))
    dates = retrieval_dates(inbox, {"ia": [path]}, store.records())
    assert dates[str(path)] == fetched


def test_bad_kallor_yaml_names_file_and_key(tmp_path) -> None:
    inbox = _inbox(tmp_path)
    (inbox / "kallor.yaml").write_text("bra: igår\n", encoding="utf-8")
    with pytest.raises(InputError, match="kallor.yaml") as info:
        retrieval_dates(inbox, {}, [])
    assert "bra" in str(info.value)
