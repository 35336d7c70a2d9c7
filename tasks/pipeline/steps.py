"""The runs' Prefect tasks: thin wrappers, one plain function each.

Few, coarse tasks on purpose: each task run costs the Prefect server CPU time, and the
work inside is pandas over whole frames (and a Great Expectations suite, which is slow to
set up). The nightly refresh therefore runs one task per area, not one per step. Frames
pass in memory, so nothing is cached, and no task result is persisted
(``persist_result=False``): the inputs hold IA incident records, which must never be
pickled into Prefect's result storage, whatever ``PREFECT_RESULTS_PERSIST_BY_DEFAULT``
says. Retries only where I/O can fail for a moment: reading the inbox, and writing the
version (the database connection, the file system).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import OperationalError

from approval.db.models import make_engine
from approval.drafts.publish import ADOPTED, UNCHANGED, PublishResult
from approval.drafts.versions import ADOPTED_STATE, VersionRepository
from lagesbild.settings import Settings
from quality.report import ValidationReport
from sources.fetch.fetch import FetchResult, FetchSpec, retry_condition
from sources.store.inbox import Inputs
from tasks.pipeline import publishing, stages
from tasks.pipeline.spec import Computed, RunSpec

__all__ = [
    "check_inputs",
    "compute_indicators",
    "fetch_source",
    "fetch_sources",
    "find_unchanged",
    "ingest_sources",
    "publish_draft",
    "refresh_area",
]

log = logging.getLogger(__name__)

#: Back-off between HTTP fetch attempts (seconds): a provider's hiccup, then an outage.
FETCH_RETRY_DELAYS = [10, 60, 300]



def _transient(task, task_run, state) -> bool:  # type: ignore[no-untyped-def]
    """Retry only on errors that can pass: I/O and a lost database connection."""
    try:
        error = state.result(raise_on_failure=False)
    except Exception:  # noqa: BLE001 - a result that cannot be read is not retried
        return False
    return isinstance(error, OSError | OperationalError)


def _publish(
    spec: RunSpec,
    settings: Settings,
    inputs: Inputs,
    computed: Computed,
    report: ValidationReport,
    flow_run_id: str | None,
    data_docs_dir: Path | None,
) -> PublishResult:
    return publishing.publish_locked(
        spec, settings, inputs, computed, report,
        flow_run_id=flow_run_id, data_docs_dir=data_docs_dir,
    )  # fmt: skip


@task(name="fetch-source", cache_policy=NO_CACHE, persist_result=False, retries=3,
      retry_delay_seconds=FETCH_RETRY_DELAYS, retry_condition_fn=retry_condition)  # fmt: skip
def fetch_source(source: FetchSpec, spec: RunSpec, settings: Settings) -> FetchResult:
    """One conditional HTTP fetch into the inbox; retried with back-off on transient errors."""
    return stages.fetch_one(source, spec, settings)


def fetch_sources(spec: RunSpec, settings: Settings,
                  areas: list[str] | None = None) -> list[FetchResult]:  # fmt: skip
    """Fetch every configured source; a source still failing after its last retry is
    replaced by its last good snapshot (the draft then says so), or stops the run with
    ``SourceUnavailable`` when it was never fetched."""
    results = []
    for source in stages.fetch_specs(spec, settings, areas):
        state = fetch_source(source, spec, settings, return_state=True)
        if state.is_completed():
            results.append(state.result())
        else:
            error = state.result(raise_on_failure=False)
            results.append(stages.fall_back(source, spec, settings, error))
    return results


@task(name="ingest-sources", cache_policy=NO_CACHE, persist_result=False, retries=2,
      retry_delay_seconds=5, retry_condition_fn=_transient)  # fmt: skip
def ingest_sources(spec: RunSpec, settings: Settings,
                   fetched: list[FetchResult] | None = None) -> Inputs:  # fmt: skip
    """Keep the inbox's files in the raw store and read them."""
    return stages.ingest(spec, settings, fetched or ())


@task(name="check-inputs", cache_policy=NO_CACHE, persist_result=False)
def check_inputs(spec: RunSpec, inputs: Inputs, data_docs_dir: Path | None) -> ValidationReport:
    """Run the data-quality suites; a blocking failure stops the run here."""
    return stages.check(spec, inputs, data_docs_dir)


@task(name="compute-indicators", cache_policy=NO_CACHE, persist_result=False)
def compute_indicators(spec: RunSpec, inputs: Inputs) -> Computed:
    """Counts, rates, changes and significance for the area and year."""
    return stages.compute(spec, inputs)


@task(name="publish-draft", cache_policy=NO_CACHE, persist_result=False, retries=2,
      retry_delay_seconds=5, retry_condition_fn=_transient)  # fmt: skip
def publish_draft(
    spec: RunSpec,
    settings: Settings,
    inputs: Inputs,
    computed: Computed,
    report: ValidationReport,
    flow_run_id: str | None,
    data_docs_dir: Path | None,
) -> PublishResult:
    """Write the new version (or find the unchanged one) and record it as ``utkast``.

    Holds the area-year's lock, so two runs started together make one version.
    """
    return _publish(spec, settings, inputs, computed, report, flow_run_id, data_docs_dir)


def find_unchanged(spec: RunSpec, settings: Settings, inputs: Inputs) -> PublishResult | None:
    """The latest version when its inputs fingerprint equals this run's, or when it is
    fastställd (a closed area-year: status ``adopted``) and no revision is asked for; else
    None.

    The fingerprint needs only the raw inputs and the parameters, so an unchanged or closed
    area is recognised before the (slow) checks and indicators; ``publish`` decides the same
    again under the area-year's lock.

    Args:
        spec: the run.
        settings: where the database is.
        inputs: the ingested inputs.

    Returns:
        The unchanged version, or None when a new one has to be made.
    """
    engine = make_engine(settings.database_url)
    try:
        latest = VersionRepository(engine).latest(spec.area, spec.year)
    finally:
        engine.dispose()
    if latest is None:
        return None
    changed = latest.inputs_fingerprint != publishing.run_fingerprint(spec, inputs)
    adopted = latest.state == ADOPTED_STATE
    if changed and not (adopted and spec.revision is None):
        return None
    directory = Path(latest.directory)
    files = sorted(p for p in directory.iterdir() if p.is_file()) if directory.is_dir() else []
    drafts = [p for p in files if p.suffix == ".docx"]
    if not drafts and not adopted:
        return None
    others = [p for p in files if p.suffix != ".docx"]
    return PublishResult(version=latest, created=False, files=tuple(others + drafts),
                         status=ADOPTED if adopted else UNCHANGED,
                         inputs_changed=changed)  # fmt: skip


@task(name="refresh-area", cache_policy=NO_CACHE, persist_result=False)
def refresh_area(
    spec: RunSpec, settings: Settings, inputs: Inputs, flow_run_id: str | None
) -> PublishResult:
    """One area of the nightly refresh: unchanged → nothing; else check, compute, publish.

    One coarse task per area (not one per step) keeps the server's load per area small.
    """
    unchanged = find_unchanged(spec, settings, inputs)
    if unchanged is not None:
        if unchanged.status == ADOPTED and unchanged.inputs_changed:
            log.warning("%s %s: fastställd (version %s), indata har ändrats – ingen ny version; "
                        "öppna en revision med lagesbild run --revision", spec.area, spec.year,
                        unchanged.version.version)  # fmt: skip
        else:
            log.info("%s %s: oförändrad (version %s)", spec.area, spec.year,
                     unchanged.version.version)  # fmt: skip
        return unchanged
    with tempfile.TemporaryDirectory(prefix="lagesbild-docs-") as staging:
        docs = Path(staging) / "data_docs"
        report = stages.check(spec, inputs, docs)
        computed = stages.compute(spec, inputs)
        return _publish(spec, settings, inputs, computed, report, flow_run_id, docs)
