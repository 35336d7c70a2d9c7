"""Reading the audit log page by page, newest first, filtered (the administrator's page).

Read-only: nothing here writes to the chain. Dates are local (Europe/Stockholm) calendar
days; the log stores UTC ISO timestamps, so a day's bounds are converted to UTC and compared
as strings (every stored timestamp has the same ``+00:00`` form).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval.db.models import AuditEntry, ReportVersion

__all__ = ["AuditFilter", "AuditPage", "AuditRow", "actions", "search"]

PER_PAGE = 50
_TZ = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class AuditFilter:
    """What the log is narrowed to; empty fields do not narrow."""

    actor: str = ""
    action: str = ""
    subject: str = ""
    area: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class AuditRow:
    """One entry as the page shows it."""

    seq: int
    created_at: dt.datetime
    actor: str | None
    action: str
    subject: str
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    """One page of matching entries and how many match in all."""

    rows: list[AuditRow]
    total: int
    page: int
    pages: int


def _day_start_utc(day: dt.date) -> str:
    start = dt.datetime.combine(day, dt.time(), tzinfo=_TZ).astimezone(dt.UTC)
    return start.isoformat(timespec="microseconds")


def _filtered(session: Session, query: Select, where: AuditFilter) -> Select:
    if where.actor.strip():
        query = query.where(func.lower(AuditEntry.actor).contains(where.actor.strip().lower(),
                                                                  autoescape=True))  # fmt: skip
    if where.action.strip():
        query = query.where(AuditEntry.action == where.action.strip())
    if where.subject.strip():
        query = query.where(func.lower(AuditEntry.subject).contains(
            where.subject.strip().lower(), autoescape=True))  # fmt: skip
    if where.area.strip():
        ids = session.scalars(select(ReportVersion.id).where(ReportVersion.area == where.area))
        query = query.where(AuditEntry.subject.in_([f"version:{i}" for i in ids]))
    if where.date_from is not None:
        query = query.where(AuditEntry.created_at >= _day_start_utc(where.date_from))
    if where.date_to is not None:
        end = _day_start_utc(where.date_to + dt.timedelta(days=1))
        query = query.where(AuditEntry.created_at < end)
    return query


def search(engine: Engine, where: AuditFilter, page: int = 1,
           per_page: int = PER_PAGE) -> AuditPage:  # fmt: skip
    """The matching entries of one page, newest (highest sequence number) first.

    Args:
        engine: the database.
        where: the filter.
        page: 1-based; clamped to the pages there are.
        per_page: entries per page.

    Returns:
        The page.
    """
    with Session(engine) as session:
        total = session.scalar(_filtered(session, select(func.count(AuditEntry.id)), where)) or 0
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        query = _filtered(session, select(AuditEntry), where).order_by(AuditEntry.seq.desc())
        rows = [
            AuditRow(
                seq=e.seq,
                created_at=dt.datetime.fromisoformat(e.created_at),
                actor=e.actor,
                action=e.action,
                subject=e.subject,
                details=json.loads(e.details or "{}"),
            )  # fmt: skip
            for e in session.scalars(query.offset((page - 1) * per_page).limit(per_page))
        ]
    return AuditPage(rows=rows, total=total, page=page, pages=pages)


def actions(engine: Engine) -> list[str]:
    """Every action name the log holds, for the filter's list."""
    with Session(engine) as session:
        return sorted(session.scalars(select(AuditEntry.action).distinct()))
