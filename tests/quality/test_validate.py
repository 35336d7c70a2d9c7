"""GX-backed validation: clean frames pass, each broken variant fails with its severity.

The first great_expectations import costs several seconds; all tests here share the one
process-wide context that ``quality.validate`` caches.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from quality_frames import bra_frame, ia_frame, population_frame, survey_frame

from quality.report import Severity, ValidationReport
from quality.validate import validate, validate_inputs

AS_OF = dt.date(2024, 3, 1)
BRA_FILE = "bra/Databasfil_2022.txt"


def failed(report: ValidationReport, check: str, column: str | None = None):
    """The failed results of one check (optionally on one column)."""
    return [
        r
        for r in report.results
        if not r.success and r.check == check and (column is None or r.column == column)
    ]


@pytest.mark.parametrize(
    ("suite", "frame"),
    [
        ("bra_clean", bra_frame()),
        ("befolkning_clean", population_frame()),
        ("enkater_clean", survey_frame()),
        ("ia_clean", ia_frame()),
    ],
)
def test_clean_frames_pass_without_blocking_failures(suite: str, frame: pd.DataFrame) -> None:
    report = validate(frame, suite, as_of=dt.date(2025, 1, 1))
    assert report.success, report.summary()
    assert report.blocking_failures == ()
    assert len(report.results) > 20


def test_negative_count_is_blocking_and_named_by_file_row_column() -> None:
    frame = bra_frame()
    frame.loc[3, "value"] = -5.0
    report = validate(frame, "bra_clean", as_of=AS_OF)
    (result,) = failed(report, "expect_column_values_to_be_between", "value")
    assert result.severity is Severity.BLOCKING
    assert result.examples == (
        {"file": BRA_FILE, "row": frame.loc[3, "row"], "column": "Antal", "value": -5.0},
    )  # the column as the file names it (issue 16)
    assert not report.success
    assert (
        f"bra: expect_column_values_to_be_between [value] failed: {BRA_FILE} row 5 column "
        "'Antal' value -5.0" in report.summary()
    )


def test_text_in_count_column_is_blocking_with_the_text_as_example() -> None:
    frame = bra_frame()
    frame["value"] = frame["value"].astype(object)
    frame.loc[15, "value"] = "abc"
    report = validate(frame, "bra_clean", as_of=AS_OF)
    (result,) = failed(report, "expect_column_values_to_be_numeric", "value")
    assert result.severity is Severity.BLOCKING
    assert f"{BRA_FILE} row 17 column 'Antal' value 'abc'" in report.summary()


def test_missing_region_and_fractional_count_are_blocking() -> None:
    frame = bra_frame()
    frame.loc[2, "region"] = np.nan
    frame.loc[4, "value"] = 12.5
    report = validate(frame, "bra_clean", as_of=AS_OF)
    (nulls,) = failed(report, "expect_column_values_to_not_be_null", "region")
    (fraction,) = failed(report, "expect_column_values_to_be_integers", "value")
    assert nulls.severity is fraction.severity is Severity.BLOCKING
    assert nulls.examples[0]["row"] == 4
    assert fraction.examples[0]["value"] == 12.5


def test_conflicting_duplicate_is_blocking_but_an_identical_repeat_only_warns() -> None:
    frame = bra_frame()
    repeat = pd.concat([frame, frame.iloc[[0]].assign(row=99)], ignore_index=True)
    report = validate(repeat, "bra_clean", as_of=AS_OF)
    assert report.success
    assert failed(report, "expect_compound_columns_to_be_unique")[0].severity is Severity.WARNING

    conflict = pd.concat([frame, frame.iloc[[0]].assign(row=99, value=1.0)], ignore_index=True)
    report = validate(conflict, "bra_clean", as_of=AS_OF)
    (result,) = failed(report, "expect_no_conflicting_duplicates")
    assert result.severity is Severity.BLOCKING
    assert {ex["row"] for ex in result.examples} == {2, 99}


def test_unknown_region_is_information_only() -> None:
    frame = bra_frame()
    frame.loc[0, "area"] = np.nan
    frame.loc[0, "region"] = "Botkyrka kommun"
    report = validate(frame, "bra_clean", as_of=AS_OF)
    assert report.success and not report.warnings
    (warning,) = [r for r in report.results if not r.success]
    assert warning.severity is Severity.INFO
    assert (warning.check, warning.column) == ("expect_column_values_to_not_be_null", "area")
    assert warning.examples[0]["row"] == 2
    assert "not in the areas configuration" in warning.message


def test_missing_column_and_future_period_are_blocking() -> None:
    frame = bra_frame().drop(columns=["unit"])
    frame.loc[1, ["period_start", "period_end"]] = pd.Timestamp("2030-01-01")
    report = validate(frame, "bra_clean", as_of=AS_OF)
    (missing,) = failed(report, "expect_column_to_exist")
    assert missing.column == "unit" and missing.severity is Severity.BLOCKING
    (future,) = failed(report, "expect_column_values_to_be_between", "period_start")
    assert future.examples[0]["row"] == 3


def test_missing_report_year_warns_for_the_whole_source() -> None:
    report = validate(bra_frame(years=(2022,)), "bra_clean", report_years=[2022, 2023])
    (result,) = failed(report, "expect_report_years_present")
    assert result.severity is Severity.WARNING
    assert "2023" in result.message


def test_ia_duplicate_id_and_bad_dates_are_blocking() -> None:
    frame = ia_frame()
    frame.loc[1, "incident_id"] = "IA-1"
    frame.loc[2, "occurred_on"] = pd.Timestamp("2024-04-01")  # after reported_on and as_of
    frame.loc[3, "occurred_on"] = pd.Timestamp("1999-12-31")
    report = validate(frame, "ia_clean", as_of=dt.date(2024, 3, 31))
    (dup,) = failed(report, "expect_column_values_to_be_unique", "incident_id")
    assert [ex["row"] for ex in dup.examples] == [2, 3]
    (order,) = failed(report, "expect_column_pair_values_a_to_be_greater_than_b")
    assert order.examples[0]["row"] == 4
    (window,) = failed(report, "expect_column_values_to_be_between", "occurred_on")
    assert sorted(ex["row"] for ex in window.examples) == [4, 5]
    assert all(r.severity is Severity.BLOCKING for r in (dup, order, window))
    assert "ia/export.xlsx row 3" in report.summary()


def test_survey_share_above_100_and_zero_respondents_are_blocking() -> None:
    frame = survey_frame()
    frame.loc[0, "value"] = 130.0
    frame.loc[1, "n"] = 0.0
    report = validate(frame, "enkater_clean", as_of=AS_OF)
    (share,) = failed(report, "expect_column_values_to_be_between", "value")
    (resp,) = failed(report, "expect_column_values_to_be_between", "n")
    assert share.examples[0]["value"] == 130.0 and resp.examples[0]["row"] == 3
    assert share.severity is resp.severity is Severity.BLOCKING


def test_zero_population_is_blocking() -> None:
    frame = population_frame()
    frame.loc[0, "value"] = 0.0
    report = validate(frame, "befolkning_clean")
    (result,) = failed(report, "expect_column_values_to_be_between", "value")
    assert result.severity is Severity.BLOCKING


def test_unknown_suite_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown suite"):
        validate(bra_frame(), "polis_clean")


def _frames(area: str = "sodermalm") -> dict[str, pd.DataFrame]:
    return {
        "bra": bra_frame(area),
        "befolkning": population_frame(area),
        "ia": ia_frame(),
        "enkater": survey_frame(),
    }


def test_validate_inputs_passes_clean_sources_and_builds_data_docs(tmp_path) -> None:
    report = validate_inputs(
        _frames(), area="sodermalm", year=2023, as_of=dt.date(2024, 12, 31),
        data_docs_dir=tmp_path / "docs",
        members_for_year=lambda y: ("sodermalm",),
    )  # fmt: skip
    assert report.success, report.summary()
    assert report.data_docs == tmp_path / "docs" / "index.html"
    assert report.data_docs.is_file()
    assert list((tmp_path / "docs" / "validations").rglob("*.html"))
    assert {r.source for r in report.results} >= {"bra", "befolkning", "ia", "enkater"}
    checks_page = (tmp_path / "docs" / "checks.html").read_text(encoding="utf-8")
    assert "expect_required_years_present" in checks_page and "godkänd" in checks_page


def test_validate_inputs_blocks_without_the_previous_year() -> None:
    frames = _frames()
    frames["bra"] = bra_frame(years=(2023,))
    report = validate_inputs(frames, area="sodermalm", year=2023, as_of=dt.date(2024, 1, 31))
    (result,) = failed(report, "expect_required_years_present")
    assert result.severity is Severity.BLOCKING
    assert "sodermalm 2022" in result.message
    assert not report.success


def test_validate_inputs_uses_predecessors_for_a_successor_area() -> None:
    bra = pd.concat(
        [
            bra_frame("norra-innerstaden", years=(2024,)),
            bra_frame("norrmalm", years=(2023,)),
            bra_frame("ostermalm", years=(2023,)).assign(row=lambda f: f["row"] + 100),
        ],
        ignore_index=True,
    )
    bra["region"] = bra["area"]  # distinct regions so the key stays unique
    report = validate_inputs(
        {"bra": bra}, area="norra-innerstaden", year=2024, as_of=dt.date(2025, 2, 1)
    )
    assert report.success, report.summary()
    # Optional sources missing: visible warnings, never silent.
    assert any(r.source == "ia" and not r.success for r in report.warnings)

    report = validate_inputs(
        {"bra": bra[bra["area"] != "ostermalm"]},
        area="norra-innerstaden", year=2024, as_of=dt.date(2025, 2, 1),
    )  # fmt: skip
    (result,) = failed(report, "expect_required_years_present")
    assert "ostermalm 2023" in result.message


def test_package_exports_without_importing_great_expectations(tmp_path) -> None:
    # Run outside the repository so ``quality`` is the installed package, not tests/quality.
    code = (
        "import sys, quality\n"
        "missing = [n for n in quality.__all__ if not hasattr(quality, n)]\n"
        "print('great_expectations' in sys.modules, missing, 'validate' in quality.__all__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "False [] True"
