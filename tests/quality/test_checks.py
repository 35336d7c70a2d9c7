"""Cross-source pandas checks: months against the year, published rates, required years."""

from __future__ import annotations

import pandas as pd
from quality_frames import bra_frame, population_frame

from quality.checks import (
    check_months_sum_to_year,
    check_published_rates,
    check_required_years,
    check_source_years,
)
from quality.report import Severity


def _only(area: str):
    return lambda year: (area,)


def test_months_agreeing_with_the_year_pass() -> None:
    result = check_months_sum_to_year(bra_frame())
    assert result.success and result.severity is Severity.WARNING
    assert "2 yearly counts agree" in result.message


def test_months_differing_from_the_year_warn_with_the_year_row() -> None:
    frame = bra_frame()
    frame.loc[0, "value"] = 1201.0  # twelve months of 100 make 1200
    result = check_months_sum_to_year(frame)
    assert not result.success and result.severity is Severity.WARNING
    assert result.examples == (
        {"file": "bra/Databasfil_2022.txt", "row": 2, "column": "value",
         "value": "1201.0 ≠ months 1200"},
    )  # fmt: skip


def test_incomplete_months_are_not_compared() -> None:
    frame = bra_frame()
    frame.loc[0, "value"] = 5.0
    frame = frame.drop(index=frame[frame["period_kind"] == "month"].index[:1])
    frame_2022 = frame[frame["period_end"].dt.year == 2022]
    assert check_months_sum_to_year(frame_2022).success


def test_published_rate_agrees_within_one() -> None:
    result = check_published_rates(bra_frame(), population_frame())
    assert result.success, result.message


def test_published_rate_off_by_more_than_one_warns() -> None:
    bra = bra_frame()
    bra.loc[1, "published_rate"] = bra.loc[1, "published_rate"] + 2
    result = check_published_rates(bra, population_frame())
    assert not result.success and result.severity is Severity.WARNING
    assert [ex["row"] for ex in result.examples] == [3]
    assert result.examples[0]["value"] == "101.0 vs 99"


def test_published_rate_without_population_is_not_compared() -> None:
    result = check_published_rates(bra_frame(), population_frame(years=(2019,)))
    assert result.success and "no rate" in result.message


def test_required_years_present() -> None:
    result = check_required_years(
        bra_frame(), area="sodermalm", years=(2022, 2023), members_for_year=_only("sodermalm")
    )
    assert result.success and result.severity is Severity.BLOCKING


def test_required_year_missing_is_blocking() -> None:
    result = check_required_years(
        bra_frame(years=(2023,)), area="sodermalm", years=(2022, 2023),
        members_for_year=_only("sodermalm"),
    )  # fmt: skip
    assert not result.success and result.severity is Severity.BLOCKING
    assert result.message == (
        "no BRÅ yearly counts (inbox/bra) for sodermalm 2022: ingen fil har rader för 2022 "
        "för området (filer med området: bra/Databasfil_2022.txt; år 2023)")
    assert result.examples[0]["column"] == "År"


def test_a_month_missing_names_the_file_and_the_months() -> None:
    frame = bra_frame()
    in_2022 = frame["period_end"].dt.year == 2022
    frame = frame[~(in_2022 & ((frame["period_kind"] == "year")
                               | (frame["period_start"].dt.month == 5)))]  # fmt: skip
    result = check_required_years(
        frame, area="sodermalm", years=(2022, 2023), members_for_year=_only("sodermalm"))
    assert "sodermalm 2022: bra/Databasfil_2022.txt saknar månader: Maj" in result.message
    assert result.examples[0]["column"] == "Period"
    # Not a required year: the year is missing from the series with a named warning.
    from quality.checks import check_complete_years

    warning = check_complete_years(frame, area="sodermalm", required=(2023,),
                                   members_for_year=_only("sodermalm"))  # fmt: skip
    assert warning.severity is Severity.WARNING and not warning.success
    assert "sodermalm 2022 (bra/Databasfil_2022.txt) saknar månader: Maj" in warning.message


def test_required_year_with_only_missing_values_is_missing() -> None:
    frame = bra_frame()
    frame.loc[frame["period_end"].dt.year == 2022, "value"] = float("nan")
    result = check_required_years(
        frame, area="sodermalm", years=(2022, 2023), members_for_year=_only("sodermalm")
    )
    assert not result.success and "sodermalm 2022" in result.message


def test_twelve_months_count_as_a_year() -> None:
    frame = bra_frame()
    frame = frame[frame["period_kind"] == "month"]
    result = check_required_years(
        frame, area="sodermalm", years=(2022, 2023), members_for_year=_only("sodermalm")
    )
    assert result.success
    result = check_required_years(
        frame.iloc[1:], area="sodermalm", years=(2022,), members_for_year=_only("sodermalm")
    )
    assert not result.success


def test_successor_needs_each_predecessor_for_earlier_years() -> None:
    def members(year: int) -> tuple[str, ...]:
        return ("norra-innerstaden",) if year >= 2024 else ("norrmalm", "ostermalm")

    bra = pd.concat(
        [bra_frame("norra-innerstaden", years=(2024,)), bra_frame("norrmalm", years=(2023,))],
        ignore_index=True,
    )
    result = check_required_years(
        bra, area="norra-innerstaden", years=(2023, 2024), members_for_year=members
    )
    assert not result.success
    assert "ostermalm 2023 (part of norra-innerstaden's series)" in result.message
    assert "norrmalm" not in result.message


def test_required_years_without_any_bra_frame_is_blocking() -> None:
    result = check_required_years(
        None, area="sodermalm", years=(2023,), members_for_year=_only("sodermalm")
    )
    assert not result.success and "sodermalm 2023" in result.message


def test_optional_source_missing_a_year_warns() -> None:
    ok = check_source_years(
        population_frame(), source="befolkning", area="sodermalm", years=(2022, 2023),
        members_for_year=_only("sodermalm"),
    )  # fmt: skip
    assert ok.success
    missing = check_source_years(
        population_frame(years=(2022,)), source="befolkning", area="sodermalm",
        years=(2022, 2023), members_for_year=_only("sodermalm"),
    )  # fmt: skip
    assert not missing.success and missing.severity is Severity.WARNING
    assert missing.message == "no rows for sodermalm in 2023"
    absent = check_source_years(
        None, source="ia", area="sodermalm", years=(2023,), members_for_year=_only("sodermalm")
    )
    assert not absent.success and "no ia data" in absent.message
