"""The nightly refresh: every configured area of the report year, in parallel.

Inputs are read once. Without a year, the report year is the latest year the inbox has
BRÅ year figures for (``tasks.pipeline.selection``). Without a list of areas, the configured areas
of that year that have no input at all are reported "inga indata" and skipped. Then one
task per area either finds its latest version unchanged (same inputs fingerprint: nothing
is written) or checks, computes and publishes a new one. One area's failure (say, no BRÅ
file for it) does not stop the others. The flow ends Completed with a summary per area,
and Failed only when every area it tried failed or the inbox could not be read (then
nothing at all was refreshed, which someone must look at). Expected failures
(``PipelineError``) are logged without a traceback (``flows.logs``).

Parallelism comes from the task runner: threads by default
(``ThreadPoolTaskRunner(max_workers=4)``), or a Dask cluster through prefect-dask's
``DaskTaskRunner`` (see :func:`dask_task_runner`) for real parallelism across processes
or machines: the checks are CPU-bound Python, so threads share one core's worth of GIL.
"""

from __future__ import annotations

import dataclasses
import logging
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.futures import wait
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from approval.drafts.publish import ADOPTED as PUBLISH_ADOPTED
from approval.drafts.publish import PublishResult
from flows import logs
from flows.artifacts import artifact_key, create_run_artifacts
from lagesbild.areas.load import load_areas
from lagesbild.areas.model import AreasConfig
from lagesbild.errors import PipelineError
from lagesbild.settings import load_settings
from tasks.pipeline.selection import has_input, latest_data_year
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec
from tasks.pipeline.steps import fetch_sources, ingest_sources, refresh_area

__all__ = [
    "AreaOutcome",
    "DEFAULT_MAX_WORKERS",
    "NightlyFailed",
    "NightlySummary",
    "STOCKHOLM",
    "areas_to_refresh",
    "dask_task_runner",
    "nightly_refresh",
]

log = logging.getLogger(__name__)
logs.install()

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
#: Threads of the default task runner: a few areas at a time.
DEFAULT_MAX_WORKERS = 4
CREATED, UNCHANGED, NO_INPUT, FAILED = "created", "unchanged", "no_input", "failed"
#: A fastställd area-year: closed, the nightly makes no new version (``approval.drafts.publish``).
ADOPTED = PUBLISH_ADOPTED
_SWEDISH = {CREATED: "skapad", UNCHANGED: "oförändrad",
            ADOPTED: "fastställd – ingen ny version", NO_INPUT: "inga indata",
            FAILED: "misslyckades"}  # fmt: skip


class NightlyFailed(PipelineError):
    """Raised when every area the refresh tried failed; carries the summary."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        self.summary = summary
        super().__init__(message)


def areas_to_refresh(
    config: AreasConfig, year: int, requested: list[str] | None = None
) -> list[str]:
    """The area ids to refresh: those given, else every configured area of ``year``.

    An area that did not exist in the year (``valid_to`` before it, ``valid_from`` after
    it) is skipped; a requested one that does not exist is an error.

    Args:
        config: the areas configuration.
        year: report year.
        requested: area ids, or None for all.

    Returns:
        Area ids in configuration order (requested order when given).
    """
    if requested:
        for area_id in requested:
            if not config.get(area_id).existed_in(year):
                raise PipelineError(f"area {area_id} did not exist in {year}")
        return list(dict.fromkeys(requested))
    return [a.id for a in config.areas.values() if a.existed_in(year)]


@dataclass(frozen=True)
class AreaOutcome:
    """What the refresh did for one area: created, unchanged or failed (with a reason)."""

    area: str
    year: int
    status: str
    version: int | None = None
    draft: str | None = None
    reason: str | None = None

    @property
    def text(self) -> str:
        """The status in Swedish, as the summary shows it."""
        return _SWEDISH[self.status]

    @classmethod
    def from_result(cls, result: PublishResult) -> AreaOutcome:
        """The outcome of a successful area task; a fastställd area-year whose inputs changed
        says so, with the command that opens a revision."""
        v = result.version
        reason = None
        if result.status == ADOPTED and result.inputs_changed:
            reason = (f"varning: indata har ändrats sedan version {v.version} fastställdes; "
                      f"öppna en revision med lagesbild run --area {v.area} --year {v.year} "
                      '--revision "skäl"')  # fmt: skip
        drafts = [p for p in result.files if p.suffix == ".docx"]
        return cls(
            area=v.area, year=v.year,
            status=result.status if result.status in _SWEDISH else UNCHANGED,
            version=v.version, draft=str(drafts[-1]) if drafts else None, reason=reason,
        )  # fmt: skip

    @property
    def line(self) -> str:
        """The one line the nightly prints for the area, e.g. ``sodermalm 2024: skapad v002``."""
        version = f" v{self.version:03d}" if self.version else ""
        reason = f": {self.reason}" if self.reason else ""
        return f"{self.area} {self.year}: {self.text}{version}{reason}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the Swedish status text and line."""
        return {**dataclasses.asdict(self), "text": self.text, "line": self.line}


@dataclass(frozen=True)
class NightlySummary:
    """The outcomes of one nightly refresh."""

    year: int
    outcomes: tuple[AreaOutcome, ...]

    def count(self, status: str) -> int:
        """How many areas ended with ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def all_failed(self) -> bool:
        """True when areas were tried (not skipped for want of input) and all failed."""
        tried = [o for o in self.outcomes if o.status != NO_INPUT]
        return bool(tried) and all(o.status == FAILED for o in tried)

    def to_dict(self) -> dict[str, Any]:
        """The flow's return value: counts and one entry per area."""
        return {
            "year": self.year,
            "created": self.count(CREATED),
            "unchanged": self.count(UNCHANGED),
            "adopted": self.count(ADOPTED),
            "no_input": self.count(NO_INPUT),
            "failed": self.count(FAILED),
            "areas": [o.to_dict() for o in self.outcomes],
        }

    def to_markdown(self) -> str:
        """A table for the flow run's artifact (Swedish)."""
        lines = [
            f"# Nattlig uppdatering {self.year}",
            "",
            f"Nya versioner: {self.count(CREATED)}, oförändrade: {self.count(UNCHANGED)}, "
            f"fastställda (ingen ny version): {self.count(ADOPTED)}, "
            f"misslyckade: {self.count(FAILED)}, utan indata: {self.count(NO_INPUT)}",
            "",
            "| Område | Resultat | Version | Orsak |",
            "|---|---|---|---|",
        ]
        for o in self.outcomes:
            version = f"v{o.version:03d}" if o.version else ""
            reason = (o.reason or "").replace("|", "/").replace("\n", " ")
            lines.append(f"| {o.area} | {o.text} | {version} | {reason} |")
        return "\n".join(lines) + "\n"


def dask_task_runner(address: str | None = None, n_workers: int = 2, processes: bool = True):
    """A prefect-dask ``DaskTaskRunner``: an existing cluster, or a local one.

    Args:
        address: a running scheduler (``tcp://host:8786``); None starts a local cluster.
        n_workers: workers of the local cluster.
        processes: local workers as processes (real parallelism) or threads.

    Returns:
        The task runner, for ``nightly_refresh.with_options(task_runner=...)``.
    """
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": n_workers, "processes": processes,
                                          "threads_per_worker": 1})  # fmt: skip


@flow(name="lagesbild-nightly", log_prints=True,
      task_runner=ThreadPoolTaskRunner(max_workers=DEFAULT_MAX_WORKERS))  # fmt: skip
def nightly_refresh(
    year: int | None = None,
    areas: list[str] | None = None,
    inbox: Path | None = None,
    out: Path | None = None,
    areas_file: Path | None = None,
) -> dict[str, Any]:
    """Refresh every area of the report year; unchanged inputs make nothing new.

    Args:
        year: report year; default the latest year the inbox has BRÅ year figures for
            (``tasks.pipeline.selection.latest_data_year``, decided when the run starts).
        areas: area ids; default every configured area that exists in ``year`` and has
            some input (the others are reported "inga indata").
        inbox: inbox directory; default the bundled sample data.
        out: root of the version directories; default the settings' reports dir.
        areas_file: areas configuration; default the bundled one.

    Returns:
        ``NightlySummary.to_dict()``: counts and the outcome of every area.
    """
    settings = load_settings()
    config = load_areas(areas_file)
    base = RunSpec(area="", year=year or 0, inbox=Path(inbox or SAMPLE_INBOX),
                   out=Path(out or settings.reports_dir), areas_file=areas_file)  # fmt: skip
    candidates = (areas_to_refresh(config, year, areas) if year is not None
                  else list(areas or config.areas))  # fmt: skip
    inputs = ingest_sources(base, settings, fetch_sources(base, settings, candidates))
    year = latest_data_year(inputs) if year is None else year
    base = dataclasses.replace(base, year=year)
    selected = areas_to_refresh(config, year, areas)
    outcomes: list[AreaOutcome] = []
    if not areas:  # every area of the year: those without any input are only mentioned
        outcomes = [AreaOutcome(area=a, year=year, status=NO_INPUT)
                    for a in selected if not has_input(inputs, config, a)]  # fmt: skip
        skipped = {o.area for o in outcomes}
        selected = [a for a in selected if a not in skipped]
    run_id = flow_run.get_id()
    if selected:
        futures = {a: refresh_area.submit(dataclasses.replace(base, area=a), settings, inputs,
                                          run_id) for a in selected}  # fmt: skip
        wait(list(futures.values()))
        for area, future in futures.items():
            outcome = _outcome(area, year, future)
            if outcome.status == CREATED:
                create_run_artifacts(future.result())
            outcomes.append(outcome)
    if not areas:  # configuration order, skipped areas in their place
        order = {a: i for i, a in enumerate(config.areas)}
        outcomes.sort(key=lambda o: order.get(o.area, len(order)))
    summary = NightlySummary(year=year, outcomes=tuple(outcomes))
    create_markdown_artifact(markdown=summary.to_markdown(),
                             key=artifact_key("nightly", year),
                             description=f"Nattlig uppdatering {year}")  # fmt: skip
    for o in outcomes:
        print(o.line)
    if summary.all_failed:
        raise NightlyFailed(f"every area of {year} failed: " + "; ".join(
            f"{o.area}: {o.reason}" for o in outcomes if o.status == FAILED),
            summary.to_dict())  # fmt: skip
    return summary.to_dict()


def _reason(error: BaseException) -> str:
    """One line for the summary: the blocking checks of a quality failure, else the error."""
    report = getattr(error, "report", None)
    failures = getattr(report, "blocking_failures", ())
    text = "; ".join(f.describe() for f in failures) if failures else str(error)
    return (text.splitlines()[0] if text else type(error).__name__)[:500]


def _outcome(area: str, year: int, future) -> AreaOutcome:  # type: ignore[no-untyped-def]
    result = future.result(raise_on_failure=False)
    if isinstance(result, PublishResult) and future.state.is_completed():
        return AreaOutcome.from_result(result)
    reason = (_reason(result) if isinstance(result, BaseException)
              else str(future.state.message or "okänt fel"))  # fmt: skip
    return AreaOutcome(area=area, year=year, status=FAILED, reason=reason)
