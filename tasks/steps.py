"""The yearly run's Prefect tasks: thin wrappers, one plain function each.

Few, coarse tasks on purpose: each task run costs the Prefect server CPU time, and the
work inside is pandas over whole frames. Frames pass in memory, so nothing is cached.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from approval.publish import PublishResult
from lagesbild.settings import Settings
from quality.report import ValidationReport
from sources.inbox import Inputs
from tasks import pipeline
from tasks.pipeline import Computed, RunSpec

__all__ = ["check_inputs", "compute_indicators", "ingest_sources", "publish_draft"]


@task(name="ingest-sources", cache_policy=NO_CACHE)
def ingest_sources(spec: RunSpec, settings: Settings) -> Inputs:
    """Keep the inbox's files in the raw store and read them."""
    return pipeline.ingest(spec, settings)


@task(name="check-inputs", cache_policy=NO_CACHE)
def check_inputs(spec: RunSpec, inputs: Inputs, data_docs_dir: Path | None) -> ValidationReport:
    """Run the data-quality suites; a blocking failure stops the run here."""
    return pipeline.check(spec, inputs, data_docs_dir)


@task(name="compute-indicators", cache_policy=NO_CACHE)
def compute_indicators(spec: RunSpec, inputs: Inputs) -> Computed:
    """Counts, rates, changes and significance for the area and year."""
    return pipeline.compute(spec, inputs)


@task(name="publish-draft", cache_policy=NO_CACHE)
def publish_draft(
    spec: RunSpec,
    settings: Settings,
    inputs: Inputs,
    computed: Computed,
    report: ValidationReport,
    flow_run_id: str | None,
    data_docs_dir: Path | None,
) -> PublishResult:
    """Write the new version (or find the unchanged one) and record it as ``utkast``."""
    return pipeline.publish(
        spec, settings, inputs, computed, report,
        flow_run_id=flow_run_id, data_docs_dir=data_docs_dir,
    )  # fmt: skip
