"""Database setup: one engine per URL, the schema brought to the newest Alembic revision.

SQLite (the embedded default) and PostgreSQL (production) are both supported. On SQLite
every transaction starts with ``BEGIN IMMEDIATE`` so that a read followed by a write (the
approval workflow, the audit chain) cannot interleave with another writer; on PostgreSQL the
workflow locks rows with ``SELECT ... FOR UPDATE`` instead.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine

__all__ = ["HEAD", "MIGRATIONS_DIR", "alembic_config", "drop_schema", "init_db", "upgrade"]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HEAD = "head"
#: The revision that creates ``report_versions`` as ``make_engine`` once did with create_all.
INITIAL_REVISION = "0001"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def alembic_config(connection: Connection | None = None) -> Config:
    """A programmatic Alembic configuration for the project's migrations.

    Args:
        connection: the connection to migrate; None lets ``env.py`` read the settings' URL.

    Returns:
        The Alembic ``Config``.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _serialise_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(engine: Engine, revision: str = HEAD) -> None:
    """Run ``alembic upgrade`` on ``engine``; a pre-Alembic database is stamped first.

    Args:
        engine: the database.
        revision: target revision (default: the newest).
    """
    with engine.begin() as connection:
        tables = set(inspect(connection).get_table_names())
        config = alembic_config(connection)
        if "report_versions" in tables and "alembic_version" not in tables:
            log.info("database made before Alembic: stamping revision %s", INITIAL_REVISION)
            command.stamp(config, INITIAL_REVISION)
        command.upgrade(config, revision)


def _engine(url: str, schema: str | None) -> Engine:
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _serialise_sqlite(engine)
        return engine
    if schema is None:
        return create_engine(url, pool_pre_ping=True)
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"not a plain schema name: {schema!r}")
    with create_engine(url).begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return create_engine(
        url, pool_pre_ping=True, connect_args={"options": f"-csearch_path={schema}"}
    )


def init_db(url: str, *, schema: str | None = None) -> Engine:
    """An engine for ``url`` whose schema is migrated to the newest revision.

    Args:
        url: SQLAlchemy URL (``sqlite:///...`` or ``postgresql+psycopg://...``).
        schema: PostgreSQL only: a schema to create and work in (tests use one per run).

    Returns:
        The engine, ready to use.
    """
    engine = _engine(url, schema)
    upgrade(engine)
    return engine


def drop_schema(url: str, schema: str) -> None:
    """Drop a PostgreSQL schema made by ``init_db(..., schema=...)`` and all its tables.

    Args:
        url: the server URL.
        schema: the schema name.
    """
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"not a plain schema name: {schema!r}")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()
