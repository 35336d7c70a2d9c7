"""No IA cell leaves the raw store: the real yearly flow and the check command, end to end.

Every cell of an IA export may hold personal data (a name typed into ``Kategori``, a unit
small enough to point at a person), so a marker is planted in every kind of IA cell:
``Beskrivning``, ``Avdelning``, ``Händelsetyp``, ``Ärendenummer``, and ``Kategori`` /
``Förvaltning`` of rows that do not change Södermalm's counts. Then, as a user would:
``lagesbild run`` (the Prefect flow, on the data root's local server, fresh ``PREFECT_HOME``),
``lagesbild check``, and two broken exports — one that lost its header row (run through
the flow: a failed flow pickles its exception into ``PREFECT_HOME/storage``) and one with
a marker typed into a date (check). Every file written — the version directory (the
draft unzipped, the PDF as text, data docs), the data root outside the raw blobs, all of
``PREFECT_HOME`` (SQLite database and WAL, result storage, base64 undone) and every
command's stdout and stderr — must hold the marker 0 times; the raw store keeps the
export byte for byte. The module also checks the published figures' disclosure control.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import numpy as np
import openpyxl
import pandas as pd
import pytest

from approval.db.models import make_engine
from approval.drafts.versions import VersionRepository
from lagesbild.settings import load_settings
from tasks.pipeline.spec import SAMPLE_INBOX

MARKER = "PERSONUPPGIFT-7Q3Z"
FOOTNOTE = "– = uppgiften redovisas inte (färre än 5 händelser) för att skydda enskildas identitet."
LAGESBILD = Path(sys.executable).with_name("lagesbild")


def _mark(inbox: Path, *, lose_header: bool = False, bad_date: bool = False) -> Path:
    """A copy of the sample inbox with the marker in every kind of IA cell."""
    shutil.copytree(SAMPLE_INBOX, inbox)
    path = next((inbox / "ia").glob("*.xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in header}
    for row in range(2, sheet.max_row + 1):
        cell = {name: sheet.cell(row, col[name]) for name in header}
        cell["Beskrivning"].value = f"{MARKER} Beskrivning {row}: Anna Andersson hotades"
        cell["Avdelning"].value = f"{MARKER} Avdelning {row % 5}"
        cell["Händelsetyp"].value = f"{MARKER} Händelsetyp {row % 3}"
        cell["Ärendenummer"].value = f"{MARKER}-{row:05d}"
        # Rows outside Södermalm's series: the counts of the report stay those of the sample.
        if cell["Förvaltning"].value == "Norrmalms stadsdelsförvaltning" and row % 4 == 0:
            cell["Kategori"].value = f"{MARKER} Kategori Olle {row % 7}"
        if cell["Förvaltning"].value == "Utbildningsförvaltningen" and row % 3 == 0:
            cell["Förvaltning"].value = f"{MARKER} Förvaltning {row % 4}"
    if bad_date:
        sheet.cell(7, col["Händelsedatum"]).value = f"{MARKER} igår"
    if lose_header:
        sheet.delete_rows(1)
    book.save(path)
    return inbox


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class MarkedRuns:
    root: Path
    env: dict[str, str]
    directory: Path
    version: object
    commands: tuple[Command, ...]


def _lagesbild(env: dict[str, str], *args: str) -> Command:
    done = subprocess.run([str(LAGESBILD), *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip
    return Command(args, done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> MarkedRuns:
    root = tmp_path_factory.mktemp("marked")
    env = {
        **os.environ,
        "LAGESBILD_HOME": str(root / "home"),
        "PREFECT_HOME": str(root / "prefect"),
        "PREFECT_LOGGING_LEVEL": "DEBUG",  # everything Prefect would log, stored and printed
    }
    env.pop("PREFECT_API_URL", None)  # the run's own temporary server and database
    env.pop("LAGESBILD_DATABASE_URL", None)
    # The first run starts the data root's local Prefect server and leaves it for later runs.
    request.addfinalizer(lambda: _lagesbild(env, "server", "stop"))
    where = ("--area", "sodermalm", "--year", "2022")
    good = _mark(root / "inbox")
    run = _lagesbild(env, "run", *where, "--inbox", str(good), "--out", str(root / "out"),
                     "--ia-cutoff", "2022-11-15")  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    check = _lagesbild(env, "check", *where, "--inbox", str(good))
    assert check.returncode == 0, check.stderr[-3000:]
    headless = _mark(root / "inbox-headless", lose_header=True)
    lost = _lagesbild(env, "run", *where, "--inbox", str(headless), "--out", str(root / "out"))
    dated = _mark(root / "inbox-date", bad_date=True)
    bad_date = _lagesbild(env, "check", *where, "--inbox", str(dated))
    engine = make_engine(load_settings({"LAGESBILD_HOME": env["LAGESBILD_HOME"]}).database_url)
    try:
        (version,) = VersionRepository(engine).all(None, None)
    finally:
        engine.dispose()
    return MarkedRuns(root, env, Path(version.directory), version,
                      (run, check, lost, bad_date))  # fmt: skip


def _views(path: Path) -> list[bytes]:
    """The file's bytes and what hides text in them: zip members, base64, PDF text."""
    data = path.read_bytes()
    views = [data]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            views += [archive.read(name) for name in archive.namelist()]
    with contextlib.suppress(binascii.Error, ValueError):  # Prefect's stored results
        views.append(base64.b64decode(data, validate=False))
    if path.suffix == ".pdf":
        views.append(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                    check=True).stdout)  # fmt: skip
    return views


def _leaks(root: Path, *, raw_dir: Path) -> dict[str, int]:
    needle = MARKER.encode()
    found = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or (path.is_relative_to(raw_dir) and path.parent != raw_dir):
            continue  # the raw store's blobs keep the inputs as they came
        if path.relative_to(root).parts[0].startswith("inbox"):
            continue  # the test's own broken inboxes
        hits = sum(view.count(needle) for view in _views(path))
        if hits:
            found[str(path.relative_to(root))] = hits
    return found


def test_ia_cells_appear_in_no_output_log_database_or_result(marked: MarkedRuns):
    run, check, lost, bad_date = marked.commands
    raw_dir = load_settings({"LAGESBILD_HOME": marked.env["LAGESBILD_HOME"]}).raw_dir
    # What the user sees: the broken exports are refused naming file, row and column only.
    assert lost.returncode == 1 and bad_date.returncode == 1
    assert "IA_export_2024-11-15.xlsx, row 1, column 'Ärendenummer'" in lost.stderr
    assert "har rubrikraden tagits bort" in lost.stderr
    assert "IA_export_2024-11-15.xlsx, row 7, column 'Händelsedatum'" in bad_date.stderr
    for command in marked.commands:
        assert MARKER not in command.stdout + command.stderr, command.args
        assert "Anna" not in command.stdout + command.stderr and "Olle" not in command.stderr
    kinds = {p.suffix for p in marked.directory.rglob("*") if p.is_file()}
    assert {".docx", ".csv", ".json", ".html"} <= kinds
    prefect = marked.root / "prefect"
    assert (prefect / "prefect.db").is_file() and any((prefect / "storage").iterdir())
    # Every file written anywhere under the test's root, outside the raw store: none.
    assert _leaks(marked.root, raw_dir=raw_dir) == {}
    # The raw store keeps the exports byte for byte: the marker is there and only there.
    assert MARKER not in (raw_dir / "manifest.jsonl").read_text("utf-8")
    blobs = [p for p in raw_dir.rglob("*") if p.is_file() and p.parent != raw_dir]
    kept = [p for p in blobs if zipfile.is_zipfile(p) and MARKER.encode() in b"".join(
        _views(p))]  # fmt: skip
    assert len(kept) == 3  # the good export, the one without header, the one with a bad date
    assert {i["sha256"] for i in marked.version.inputs if i["kind"] == "ia"} <= {
        p.name for p in kept}


def test_other_categories_and_forvaltningar_are_counted_never_named(marked: MarkedRuns):
    run, check = marked.commands[:2]
    quality = json.loads((marked.directory / "quality.json").read_text("utf-8"))
    unknown = [r for r in quality["results"] if r["source"] == "ia" and r["column"] == "area"
               and r["check"] == "expect_column_values_to_not_be_null"]  # fmt: skip
    assert unknown and not unknown[0]["success"]
    assert all(e["value"] is None and e["row"] for e in unknown[0]["examples"])
    assert "Utbildningsförvaltningen" not in json.dumps(quality, ensure_ascii=False)
    assert "Utbildningsförvaltningen" not in check.stdout


def test_the_version_shows_withheld_ia_cells_as_dashes(marked: MarkedRuns):
    directory = marked.directory
    csv = pd.read_csv(directory / "indicators.csv")
    ia = csv[csv["source"] == "ia"].set_index("indicator")
    extremism = ia.loc["Våldsbejakande extremism"]
    assert np.isnan(extremism["value"]) and np.isnan(extremism["change_abs"])
    assert extremism["prev_value"] == 0.0 and np.isnan(extremism["p_value"])
    assert ia["suppressed"].astype(str).str.lower().to_dict() == {
        "Hot": "false", "Otillåten påverkan": "false", "Trakasserier": "true", "Våld": "false",
        "Våldsbejakande extremism": "true"}
    assert ia.loc["Hot", "value"] == 50.0 and np.isnan(ia.loc["Trakasserier", "value"])
    log = json.loads((directory / "suppression.json").read_text("utf-8"))
    assert [(e["indicator"], e["kind"]) for e in log["suppressed"]] == [
        ("Trakasserier", "secondary"), ("Våldsbejakande extremism", "primary")]
    draft = next(directory.glob("*.docx"))
    document = docx.Document(str(draft))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Kategori")
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows}
    # the draft's IA table is the four-year series (tasks.indicators.ia_series): same
    # protection per year
    assert rows["Kategori"][-2:] == ["2021", "2022"]
    assert rows["Våldsbejakande extremism"][-2:] == ["0", "–"]
    assert rows["Trakasserier"][-1] == "–"
    assert rows["Hot"][-2:] == ["51", "50"]
    body = [p.text for p in document.paragraphs]
    assert any(p.startswith(FOOTNOTE) for p in body)
