"""The bad-input gallery: every broken input stops the run clearly, or warns as it should.

A clean version (v001) is written once per module; each broken case then runs the plain
pipeline (ingest → check → compute → publish, as ``tests/test_yearly_run.py``) on its own
broken copy of the sample inbox, against the same data root and output directory. A failing
case must name the file, row and column, write no new version, and leave v001's bytes and
the version table exactly as they were. The table of cases is ``gallery_cases.CASES``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import shutil
import tempfile
from pathlib import Path

import gallery_more
import pytest
from gallery_cases import BRA, IA_MARKER, SURVEY_TM, Case, mark_ia
from gallery_cases import CASES as BASE_CASES
from typer.testing import CliRunner

from approval.db.models import make_engine
from approval.drafts.versions import VersionRepository
from lagesbild.cli import app
from lagesbild.errors import DataQualityError, PipelineError
from lagesbild.settings import load_settings
from outputs.text.sentences import load_sentences
from quality.report import Severity
from tasks.pipeline import publishing, stages
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec

CUTOFF = dt.date(2022, 11, 15)
CASES = BASE_CASES + gallery_more.CASES


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gallery-home")


@pytest.fixture(scope="module")
def env(home: Path) -> dict[str, str]:
    return {"LAGESBILD_HOME": str(home / "data")}


def _spec(home: Path, inbox: Path) -> RunSpec:
    return RunSpec(area="sodermalm", year=2022, inbox=inbox, out=home / "out", ia_cutoff=CUTOFF,
                   pdf=False)  # fmt: skip


def _digests(directory: Path) -> dict[str, str]:
    return {
        p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _versions(env: dict[str, str]) -> list[tuple]:
    engine = make_engine(load_settings(env).database_url)
    try:
        return [
            (v.area, v.year, v.version, v.state, v.docx_sha256, v.inputs_fingerprint,
             v.directory)
            for v in VersionRepository(engine).all(None, None)
        ]  # fmt: skip
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def clean(home: Path, env: dict[str, str]):
    """The good version every broken run must leave untouched."""
    spec = _spec(home, SAMPLE_INBOX)
    settings = load_settings(env)
    inputs = stages.ingest(spec, settings)
    report = stages.check(spec, inputs, None)
    result = publishing.publish(spec, settings, inputs, stages.compute(spec, inputs), report)
    assert result.created and result.version.version == 1
    directory = Path(result.version.directory)
    return directory, _digests(directory), _versions(env)


@functools.cache
def _marked_sample() -> Path:
    """The sample inbox with ``IA_MARKER`` in the IA export (made once per process)."""
    inbox = Path(tempfile.mkdtemp(prefix="gallery-inbox-")) / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    mark_ia(inbox)
    return inbox


def _broken_inbox(tmp_path: Path, case: Case) -> Path:
    inbox = tmp_path / "inbox"
    shutil.copytree(_marked_sample(), inbox)
    case.brk(inbox)
    return inbox


_CASE_NUMBER = re.compile(r"IA-\d{4}-\d{6}")


def assert_no_ia_content(text: str, case: Case | None = None) -> None:
    """No IA cell in ``text``: the planted marker, a case number, the broken cell."""
    assert IA_MARKER not in text, text
    assert not _CASE_NUMBER.search(text), text
    for secret in case.never if case else ():
        assert secret not in text, f"{secret!r} quoted in {text!r}"


def _run(spec: RunSpec, env: dict[str, str], case: Case | None = None):
    """The plain yearly run; it must stop before ``publish`` writes anything."""
    settings = load_settings({**env, **dict(case.env if case else ())})
    inputs = stages.ingest(spec, settings)
    report = stages.check(spec, inputs, None)
    computed = stages.compute(spec, inputs)
    return publishing.publish(spec, settings, inputs, computed, report)


def _assert_untouched(home: Path, env: dict[str, str], clean) -> None:
    directory, digests, versions = clean
    assert sorted(p.name for p in (home / "out" / "sodermalm" / "2022").iterdir()) == ["v001"]
    assert _digests(directory) == digests
    assert _versions(env) == versions


_ERRORS = [c for c in CASES if c.outcome == "error"]
_ACCEPTED = [c for c in CASES if c.outcome != "error"]


def test_the_gallery_is_large_and_covers_every_source_kind():
    assert len(CASES) >= 20
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.file.split("/")[0] for c in CASES} == gallery_more.KINDS


@pytest.mark.parametrize("case", _ERRORS, ids=[c.id for c in _ERRORS])
def test_broken_input_stops_the_run_naming_file_row_and_column(case, tmp_path, home, env, clean):
    inbox = _broken_inbox(tmp_path, case)
    with pytest.raises(case.error) as error:
        _run(_spec(home, inbox), env, case)
    message = str(error.value)
    assert Path(case.file).name in message or case.file.split("/")[0] in message, message
    for text in case.mentions:
        assert text in message, f"{text!r} not in {message!r}"
    assert "Traceback" not in message and "\x00" not in message
    assert_no_ia_content(message, case)
    _assert_untouched(home, env, clean)


@pytest.fixture(scope="module")
def clean_bra(home: Path, env: dict[str, str]):
    inputs = stages.ingest(_spec(home, SAMPLE_INBOX), load_settings(env))
    return inputs.bra[inputs.bra["file"] == BRA]


@pytest.mark.parametrize("case", _ACCEPTED, ids=[c.id for c in _ACCEPTED])
def test_accepted_input_passes_the_gate_with_its_severity(
    case, tmp_path, home, env, clean, clean_bra
):
    inbox = _broken_inbox(tmp_path, case)
    spec = _spec(home, inbox)
    inputs = stages.ingest(spec, load_settings(env))
    report = stages.check(spec, inputs, None)
    assert report.success
    assert_no_ia_content(report.to_json(), case)
    if case.outcome == "ok":
        mine, theirs = inputs.bra[inputs.bra["file"] == BRA], clean_bra
        assert mine["value"].sum() == theirs["value"].sum() and len(mine) == len(theirs)
        assert (mine["region"].to_numpy() == theirs["region"].to_numpy()).all()
        return
    severity = Severity(case.outcome)
    failed = [r for r in report.results
              if r.check == case.check and r.severity is severity and not r.success]  # fmt: skip
    assert failed, report.summary()
    described = " ".join(r.describe() for r in failed)
    for text in case.mentions:
        assert text in described, described
    if severity is Severity.INFO:
        assert Path(case.file).name in described
    else:
        assert failed[0] in report.warnings  # listed in the draft's Datakvalitet section
        lines = publishing.quality_warnings(spec, inputs, report, {}, load_sentences())
        assert list(case.says) == lines, lines  # worded in Swedish by the templates
        for line in lines:
            assert "failed" not in line and "expect_" not in line
            assert not re.search(r"(?<![_/])sodermalm", line), line  # the name, not the id
            assert_no_ia_content(line, case)
    _assert_untouched(home, env, clean)


def test_every_warning_case_says_what_the_draft_lists():
    assert all(c.says for c in _ACCEPTED if c.outcome == "warning")


def test_thin_survey_cell_goes_through_and_is_withheld(tmp_path, home, env, clean):
    """A wave with 12 respondents is valid input: it is published as "–", not as a share."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    path = inbox / SURVEY_TM
    old = "Trygghetsmätningen;2020;Södermalm;Alla;Oro att utsättas för brott;6,0;1691;"
    text = path.read_text("utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, old.replace(";1691;", ";12;")), encoding="utf-8-sig")
    spec = _spec(home, inbox)
    inputs = stages.ingest(spec, load_settings(env))
    assert stages.check(spec, inputs, None).success
    computed = stages.compute(spec, inputs)
    row = computed.indicators.set_index("indicator").loc["Oro att utsättas för brott"]
    assert row["suppressed"] and row["value"] != row["value"]  # NaN
    assert "1691" not in row["note"] and "12" not in row["note"]
    log = computed.suppression[computed.suppression["source"] == "trygghetsmatningen"]
    assert log[["indicator", "column", "reason"]].values.tolist() == [
        ["Oro att utsättas för brott", "value", "färre än 30 svar"]]


# --- the CLI's check command -----------------------------------------------------------------


def _cli(inbox: Path, env: dict[str, str]):
    return CliRunner().invoke(
        app, ["check", "--area", "sodermalm", "--year", "2022", "--inbox", str(inbox)], env=env
    )


def test_cli_check_prints_the_table_and_exits_1_on_a_blocking_failure(tmp_path, env):
    case = next(c for c in CASES if c.id == "survey-share-130")
    result = _cli(_broken_inbox(tmp_path, case), env)
    assert result.exit_code == 1, result.output
    output = result.output
    for header in ("source", "check", "severity", "result", "examples"):
        assert header in output
    assert "trygghetsmatningen.csv row 3" in output
    assert "blocking" in output and "failed" in output
    assert "130" in output


def test_cli_check_names_the_file_of_an_unreadable_input(tmp_path, env):
    case = next(c for c in CASES if c.id == "bra-text-in-count")
    result = _cli(_broken_inbox(tmp_path, case), env)
    assert result.exit_code == 1
    assert "Databasfil_sodermalm_2022.txt" in result.output
    assert "row 5" in result.output and "'Antal'" in result.output


def test_cli_check_passes_the_sample_inbox(env):
    result = _cli(_marked_sample(), env)
    assert result.exit_code == 0, result.output
    assert_no_ia_content(result.output)
    rows = result.output.splitlines()
    assert rows[0].split()[:5] == ["source", "check", "column", "severity", "result"]
    failed = [r for r in rows if " failed " in r]
    assert failed and all(" info " in r for r in failed)  # IA rows of other förvaltningar
    assert "Utbildningsförvaltningen" not in result.output  # counted, never named
    assert re.search(r"^\d+ av \d+ kontroller godkända, \d+ underkända$", result.output, re.M)


def test_data_quality_error_carries_the_report(tmp_path, home, env, clean):
    case = next(c for c in CASES if c.id == "bra-negative-count")
    with pytest.raises(DataQualityError) as error:
        _run(_spec(home, _broken_inbox(tmp_path, case)), env)
    failed = error.value.report.blocking_failures
    assert [(r.source, r.column) for r in failed] == [("bra", "value")]
    assert failed[0].examples[0]["file"] == BRA and failed[0].examples[0]["row"] == 5
    assert isinstance(error.value, PipelineError)
