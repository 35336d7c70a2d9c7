"""The reading side of the approval service: versions, lists, history and downloads.

Every read goes through ``_row``, which answers "not found" both for an unknown id and for
a version the user may not see, so a response never hints that a version exists. Paths come
from the database record and must lie inside the draft store (``approval.drafts.files``).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval.accounts.users import UserInfo
from approval.audit import chain
from approval.db.models import ApprovalEvent, Comment, ReportVersion
from approval.drafts.files import NotFound, area_year_root, find_file, resolve_draft
from approval.review.rules import MAX_ID, visible
from approval.review.stamp import stamped_path
from approval.review.states import State
from approval.review.views import (
    HistoryEntry,
    QualityStatus,
    ReportHistory,
    ReportSummary,
    VersionView,
    comment_entry,
    event_entry,
    read_quality,
    version_view,
)

__all__ = ["VersionReader"]


class VersionReader:
    """Reads report versions and their files on behalf of one user at a time."""

    def __init__(self, engine: Engine, draft_root: Path) -> None:
        """Args: engine: the database; draft_root: the store the drafts must lie under."""
        self.engine = engine
        self.draft_root = Path(draft_root).resolve()

    def _row(self, session: Session, user: UserInfo, version_id: int, *, lock: bool = False):
        if not 0 < version_id <= MAX_ID:
            raise NotFound(f"versionen {version_id} finns inte")
        query = select(ReportVersion).where(ReportVersion.id == version_id)
        row = session.scalars(query.with_for_update() if lock else query).first()
        if row is None or not visible(user, row):
            raise NotFound(f"versionen {version_id} finns inte")  # no hint that it exists
        return row

    def _latest_number(self, session: Session, area: str, year: int) -> int:
        return int(
            session.scalar(
                select(func.max(ReportVersion.version)).where(
                    ReportVersion.area == area, ReportVersion.year == year
                )
            )
            or 0
        )

    def versions_outside_store(self) -> int:
        """How many recorded versions lie outside the draft store (and so cannot be served).

        A portal started on another store than the runs wrote to lists versions whose
        downloads all fail; ``lagesbild serve`` says so at start instead.
        """
        with Session(self.engine) as session:
            directories = session.scalars(select(ReportVersion.directory)).all()
        return sum(
            1 for d in directories if not Path(d).resolve().is_relative_to(self.draft_root)
        )

    def version(self, user: UserInfo, version_id: int) -> VersionView:
        """One version the user may see.

        Args:
            user: the user asking.
            version_id: the database id.

        Returns:
            The version.

        Raises:
            NotFound: unknown, or in an area the user was not granted.
        """
        with Session(self.engine) as session:
            row = self._row(session, user, version_id)
            return version_view(row, self._latest_number(session, row.area, row.year))

    def reports(self, user: UserInfo) -> list[ReportSummary]:
        """The newest version of every area-year the user may see, by area then year.

        Args:
            user: the user asking.

        Returns:
            One summary per area-year, with the quality result of its newest version.
        """
        with Session(self.engine) as session:
            rows = session.scalars(
                select(ReportVersion).order_by(
                    ReportVersion.area, ReportVersion.year.desc(), ReportVersion.version.desc()
                )
            )
            latest: dict[tuple[str, int], ReportVersion] = {}
            adopted: dict[tuple[str, int], ReportVersion] = {}
            counts: dict[tuple[str, int], int] = {}
            for row in rows:
                if not visible(user, row):
                    continue
                key = (row.area, row.year)
                latest.setdefault(key, row)
                if row.state == State.FASTSTALLD.value:
                    adopted.setdefault(key, row)
                counts[key] = counts.get(key, 0) + 1
            return [
                ReportSummary(
                    area=a,
                    year=y,
                    latest=version_view(r, r.version),
                    versions=counts[(a, y)],
                    quality=self.quality(r.directory, a, y),
                    adopted=(version_view(adopted[(a, y)], r.version)
                             if (a, y) in adopted else None),
                )
                for (a, y), r in latest.items()
            ]

    def has_file(self, version: VersionView, kind: str) -> bool:
        """Whether the version has a ``docx``/``pdf`` file inside its area-year folder."""
        root = area_year_root(self.draft_root, version.area, version.year)
        return find_file(version.directory, root, kind) is not None

    def stamped_file(self, version: VersionView) -> Path | None:
        """The stamped rendition of an adopted version (``approval.review.stamp``), if written."""
        root = area_year_root(self.draft_root, version.area, version.year)
        original = find_file(version.directory, root, "docx")
        path = stamped_path(original) if original is not None else None
        if path is None or not path.is_file() or path.is_symlink():
            return None
        return path if path.resolve().is_relative_to(root) else None

    def quality(
        self, directory: str, area: str | None = None, year: int | None = None
    ) -> QualityStatus | None:
        """The quality result in a version directory inside the draft store (inside the
        area-year's own folder when ``area`` and ``year`` are given), if any."""
        path = Path(directory).resolve()
        root = self.draft_root if area is None or year is None else area_year_root(
            self.draft_root, area, year)  # fmt: skip
        return read_quality(path) if path.is_relative_to(root) else None

    def history(self, user: UserInfo, area: str, year: int) -> ReportHistory:
        """Every version, comment and decision of one area-year, newest first.

        Args:
            user: the user asking.
            area: area id.
            year: report year.

        Returns:
            The history.

        Raises:
            NotFound: no version, or an area the user was not granted.
        """
        if not user.can_see(area) or not 0 < year <= MAX_ID:
            raise NotFound(f"ingen rapport för {area} {year}")
        with Session(self.engine) as session:
            rows = [
                r
                for r in session.scalars(
                    select(ReportVersion)
                    .where(ReportVersion.area == area, ReportVersion.year == year)
                    .order_by(ReportVersion.version.desc())
                )
                if visible(user, r)
            ]
            if not rows:
                raise NotFound(f"ingen rapport för {area} {year}")
            top = self._latest_number(session, area, year)
            numbers = {r.id: r.version for r in rows}
            entries: list[HistoryEntry] = []
            for c in session.scalars(select(Comment).where(Comment.version_id.in_(numbers))):
                entries.append(comment_entry(c, numbers[c.version_id]))
            events = select(ApprovalEvent).where(ApprovalEvent.version_id.in_(numbers))
            for e in session.scalars(events):
                entries.append(event_entry(e, numbers[e.version_id]))
            entries.sort(key=lambda h: h.at, reverse=True)
            return ReportHistory(
                area=area, year=year, versions=[version_view(r, top) for r in rows], entries=entries
            )

    # -- files ---------------------------------------------------------------------------
    def draft_file(self, user: UserInfo, version_id: int, kind: str) -> Path:
        """The draft (``docx``) or its PDF of a version, resolved inside the draft store.

        The path comes from the database record, never from the request; a record or a
        symlink pointing outside the store, or a .docx whose sha256 differs from the
        recorded one, is refused. The download is written to the audit log.

        Args:
            user: the user downloading.
            version_id: the database id.
            kind: ``docx`` or ``pdf``.

        Returns:
            The absolute path of the file.

        Raises:
            NotFound: unknown version/kind, missing file, or a path outside the store.
        """
        with Session(self.engine) as session, session.begin():
            chain.lock_chain(session)  # before any row lock: see chain.lock_chain
            row = self._row(session, user, version_id)
            root = area_year_root(self.draft_root, row.area, row.year)
            path = resolve_draft(row.directory, root, kind, row.docx_sha256,
                                 pdf_sha256=row.pdf_sha256)  # fmt: skip
            chain.append(
                session,
                actor=user.username,
                action="download",
                subject=f"version:{row.id}",
                details={
                    "area": row.area,
                    "year": row.year,
                    "version": row.version,
                    "kind": kind,
                    "docx_sha256": row.docx_sha256,
                },
            )
            return path
