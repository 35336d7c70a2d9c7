"""The plain parts of the flows: report year, area selection, summary, artifact content,
and the deployment definitions (no server needed)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from flows.artifacts import artifact_key, headline_rows, quality_markdown
from flows.deploy import NIGHTLY_CRON, TIMEZONE, deployments
from flows.nightly import (
    AreaOutcome,
    NightlySummary,
    areas_to_refresh,
    default_report_year,
)
from lagesbild.config import load_areas
from lagesbild.errors import ConfigError, PipelineError


@pytest.mark.parametrize(("moment", "year"), [
    (dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC), 2025),
    (dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC), 2024),
    (dt.datetime(2025, 3, 31, 22, 30, tzinfo=dt.UTC), 2025),  # 1 April 00:30 in Stockholm
    (dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC), 2025),  # 1 January 00:30: year before
])  # fmt: skip
def test_default_report_year_in_stockholm_time(moment, year):
    assert default_report_year(moment) == year


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
    ))  # fmt: skip
    data = summary.to_dict()
    assert (data["created"], data["unchanged"], data["failed"]) == (1, 1, 1)
    assert [a["text"] for a in data["areas"]] == ["ny version", "oförändrad", "misslyckades"]
    text = summary.to_markdown()
    assert "| sodermalm | ny version | v002 |" in text
    assert "| jarva | misslyckades |  | no BRÅ / data |" in text
    assert not summary.all_failed
    assert NightlySummary(2024, (AreaOutcome("jarva", 2024, "failed"),)).all_failed
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
    assert rows[0]["Förändring"] == "−21,3 %" and rows[0]["p"] == "p < 0,001"
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
