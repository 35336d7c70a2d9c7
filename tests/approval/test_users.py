"""Local accounts: scrypt hashes, roles, areas, authentication."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from approval.models import AuditEntry, User
from approval.users import (
    Role,
    UserError,
    add_user,
    authenticate,
    get_user,
    hash_password,
    verify_password,
)


def test_password_hash_is_salted_scrypt() -> None:
    first, second = hash_password("hemligt"), hash_password("hemligt")
    assert first.startswith("scrypt$") and first != second
    assert "hemligt" not in first
    assert verify_password("hemligt", first) and verify_password("hemligt", second)
    assert not verify_password("Hemligt", first)
    assert not verify_password("hemligt", "md5$abc")
    assert not verify_password("hemligt", "scrypt$x")


def test_add_and_authenticate(engine) -> None:
    user = add_user(
        engine,
        username="greta",
        password="lösen ord",
        role="granskare",
        areas=["sodermalm", " kungsholmen "],
    )
    assert user.role is Role.GRANSKARE and user.areas == {"sodermalm", "kungsholmen"}
    assert authenticate(engine, "greta", "lösen ord") == user
    assert authenticate(engine, "greta", "fel") is None
    assert authenticate(engine, "okänd", "lösen ord") is None
    assert get_user(engine, user.id) == user
    with Session(engine) as session:
        stored = session.scalars(select(User.password_hash)).one()
        actions = list(session.scalars(select(AuditEntry.action)))
    assert "lösen ord" not in stored and actions == ["user:add"]


def test_star_grants_every_area(engine) -> None:
    user = add_user(engine, username="sara", password="x", role="sekreterare", areas=["*"])
    assert user.can_see("sodermalm") and user.can_see("farsta")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "admin"}, "okänd roll"),
        ({"areas": [" "]}, "minst ett område"),
        ({"password": ""}, "får inte vara tomma"),
    ],
)
def test_bad_accounts_are_refused(engine, kwargs, message) -> None:
    args = {"username": "x", "password": "p", "role": "granskare", "areas": ["sodermalm"]}
    with pytest.raises(UserError, match=message):
        add_user(engine, **{**args, **kwargs})


def test_duplicate_username_is_refused(engine) -> None:
    add_user(engine, username="fia", password="p", role="forvaltare", areas=["sodermalm"])
    with pytest.raises(UserError, match="finns redan"):
        add_user(engine, username="fia", password="q", role="granskare", areas=["sodermalm"])


def test_deactivated_user_cannot_log_in(engine) -> None:
    user = add_user(engine, username="olle", password="p", role="granskare", areas=["farsta"])
    with Session(engine) as session, session.begin():
        session.get(User, user.id).active = False
    assert authenticate(engine, "olle", "p") is None and get_user(engine, user.id) is None
