"""SQLAlchemy models: the versions of each area-year draft and their approval state.

The database stores states; it does not decide them (the state machine does). SQLite is
the embedded default, PostgreSQL the production database; both via ``LAGESBILD_DATABASE_URL``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ApprovalEvent",
    "AuditEntry",
    "Base",
    "Comment",
    "LoginThrottle",
    "ReportVersion",
    "User",
    "UserArea",
    "latest_version",
    "make_engine",
]


class Base(DeclarativeBase):
    """Declarative base of every table of the project."""


class ReportVersion(Base):
    """One generated draft of an area-year, bound to its exact inputs and document."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("area", "year", "version", name="uq_report_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32))
    docx_sha256: Mapped[str] = mapped_column(String(64))
    inputs_fingerprint: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[list] = mapped_column(JSON)
    flow_run_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    directory: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: sha256 of the version's PDF rendition, when one was made (served only if it matches).
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: id of the adopted (fastställd) version this version revises; None for ordinary drafts.
    revision_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: why the revision was opened (``lagesbild run ... --revision "skäl"``).
    revision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


def latest_version(area: str, year: int) -> Select[tuple[ReportVersion]]:
    """The query for the newest version of an area-year (one place for the repository and
    ``lagesbild run``'s unchanged check, which must agree on what "latest" is)."""
    return (
        select(ReportVersion)
        .where(ReportVersion.area == area, ReportVersion.year == year)
        .order_by(ReportVersion.version.desc())
        .limit(1)
    )


class User(Base):
    """A local portal account; ``role`` is one of ``approval.accounts.users.Role``.

    User names are unique without regard to case (``uq_users_username_ci`` on
    ``lower(username)``). ``session_generation`` is copied into every session cookie;
    raising it (logout, password change or reset, disabling) revokes every cookie at once.
    """

    __tablename__ = "users"
    __table_args__ = (Index("uq_users_username_ci", func.lower(text("username")), unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class UserArea(Base):
    """One area a user may see (``*`` grants every area)."""

    __tablename__ = "user_areas"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(64), primary_key=True)


class Comment(Base):
    """A comment on one version, on a section of it (``section`` = the anchor) or the whole.

    A reply has ``parent_id``; only a top-level comment is resolved or reopened. ``origin``
    is ``portal`` or ``word`` (imported from a Word file a reviewer uploaded).
    """

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    section: Mapped[str | None] = mapped_column(String(255), nullable=True)
    section_title: Mapped[str | None] = mapped_column(String(255), nullable=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", name="fk_comments_parent"), nullable=True
    )
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    origin: Mapped[str] = mapped_column(String(16), default="portal", server_default="portal")


class ApprovalEvent(Base):
    """One state change of a version, bound to the exact draft, inputs and flow run."""

    __tablename__ = "approval_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    diarienummer: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decision_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    expedierad: Mapped[bool] = mapped_column(Boolean, default=False)
    recipient: Mapped[str | None] = mapped_column(String(255), nullable=True)
    docx_sha256: Mapped[str] = mapped_column(String(64))
    inputs_fingerprint: Mapped[str] = mapped_column(String(64))
    flow_run_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """An append-only, hash-chained log entry (see ``approval.audit.chain``)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class LoginThrottle(Base):
    """Failed logins of one account (``user:<name>``) or address (``ip:<addr>``).

    Kept in the database so that the limit holds across portal processes and restarts.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                              nullable=True)  # fmt: skip


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the schema migrated to the newest revision (Alembic).

    SQLite files get their directory; see ``approval.db.engine.init_db``.
    """
    from approval.db.engine import init_db

    return init_db(url)
