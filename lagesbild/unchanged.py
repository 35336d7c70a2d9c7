"""An unchanged rerun answered before Prefect is imported, where that answer is exact.

The yearly flow reads the inbox, computes the inputs fingerprint and, when it equals the
latest version's, reports that version and stops (``tasks.pipeline.steps.find_unchanged``).
The fingerprint needs only the raw files' bytes, the configuration, the templates and the
parameters (``outputs.publish.fingerprint``), so ``lagesbild run`` can compute the same value
from the inbox's files in a fraction of a second and give the same answer without a flow.

Only where it is exact; every other case returns None and goes through the flow:

- a fetch configuration (``LAGESBILD_FETCH_CONFIG``): the fetch may change the inbox;
- ``--revision``, or a fastställd latest version (its messages come from the flow);
- no version yet, a changed fingerprint, a version directory without its draft;
- a file the flow would refuse (a symbolic link out of the inbox, a file over the raw
  store's size limit), or one the raw store has not kept from that path under that name
  (the flow's ingest would add it to the store's manifest);
- the configuration read by the readers (``lagesbild/conf/sources.yaml``, outside the
  fingerprint) edited since the version was made: the flow's ingest could now refuse the
  same bytes;
- anything unexpected on the way (an unreadable file, a database error): the flow decides.

Standard library, PyYAML, Jinja and SQLAlchemy Core only; no pandas, no Prefect.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from lagesbild.settings import SAMPLE_INBOX, Settings

__all__ = ["Unchanged", "find_unchanged_quickly"]

log = logging.getLogger(__name__)

#: The readers' configuration (``sources.readers.source_config.DEFAULT_SOURCES_FILE``).
_SOURCES_CONFIG = Path(__file__).parent / "conf" / "sources.yaml"


@dataclass(frozen=True)
class Unchanged:
    """The latest version, whose inputs fingerprint equals this run's."""

    version: int
    directory: Path
    files: tuple[Path, ...]
    raw_files: int


def find_unchanged_quickly(request, settings: Settings) -> Unchanged | None:  # noqa: ANN001
    """The unchanged latest version of ``request``'s area-year, or None (run the flow).

    Args:
        request: a ``lagesbild.runner.RunRequest``.
        settings: the data root's settings.

    Returns:
        The version the flow would report as unchanged, or None when the flow has to run.
    """
    if settings.fetch_config is not None or request.revision is not None:
        return None
    try:
        return _find(request, settings)
    except Exception:  # noqa: BLE001 - any doubt: the flow decides (and reports errors)
        log.info("quick unchanged check skipped; the flow decides", exc_info=True)
        return None


def _find(request, settings: Settings) -> Unchanged | None:  # noqa: ANN001
    latest = _latest(settings.database_url, request.area, request.year)
    if latest is None:
        return None
    from approval.review.states import State

    if latest["state"] == State.FASTSTALLD:
        return None
    created = latest["created_at"]
    if isinstance(created, dt.datetime) and _edited_since(_SOURCES_CONFIG, created):
        return None
    inbox = Path(request.inbox or SAMPLE_INBOX)
    hashes = _kept_hashes(inbox, settings)
    if hashes is None:
        return None
    from lagesbild.areas.load import DEFAULT_AREAS_FILE
    from outputs.draft.content.locations import text_root
    from outputs.publish.fingerprint import inputs_fingerprint

    value = inputs_fingerprint(
        hashes, area=request.area, year=request.year, ia_cutoff=request.ia_cutoff,
        areas_file=request.areas_file or DEFAULT_AREAS_FILE,
        texts=text_root(inbox, request.text_dir), template=request.template,
    )  # fmt: skip
    if value != latest["inputs_fingerprint"]:
        return None
    directory = Path(latest["directory"])
    if not directory.is_dir():
        return None
    files = sorted(p for p in directory.iterdir() if p.is_file())
    drafts = [p for p in files if p.suffix == ".docx"]
    if not drafts:
        return None
    others = [p for p in files if p.suffix != ".docx"]
    return Unchanged(version=latest["version"], directory=directory,
                     files=tuple(others + drafts), raw_files=len(hashes))  # fmt: skip


def _edited_since(path: Path, moment: dt.datetime) -> bool:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) >= moment


def _kept_hashes(inbox: Path, settings: Settings) -> list[str] | None:
    """The sha256 of every file the flow's ingest would read, in its order, when the raw
    store already holds each one from that path under that name (else None)."""
    from sources.store.discover import SOURCE_KINDS, discover
    from sources.store.rawstore import sha256_file

    if not inbox.is_dir():
        return None
    files = discover(inbox)  # raises on a link out of the inbox: the flow reports it
    store = settings.raw_store()
    kept = {(r.sha256, r.origin, r.name) for r in store.records()}
    hashes = []
    for kind in SOURCE_KINDS:
        for path in files[kind]:
            limit = settings.raw_max_file_bytes
            if limit is not None and path.stat().st_size > limit:
                return None
            sha = sha256_file(path)
            if (sha, str(path), path.name) not in kept or not store.blob_path(sha).is_file():
                return None
            hashes.append(sha)
    return hashes


def _latest(url: str, area: str, year: int) -> dict | None:
    """The newest version row of an area-year (the repository's query), without migrating
    the schema (and without ``approval.drafts``, which imports pandas): a database that
    does not exist yet has no version."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path != ":memory:" and not Path(path).is_file():
            return None
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from approval.db.models import latest_version

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            row = session.scalars(latest_version(area, year)).first()
            if row is None:
                return None
            return {"version": row.version, "state": row.state, "directory": row.directory,
                    "inputs_fingerprint": row.inputs_fingerprint,
                    "created_at": row.created_at}  # fmt: skip
    finally:
        engine.dispose()
