"""The yearly run's steps as plain functions: ingest, check, compute, publish.

Each Prefect task in ``tasks/steps.py`` calls exactly one of these, so the whole run can
be tested (and benchmarked) without Prefect. Data flows one way: sources → quality →
indicators → outputs → approval.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import shutil
import tempfile
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

import lagesbild
from approval.db.models import make_engine
from approval.drafts.publish import DRAFT_NAME, PublishResult, publish_version
from approval.drafts.versions import VersionRepository
from lagesbild.areas.load import load_areas
from lagesbild.areas.model import AreasConfig
from lagesbild.errors import DataQualityError, PipelineError
from lagesbild.progress import step
from lagesbild.settings import SAMPLE_INBOX, Settings
from outputs.draft.content.action_plan import action_plan_paths, load_action_plan, plan_warnings
from outputs.draft.content.compose import compose_context
from outputs.draft.content.context import DraftContext
from outputs.draft.content.editorial import editorial_path, load_editorial
from outputs.draft.content.report_config import load_caveats
from outputs.draft.word.writer import write_draft
from outputs.pdf.render import render_pdf
from outputs.publish.changes import diff_versions
from outputs.publish.indicators_csv import write_indicators
from outputs.publish.versions import fingerprint, sha256_file, write_json_atomic, write_text_atomic
from outputs.text.sentences import configured_sentences_file
from quality.report import ValidationReport
from quality.validate import InboxChecks, validate_inbox, validate_inputs
from sources.fetch import (
    FetchResult,
    FetchSpec,
    fetch_source,
    load_fetch_specs,
    make_client,
    use_last_snapshot,
)
from sources.inbox import Inputs, read_inbox
from sources.source_config import load_source_config
from tasks.comparison_levels import (
    level_builds,
    level_check_results,
    with_level_rows,
)
from tasks.crime_rows import inbox_dispersion
from tasks.disclosure import (
    DisclosureRules,
    apply_disclosure_control,
    empty_suppression_log,
    suppression_records,
)
from tasks.ia_series import ia_series
from tasks.indicators import (
    area_crime_series,
    area_population,
    build_indicators,
    with_bh,
    with_city_rates,
    with_rates,
)
from tasks.survey_changes import SurveySettings

__all__ = [
    "REPORT_CONFIG_FILE",
    "Computed",
    "RunSpec",
    "SAMPLE_INBOX",
    "check",
    "compute",
    "draft_context",
    "fall_back",
    "fetch_one",
    "fetch_specs",
    "ingest",
    "publish",
    "publish_locked",
]

log = logging.getLogger(__name__)

SAMPLE_MARKER = "EXEMPELDATA"
REPORT_CONFIG_FILE = Path(lagesbild.__file__).parent / "conf" / "report.yaml"


@functools.lru_cache(maxsize=8)
def _areas(path: Path | None) -> AreasConfig:
    return load_areas(path)


@dataclass(frozen=True)
class RunSpec:
    """What one yearly run is for: the flow's parameters, resolved."""

    area: str
    year: int
    inbox: Path
    out: Path
    ia_cutoff: dt.date | None = None
    areas_file: Path | None = None
    as_of: dt.date | None = None
    text_dir: Path | None = None
    template: Path | None = None
    pdf: bool = True
    #: Reason for revising a fastställd area-year (``--revision``); None: an ordinary run.
    revision: str | None = None
    #: Who runs it, for the audit log (the OS user by default).
    actor: str | None = None

    @property
    def texts(self) -> Path:
        """Editorial text and åtgärdsplan files: ``--text-dir``, else ``<inbox>/../text``."""
        return self.text_dir or self.inbox.parent / "text"

    def areas(self) -> AreasConfig:
        """The validated areas configuration of this run (loaded once per file)."""
        return _areas(self.areas_file)

    @property
    def is_sample_data(self) -> bool:
        """True when the inbox is the bundled example data."""
        inbox = self.inbox.resolve()
        return (inbox / SAMPLE_MARKER).exists() or inbox == SAMPLE_INBOX.resolve()


@dataclass(frozen=True)
class Computed:
    """The indicators of a run and the frames the draft shows beside them.

    ``indicators`` are the public ones: disclosure control (``tasks.disclosure``) has
    already withheld small IA counts and survey shares with few respondents; ``suppression``
    logs each withheld cell (never its value).
    """

    indicators: pd.DataFrame
    crime_series: pd.DataFrame
    population: pd.DataFrame
    suppression: pd.DataFrame = field(default_factory=empty_suppression_log)
    rules: DisclosureRules = field(default_factory=DisclosureRules)
    ia_series: pd.DataFrame = field(default_factory=pd.DataFrame)


def load_report_config(path: Path = REPORT_CONFIG_FILE) -> dict:
    """The report settings: alpha, series length, headline indicators (read once per edit)."""
    return _report_config(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _report_config(path: Path, _mtime: int) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


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
    inputs.notes.extend(r.note for r in fetched if r.stale)
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
    population = area_population(population_rows, areas, spec.area)
    full_series = area_crime_series(yearly, areas, spec.area)
    sources_config = load_source_config()
    indicators = build_indicators(
        bra_yearly=yearly,
        population=population_rows,
        surveys=inputs.enkater,
        incidents=inputs.rows_for("ia", lineage),
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
        yearly, population_rows, areas, areas.comparison_for(spec.area).id)
    incidents = inputs.rows_for("ia", lineage)
    ia = ia_series(incidents, areas, spec.area, spec.year,
                   spec.ia_cutoff or inputs.ia_export_date, rules)  # fmt: skip
    return Computed(indicators=indicators, crime_series=series, population=population,
                    suppression=suppression, rules=rules, ia_series=ia)  # fmt: skip


def _present_kinds(inputs: Inputs, indicators: pd.DataFrame) -> list[str]:
    kinds = [k for k in ("bra", "ia", "befolkning", "polis") if (indicators["source"] == k).any()]
    population = indicators[indicators["source"] == "befolkning"]
    if (population["indicator"] != "Folkmängd").any():
        kinds.append("omradesfakta")  # key figures are befolkning rows besides Folkmängd
    if indicators["source"].isin(["stockholmsenkaten", "trygghetsmatningen"]).any():
        kinds.append("enkater")
    return kinds


def _raw_inputs(inputs: Inputs) -> list[dict]:
    return [
        {"kind": Path(r.origin).parent.name, "name": r.name, "sha256": r.sha256,
         "origin": r.origin,
         "retrieved_at": inputs.retrieved.get(r.origin, r.retrieved_at).isoformat(),
         "size": r.size}
        for r in inputs.raw_files
    ]  # fmt: skip


def run_fingerprint(spec: RunSpec, inputs: Inputs) -> str:
    """The inputs fingerprint: raw file hashes, configuration, code version, parameters."""
    areas_file = spec.areas_file or spec.areas().source_file
    parts = [f"raw:{r.sha256}" for r in inputs.raw_files]
    parts += [
        f"areas:{sha256_file(areas_file)}",
        f"report:{sha256_file(REPORT_CONFIG_FILE)}",
        f"code:{lagesbild.__version__}",
        f"run:{spec.area}:{spec.year}:{spec.ia_cutoff}",
    ]
    texts = [editorial_path(spec.texts, spec.area, spec.year),
             *action_plan_paths(spec.texts, spec.area, spec.year)]  # fmt: skip
    parts += [f"text:{p.name}:{sha256_file(p)}" for p in texts if p.is_file()]
    if spec.template:
        parts.append(f"template:{sha256_file(spec.template)}")
    own = configured_sentences_file(load_report_config(), spec.area, base=REPORT_CONFIG_FILE)
    if own is not None:  # a district's edited wording is a new draft
        parts.append(f"sentences:{sha256_file(own)}")
    return fingerprint(parts)


def _previous(repo: VersionRepository, spec: RunSpec) -> tuple[int | None, pd.DataFrame | None,
                                                                list[dict], dict]:
    """The latest version's number, indicators, inputs and editorial text (for "what changed")."""
    latest = repo.latest(spec.area, spec.year)
    if latest is None:
        return None, None, [], {}
    directory = Path(latest.directory)
    indicators = None
    if (directory / "indicators.csv").is_file():
        indicators = pd.read_csv(directory / "indicators.csv", keep_default_na=False,
                                 na_values=[""])  # fmt: skip
    editorial = {}
    if (directory / "editorial.json").is_file():
        editorial = json.loads((directory / "editorial.json").read_text(encoding="utf-8"))
    return latest.version, indicators, list(latest.inputs), editorial


def draft_context(spec: RunSpec, inputs: Inputs, computed: Computed, report: ValidationReport,
                  *, version: int, editorial: dict) -> DraftContext:  # fmt: skip
    """The draft's content for this run (``compose.compose_context``), as published."""
    areas = spec.areas()
    config = load_report_config()
    return compose_context(
        area=areas.get(spec.area),
        year=spec.year,
        version=version,
        created=dt.date.today(),
        indicators=computed.indicators,
        crime_series=computed.crime_series,
        population=inputs.befolkning,
        raw_files=_raw_inputs(inputs),
        present_kinds=_present_kinds(inputs, computed.indicators),
        headline=config.get("headline", {}),
        safety_indicators=config.get("trygghet", []),
        sections=config.get("sections"),
        ia_series=computed.ia_series,
        caveats=load_caveats(config.get("caveats"), path=REPORT_CONFIG_FILE),
        key_figures=config.get("befolkningsfakta") or {},
        sentences_file=configured_sentences_file(config, spec.area, base=REPORT_CONFIG_FILE),
        status_texts=config.get("status_texts") or None,
        priority_areas=areas.priority_areas,
        editorial=editorial,
        quality_warnings=[*inputs.notes, *(r.describe() for r in report.warnings),
                          *plan_warnings(load_action_plan(spec.texts, spec.area, spec.year),
                                         editorial, areas.priority_areas)],
        is_sample_data=spec.is_sample_data,
    )


def publish(
    spec: RunSpec,
    settings: Settings,
    inputs: Inputs,
    computed: Computed,
    report: ValidationReport,
    *,
    flow_run_id: str | None = None,
    data_docs_dir: Path | None = None,
) -> PublishResult:
    """Write the version directory (draft, indicators.csv, quality result) and record it."""
    areas = spec.areas()
    raw = _raw_inputs(inputs)
    editorial = load_editorial(spec.texts, spec.area, spec.year, areas.priority_areas)
    for warning in editorial.warnings:
        log.warning("%s %s: %s", spec.area, spec.year, warning)
    plan = load_action_plan(spec.texts, spec.area, spec.year)

    def build(directory: Path, version: int) -> None:
        prev_version, prev_indicators, prev_inputs, prev_editorial = _previous(repo, spec)
        changes = None
        if prev_version is not None:
            if prev_indicators is not None:
                # The previous version's figures reach this draft's "what changed" section:
                # withhold them by today's rules too (a version made before disclosure
                # control, or under lower thresholds, would otherwise leak small counts).
                prev_indicators, _ = apply_disclosure_control(
                    prev_indicators, computed.rules, respondents=inputs.enkater
                )
            changes = diff_versions(
                prev_indicators, computed.indicators, prev_inputs, raw, prev_editorial,
                dict(editorial.text), previous_version=prev_version, rules=computed.rules,
            )  # fmt: skip
            write_text_atomic(directory / "changes.json", changes.to_json())
        write_indicators(computed.indicators, directory / "indicators.csv")
        quality = json.loads(report.to_json())
        has_docs = bool(data_docs_dir and data_docs_dir.is_dir())
        # a path that exists: relative to the version directory (the GX temp dir is gone)
        quality["data_docs"] = "data_docs/index.html" if has_docs else None
        write_json_atomic(directory / "quality.json", quality)
        write_json_atomic(directory / "suppression.json",
                          suppression_records(computed.suppression, computed.rules))
        write_json_atomic(directory / "editorial.json", dict(editorial.text))
        if data_docs_dir and data_docs_dir.is_dir():
            shutil.copytree(data_docs_dir, directory / "data_docs")
        context = draft_context(spec, inputs, computed, report, version=version,
                                editorial=editorial.text)
        context = dataclasses.replace(context, action_plan=plan, changes=changes)
        name = DRAFT_NAME.format(area=spec.area, year=spec.year, version=version)
        with step("Skriver utkast") as current:
            draft = write_draft(context, directory / name, template=spec.template)
            current.detail = f"v{version:03d}"
        if spec.pdf:
            with step("PDF") as current:
                pdf = render_pdf(draft, directory)
                current.detail = "" if pdf else "ingen PDF (LibreOffice saknas eller misslyckades)"

    engine = make_engine(settings.database_url)
    repo = VersionRepository(engine)
    try:
        return publish_version(
            repo=repo,
            out=spec.out,
            area=spec.area,
            year=spec.year,
            inputs_fingerprint=run_fingerprint(spec, inputs),
            inputs=raw,
            flow_run_id=flow_run_id,
            build=build,
            revision=spec.revision,
            actor=spec.actor,
        )
    finally:
        engine.dispose()


def publish_locked(
    spec: RunSpec,
    settings: Settings,
    inputs: Inputs,
    computed: Computed,
    report: ValidationReport,
    *,
    flow_run_id: str | None = None,
    data_docs_dir: Path | None = None,
) -> PublishResult:
    """``publish`` while holding the area-year's lock: concurrent runs make one version.

    The second of two simultaneous runs waits, then finds the first one's version with the
    same inputs fingerprint and creates nothing. Temporary directories of killed runs are
    removed first (safe under the lock).
    """
    from approval.drafts.locks import area_year_lock, remove_stale_temp_dirs

    with area_year_lock(settings.database_url, spec.area, spec.year):
        remove_stale_temp_dirs(spec.out, spec.area, spec.year)
        return publish(spec, settings, inputs, computed, report,
                       flow_run_id=flow_run_id, data_docs_dir=data_docs_dir)  # fmt: skip
