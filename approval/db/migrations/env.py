"""Alembic environment: migrates the connection handed in by ``approval.db.engine``, else the
URL of the settings (``LAGESBILD_DATABASE_URL``), so ``alembic -c approval/db/alembic.ini``
works too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from approval.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate the given connection, or one opened from the settings' URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from lagesbild.settings import load_settings

    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():  # pragma: no cover - SQL scripts are not used
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
