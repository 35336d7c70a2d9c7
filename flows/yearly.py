"""The yearly lägesbild run for one area and year, as a Prefect flow.

The flow is the table of contents; each step is one task in ``tasks/pipeline/steps.py``. Publishing
holds the area-year's lock, so two runs started together make one version. The run leaves
three artifacts keyed ``lagesbild-<area>-<year>`` (see ``flows.artifacts``).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from approval.drafts.publish import ADOPTED, PublishResult
from flows import logs
from flows.artifacts import create_run_artifacts
from lagesbild.errors import AreaYearAdopted
from lagesbild.progress import step
from lagesbild.settings import load_settings
from tasks.pipeline import stages
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec
from tasks.pipeline.steps import (
    check_inputs,
    compute_indicators,
    fetch_sources,
    find_unchanged,
    ingest_sources,
    publish_draft,
)

__all__ = ["yearly_report"]

logs.install()  # expected failures (PipelineError) are logged without a traceback


@flow(name="lagesbild-yearly", log_prints=True)
def yearly_report(
    area: str,
    year: int,
    inbox: Path | None = None,
    out: Path | None = None,
    ia_cutoff: dt.date | None = None,
    areas_file: Path | None = None,
    text_dir: Path | None = None,
    template: Path | None = None,
    revision: str | None = None,
    actor: str | None = None,
    pdf: bool = True,
) -> PublishResult:
    """Fetch → inputs → checks → indicators → Word draft → version record, for one area-year.

    A fastställd area-year is closed: with changed inputs the run fails with
    ``AreaYearAdopted`` (naming the adopted version) unless ``revision`` gives the reason
    for opening a revision, which the audit log records with ``actor``.
    """
    settings = load_settings()
    spec = RunSpec(
        area=area, year=year, inbox=Path(inbox or SAMPLE_INBOX),
        out=Path(out or settings.reports_dir), ia_cutoff=ia_cutoff, areas_file=areas_file,
        text_dir=text_dir, template=template, revision=revision, actor=actor, pdf=pdf,
    )  # fmt: skip
    if stages.fetch_specs(spec, settings):
        with step("Hämtar källor"):
            fetched = fetch_sources(spec, settings)
    else:
        fetched = []
    with step("Läser indata") as current:
        inputs = ingest_sources(spec, settings, fetched)
        current.detail = f"{len(inputs.raw_files)} filer"
    # Unchanged inputs: the latest version stands; no checks, no indicators (as the nightly).
    # A closed (fastställd) area-year with changed inputs is refused here, before the slow steps.
    unchanged = find_unchanged(spec, settings, inputs)
    _refuse_if_adopted(unchanged)
    if unchanged is not None and revision is None:
        create_run_artifacts(unchanged)
        return unchanged
    with tempfile.TemporaryDirectory(prefix="lagesbild-docs-") as staging:
        docs = Path(staging) / "data_docs"
        with step("Kontrollerar") as current:
            report = check_inputs(spec, inputs, docs)
            passed = sum(r.success for r in report.results)
            current.detail = f"{passed} av {len(report.results)} godkända"
        with step("Beräknar") as current:
            computed = compute_indicators(spec, inputs)
            current.detail = f"{len(computed.indicators)} indikatorer"
        result = publish_draft(spec, settings, inputs, computed, report, flow_run.get_id(), docs)
    _refuse_if_adopted(result)  # adopted while this run was building its draft
    create_run_artifacts(result)
    return result


def _refuse_if_adopted(result: PublishResult | None) -> None:
    if result is not None and result.status == ADOPTED and result.inputs_changed:
        v = result.version
        raise AreaYearAdopted(v.area, v.year, v.version)
