"""The approval service: what a user may see and do with a report version.

Every decision is bound to the exact version acted on: the event stores the version's docx
sha256, flow-run id and inputs fingerprint, only the newest version of an area-year can move,
and a new version starts again at ``utkast``. The state machine (``approval.review.states``) decides
the move; this module checks roles and areas, locks the row and writes the event and the
audit entry in the same transaction. Reading (lists, history, downloads) is
``approval.review.reading``; the plain rules (visibility, decision dates) are
``approval.review.rules``.

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

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval.accounts.users import Role, UserInfo
from approval.audit import chain
from approval.db.models import ApprovalEvent, ReportVersion
from approval.review.comments import add_comment
from approval.review.reading import VersionReader
from approval.review.rules import AccessDenied, InvalidField, check_decision_date
from approval.review.states import ACTION_LABELS, Action, State, advance
from approval.review.views import VersionView, version_view
from lagesbild.errors import IllegalApproval

__all__ = ["ApprovalService"]

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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ApprovalService(VersionReader):
    """Reads and changes report versions on behalf of one user at a time."""

    def __init__(self, engine: Engine, draft_root: Path) -> None:
        """Args: engine: the database; draft_root: the store the drafts must lie under."""
        super().__init__(engine, draft_root)
        #: called as ``listener(user, version, action, event)`` after a committed move
        #: (e-mail notices, the stamped rendition of an adopted version).
        self.listeners: list[Callable[[UserInfo, VersionView, Action, dict], None]] = []

    def comment(
        self, user: UserInfo, version_id: int, text: str, *, section: str | None = None,
        section_title: str | None = None, parent_id: int | None = None, origin: str = "portal",
    ) -> int:  # fmt: skip
        """Add a comment to a version, a section of it, or a reply (``approval.review.comments``).

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
            chain.lock_chain(session)  # before any row lock: see chain.lock_chain
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
            chain.append(
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
            chain.lock_chain(session)  # before any row lock: see chain.lock_chain
            chain.append(session, actor=username, action=action, subject=f"user:{username}")
