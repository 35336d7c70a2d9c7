"""Alembic manages the schema: the migrations equal the models, old databases upgrade."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from approval.db.engine import INITIAL_REVISION, alembic_config, init_db, upgrade
from approval.db.models import Base, ReportVersion, make_engine
from approval.drafts.versions import VersionRepository


def test_migrated_schema_equals_the_models(engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert context.get_current_revision() == head


def test_report_versions_is_created_exactly_as_the_model(engine) -> None:
    inspector = inspect(engine)
    columns = {c["name"]: c for c in inspector.get_columns("report_versions")}
    model = ReportVersion.__table__.columns
    assert list(columns) == [c.name for c in model]
    for column in model:
        assert columns[column.name]["nullable"] == column.nullable, column.name
    uniques = inspector.get_unique_constraints("report_versions")
    assert [(u["name"], u["column_names"]) for u in uniques] == [
        ("uq_report_version", ["area", "year", "version"])
    ]
    indexes = inspector.get_indexes("report_versions")  # PostgreSQL also lists the unique one
    assert {i["name"] for i in indexes if not i.get("duplicates_constraint")} == {
        "ix_report_versions_area",
        "ix_report_versions_year",
    }


def test_version_repository_works_on_the_migrated_schema(engine) -> None:
    repo = VersionRepository(engine)
    repo.record(
        area="sodermalm",
        year=2024,
        version=1,
        docx_sha256="a" * 64,
        inputs_fingerprint="b" * 64,
        inputs=[{"name": "x"}],
        flow_run_id=None,
        directory="/tmp/x",
    )
    assert repo.latest("sodermalm", 2024).state == "utkast"
    assert repo.max_version("sodermalm", 2024) == 1


def test_a_database_made_with_create_all_is_stamped_and_upgraded(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url)
    upgrade(old, INITIAL_REVISION)  # the table exactly as make_engine once created it
    with old.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(
            text(
                "INSERT INTO report_versions (area, year, version, state, docx_sha256, "
                "inputs_fingerprint, inputs, flow_run_id, directory, created_at) VALUES "
                "('sodermalm', 2023, 1, 'utkast', :a, :b, '[]', NULL, '/tmp/x', :t)"
            ),
            {"a": "a" * 64, "b": "b" * 64, "t": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)},
        )
    old.dispose()
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"users", "audit_log", "approval_events", "alembic_version"} <= tables
    assert VersionRepository(engine).max_version("sodermalm", 2023) == 1
    init_db(url).dispose()  # idempotent
    engine.dispose()
