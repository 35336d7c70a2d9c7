"""The approval service: what a user may see and do with a report version.

Every decision is bound to the exact version acted on: the event stores the version's docx
sha256, flow-run id and inputs fingerprint, only the newest version of an area-year can move,
and a new version starts again at ``utkast``. The state machine (``approval.states``) decides
the move; this module checks roles and areas, locks the row and writes the event and the
audit entry in the same transaction.

Concurrency: the version row is read ``FOR UPDATE`` (PostgreSQL; SQLite serialises whole
transactions) and written with ``UPDATE ... WHERE state = <old>``, so of two simultaneous
decisions exactly one wins and the other gets ``IllegalApproval``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval import audit
from approval.comments import MAX_COMMENT, add_comment
from approval.drafts import NotFound, area_year_root, find_file, resolve_draft
from approval.models import ApprovalEvent, Comment, ReportVersion
from approval.stamp import stamped_path
from approval.states import ACTION_LABELS, Action, State, advance
from approval.users import Role, UserInfo
from approval.views import (
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
from lagesbild.errors import IllegalApproval, PipelineError

__all__ = ["MAX_COMMENT", "AccessDenied", "ApprovalService", "InvalidField", "NotFound",
           "check_decision_date", "local_today", "visible"]

log = logging.getLogger(__name__)

_ROLE_FOR: dict[Action, Role] = {
    Action.SKICKA: Role.FORVALTARE,
    Action.ATERREMITTERA: Role.SEKRETERARE,
    Action.GODKANN: Role.SEKRETERARE,
    Action.FASTSTALL: Role.SEKRETERARE,
}


_EVENT_FIELDS = ("id", "from_state", "to_state", "docx_sha256", "flow_run_id",
                 "inputs_fingerprint", "expedierad", "recipient", "comment", "diarienummer",
                 "decision_date")  # fmt: skip


class AccessDenied(PipelineError):
    """Raised when a user's role does not allow the action (HTTP 403)."""


class InvalidField(IllegalApproval):
    """Raised when one form field is wrong; the portal shows ``message`` beside ``field``."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


#: Database ids are 32-bit on PostgreSQL; anything outside is simply not there (404).
MAX_ID = 2**31 - 1
_LOCAL_TZ = ZoneInfo("Europe/Stockholm")


def local_today() -> dt.date:
    """Today's date in Stockholm, where the styrgrupp meets."""
    return dt.datetime.now(_LOCAL_TZ).date()


def check_decision_date(day: dt.date, created_at: dt.datetime,
                        today: dt.date | None = None) -> None:  # fmt: skip
    """A styrgrupp decision cannot predate the version it is about, nor lie in the future.

    Args:
        day: the decision date typed.
        created_at: when the version was recorded (UTC; naive means UTC).
        today: today in Stockholm (default: now).

    Raises:
        InvalidField: ``beslutsdatum`` outside [the version's creation date, today].
    """
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=dt.UTC)
    created = created_at.astimezone(_LOCAL_TZ).date()
    today = today or local_today()
    if day < created:
        raise InvalidField("beslutsdatum", f"Beslutsdatum {day.isoformat()} är före "
                           f"versionens tillkomst ({created.isoformat()}).")  # fmt: skip
    if day > today:
        raise InvalidField("beslutsdatum", f"Beslutsdatum {day.isoformat()} ligger i "
                           f"framtiden (i dag är det {today.isoformat()}).")  # fmt: skip


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def visible(user: UserInfo, row: ReportVersion) -> bool:
    """Whether ``user`` may see the version: its area granted, and for a granskare only
    once it was sent for review (a draft still being prepared is the förvaltare's)."""
    if not user.can_see(row.area):
        return False
    return not (user.role is Role.GRANSKARE and row.state == State.UTKAST.value)


class ApprovalService:
    """Reads and changes report versions on behalf of one user at a time."""

    def __init__(self, engine: Engine, draft_root: Path) -> None:
        """Args: engine: the database; draft_root: the store the drafts must lie under."""
        self.engine = engine
        self.draft_root = Path(draft_root).resolve()
        #: called as ``listener(user, version, action, event)`` after a committed move
        #: (e-mail notices, the stamped rendition of an adopted version).
        self.listeners: list[Callable[[UserInfo, VersionView, Action, dict], None]] = []

    # -- reading -------------------------------------------------------------------------
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
        """The stamped rendition of an adopted version (``approval.stamp``), if written."""
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
            audit.lock_chain(session)  # before any row lock: see audit.lock_chain
            row = self._row(session, user, version_id)
            root = area_year_root(self.draft_root, row.area, row.year)
            path = resolve_draft(row.directory, root, kind, row.docx_sha256,
                                 pdf_sha256=row.pdf_sha256)  # fmt: skip
            audit.append(
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

    # -- changing ------------------------------------------------------------------------
    def comment(
        self, user: UserInfo, version_id: int, text: str, *, section: str | None = None,
        section_title: str | None = None, parent_id: int | None = None, origin: str = "portal",
    ) -> int:  # fmt: skip
        """Add a comment to a version, a section of it, or a reply (see ``approval.comments``).

        Raises:
            NotFound: unknown version or area not granted.
            IllegalApproval: an empty or overlong comment, or the version is fastställd.
        """
        return add_comment(self, user, version_id, text, section=section,
                           section_title=section_title, parent_id=parent_id,
                           origin=origin)  # fmt: skip

    def submit(
        self,
        user: UserInfo,
        version_id: int,
        *,
        external: bool = False,
        recipient: str | None = None,
    ) -> State:
        """Send a version for review; ``external`` (outside the district administration)
        is recorded as *expedierad*, which can make the draft an allmän handling.

        Args:
            user: a data steward (``forvaltare``).
            version_id: the database id.
            external: whether it goes outside the förvaltning.
            recipient: who receives it (required when external).

        Returns:
            The new state.
        """
        recipient = (recipient or "").strip() or None
        if external and not recipient:
            raise IllegalApproval("ange mottagaren när utkastet skickas utanför förvaltningen")
        return self._move(user, version_id, Action.SKICKA, expedierad=external, recipient=recipient)

    def decide(
        self,
        user: UserInfo,
        version_id: int,
        action: Action | str,
        *,
        comment: str | None = None,
        diarienummer: str | None = None,
        decision_date: dt.date | None = None,
    ) -> State:
        """Record the styrgrupp's decision: godkänn, återremittera (with a comment) or
        fastställ (with diarienummer and decision date).

        Args:
            user: a secretary/chair (``sekreterare``).
            version_id: the database id.
            action: ``godkann``, ``aterremittera`` or ``faststall``.
            comment: required for återremittering.
            diarienummer: required for fastställande.
            decision_date: required for fastställande.

        Returns:
            The new state.
        """
        try:
            act = Action(action)
        except ValueError:
            raise IllegalApproval(f"okänt beslut {action!r}") from None
        if act is Action.SKICKA:
            raise IllegalApproval("ett styrgruppsbeslut är godkänn, återremittera eller fastställ")
        comment = (comment or "").strip() or None
        diarienummer = (diarienummer or "").strip() or None
        if act is Action.ATERREMITTERA and not comment:
            raise IllegalApproval("en återremiss behöver en kommentar om vad som ska ändras")
        if act is Action.FASTSTALL and not diarienummer:
            raise InvalidField("diarienummer", "Fastställande kräver ett diarienummer.")
        if act is Action.FASTSTALL and not decision_date:
            raise InvalidField("beslutsdatum", "Fastställande kräver ett beslutsdatum.")
        return self._move(
            user,
            version_id,
            act,
            comment=comment,
            diarienummer=diarienummer,
            decision_date=decision_date,
        )

    def _move(self, user: UserInfo, version_id: int, action: Action, **fields) -> State:  # type: ignore[no-untyped-def]
        with Session(self.engine) as session, session.begin():
            audit.lock_chain(session)  # before any row lock: see audit.lock_chain
            row = self._row(session, user, version_id, lock=True)
            if user.role is not _ROLE_FOR[action]:
                raise AccessDenied(f"rollen {user.role.value} får inte {ACTION_LABELS[action]}")
            newest = self._latest_number(session, row.area, row.year)
            if row.version != newest:
                raise IllegalApproval(
                    f"version {row.version} av {row.area} {row.year} är ersatt av version "
                    f"{newest} och kan inte längre {ACTION_LABELS[action]}s / version "
                    f"{row.version} is superseded by version {newest}"
                )
            old = State(row.state)
            new = advance(old, action)
            if fields.get("decision_date") is not None:
                check_decision_date(fields["decision_date"], row.created_at)
            changed = session.execute(
                update(ReportVersion)
                .where(ReportVersion.id == row.id, ReportVersion.state == old.value)
                .values(state=new.value)
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed != 1:
                raise IllegalApproval("rapporten ändrades samtidigt av någon annan; ladda om")
            event = ApprovalEvent(
                version_id=row.id,
                action=action.value,
                from_state=old.value,
                to_state=new.value,
                actor=user.username,
                docx_sha256=row.docx_sha256,
                inputs_fingerprint=row.inputs_fingerprint,
                flow_run_id=row.flow_run_id,
                created_at=_now(),
                expedierad=bool(fields.pop("expedierad", False)),
                **fields,
            )
            session.add(event)
            session.flush()
            event_fields = {k: getattr(event, k) for k in _EVENT_FIELDS}
            audit.append(
                session,
                actor=user.username,
                action=f"state:{action.value}",
                subject=f"version:{row.id}",
                details={"area": row.area, "year": row.year, "version": row.version}
                | {k: getattr(event, k) for k in _EVENT_FIELDS},
            )
            log.info("%s: %s v%s %s -> %s", user.username, row.area, row.version, old, new)
            view = dataclasses.replace(version_view(row, newest), state=new)
        for listener in self.listeners:  # after the commit: a failing listener undoes nothing
            try:
                listener(user, view, action, event_fields)
            except Exception:
                log.exception("after %s of version %s", action.value, version_id)
        return new

    def record_login(self, username: str, *, success: bool, throttled: bool = False) -> None:
        """Write a login attempt (successful, failed, or refused while throttled)."""
        action = "login" if success else "login:throttled" if throttled else "login:failed"
        self._log(username[:64], action)

    def record_logout(self, username: str) -> None:
        """Write a logout to the audit log."""
        self._log(username, "logout")

    def _log(self, username: str, action: str) -> None:
        with Session(self.engine) as session, session.begin():
            audit.lock_chain(session)  # before any row lock: see audit.lock_chain
            audit.append(session, actor=username, action=action, subject=f"user:{username}")
