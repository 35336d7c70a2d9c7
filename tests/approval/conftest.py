"""Database fixtures: every test using ``engine`` runs on SQLite and, when
``LAGESBILD_TEST_POSTGRES_URL`` is set, on PostgreSQL too (own schema per test)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from approval.accounts.users import Role, UserInfo
from approval.testing import POSTGRES_ENV, test_engine

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database kind of this test run."""
    if request.param == "postgresql" and not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    return request.param


@pytest.fixture
def engine(backend: str, tmp_path: Path):
    """A migrated, empty database of the parametrised kind."""
    with test_engine(backend, tmp_path) as engine:
        yield engine


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """The draft store root."""
    path = tmp_path / "reports"
    path.mkdir()
    return path


def user(name: str, role: Role, *areas: str, user_id: int = 0) -> UserInfo:
    """A user as the workflow sees it (no database row needed by the service)."""
    return UserInfo(id=user_id, username=name, role=role, areas=frozenset(areas))


@pytest.fixture
def people() -> dict[str, UserInfo]:
    """One user per role for Södermalm, and a reviewer of another area."""
    return {
        "steward": user("fia", Role.FORVALTARE, "sodermalm"),
        "reviewer": user("greta", Role.GRANSKARE, "sodermalm"),
        "secretary": user("sara", Role.SEKRETERARE, "sodermalm"),
        "other": user("olle", Role.GRANSKARE, "kungsholmen"),
    }
