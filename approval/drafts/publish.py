"""Publishing a run: a new version directory and its record, or nothing when unchanged.

The inputs fingerprint covers every raw input's sha256, the configuration and editorial
files, the package version and the run's parameters, so "nothing changed" means exactly
that: the same bytes in, the same settings.

An area-year whose newest version is *fastställd* is closed: a run with changed inputs
builds nothing and returns status ``adopted`` (the yearly run turns that into an error, the
nightly into one line), unless it opens a revision (``revision="skäl"``). The decision is
taken under the area-year's publish lock and checked again, row-locked, in the transaction
that records the new version, so a styrgrupp decision made while a draft was being built
still closes the area-year.

Every version directory carries ``manifest.json`` (``outputs.publish.manifest``): what its
row says and the sha256 of every file. Before choosing a number, directories that a killed
run left without a row are adopted or quarantined (``approval.drafts.recovery``).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from approval.audit.anchor import anchor_version
from approval.drafts.recovery import recover_unrecorded
from approval.drafts.versions import ADOPTED_STATE, VersionInfo, VersionRepository
from lagesbild.errors import AreaYearAdopted, PipelineError
from outputs.publish.manifest import write_manifest
from outputs.publish.versions import (
    fault_point,
    next_version_number,
    sha256_file,
    version_dir,
    write_version,
)

__all__ = ["ADOPTED", "CREATED", "DRAFT_NAME", "UNCHANGED", "PublishResult", "publish_version"]

log = logging.getLogger(__name__)

DRAFT_NAME = "lagesbild_{area}_{year}_v{version:03d}.docx"
#: ``PublishResult.status``: a new version, the same inputs as the newest, or a closed
#: (fastställd) area-year where nothing new was made.
CREATED, UNCHANGED, ADOPTED = "created", "unchanged", "adopted"


@dataclass(frozen=True)
class PublishResult:
    """What a run wrote (or found unchanged): the version and its files, draft last.

    ``status`` is ``created``, ``unchanged`` or ``adopted`` (the newest version is
    fastställd and nothing new was made; ``version`` is then the adopted one and
    ``inputs_changed`` says whether the run's inputs differ from it).
    """

    version: VersionInfo
    created: bool
    files: tuple[Path, ...]
    status: str = ""
    inputs_changed: bool = False

    def __post_init__(self) -> None:
        if not self.status:
            object.__setattr__(self, "status", CREATED if self.created else UNCHANGED)

    @property
    def draft(self) -> Path:
        """The .docx of this version."""
        return next(p for p in self.files if p.suffix == ".docx")


def _files(directory: Path) -> tuple[Path, ...]:
    files = sorted(p for p in directory.iterdir() if p.is_file())
    drafts = [p for p in files if p.suffix == ".docx"]
    return tuple([p for p in files if p.suffix != ".docx"] + drafts)


def _sha256_of(directory: Path, suffix: str) -> str | None:
    files = sorted(p for p in directory.glob(f"*{suffix}") if p.is_file())
    return sha256_file(files[0]) if files else None


def _revision_of(latest: VersionInfo | None, revision: str | None, area: str, year: int
                 ) -> int | None:  # fmt: skip
    """The adopted version a new version revises (None: an ordinary draft)."""
    if latest is None or latest.state != ADOPTED_STATE:
        if revision is not None and (latest is None or latest.revision_of is None):
            raise PipelineError(
                f"{area} {year} har ingen fastställd version att revidera; kör utan --revision"
            )
        return latest.revision_of if latest is not None else None  # a revision goes on
    return latest.id if revision is not None else None


def publish_version(
    *,
    repo: VersionRepository,
    out: Path,
    area: str,
    year: int,
    inputs_fingerprint: str,
    inputs: Sequence[dict],
    flow_run_id: str | None,
    build: Callable[[Path, int], None],
    revision: str | None = None,
    actor: str | None = None,
) -> PublishResult:
    """Write a new version of an area-year unless the latest one has the same inputs or
    the area-year is fastställd (closed) and no revision is opened.

    Args:
        repo: the version repository.
        out: root of the version directories.
        area: area id.
        year: report year.
        inputs_fingerprint: see ``outputs.publish.versions.fingerprint``.
        inputs: one dict per raw input (name, sha256, origin, retrieved_at).
        flow_run_id: the Prefect flow run that produced it.
        build: ``build(directory, version)`` writes the files (the draft among them).
        revision: the reason for revising a fastställd area-year (recorded in the audit log).
        actor: who opens the revision (the audit log's actor).

    Returns:
        The version and its files; ``status`` says whether it was created, unchanged or
        refused because the area-year is fastställd.
    """
    if revision is not None and not revision.strip():
        raise PipelineError("--revision behöver ett skäl, t.ex. --revision \"rättad BRÅ-fil\"")
    recover_unrecorded(repo, out, area, year)
    latest = repo.latest(area, year)
    if latest and latest.inputs_fingerprint == inputs_fingerprint:
        directory = Path(latest.directory)
        if directory.is_dir():
            log.info("%s %s: inputs unchanged since version %s", area, year, latest.version)
            status = ADOPTED if latest.state == ADOPTED_STATE else UNCHANGED
            return PublishResult(version=latest, created=False, files=_files(directory),
                                 status=status)  # fmt: skip
    if latest and latest.state == ADOPTED_STATE and revision is None:
        log.warning("%s %s: fastställd in version %s; inputs changed, no new version",
                    area, year, latest.version)  # fmt: skip
        return _closed(latest)
    revision_of = _revision_of(latest, revision, area, year)
    number = next_version_number(out, area, year, repo.max_version(area, year))
    target = version_dir(out, area, year, number)
    created_at = dt.datetime.now(dt.UTC)

    def build_with_manifest(tmp: Path) -> None:
        build(tmp, number)
        if not list(tmp.glob("*.docx")):
            raise PipelineError(f"the build of {target} wrote no .docx draft")
        write_manifest(tmp, area=area, year=year, version=number,
                       inputs_fingerprint=inputs_fingerprint, inputs=inputs,
                       flow_run_id=flow_run_id, created_at=created_at,
                       revision_of=revision_of,
                       revision_reason=revision.strip() if revision_of is not None and revision
                       else None, actor=actor)  # fmt: skip

    write_version(target, build_with_manifest)
    fault_point("after-rename")  # kill -9 tests: the directory is there, its row is not
    drafts = sorted(target.glob("*.docx"))
    try:
        info = repo.record(
            area=area,
            year=year,
            version=number,
            docx_sha256=sha256_file(drafts[0]),
            pdf_sha256=_sha256_of(target, ".pdf"),
            inputs_fingerprint=inputs_fingerprint,
            inputs=inputs,
            flow_run_id=flow_run_id,
            directory=str(target.resolve()),
            created_at=created_at,
            revision_of=revision_of,
            revision_reason=revision.strip() if revision_of is not None and revision else None,
            actor=actor,
        )
    except AreaYearAdopted:
        # Adopted while this draft was being built: the directory was never a version.
        shutil.rmtree(target, ignore_errors=True)
        adopted = repo.adopted(area, year)
        log.warning("%s %s: fastställd while building v%03d; not recorded", area, year, number)
        if adopted is None:  # pragma: no cover - the record just saw it
            raise
        return _closed(adopted)
    except IntegrityError as exc:
        raise PipelineError(
            f"version {number} of {area} {year} was recorded by another run at the same time; "
            f"{target} is kept but unrecorded — rerun to continue"
        ) from exc
    try:
        anchor_version(repo.engine, info.id, target)
    except OSError as exc:  # the version stands; verify reports the missing anchor
        log.warning("audit anchor of %s not written: %s", target, exc)
    return PublishResult(version=info, created=True, files=_files(target))


def _closed(adopted: VersionInfo) -> PublishResult:
    directory = Path(adopted.directory)
    files = _files(directory) if directory.is_dir() else ()
    return PublishResult(version=adopted, created=False, files=files, status=ADOPTED,
                         inputs_changed=True)  # fmt: skip
