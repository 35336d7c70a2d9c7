"""The yearly run's last stage: the draft's content, the version directory, its record.

Split from ``tasks.pipeline.stages`` because publishing pulls in the draft writer, the PDF
renderer and the approval database, which fetching and computing do not need.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import shutil
from pathlib import Path

import pandas as pd

from approval.db.models import make_engine
from approval.drafts.publish import DRAFT_NAME, PublishResult, publish_version
from approval.drafts.versions import VersionRepository
from lagesbild.errors import ConfigError
from lagesbild.progress import step
from lagesbild.settings import Settings
from outputs.draft.content.action_plan import load_action_plan, plan_warnings
from outputs.draft.content.compose import compose_context
from outputs.draft.content.context import DraftContext
from outputs.draft.content.editorial import load_editorial
from outputs.draft.content.report_config import load_caveats
from outputs.draft.word.writer import write_draft
from outputs.pdf.render import render_pdf
from outputs.publish.changes import diff_versions
from outputs.publish.fingerprint import inputs_fingerprint
from outputs.publish.indicators_csv import write_indicators
from outputs.publish.versions import write_json_atomic, write_text_atomic
from outputs.text.quality_lines import quality_lines
from outputs.text.sentences import Sentences, configured_sentences_file, load_sentences
from quality import docs_process
from quality.report import ValidationReport
from sources.store.inbox import Inputs
from tasks.indicators.disclosure import (
    apply_disclosure_control,
    suppression_records,
)
from tasks.pipeline.spec import (
    REPORT_CONFIG_FILE,
    Computed,
    RunSpec,
    load_report_config,
)

__all__ = ["draft_context", "publish", "publish_locked", "quality_warnings", "run_fingerprint"]

log = logging.getLogger(__name__)


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
    return inputs_fingerprint(
        (r.sha256 for r in inputs.raw_files), area=spec.area, year=spec.year,
        ia_cutoff=spec.ia_cutoff, areas_file=spec.areas_file or spec.areas().source_file,
        texts=spec.texts, template=spec.template,
    )  # fmt: skip


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


def quality_warnings(spec: RunSpec, inputs: Inputs, report: ValidationReport, editorial: dict,
                     sentences: Sentences) -> list[str]:  # fmt: skip
    """The draft's Datakvalitet lines: stale sources, failed warning checks, the action plan.

    All worded by the district's sentence templates (``outputs.text.quality_lines``), never
    by the checks' English ``describe()``, which is for logs and the quality report.
    """
    areas = spec.areas()

    def area_name(area_id: str) -> str:
        try:
            return areas.get(area_id).name
        except ConfigError:
            return area_id

    plan = load_action_plan(spec.texts, spec.area, spec.year)
    return [*quality_lines(report.warnings, inputs.stale_sources, sentences,
                           area_name=area_name),
            *plan_warnings(plan, editorial, areas.priority_areas, sentences)]  # fmt: skip


def draft_context(spec: RunSpec, inputs: Inputs, computed: Computed, report: ValidationReport,
                  *, version: int, editorial: dict) -> DraftContext:  # fmt: skip
    """The draft's content for this run (``compose.compose_context``), as published."""
    areas = spec.areas()
    config = load_report_config()
    sentences_file = configured_sentences_file(config, spec.area, base=REPORT_CONFIG_FILE)
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
        sentences_file=sentences_file,
        status_texts=config.get("status_texts") or None,
        priority_areas=areas.priority_areas,
        editorial=editorial,
        quality_warnings=quality_warnings(spec, inputs, report, editorial,
                                          load_sentences(sentences_file)),
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
        if has_docs:
            docs_process.settle()  # a site rendered by a child meanwhile: complete now
            shutil.copytree(data_docs_dir, directory / "data_docs")

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
