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

from approval.models import ReportVersion

__all__ = ["INITIAL_STATE", "VersionInfo", "VersionRepository"]

INITIAL_STATE = "utkast"


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
    )


class VersionRepository:
    """Reads and appends versions; never updates or deletes one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def latest(self, area: str, year: int) -> VersionInfo | None:
        """The newest version of an area-year, or None."""
        with Session(self.engine) as session:
            row = session.scalars(
                select(ReportVersion)
                .where(ReportVersion.area == area, ReportVersion.year == year)
                .order_by(ReportVersion.version.desc())
                .limit(1)
            ).first()
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
    ) -> VersionInfo:
        """Append a version in state ``utkast``; a duplicate number raises IntegrityError."""
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
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return _info(row)
