"""Portal fixtures: a seeded database (SQLite, and PostgreSQL when
``LAGESBILD_TEST_POSTGRES_URL`` is set), the app and logged-in test clients."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from approval.accounts.users import add_user
from approval.db.models import ReportVersion
from approval.testing import POSTGRES_ENV, record_version, test_engine
from portal.app import create_app

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
PASSWORD = "rätt-lösenord"
USERS = {
    "fia": ("forvaltare", ["sodermalm"]),
    "greta": ("granskare", ["sodermalm"]),
    "sara": ("sekreterare", ["sodermalm"]),
    "olle": ("granskare", ["kungsholmen"]),
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


@dataclass
class Portal:
    """The seeded portal: its engine, draft store, version ids and a client factory."""

    engine: object
    store: Path
    versions: dict[str, int]
    client: Callable[[str | None], TestClient]
    app: object


@pytest.fixture(params=BACKENDS)
def portal(request: pytest.FixtureRequest, tmp_path: Path):
    """Versions v1 (Södermalm 2024, återremitterad), v2 (latest, utkast) and Kungsholmen
    2024 v1 (för granskning)."""
    if request.param == "postgresql" and not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    store = tmp_path / "reports"
    with test_engine(request.param, tmp_path) as engine:
        for name, (role, areas) in USERS.items():
            add_user(engine, username=name, password=PASSWORD, role=role, areas=areas)
        versions = {
            "sod_v1": record_version(engine, store, "sodermalm", 2024, 1),
            "sod_v2": record_version(
                engine, store, "sodermalm", 2024, 2, quality='{"success": true, "warnings": 0}'
            ),
            "kun_v1": record_version(engine, store, "kungsholmen", 2024, 1),
        }
        with engine.begin() as connection:  # reviewers see only what was sent to them
            for key, state in (("sod_v1", "aterremitterad"), ("kun_v1", "for_granskning")):
                connection.execute(
                    update(ReportVersion)
                    .where(ReportVersion.id == versions[key])
                    .values(state=state)
                )
        app = create_app(engine, draft_root=store, secret_key="test-secret")
        clients: list[TestClient] = []

        def client(username: str | None = None) -> TestClient:
            c = TestClient(app, follow_redirects=False)
            clients.append(c)
            if username:
                page = c.get("/login")
                r = c.post(
                    "/login",
                    data={
                        "username": username,
                        "password": PASSWORD,
                        "csrf_token": csrf_of(page.text),
                    },
                )
                assert r.status_code == 303, r.text
            return c

        yield Portal(engine=engine, store=store, versions=versions, client=client, app=app)
        for c in clients:
            c.close()
