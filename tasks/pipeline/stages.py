"""The yearly run's first stages as plain functions: fetch, ingest, check, compute.

Each Prefect task in ``tasks/pipeline/steps.py`` calls exactly one of these (or of
``tasks.pipeline.publishing``), so the whole run can be tested (and benchmarked) without
Prefect. Data flows one way: sources → quality → indicators → outputs → approval.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lagesbild.errors import DataQualityError, PipelineError
from lagesbild.settings import Settings
from quality.report import ValidationReport
from quality.validate import InboxChecks, validate_inbox, validate_inputs
from sources.fetch.fetch import (
    FetchResult,
    FetchSpec,
    fetch_source,
    load_fetch_specs,
    make_client,
    use_last_snapshot,
)
from sources.readers.source_config import load_source_config
from sources.store.inbox import Inputs, read_inbox
from tasks.indicators.build import (
    build_indicators,
    with_bh,
    with_city_rates,
    with_rates,
)
from tasks.indicators.comparison_levels import (
    level_builds,
    level_check_results,
    with_level_rows,
)
from tasks.indicators.disclosure import (
    DisclosureRules,
    apply_disclosure_control,
)
from tasks.indicators.ia_series import ia_series
from tasks.indicators.inbox_series import inbox_dispersion, level_series, lineage_series
from tasks.indicators.survey_changes import SurveySettings
from tasks.pipeline.spec import (
    Computed,
    RunSpec,
    load_report_config,
)

__all__ = ["check", "compute", "fall_back", "fetch_one", "fetch_specs", "inbox_checks", "ingest"]

def fetch_specs(spec: RunSpec, settings: Settings,
                areas: Sequence[str] | None = None) -> list[FetchSpec]:  # fmt: skip
    """The sources to fetch over HTTP: the global ones plus those of the run's area (or of
    every area given); none without a fetch configuration (``LAGESBILD_FETCH_CONFIG``)."""
    if settings.fetch_config is None:
        return []
    unique: dict[tuple[str, str], FetchSpec] = {}
    for area in areas if areas is not None else [spec.area]:
        for source in load_fetch_specs(settings.fetch_config, area=area):
            unique.setdefault((source.kind, source.filename), source)
    return list(unique.values())


def fetch_one(source: FetchSpec, spec: RunSpec, settings: Settings) -> FetchResult:
    """One conditional GET of a source into the inbox (raises on failure; no retries here)."""
    with make_client() as client:
        return fetch_source(source, client=client, store=settings.raw_store(),
                            inbox=spec.inbox, state_file=settings.fetch_state)  # fmt: skip


def fall_back(source: FetchSpec, spec: RunSpec, settings: Settings,
              error: BaseException | None) -> FetchResult:  # fmt: skip
    """After the last retry: the last good snapshot, or ``SourceUnavailable``."""
    return use_last_snapshot(source, store=settings.raw_store(), inbox=spec.inbox,
                             state_file=settings.fetch_state, error=error)  # fmt: skip


def ingest(spec: RunSpec, settings: Settings, fetched: Sequence[FetchResult] = ()) -> Inputs:
    """Keep every inbox file in the raw store and read it into canonical frames.

    Args:
        spec: the run.
        settings: where the raw store is.
        fetched: this run's HTTP fetches; a stale one (last good snapshot) becomes a note
            that the draft shows.
    """
    if not spec.inbox.is_dir():
        raise PipelineError(f"inbox {spec.inbox} is not a directory")
    inputs = read_inbox(spec.inbox, spec.areas(), settings.raw_store(),
                        ia_categories=load_report_config().get("ia_categories"))
    inputs.stale_sources.extend(r.stale_source for r in fetched if r.stale_source)
    return inputs


def check(spec: RunSpec, inputs: Inputs, data_docs_dir: Path | None) -> ValidationReport:
    """Validate the inputs; raise ``DataQualityError`` on any blocking failure.

    The suites and frame-wide checks run once per inbox read (``inbox_checks``); only the
    area's own checks (its years, its comparison levels) run per area.
    """
    frames = _check_frames(inputs)
    categories = load_report_config().get("bra_categories")
    as_of = spec.as_of or dt.date.today()
    report = validate_inputs(
        frames,
        area=spec.area,
        year=spec.year,
        as_of=as_of,
        data_docs_dir=data_docs_dir,
        members_for_year=lambda y: spec.areas().series_members(spec.area, y),
        bra_categories=categories,
        inbox=inbox_checks(inputs, spec.year, as_of, categories, docs=data_docs_dir is not None),
    )  # fmt: skip
    levels = level_check_results(level_builds(inputs, spec.areas(), spec.area, spec.year))
    if levels:
        report = ValidationReport.merge([report, ValidationReport(results=levels)],
                                        data_docs=report.data_docs)  # fmt: skip
    if not report.success:
        raise DataQualityError(report)
    return report


def _check_frames(inputs: Inputs) -> dict[str, pd.DataFrame]:
    return {"bra": inputs.bra, "befolkning": inputs.befolkning, "enkater": inputs.enkater,
            "ia": inputs.ia}  # fmt: skip


_INBOX_CHECKS_LOCK = threading.Lock()


def inbox_checks(inputs: Inputs, year: int, as_of: dt.date, categories: Sequence[str] | None,
                 *, docs: bool) -> InboxChecks:  # fmt: skip
    """The area-independent checks of this inbox read, run once and kept with the inputs.

    The nightly's areas run in threads: the first to need them runs them (with a Data Docs
    site when asked, kept in a temporary directory removed with the inputs), the others
    wait and reuse them.
    """
    key = (year, as_of, None if categories is None else tuple(categories))
    with _INBOX_CHECKS_LOCK:
        cache = inputs.__dict__.setdefault("_inbox_checks", {})
        found = cache.get(key)
        if found is not None and (found.docs_index is not None or not docs):
            return found
        site = None
        if docs:
            site = Path(tempfile.mkdtemp(prefix="lagesbild-inbox-docs-")) / "data_docs"
            weakref.finalize(inputs, shutil.rmtree, site.parent, True)
        cache[key] = validate_inbox(_check_frames(inputs), year=year, as_of=as_of,
                                    data_docs_dir=site, bra_categories=categories)  # fmt: skip
        return cache[key]


def compute(spec: RunSpec, inputs: Inputs) -> Computed:
    """Indicators for the area and year, plus the multi-year series for the draft.

    Disclosure control runs here, last, so that no later step (draft, indicators.csv,
    changes since the previous version) ever sees a figure that must be withheld.
    """
    areas = spec.areas()
    config = load_report_config()
    lineage = areas.lineage(spec.area)
    # The area's lineage and its comparison levels' own rows; a level summed from its
    # members is added by ``with_level_rows``, and the pooled φ (statistics v2) fits each
    # district compared with the same city once per inbox read (``inbox_dispersion``).
    wanted = [*lineage, *(level.id for level in areas.comparisons_for(spec.area)
                          if level.id not in lineage)]  # fmt: skip
    # A comparison level's rows: its own, or summed from all its members (never partial).
    yearly, population_rows = with_level_rows(
        inputs.rows_for("yearly_bra", wanted), inputs.rows_for("befolkning", wanted),
        level_builds(inputs, areas, spec.area, spec.year))
    # The area's series from its lineage's rows and the level's from its own or summed rows,
    # each built once per inbox read (``tasks.indicators.inbox_series``).
    full_series, population = lineage_series(inputs, areas, spec.area)
    city = areas.comparison_for(spec.area).id
    city_series, city_population = level_series(inputs, areas, city, spec.year, yearly,
                                                population_rows)  # fmt: skip
    sources_config = load_source_config()
    incidents = inputs.rows_for("ia", lineage)
    indicators = build_indicators(
        bra_yearly=yearly,
        population=population_rows,
        surveys=inputs.enkater,
        incidents=incidents,
        areas=areas,
        area=spec.area,
        year=spec.year,
        ia_cutoff=spec.ia_cutoff or inputs.ia_export_date,
        alpha=float(config.get("alpha", 0.05)),
        area_pop=population,
        crime_series=full_series,
        dispersion=inbox_dispersion(inputs, areas, spec.area, spec.year),
        police_yearly=inputs.rows_for("yearly_polis", wanted),  # + the city's police row
        facts=inputs.rows_for("omradesfakta", [spec.area, areas.comparison_for(spec.area).id]),
        facts_lag=sources_config.omradesfakta_lag,
        forecasts=sources_config.forecasts,
        ia_categories=config.get("ia_categories", ()),
        survey_settings=SurveySettings(config.get("surveys")),
        city_series=city_series,
        city_population=city_population,
    )
    if not (indicators["source"] == "bra").any():
        raise PipelineError(
            f"no BRÅ crime statistics for {spec.area} {spec.year}: the report needs the "
            f"report year and the year before in {spec.inbox / 'bra'}"
        )
    rules = DisclosureRules.from_config(config.get("disclosure"))
    indicators, suppression = apply_disclosure_control(indicators, rules,
                                                       respondents=inputs.enkater)
    indicators = with_bh(indicators)  # over the published rows' p-values only
    first = spec.year - int(config.get("series_years", 5)) + 1
    series = with_city_rates(
        with_rates(full_series[full_series["year"].between(first, spec.year)], population),
        yearly, population_rows, areas, city, level=(city_series, city_population))
    ia = ia_series(incidents, areas, spec.area, spec.year,
                   spec.ia_cutoff or inputs.ia_export_date, rules)  # fmt: skip
    return Computed(indicators=indicators, crime_series=series, population=population,
                    suppression=suppression, rules=rules, ia_series=ia)  # fmt: skip

