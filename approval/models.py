"""SQLAlchemy models: the versions of each area-year draft and their approval state.

The database stores states; it does not decide them (the state machine does). SQLite is
the embedded default, PostgreSQL the production database; both via ``LAGESBILD_DATABASE_URL``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint, create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "ReportVersion", "make_engine"]


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


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the tables created (SQLite files get their directory)."""
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    Base.metadata.create_all(engine)
    return engine
