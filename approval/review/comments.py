"""Comments in place: on a version and one of its sections, with replies and resolve/reopen.

Every change goes through here, in one transaction with its audit entry (``comment``,
``comment:resolve``, ``comment:reopen``; the entry names the comment id, the version and
the section), so the comments table and the audit chain always agree.

Rules: a fastställd version is final, so it takes no new comments, replies or status
changes; a reply belongs to the thread of a top-level comment of the same version; a thread
still open when a newer version exists is shown on the newer one as "öppen från version N"
(it is not copied: it stays on the version it was written about).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from approval.accounts.users import UserInfo
from approval.audit import chain
from approval.db.models import Comment, ReportVersion
from approval.drafts.files import NotFound
from approval.review.states import State
from lagesbild.errors import IllegalApproval

if TYPE_CHECKING:
    from approval.review.reading import VersionReader

__all__ = ["MAX_COMMENT", "CommentView", "add_comment", "set_resolved", "threads"]

MAX_COMMENT = 10_000


@dataclass(frozen=True)
class CommentView:
    """A comment and its replies, detached from the session."""

    id: int
    version_id: int
    version: int
    author: str
    text: str
    created_at: dt.datetime
    section: str | None
    section_title: str | None
    origin: str
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = None
    replies: list[CommentView] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """True until someone marks the thread resolved."""
        return self.resolved_at is None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _view(c: Comment, number: int, replies: list[CommentView] | None = None) -> CommentView:
    return CommentView(
        id=c.id, version_id=c.version_id, version=number, author=c.author, text=c.text,
        created_at=c.created_at, section=c.section, section_title=c.section_title,
        origin=c.origin or "portal", resolved_at=c.resolved_at, resolved_by=c.resolved_by,
        replies=replies or [],
    )  # fmt: skip


def _check_open_for_comments(row: ReportVersion) -> None:
    if row.state == State.FASTSTALLD.value:
        raise IllegalApproval(
            f"version {row.version} är fastställd och tar inte emot fler kommentarer"
        )


def add_comment(
    service: VersionReader,
    user: UserInfo,
    version_id: int,
    text: str,
    *,
    section: str | None = None,
    section_title: str | None = None,
    parent_id: int | None = None,
    origin: str = "portal",
) -> int:
    """Add a comment (or a reply to ``parent_id``) to a version; return its id.

    Raises:
        NotFound: unknown version or parent, or an area the user may not see.
        IllegalApproval: empty or overlong text, or the version is fastställd.
    """
    text = text.strip()
    if not text or len(text) > MAX_COMMENT:
        raise IllegalApproval(f"kommentaren måste ha 1–{MAX_COMMENT} tecken")
    section = (section or "").strip()[:255] or None
    section_title = (section_title or "").strip()[:255] or None
    with Session(service.engine) as session, session.begin():
        chain.lock_chain(session)  # before any row lock: see chain.lock_chain
        row = service._row(session, user, version_id)
        _check_open_for_comments(row)
        if parent_id is not None:
            parent = session.get(Comment, parent_id)
            if parent is None or parent.version_id != row.id or parent.parent_id is not None:
                raise NotFound(f"kommentaren {parent_id} finns inte i version {row.version}")
            section, section_title = parent.section, parent.section_title
        comment = Comment(
            version_id=row.id, author=user.username, text=text, created_at=_now(),
            section=section, section_title=section_title, parent_id=parent_id, origin=origin,
        )  # fmt: skip
        session.add(comment)
        session.flush()
        chain.append(
            session,
            actor=user.username,
            action="comment",
            subject=f"version:{row.id}",
            details={"text": text, "comment_id": comment.id, "section": section,
                     "parent_id": parent_id, "origin": origin},  # fmt: skip
        )
        return comment.id


def set_resolved(service: VersionReader, user: UserInfo, comment_id: int, resolved: bool) -> int:
    """Mark a thread resolved or open again; returns the version id it belongs to.

    Raises:
        NotFound: unknown comment, a reply, or an area the user may not see.
        IllegalApproval: the version is fastställd.
    """
    with Session(service.engine) as session, session.begin():
        chain.lock_chain(session)  # before any row lock: see chain.lock_chain
        comment = session.get(Comment, comment_id)
        if comment is None or comment.parent_id is not None:
            raise NotFound(f"kommentaren {comment_id} finns inte")
        row = service._row(session, user, comment.version_id)
        _check_open_for_comments(row)
        if (comment.resolved_at is None) != resolved:
            return row.id  # already so: nothing to record
        comment.resolved_at = _now() if resolved else None
        comment.resolved_by = user.username if resolved else None
        chain.append(
            session,
            actor=user.username,
            action="comment:resolve" if resolved else "comment:reopen",
            subject=f"version:{row.id}",
            details={"comment_id": comment.id},
        )
        return row.id


def threads(service: VersionReader, user: UserInfo, version_id: int) -> list[CommentView]:
    """The version's threads, then the still open threads of its earlier versions.

    Returns:
        Top-level comments with their replies, oldest first; a carried thread has a
        ``version`` lower than the version asked for.
    """
    with Session(service.engine) as session:
        row = service._row(session, user, version_id)
        numbers = dict(
            session.execute(
                select(ReportVersion.id, ReportVersion.version).where(
                    ReportVersion.area == row.area,
                    ReportVersion.year == row.year,
                    ReportVersion.version <= row.version,
                )
            ).all()
        )
        comments = list(
            session.scalars(
                select(Comment)
                .where(Comment.version_id.in_(numbers))
                .order_by(Comment.created_at, Comment.id)
            )
        )
        replies: dict[int, list[CommentView]] = {}
        for c in comments:
            if c.parent_id is not None:
                replies.setdefault(c.parent_id, []).append(_view(c, numbers[c.version_id]))
        out = []
        for c in comments:
            if c.parent_id is not None:
                continue
            if c.version_id != row.id and c.resolved_at is not None:
                continue  # resolved on an earlier version: history only
            out.append(_view(c, numbers[c.version_id], replies.get(c.id)))
        out.sort(key=lambda v: (v.version != row.version, v.created_at))
        return out
