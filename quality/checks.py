"""Cross-source and cross-row checks in plain pandas.

These need more than one row or more than one source at a time (months against the year,
BRÅ's published rate against our population, the years a report compares for an area and
its predecessors), which GX suites do not express cleanly. Each returns one
``CheckResult``; none raises on bad data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from quality.area_rows import YEAR, AreaRows, year_of
from quality.report import CheckResult, Severity
from quality.rowchecks import examples_for

__all__ = [
    "MembersForYear",
    "check_complete_years",
    "check_known_categories",
    "check_months_sum_to_year",
    "check_published_rates",
    "check_required_years",
    "check_source_years",
]

MembersForYear = Callable[[int], tuple[str, ...]]

POPULATION_TOTAL = "Folkmängd"
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov",
               "Dec")  # fmt: skip


_year = year_of


def check_months_sum_to_year(bra: pd.DataFrame) -> CheckResult:
    """Where an export has both a year row and all twelve months, they must agree.

    Args:
        bra: BRÅ frame in the long shape.

    Returns:
        A warning result; examples are the year rows whose count differs from the months.
    """
    name, column = "expect_months_to_sum_to_year", "value"
    key = ["region", "category"]
    years = bra[bra["period_kind"] == "year"].assign(_y=lambda f: _year(f["period_end"]))
    months = bra[bra["period_kind"] == "month"].assign(_y=lambda f: _year(f["period_end"]))
    if years.empty or months.empty:
        return CheckResult("bra", name, Severity.WARNING, True, column, "nothing to compare")
    months = months.drop_duplicates([*key, "period_start"])
    grouped = months.groupby([*key, "_y"], sort=False)["value"]
    sums = pd.DataFrame({"_n": grouped.count(), "_sum": grouped.sum(min_count=1)}).reset_index()
    sums = sums[sums["_n"] == 12]
    merged = years.reset_index().merge(sums, on=[*key, "_y"], how="inner").set_index("index")
    merged = merged[merged["value"].notna()]
    bad = (merged["value"] - merged["_sum"]).abs() > 0.5
    shown = merged[bad]  # the examples' texts only: formatting every row cost 0.3 s nationally
    values = shown["value"].astype(str) + " ≠ months " + shown["_sum"].astype("Int64").astype(str)
    n_bad = int(bad.sum())
    message = (
        f"{n_bad} of {len(merged)} yearly counts differ from the sum of their twelve months"
        if n_bad
        else f"{len(merged)} yearly counts agree with their months"
    )
    return CheckResult(
        "bra",
        name,
        Severity.WARNING,
        n_bad == 0,
        column,
        message,
        examples_for(merged, bad, column, values),
        {"differ": n_bad, "compared": len(merged)},
    )


def check_published_rates(bra: pd.DataFrame, population: pd.DataFrame) -> CheckResult:
    """BRÅ's ``/100 000 inv`` must agree with count and population within 1.

    Compared where BRÅ published a rate and we have the area's total population
    (``Folkmängd``) for the year of the period: ``|round(count / pop * 1e5) − published| ≤ 1``.

    Args:
        bra: BRÅ frame in the long shape.
        population: population frame in the long shape.

    Returns:
        A warning result; examples show the published rate against the recomputed one.
    """
    name, column = "expect_published_rate_to_match_population", "published_rate"
    pop = population[(population["category"] == POPULATION_TOTAL) & population["area"].notna()]
    pop = (
        pop.assign(_y=_year(pop["period_end"]))
        .groupby(["area", "_y"])["value"]
        .first()
        .rename("_pop")
    )
    rows = bra[bra["published_rate"].notna() & bra["value"].notna() & bra["area"].notna()]
    rows = rows.assign(_y=_year(rows["period_end"]))
    merged = rows.reset_index().merge(pop.reset_index(), on=["area", "_y"], how="inner")
    merged = merged.set_index("index")
    merged = merged[merged["_pop"] > 0]
    if merged.empty:
        return CheckResult(
            "bra", name, Severity.WARNING, True, column, "no rate with a matching population"
        )
    recomputed = (merged["value"] / merged["_pop"] * 1e5).round()
    bad = (recomputed - merged["published_rate"]).abs() > 1
    shown = merged[bad]  # the examples' texts only
    values = (
        shown["published_rate"].astype(str) + " vs " + recomputed[bad].astype("Int64").astype(str)
    )
    n_bad = int(bad.sum())
    message = (
        f"{n_bad} of {len(merged)} published rates differ by more than 1 from "
        "count / population × 100 000"
        if n_bad
        else f"{len(merged)} published rates agree with the population"
    )
    return CheckResult(
        "bra",
        name,
        Severity.WARNING,
        n_bad == 0,
        column,
        message,
        examples_for(merged, bad, column, values),
        {"differ": n_bad, "compared": len(merged)},
    )


def _counted_years(frame: pd.DataFrame) -> frozenset[tuple[str, int]]:
    """The (area, year) pairs with a year's count, as ``_has_year_count`` finds it per pair.

    One pass over the whole frame (with its ``YEAR`` column), for ``AreaRows.memo``.
    """
    valued = frame[frame["value"].notna() & frame[YEAR].notna()]
    year_rows = valued[valued["period_kind"] == "year"]
    pairs = set(zip(year_rows["area"].astype("str"), year_rows[YEAR].astype(int), strict=True))
    months = valued[valued["period_kind"] == "month"]
    counted = months.groupby(["area", YEAR, "category"])["period_start"].nunique().ge(12)
    for area, year, _ in counted[counted].index:
        pairs.add((str(area), int(year)))
    return frozenset(pairs)


def _has_year_count(rows: pd.DataFrame) -> bool:
    """A year's count exists: a non-missing year row, or twelve non-missing months."""
    if rows.empty:
        return False
    year_rows = rows[(rows["period_kind"] == "year") & rows["value"].notna()]
    if not year_rows.empty:
        return True
    months = rows[(rows["period_kind"] == "month") & rows["value"].notna()]
    return months.groupby("category")["period_start"].nunique().ge(12).any()


def check_required_years(
    bra: pd.DataFrame | None,
    *,
    area: str,
    years: Sequence[int],
    members_for_year: MembersForYear,
    rows: AreaRows | None = None,
) -> CheckResult:
    """BRÅ counts exist for every required year of the area (blocking).

    For a year before a successor area existed (``norra-innerstaden`` in 2023) its
    predecessors (``norrmalm``, ``ostermalm``) must each have the year.

    Args:
        bra: BRÅ frame in the long shape (None or empty when no file was given).
        area: the run's area id.
        years: the years that must be present (report year and the year before).
        members_for_year: the area ids that make up ``area``'s series in a year.
        rows: ``AreaRows(bra)`` when the caller checks many areas on one frame.

    Returns:
        A blocking result naming each missing area and year.
    """
    name = "expect_required_years_present"
    missing: list[str] = []
    examples: list[dict] = []
    frame = bra if bra is not None else pd.DataFrame()
    if not frame.empty and rows is None:
        rows = AreaRows(frame)
    for year in sorted(set(years)):
        members = members_for_year(year)
        if not members:
            missing.append(f"{year} (no area makes up {area}'s series)")
            continue
        counted = rows.memo("counted_years", _counted_years) if rows is not None else {}
        for member in members:
            if (str(member), year) not in counted:
                suffix = "" if member == area else f" (part of {area}'s series)"
                why, example = _why_missing(rows.frame if rows is not None else frame, member,
                                            year)  # fmt: skip
                missing.append(f"{member} {year}{suffix}: {why}")
                if example is not None:
                    examples.append(example)
    if missing:
        message = "no BRÅ yearly counts (inbox/bra) for " + "; ".join(missing)
        return CheckResult("bra", name, Severity.BLOCKING, False, "area", message,
                           tuple(examples))  # fmt: skip
    years_text = ", ".join(str(y) for y in sorted(set(years)))
    return CheckResult(
        "bra", name, Severity.BLOCKING, True, "area", f"{area}: {years_text} present"
    )


def _months_missing(rows: pd.DataFrame) -> list[str]:
    """The month names without a count in ``rows`` (one area and year, any category)."""
    return [MONTH_NAMES[m - 1] for m in _month_numbers_missing(rows)]


def _month_numbers_missing(rows: pd.DataFrame) -> list[int]:
    """The months (1-12) without a count in ``rows`` (one area and year, any category)."""
    months = rows[(rows["period_kind"] == "month") & rows["value"].notna()]
    have = set(pd.to_datetime(months["period_start"]).dt.month)
    return [m for m in range(1, 13) if m not in have]


def _files(rows: pd.DataFrame) -> str:
    return ", ".join(sorted(str(f) for f in rows["file"].dropna().unique())) if len(rows) else ""


def _why_missing(frame: pd.DataFrame, member: str, year: int) -> tuple[str, dict | None]:
    """What is missing for one area-year, and where to look (file, column)."""
    if frame.empty:
        return "ingen BRÅ-fil i inkorgen", None
    rows = frame[(frame["area"] == member) & (frame[YEAR] == year)]
    if len(rows):
        missing = _months_missing(rows)
        files = _files(rows)
        example = {"file": files, "row": None, "column": "Period", "value": None}
        if missing:
            return f"{files} saknar månader: {', '.join(missing)}", example
        return f"{files}: ingen kategori har alla tolv månader eller Helår", example
    same_year = frame[frame[YEAR] == year]
    mine = frame[frame["area"] == member]
    parts, example = [], None
    if len(mine):
        have = sorted(int(y) for y in mine[YEAR].dropna().unique())
        parts.append(f"ingen fil har rader för {year} för området (filer med området: "
                     f"{_files(mine)}; år {', '.join(map(str, have))})")  # fmt: skip
        example = {"file": _files(mine), "row": None, "column": "År", "value": None}
    if len(same_year):
        parts.append(f"{_files(same_year)} har rader för {year} men inga för området")
        example = {"file": _files(same_year), "row": None, "column": "Region", "value": None}
    return ("; ".join(parts) or "ingen fil har rader för området"), example


def check_complete_years(
    bra: pd.DataFrame | None,
    *,
    area: str,
    required: Sequence[int],
    members_for_year: MembersForYear,
    rows: AreaRows | None = None,
) -> CheckResult:
    """Each year of the area's series has its counts: else the year is missing (warning).

    A year's count is ``Helår`` or the sum of twelve months; with a month's rows lost the
    year is missing from the series, which the draft must not show silently (sources.md:
    "missing, with a quality warning"). The report year and the year before are
    ``check_required_years``' (blocking); this names every other incomplete year with its
    file and its missing months.

    Args:
        bra: BRÅ frame in the long shape.
        area: the run's area id.
        required: the years ``check_required_years`` covers (left out here).
        members_for_year: the area ids that make up ``area``'s series in a year.
        rows: ``AreaRows(bra)`` when the caller checks many areas on one frame.

    Returns:
        A warning result, one example per incomplete area-year.
    """
    name = "expect_complete_years"
    if bra is None or bra.empty:
        return CheckResult("bra", name, Severity.WARNING, True, "Period", "no BRÅ rows")
    index = rows if rows is not None else AreaRows(bra)
    counted = index.memo("counted_years", _counted_years)
    problems: list[str] = []
    examples: list[dict] = []
    gaps: list[dict] = []
    for year in index.years:
        if year in set(required):
            continue
        for member in members_for_year(year):
            if (str(member), year) in counted:
                continue
            found = index.rows_in(member, year)
            if found.empty:
                continue
            numbers = _month_numbers_missing(found)
            missing = [MONTH_NAMES[m - 1] for m in numbers]
            files = _files(found)
            what = f"saknar månader: {', '.join(missing)}" if missing else "ofullständigt år"
            problems.append(f"{member} {year} ({files}) {what}")
            gaps.append({"area": str(member), "year": int(year), "files": files,
                         "months": numbers})  # fmt: skip
            examples.append({"file": files, "row": None, "column": "Period", "value": None})
    if problems:
        message = "BRÅ-året saknas i serien (inte alla tolv månader): " + "; ".join(problems)
        return CheckResult("bra", name, Severity.WARNING, False, "Period", message,
                           tuple(examples[:5]), {"gaps": gaps})  # fmt: skip
    return CheckResult("bra", name, Severity.WARNING, True, "Period", f"{area}: complete years")


def check_source_years(
    frame: pd.DataFrame | None,
    *,
    source: str,
    area: str,
    years: Sequence[int],
    members_for_year: MembersForYear,
    date_column: str = "period_end",
    severity: Severity = Severity.WARNING,
    rows: AreaRows | None = None,
) -> CheckResult:
    """A source has rows for the area (or its predecessors) in every compared year.

    Used for the optional sources (population, IA, surveys): a missing year is a warning
    and a visible note in the draft, never a silent gap.

    Args:
        frame: the source frame (None or empty when no file was given).
        source: the source label for the report.
        area: the run's area id.
        years: the years to look for.
        members_for_year: the area ids that make up ``area``'s series in a year.
        date_column: the column whose year is compared.
        severity: the severity of a missing year.
        rows: ``AreaRows(frame, date_column)`` when the caller checks many areas on one frame.

    Returns:
        One result naming the missing years.
    """
    name = "expect_compared_years_present"
    if frame is None or frame.empty:
        facts = {"area": area, "years": sorted(set(years)), "no_data": True}
        return CheckResult(source, name, severity, False, None,
                           f"no {source} data given (underlag saknas)", (), facts)  # fmt: skip
    index = rows if rows is not None else AreaRows(frame, date_column)
    missing = [
        year for year in sorted(set(years))
        if not index.has_year(members_for_year(year) or (), year)
    ]  # fmt: skip
    if missing:
        return CheckResult(source, name, severity, False, "area",
                           f"no rows for {area} in {', '.join(map(str, missing))}", (),
                           {"area": area, "years": missing})  # fmt: skip
    return CheckResult(source, name, severity, True, "area", f"{area}: all compared years present")


def check_known_categories(bra: pd.DataFrame, known: Sequence[str]) -> CheckResult:
    """Every BRÅ category is one the report knows (``report.yaml``: ``bra_categories``).

    An unknown one (a new menu entry, a typo) would otherwise be printed in the draft's
    table without a word. A warning, with one example row per unknown category.
    """
    name, column = "expect_known_categories", "category"
    wanted = {str(k).casefold() for k in known}
    codes, categories = pd.factorize(bra["category"])  # a missing category is code -1
    unknown = [str(c).casefold() not in wanted for c in categories] + [False]
    bad = pd.Series(np.array(unknown, dtype=bool)[codes], index=bra.index)
    if not bad.any():
        return CheckResult("bra", name, Severity.WARNING, True, column, "")
    firsts = bra[bad].drop_duplicates(subset=["category"])
    names = [str(c) for c in firsts["category"]]
    message = (f"{len(names)} okända brottskategorier (lägg till dem i report.yaml, "
               f"bra_categories, om de ska redovisas): {', '.join(names[:10])}")  # fmt: skip
    examples = examples_for(bra, bad & ~bra.duplicated(subset=["category"]), column)
    return CheckResult("bra", name, Severity.WARNING, False, column, message, examples,
                       {"categories": names})
