"""ValidationReport: success, summary lines naming file/row/column, table and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from quality.report import CheckResult, Severity, ValidationReport

BLOCK = CheckResult(
    "bra", "expect_column_values_to_not_be_null", Severity.BLOCKING, False, "Antal",
    "1 of 30 rows unexpected",
    ({"file": "bra/Databasfil_2022.txt", "row": np.int64(17), "column": "Antal", "value": "abc"},),
)  # fmt: skip
WARN = CheckResult(
    "bra", "expect_column_values_to_not_be_null", Severity.WARNING, False, "area", "",
    ({"file": "bra/x.txt", "row": 3, "column": "area", "value": np.nan},),
)  # fmt: skip
OK = CheckResult("ia", "expect_column_to_exist", Severity.BLOCKING, True, "file", "")


def test_success_counts_only_blocking_failures() -> None:
    assert ValidationReport((OK, WARN)).success
    report = ValidationReport((OK, WARN, BLOCK))
    assert not report.success
    assert report.blocking_failures == (BLOCK,)
    assert report.warnings == (WARN,)


def test_summary_names_source_check_column_file_row_and_value() -> None:
    lines = ValidationReport((OK, WARN, BLOCK), data_docs=Path("/d/index.html")).summary()
    lines = lines.splitlines()
    assert lines[0] == "Data quality: 3 checks, 1 blocking failures, 1 warnings."
    assert lines[1] == (
        "BLOCKING bra: expect_column_values_to_not_be_null [Antal] failed: "
        "bra/Databasfil_2022.txt row 17 value 'abc' (1 of 30 rows unexpected)"
    )
    assert lines[2] == (
        "WARNING bra: expect_column_values_to_not_be_null [area] failed: bra/x.txt row 3"
    )
    assert lines[3] == "Data Docs: /d/index.html"


def test_summary_without_examples_uses_the_message() -> None:
    result = CheckResult(
        "bra", "expect_required_years_present", Severity.BLOCKING, False, "area",
        "no BRÅ yearly counts (inbox/bra) for sodermalm 2022",
    )  # fmt: skip
    assert ValidationReport((result,)).summary().splitlines()[1] == (
        "BLOCKING bra: expect_required_years_present [area] failed: "
        "no BRÅ yearly counts (inbox/bra) for sodermalm 2022"
    )


def test_to_frame_has_one_row_per_check() -> None:
    frame = ValidationReport((OK, BLOCK)).to_frame()
    assert list(frame.columns) == [
        "source", "check", "column", "severity", "result", "examples", "message",
    ]  # fmt: skip
    assert frame["result"].tolist() == ["ok", "failed"]
    assert frame.loc[1, "examples"] == "bra/Databasfil_2022.txt row 17 value 'abc'"


def test_to_json_is_plain_json_with_swedish_letters() -> None:
    example = {"file": "f", "row": np.int64(2), "column": "period_start",
               "value": pd.Timestamp("2030-01-01")}  # fmt: skip
    result = CheckResult("bra", "c", Severity.BLOCKING, False, "period_start", "Södermalm",
                         (example,))  # fmt: skip
    text = ValidationReport((result, WARN)).to_json()
    assert "Södermalm" in text
    payload = json.loads(text)
    assert payload["success"] is False and payload["blocking_failures"] == 1
    assert payload["results"][0]["examples"][0] == {
        "file": "f", "row": 2, "column": "period_start", "value": "2030-01-01",
    }  # fmt: skip
    assert payload["results"][1]["examples"][0]["value"] is None


def test_merge_keeps_every_result_in_order() -> None:
    merged = ValidationReport.merge([ValidationReport((OK,)), ValidationReport((BLOCK, WARN))])
    assert merged.results == (OK, BLOCK, WARN)


def test_to_html_lists_every_check() -> None:
    odd = CheckResult("bra", "c", Severity.WARNING, False, None, "<script>", ())
    page = ValidationReport((OK, BLOCK, odd)).to_html()
    assert "stoppad av blockerande fel" in page and "3 kontroller" in page
    assert "bra/Databasfil_2022.txt row 17 value 'abc'" in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert page.count("<tr") == 4  # header and three checks
