"""Run the suites on source frames and turn the outcome into a ``ValidationReport``.

``validate`` never raises on failing data, only on programming errors (an unknown suite).
great_expectations is imported lazily (it takes seconds) and its ephemeral context is
created once per process; Data Docs get a fresh context of their own so a site only shows
the validations of its run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from quality import docs_process
from quality._gx import DocsBuilder
from quality.area_rows import AreaRows, area_rows
from quality.checks import (
    MembersForYear,
    check_complete_years,
    check_known_categories,
    check_months_sum_to_year,
    check_published_rates,
    check_required_years,
    check_source_years,
)
from quality.report import CheckResult, ValidationReport
from quality.run_suite import run_suite, source_columns
from quality.suites import SUITE_SOURCES, build_suite

__all__ = [
    "CHECKS_PAGE",
    "FRAME_SUITES",
    "InboxChecks",
    "validate",
    "validate_inbox",
    "validate_inputs",
]

logger = logging.getLogger(__name__)

# Source key -> the date column whose year the per-area checks compare.
_AREA_YEAR_COLUMNS = {"bra": "period_end", "befolkning": "period_end", "ia": "occurred_on"}
# Inbox folder (frame key) -> suite.
FRAME_SUITES = {
    "bra": "bra_clean",
    "befolkning": "befolkning_clean",
    "enkater": "enkater_clean",
    "ia": "ia_clean",
}
# Written next to the Data Docs index: every check, including the pandas ones.
CHECKS_PAGE = "checks.html"


def validate(
    frame: pd.DataFrame,
    suite_name: str,
    *,
    report_years: Sequence[int] | None = None,
    as_of: dt.date | None = None,
) -> ValidationReport:
    """Validate one source frame with its suite.

    Args:
        frame: the adapter's frame (long shape, or IA incident records).
        suite_name: ``bra_clean``, ``befolkning_clean``, ``enkater_clean`` or ``ia_clean``.
        report_years: years the report compares (a source-wide warning when absent).
        as_of: the run's date; dates after it fail. None skips that bound.

    Returns:
        The report; ``report.success`` is False when a blocking expectation failed.

    Raises:
        ValueError: for an unknown suite name.
    """
    specs = build_suite(suite_name, report_years, as_of=as_of)
    return ValidationReport(tuple(run_suite(frame, suite_name, specs, docs=None)))


@dataclasses.dataclass(frozen=True)
class InboxChecks:
    """The checks of one inbox read that do not depend on the area reported on.

    The suites and the frame-wide cross-source checks (months sum to the year, known
    categories, published rates) look at whole frames: a nightly run over 290 areas runs
    them once (``validate_inbox``) and every area's ``validate_inputs`` reuses them. The
    per-area checks (its years) find the area's rows in ``area_rows``, built here once.
    """

    year: int
    as_of: dt.date
    bra_categories: tuple[str, ...] | None
    suites: tuple[CheckResult, ...]
    months_sum: CheckResult | None
    known_categories: CheckResult | None
    published_rates: CheckResult | None
    #: The Data Docs site built by ``validate_inbox`` (``index.html`` in it), if any.
    docs_index: Path | None = None
    #: Source key → its rows by area and year, for the per-area checks.
    area_rows: Mapping[str, AreaRows] = dataclasses.field(default_factory=dict)

    def matches(self, year: int, as_of: dt.date, bra_categories: Sequence[str] | None) -> bool:
        """True when these checks are the ones a run of ``year`` on ``as_of`` needs."""
        categories = None if bra_categories is None else tuple(bra_categories)
        return (self.year, self.as_of, self.bra_categories) == (year, as_of, categories)


def validate_inbox(
    frames: Mapping[str, pd.DataFrame | None],
    *,
    year: int,
    as_of: dt.date,
    data_docs_dir: Path | None = None,
    bra_categories: Sequence[str] | None = None,
) -> InboxChecks:
    """The area-independent checks of an inbox read, once (see ``InboxChecks``).

    Args:
        frames, year, as_of, bra_categories: as for ``validate_inputs``.
        data_docs_dir: where to build the GX Data Docs site of the suites; None builds none.
    """
    compared = (year - 1, year)
    given = _given(frames)
    docs = DocsBuilder(Path(data_docs_dir)) if data_docs_dir is not None else None
    suites: list[CheckResult] = []
    for key, frame in given.items():
        suite_name = FRAME_SUITES.get(key, key)
        if suite_name not in SUITE_SOURCES:
            logger.info("no quality suite for source %r; not validated", key)
            continue
        years = None if suite_name == "enkater_clean" else compared
        specs = build_suite(suite_name, years, as_of=as_of)
        suites += run_suite(frame, suite_name, specs, docs=docs)
    bra, pop = given.get("bra"), given.get("befolkning")
    months = known = rates = None
    if bra is not None and _has(bra, "region", "category", "period_kind", "period_end", "value"):
        months = check_months_sum_to_year(bra)
        if bra_categories is not None:
            known = check_known_categories(bra, bra_categories)
        if (
            pop is not None
            and _has(bra, "area", "published_rate")
            and _has(pop, "area", "category")
        ):
            rates = check_published_rates(bra, pop)
    return InboxChecks(
        year=year, as_of=as_of,
        bra_categories=None if bra_categories is None else tuple(bra_categories),
        suites=tuple(suites), months_sum=months, known_categories=known,
        published_rates=rates, docs_index=docs.build() if docs is not None else None,
        area_rows=area_rows(given, _AREA_YEAR_COLUMNS),
    )  # fmt: skip


def validate_inputs(
    frames: Mapping[str, pd.DataFrame | None],
    *,
    area: str,
    year: int,
    as_of: dt.date,
    data_docs_dir: Path | None = None,
    members_for_year: MembersForYear | None = None,
    bra_categories: Sequence[str] | None = None,
    inbox: InboxChecks | None = None,
) -> ValidationReport:
    """Validate every given source frame and the cross-source checks for one run.

    Args:
        frames: frames keyed by inbox folder (``bra``, ``befolkning``, ``ia``, ``enkater``);
            None or empty frames count as not given.
        area: the run's area id.
        year: the report year.
        as_of: the run's date (upper bound for every date).
        data_docs_dir: where to build GX Data Docs (``index.html``) and ``checks.html``
            (every check, including the pandas ones); None writes nothing. When a Data
            Docs child renders the site, it is complete after ``docs_process.settle()``.
        members_for_year: the area ids making up ``area``'s series in a year; by default
            from the areas configuration (predecessors before a reorganisation).
        bra_categories: the BRÅ categories the report knows; any other is a warning.
            None skips that check.
        inbox: ``validate_inbox`` of the same frames, year, date and categories, when the
            caller runs many areas on one inbox read; its Data Docs site is copied into
            ``data_docs_dir``. Run here when None.

    Returns:
        One report over all sources; BRÅ for ``year`` and ``year - 1`` is blocking.
    """
    if members_for_year is None:
        from lagesbild.areas.load import load_areas

        config = load_areas()

        def members_for_year(y: int) -> tuple[str, ...]:
            return config.series_members(area, y)

    compared = (year - 1, year)
    given = _given(frames)
    if inbox is None:
        inbox = validate_inbox(frames, year=year, as_of=as_of, data_docs_dir=data_docs_dir,
                               bra_categories=bra_categories)  # fmt: skip
        index = inbox.docs_index
    else:
        if not inbox.matches(year, as_of, bra_categories):
            raise ValueError("the inbox checks are for another year, date or categories")
        index = _copy_docs(inbox.docs_index, data_docs_dir)
    results: list[CheckResult] = list(inbox.suites)
    bra = given.get("bra")
    rows = inbox.area_rows
    results.append(check_required_years(bra, area=area, years=compared,
                                        members_for_year=members_for_year,
                                        rows=rows.get("bra")))  # fmt: skip
    if inbox.months_sum is not None:
        results.append(inbox.months_sum)
        if inbox.known_categories is not None:
            results.append(inbox.known_categories)
        if _has(bra, "area", "period_start", "file"):
            results.append(check_complete_years(bra, area=area, required=compared,
                                                members_for_year=members_for_year,
                                                rows=rows.get("bra")))  # fmt: skip
        if inbox.published_rates is not None:
            results.append(inbox.published_rates)
    for key in ("befolkning", "ia"):
        frame, column = given.get(key), _AREA_YEAR_COLUMNS[key]
        if frame is None or _has(frame, "area", column):
            results.append(
                check_source_years(
                    frame,
                    source=key,
                    area=area,
                    years=compared,
                    members_for_year=members_for_year,
                    date_column=column,
                    rows=rows.get(key),
                )
            )
    results += _survey_years(given.get("enkater"), area, year, members_for_year)
    results = [source_columns(r, given.get(r.source)) for r in results]
    report = ValidationReport(tuple(results), data_docs=index)
    if data_docs_dir is not None:
        # The pandas and cross-source checks are not in GX's Data Docs: list all here.
        Path(data_docs_dir).mkdir(parents=True, exist_ok=True)
        (Path(data_docs_dir) / CHECKS_PAGE).write_text(report.to_html(), encoding="utf-8")
    return report


def _given(frames: Mapping[str, pd.DataFrame | None]) -> dict[str, pd.DataFrame]:
    return {k: f for k, f in frames.items() if f is not None and not f.empty}


def _copy_docs(index: Path | None, data_docs_dir: Path | None) -> Path | None:
    """The inbox's Data Docs site copied into this run's directory; its index there."""
    if index is None or data_docs_dir is None:
        return None
    site = Path(index).parent
    child = docs_process.current()
    if child is None or not child.copy_when_built(site, Path(data_docs_dir)):
        shutil.copytree(site, data_docs_dir, dirs_exist_ok=True)
    return Path(data_docs_dir) / Path(index).name


def _has(frame: pd.DataFrame, *columns: str) -> bool:
    return all(c in frame.columns for c in columns)


def _survey_years(
    frame: pd.DataFrame | None, area: str, year: int, members_for_year: MembersForYear
) -> list[CheckResult]:
    """Each survey's last two waves up to the report year are present for the area."""
    if frame is None or not _has(frame, "source", "area", "period_end"):
        return [
            check_source_years(
                None, source="enkater", area=area, years=(year,), members_for_year=members_for_year
            )
        ]
    out = []
    waves = pd.to_datetime(frame["period_end"], errors="coerce").dt.year
    for survey in sorted(frame["source"].dropna().unique()):
        mine = waves[(frame["source"] == survey) & (waves <= year)]
        last_two = sorted(mine.dropna().astype(int).unique())[-2:]
        out.append(
            check_source_years(
                frame[frame["source"] == survey],
                source=str(survey),
                area=area,
                years=last_two or (year,),
                members_for_year=members_for_year,
            )
        )
    return out
