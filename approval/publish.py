"""Publishing a run: a new version directory and its record, or nothing when unchanged.

The inputs fingerprint covers every raw input's sha256, the configuration and editorial
files, the package version and the run's parameters, so "nothing changed" means exactly
that: the same bytes in, the same settings.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from approval.versions import VersionInfo, VersionRepository
from lagesbild.errors import PipelineError
from outputs.publish import next_version_number, sha256_file, version_dir, write_version

__all__ = ["DRAFT_NAME", "PublishResult", "publish_version"]

log = logging.getLogger(__name__)

DRAFT_NAME = "lagesbild_{area}_{year}_v{version:03d}.docx"


@dataclass(frozen=True)
class PublishResult:
    """What a run wrote (or found unchanged): the version and its files, draft last."""

    version: VersionInfo
    created: bool
    files: tuple[Path, ...]

    @property
    def draft(self) -> Path:
        """The .docx of this version."""
        return next(p for p in self.files if p.suffix == ".docx")


def _files(directory: Path) -> tuple[Path, ...]:
    files = sorted(p for p in directory.iterdir() if p.is_file())
    drafts = [p for p in files if p.suffix == ".docx"]
    return tuple([p for p in files if p.suffix != ".docx"] + drafts)


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
) -> PublishResult:
    """Write a new version of an area-year unless the latest one has the same inputs.

    Args:
        repo: the version repository.
        out: root of the version directories.
        area: area id.
        year: report year.
        inputs_fingerprint: see ``outputs.publish.fingerprint``.
        inputs: one dict per raw input (name, sha256, origin, retrieved_at).
        flow_run_id: the Prefect flow run that produced it.
        build: ``build(directory, version)`` writes the files (the draft among them).

    Returns:
        The version and its files; ``created`` is False when nothing changed.
    """
    latest = repo.latest(area, year)
    if latest and latest.inputs_fingerprint == inputs_fingerprint:
        directory = Path(latest.directory)
        if directory.is_dir():
            log.info("%s %s: inputs unchanged since version %s", area, year, latest.version)
            return PublishResult(version=latest, created=False, files=_files(directory))
    number = next_version_number(out, area, year, repo.max_version(area, year))
    target = version_dir(out, area, year, number)
    write_version(target, lambda tmp: build(tmp, number))
    drafts = sorted(target.glob("*.docx"))
    if not drafts:
        raise PipelineError(f"the build of {target} wrote no .docx draft")
    try:
        info = repo.record(
            area=area,
            year=year,
            version=number,
            docx_sha256=sha256_file(drafts[0]),
            inputs_fingerprint=inputs_fingerprint,
            inputs=inputs,
            flow_run_id=flow_run_id,
            directory=str(target.resolve()),
            created_at=dt.datetime.now(dt.UTC),
        )
    except IntegrityError as exc:
        raise PipelineError(
            f"version {number} of {area} {year} was recorded by another run at the same time; "
            f"{target} is kept but unrecorded — rerun to continue"
        ) from exc
    return PublishResult(version=info, created=True, files=_files(target))
