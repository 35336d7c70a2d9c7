"""Suite definitions and the plain-pandas row checks (no great_expectations needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from quality_frames import bra_frame

from quality.report import Severity
from quality.rowchecks import (
    check_dates,
    check_integers,
    check_no_conflicting_duplicates,
    check_numeric,
)
from quality.suites import CANONICAL_COLUMNS, IA_COLUMNS, SUITES, build_suite


@pytest.mark.parametrize("name", sorted(SUITES))
def test_every_suite_checks_its_schema_and_has_both_severities(name: str) -> None:
    specs = build_suite(name, [2023])
    columns = IA_COLUMNS if name == "ia_clean" else CANONICAL_COLUMNS
    exist = {s.kwargs["column"] for s in specs if s.check == "expect_column_to_exist"}
    assert exist == set(columns)
    assert {s.severity for s in specs} == {Severity.BLOCKING, Severity.WARNING, Severity.INFO}
    assert all(s.engine in ("gx", "pandas") for s in specs)


def test_key_uniqueness_per_dataset() -> None:
    def key(name: str) -> list[str]:
        (spec,) = [s for s in build_suite(name) if s.check == "expect_no_conflicting_duplicates"]
        assert spec.severity is Severity.BLOCKING
        return spec.kwargs["key"]

    assert key("bra_clean") == ["region", "category", "period_start", "period_end", "period_kind"]
    assert key("befolkning_clean") == ["area", "category", "period_end"]
    assert key("enkater_clean") == ["source", "region", "year", "group", "category"]
    assert key("ia_clean") == ["incident_id"]


def test_as_of_bounds_dates_only_when_given() -> None:
    import datetime as dt

    def upper(specs) -> list:
        return [
            s.kwargs.get("max_value")
            for s in specs
            if s.check == "expect_column_values_to_be_between" and s.column == "occurred_on"
        ]

    assert upper(build_suite("ia_clean")) == [None]
    (bound,) = upper(build_suite("ia_clean", as_of=dt.date(2024, 3, 31)))
    assert bound.date() == dt.date(2024, 3, 31)


def test_unknown_suite_raises() -> None:
    with pytest.raises(ValueError, match="known suites: bra_clean"):
        build_suite("statistik")


def test_numeric_check_names_text_rows() -> None:
    frame = bra_frame()
    assert check_numeric(frame, column="value")[0]
    frame["value"] = frame["value"].astype(object)
    frame.loc[5, "value"] = ".."
    ok, message, examples = check_numeric(frame, column="value")
    assert not ok and message == f"1 of {len(frame)} rows are not numbers"
    assert examples[0]["value"] == ".." and examples[0]["row"] == 7


def test_integer_check_allows_nan_but_not_fractions() -> None:
    frame = pd.DataFrame({"value": [1.0, np.nan, 2.5], "file": "f", "row": [2, 3, 4]})
    ok, _, examples = check_integers(frame, column="value")
    assert not ok and [ex["row"] for ex in examples] == [4]


def test_date_check_names_unparseable_rows() -> None:
    frame = pd.DataFrame({"d": ["2024-01-02", None, "igår"], "file": "f", "row": [2, 3, 4]})
    ok, _, examples = check_dates(frame, column="d")
    assert not ok and examples == ({"file": "f", "row": 4, "column": "d", "value": "igår"},)


def test_duplicates_conflict_only_with_different_values() -> None:
    frame = pd.DataFrame(
        {"k": ["a", "a", "b", "b"], "value": [1.0, 1.0, np.nan, np.nan], "file": "f",
         "row": [2, 3, 4, 5]}
    )  # fmt: skip
    assert check_no_conflicting_duplicates(frame, key=["k"], value_columns=["value"])[0]
    frame.loc[3, "value"] = 7.0
    ok, message, examples = check_no_conflicting_duplicates(
        frame, key=["k"], value_columns=["value"]
    )
    assert not ok and message == "1 keys (k) occur with different values, e.g. k=b"
    assert [ex["row"] for ex in examples] == [4, 5]
