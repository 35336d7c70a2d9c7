"""The version record: which draft was made from which inputs, by which flow run.

A rerun whose inputs fingerprint equals the latest version's creates nothing new, so the
record is also what makes the nightly refresh idempotent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval.audit import chain
from approval.db.models import ReportVersion, latest_version
from lagesbild.errors import AreaYearAdopted

__all__ = ["ADOPTED_STATE", "INITIAL_STATE", "VersionInfo", "VersionRepository",
           "version_details"]

INITIAL_STATE = "utkast"
#: The state that closes an area-year (``approval.review.states.State.FASTSTALLD``).
ADOPTED_STATE = "faststalld"


@dataclass(frozen=True)
class VersionInfo:
    """A recorded version, detached from the database session."""

    area: str
    year: int
    version: int
    state: str
    docx_sha256: str
    inputs_fingerprint: str
    inputs: list
    flow_run_id: str | None
    directory: str
    created_at: dt.datetime
    id: int = 0
    pdf_sha256: str | None = None
    revision_of: int | None = None
    revision_reason: str | None = None


def _info(row: ReportVersion) -> VersionInfo:
    return VersionInfo(
        area=row.area,
        year=row.year,
        version=row.version,
        state=row.state,
        docx_sha256=row.docx_sha256,
        inputs_fingerprint=row.inputs_fingerprint,
        inputs=list(row.inputs),
        flow_run_id=row.flow_run_id,
        directory=row.directory,
        created_at=row.created_at,
        id=row.id,
        pdf_sha256=row.pdf_sha256,
        revision_of=row.revision_of,
        revision_reason=row.revision_reason,
    )


class VersionRepository:
    """Reads and appends versions; never updates or deletes one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def latest(self, area: str, year: int) -> VersionInfo | None:
        """The newest version of an area-year, or None."""
        with Session(self.engine) as session:
            row = session.scalars(latest_version(area, year)).first()
            return _info(row) if row else None

    def all(self, area: str | None = None, year: int | None = None) -> list[VersionInfo]:
        """Every version, oldest first, optionally for one area and/or year."""
        query = select(ReportVersion).order_by(
            ReportVersion.area, ReportVersion.year, ReportVersion.version
        )
        if area is not None:
            query = query.where(ReportVersion.area == area)
        if year is not None:
            query = query.where(ReportVersion.year == year)
        with Session(self.engine) as session:
            return [_info(r) for r in session.scalars(query)]

    def max_version(self, area: str, year: int) -> int:
        """The highest version number recorded for an area-year (0 when none)."""
        with Session(self.engine) as session:
            value = session.scalar(
                select(func.max(ReportVersion.version)).where(
                    ReportVersion.area == area, ReportVersion.year == year
                )
            )
            return int(value or 0)

    def adopted(self, area: str, year: int) -> VersionInfo | None:
        """The newest fastställd version of an area-year (the one in force), or None."""
        with Session(self.engine) as session:
            row = session.scalars(
                latest_version(area, year).where(ReportVersion.state == ADOPTED_STATE)
            ).first()
            return _info(row) if row else None

    def record(
        self,
        *,
        area: str,
        year: int,
        version: int,
        docx_sha256: str,
        inputs_fingerprint: str,
        inputs: Sequence[dict],
        flow_run_id: str | None,
        directory: str,
        created_at: dt.datetime | None = None,
        pdf_sha256: str | None = None,
        revision_of: int | None = None,
        revision_reason: str | None = None,
        actor: str | None = None,
    ) -> VersionInfo:
        """Append a version in state ``utkast`` and its entry in the audit log.

        The newest version is re-read (locked) in the same transaction: if the styrgrupp
        adopted it while this version was being built, the area-year is closed and nothing
        is recorded, unless this version is a revision of that adopted one.

        Raises:
            IntegrityError: a duplicate version number.
            AreaYearAdopted: the newest version is fastställd and this is no revision of it.
        """
        with Session(self.engine) as session, session.begin():
            chain.lock_chain(session)  # before the row lock: see chain.lock_chain
            newest = session.scalars(latest_version(area, year).with_for_update()).first()
            if newest is not None and newest.state == ADOPTED_STATE and (
                revision_of != newest.id
            ):
                raise AreaYearAdopted(area, year, newest.version)
            row = ReportVersion(
                area=area,
                year=year,
                version=version,
                state=INITIAL_STATE,
                docx_sha256=docx_sha256,
                inputs_fingerprint=inputs_fingerprint,
                inputs=list(inputs),
                flow_run_id=flow_run_id,
                directory=directory,
                created_at=created_at or dt.datetime.now(dt.UTC),
                pdf_sha256=pdf_sha256,
                revision_of=revision_of,
                revision_reason=revision_reason,
            )
            session.add(row)
            session.flush()
            if revision_reason is not None and newest is not None and revision_of == newest.id:
                details = {"area": area, "year": year, "adopted": newest.version,
                           "new_version": version, "reason": revision_reason}  # fmt: skip
                chain.append(session, actor=actor, action="revision:open",
                             subject=f"version:{newest.id}", details=details)  # fmt: skip
            chain.append(session, actor=actor, action="version:record",
                         subject=f"version:{row.id}", details=version_details(row))  # fmt: skip
            return _info(row)


def version_details(row: ReportVersion) -> dict:
    """What the audit log keeps of a version when it is recorded (``audit verify`` compares
    the row against it)."""
    return {
        "area": row.area,
        "year": row.year,
        "version": row.version,
        "docx_sha256": row.docx_sha256,
        "pdf_sha256": row.pdf_sha256,
        "inputs_fingerprint": row.inputs_fingerprint,
        "flow_run_id": row.flow_run_id,
        "directory": row.directory,
        "revision_of": row.revision_of,
        "revision_reason": row.revision_reason,
    }
