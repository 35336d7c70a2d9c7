"""The plain parts of the flows: report year, area selection, summary, artifact content,
the traceback filter and the deployment definitions (no server needed)."""

from __future__ import annotations

import dataclasses
import logging
import sys

import pandas as pd
import pytest

from flows.artifacts import artifact_key, headline_rows, quality_markdown
from flows.deploy import NIGHTLY_CRON, TIMEZONE, deployments
from flows.logs import ExpectedErrorFilter
from flows.nightly import AreaOutcome, NightlySummary, areas_to_refresh
from lagesbild.areas.load import load_areas
from lagesbild.errors import ConfigError, DataQualityError, PipelineError
from lagesbild.settings import load_settings
from sources.store.inbox import Inputs
from tasks.pipeline.selection import NoReportYear, has_input, latest_data_year
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec
from tasks.pipeline.stages import ingest


@pytest.fixture(scope="module")
def sample_inputs(tmp_path_factory) -> Inputs:
    settings = load_settings({"LAGESBILD_HOME": str(tmp_path_factory.mktemp("home"))})
    return ingest(RunSpec(area="", year=0, inbox=SAMPLE_INBOX, out=settings.reports_dir),
                  settings)  # fmt: skip


def test_report_year_is_the_latest_whole_bra_year_of_the_inbox(sample_inputs):
    assert latest_data_year(sample_inputs) == 2024  # not the calendar year
    bra = sample_inputs.bra
    # Only January–June of 2025 arrive: still 2024 (no whole year of 2025).
    partial = bra[bra["period_start"].dt.year == 2024].assign(
        period_start=lambda f: f["period_start"] + pd.DateOffset(years=1),
        period_end=lambda f: f["period_end"] + pd.DateOffset(years=1))
    partial = partial[(partial["period_kind"] == "month") & (partial["period_start"].dt.month <= 6)]
    assert not partial.empty
    assert latest_data_year(dataclasses.replace(
        sample_inputs, bra=pd.concat([bra, partial], ignore_index=True))) == 2024
    with pytest.raises(NoReportYear, match="--year"):
        latest_data_year(Inputs())


def test_areas_without_any_input_are_recognised(sample_inputs):
    config = load_areas()
    with_input = [a for a in areas_to_refresh(config, 2024) if has_input(sample_inputs, config, a)]
    assert with_input == ["sodermalm", "norra-innerstaden"]  # the latter by its predecessors
    assert not has_input(Inputs(), config, "sodermalm")


def test_expected_errors_are_logged_without_traceback():
    def record(error: Exception) -> logging.LogRecord:
        try:
            raise error
        except Exception:
            return logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", (),
                                     sys.exc_info())  # fmt: skip

    expected = record(DataQualityError("no BRÅ"))
    assert ExpectedErrorFilter().filter(expected) and expected.exc_info is None
    bug = record(KeyError("x"))
    assert ExpectedErrorFilter().filter(bug) and bug.exc_info is not None
    assert any(isinstance(f, ExpectedErrorFilter)  # installed by importing the flows
               for f in logging.getLogger("prefect.task_runs").filters)  # fmt: skip


def test_areas_of_a_year_skip_areas_that_did_not_exist():
    config = load_areas()
    areas_2024 = areas_to_refresh(config, 2024)
    assert "norra-innerstaden" in areas_2024 and "sodermalm" in areas_2024
    assert "norrmalm" not in areas_2024 and "rinkeby-kista" not in areas_2024
    areas_2023 = areas_to_refresh(config, 2023)
    assert "norrmalm" in areas_2023 and "norra-innerstaden" not in areas_2023


def test_requested_areas_are_checked():
    config = load_areas()
    assert areas_to_refresh(config, 2024, ["sodermalm", "sodermalm"]) == ["sodermalm"]
    with pytest.raises(PipelineError, match="norrmalm did not exist in 2024"):
        areas_to_refresh(config, 2024, ["norrmalm"])
    with pytest.raises(ConfigError, match="unknown area"):
        areas_to_refresh(config, 2024, ["atlantis"])


def test_summary_counts_and_markdown():
    summary = NightlySummary(year=2024, outcomes=(
        AreaOutcome("sodermalm", 2024, "created", version=2, draft="/x.docx"),
        AreaOutcome("norra-innerstaden", 2024, "unchanged", version=1),
        AreaOutcome("jarva", 2024, "failed", reason="no BRÅ | data"),
        AreaOutcome("bromma", 2024, "adopted", version=3, reason="indata har ändrats"),
        AreaOutcome("farsta", 2024, "no_input"),
    ))  # fmt: skip
    data = summary.to_dict()
    assert (data["created"], data["unchanged"], data["failed"]) == (1, 1, 1)
    assert (data["adopted"], data["no_input"]) == (1, 1)
    assert [a["line"] for a in data["areas"]] == [
        "sodermalm 2024: skapad v002",
        "norra-innerstaden 2024: oförändrad v001",
        "jarva 2024: misslyckades: no BRÅ | data",
        "bromma 2024: fastställd – ingen ny version v003: indata har ändrats",
        "farsta 2024: inga indata",
    ]
    text = summary.to_markdown()
    assert "| sodermalm | skapad | v002 |" in text
    assert "| jarva | misslyckades |  | no BRÅ / data |" in text
    assert "fastställda (ingen ny version): 1, misslyckade: 1, utan indata: 1" in text
    assert not summary.all_failed
    failed = AreaOutcome("jarva", 2024, "failed")
    assert NightlySummary(2024, (failed,)).all_failed
    assert NightlySummary(2024, (failed, AreaOutcome("farsta", 2024, "no_input"))).all_failed
    assert not NightlySummary(2024, (AreaOutcome("farsta", 2024, "no_input"),)).all_failed
    assert not NightlySummary(2024, ()).all_failed


def test_artifact_keys_are_lowercase_letters_digits_and_dashes():
    assert artifact_key("sodermalm", 2024) == "lagesbild-sodermalm-2024"
    key = artifact_key("Hägersten_Älvsjö", 2024, "kvalitet")
    assert key == "lagesbild-hagersten-alvsjo-2024-kvalitet"


def test_headline_rows_follow_the_config_and_format_in_swedish():
    indicators = pd.DataFrame([
        {"source": "bra", "indicator": "Samtliga brott", "group": None, "year": 2024,
         "value": 39950.0, "unit": "antal", "prev_value": 40150.0, "change_rel": -0.00498,
         "p_value": 0.28, "significant": "false"},
        {"source": "bra", "indicator": "Narkotikabrott", "group": None, "year": 2024,
         "value": 2480.0, "unit": "antal", "prev_value": 3150.0, "change_rel": -0.2127,
         "p_value": 1e-19, "significant": "true"},
        {"source": "stockholmsenkaten", "indicator": "Allvarligt hotad", "group": "Åk 9 pojkar",
         "year": 2024, "value": 14.0, "unit": "procent", "prev_value": 13.0,
         "change_rel": 0.0769, "p_value": 0.69, "significant": "false"},
        {"source": "bra", "indicator": "Bedrägeri", "group": None, "year": 2024, "value": 1.0,
         "unit": "antal", "prev_value": 1.0, "change_rel": 0.0, "p_value": 1.0,
         "significant": "false"},
    ])  # fmt: skip
    headline = {"bra": ["Narkotikabrott", "Samtliga brott"],
                "stockholmsenkaten": ["Allvarligt hotad"]}  # fmt: skip
    rows = headline_rows(indicators, headline)
    assert [r["Indikator"] for r in rows] == ["Narkotikabrott", "Samtliga brott",
                                              "Allvarligt hotad"]  # fmt: skip
    assert rows[1]["Värde"] == "39 950" and rows[1]["Föregående"] == "40 150"
    assert rows[0]["Förändring"] == "−21,3 %" and rows[0]["p"] == "p\u00a0<\u00a00,001"
    assert rows[0]["Signifikant"] == "ja" and rows[1]["Signifikant"] == "nej"
    assert rows[2]["Grupp"] == "Åk 9 pojkar" and rows[2]["Värde"] == "14 %"


def test_quality_markdown_lists_warnings():
    quality = {"blocking_failures": 0, "warnings": 1, "results": [
        {"source": "bra", "check": "expect_x", "severity": "blocking", "success": True},
        {"source": "ia", "check": "expect_recent", "severity": "warning", "success": False,
         "column": "Händelsedatum", "message": "äldsta 2024-01-02"},
    ]}  # fmt: skip
    text = quality_markdown(quality, "sodermalm", 2024, 3, created=False)
    assert "version 3 (oförändrad, ingen ny version)" in text
    assert "- Kontroller: 2, godkända: 1" in text
    assert "- ia: expect_recent [Händelsedatum]: äldsta 2024-01-02" in text


def test_deployments_yearly_by_hand_nightly_at_two_in_stockholm():
    yearly, nightly = deployments()
    assert yearly.name == "yearly" and not yearly.schedules
    assert yearly.entrypoint == "flows.yearly.yearly_report"
    [schedule] = nightly.schedules
    assert schedule.schedule.cron == NIGHTLY_CRON == "0 2 * * *"
    assert schedule.schedule.timezone == TIMEZONE == "Europe/Stockholm"
    assert nightly.entrypoint == "flows.nightly.nightly_refresh"
    assert "year" not in nightly.parameters  # decided when the run starts


def test_an_adopted_area_is_reported_with_a_warning_when_its_inputs_changed(tmp_path):
    import datetime as dt

    from approval.drafts.publish import ADOPTED, PublishResult
    from approval.drafts.versions import VersionInfo

    info = VersionInfo(area="bromma", year=2024, version=3, state="faststalld",
                       docx_sha256="a" * 64, inputs_fingerprint="b" * 64, inputs=[],
                       flow_run_id=None, directory=str(tmp_path),
                       created_at=dt.datetime.now(dt.UTC), id=7)  # fmt: skip
    changed = AreaOutcome.from_result(PublishResult(
        version=info, created=False, files=(), status=ADOPTED, inputs_changed=True))
    same = AreaOutcome.from_result(PublishResult(
        version=info, created=False, files=(), status=ADOPTED, inputs_changed=False))
    assert changed.status == same.status == "adopted" and changed.version == 3
    assert changed.text == "fastställd – ingen ny version"
    assert "indata har ändrats sedan version 3 fastställdes" in changed.reason
    assert '--revision "skäl"' in changed.reason and same.reason is None
