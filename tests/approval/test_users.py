"""Local accounts: scrypt hashes, roles, areas, authentication."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from approval.accounts.passwords import password_problem
from approval.accounts.users import (
    Role,
    UserError,
    add_user,
    authenticate,
    get_user,
    hash_password,
    list_users,
    reset_password,
    set_active,
    verify_password,
)
from approval.db.models import AuditEntry, User

GOOD = "grön cykel under bron"


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
        password="lösen ord i vår",
        role="granskare",
        areas=["sodermalm", " kungsholmen "],
    )
    assert user.role is Role.GRANSKARE and user.areas == {"sodermalm", "kungsholmen"}
    assert authenticate(engine, "greta", "lösen ord i vår") == user
    assert authenticate(engine, "greta", "fel") is None
    assert authenticate(engine, "okänd", "lösen ord i vår") is None
    assert get_user(engine, user.id) == user
    with Session(engine) as session:
        stored = session.scalars(select(User.password_hash)).one()
        actions = list(session.scalars(select(AuditEntry.action)))
    assert "lösen ord i vår" not in stored and actions == ["user:add"]


def test_star_grants_every_area(engine) -> None:
    user = add_user(engine, username="sara", password=GOOD, role="sekreterare", areas=["*"])
    assert user.can_see("sodermalm") and user.can_see("farsta")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "admin"}, "okänd roll"),
        ({"areas": [" "]}, "minst ett område"),
        ({"password": ""}, "får inte vara tomma"),
        ({"password": "x"}, "minst 12 tecken"),
        ({"password": "aaaaaaaaaaaaaaaa"}, "för få olika tecken"),
        ({"password": "Password1234"}, "för vanligt"),
        ({"password": "abcdefghijklmn"}, "förutsägbart"),
        ({"username": "annika", "password": "annika123456"}, "användarnamnet"),
    ],
)
def test_bad_accounts_are_refused(engine, kwargs, message) -> None:
    args = {"username": "x", "password": GOOD, "role": "granskare", "areas": ["sodermalm"]}
    with pytest.raises(UserError, match=message):
        add_user(engine, **{**args, **kwargs})


def test_duplicate_username_is_refused(engine) -> None:
    add_user(engine, username="fia", password=GOOD, role="forvaltare", areas=["sodermalm"])
    with pytest.raises(UserError, match="finns redan"):
        add_user(engine, username="fia", password=GOOD, role="granskare", areas=["sodermalm"])
    with pytest.raises(UserError, match="finns redan"):  # gs and GS are the same name
        add_user(engine, username="FIA", password=GOOD, role="granskare", areas=["sodermalm"])
    assert authenticate(engine, "Fia", GOOD).username == "fia"


def test_deactivated_user_cannot_log_in(engine) -> None:
    user = add_user(engine, username="olle", password=GOOD, role="granskare", areas=["farsta"])
    with Session(engine) as session, session.begin():
        session.get(User, user.id).active = False
    assert authenticate(engine, "olle", GOOD) is None and get_user(engine, user.id) is None


def test_a_passphrase_is_accepted() -> None:
    assert password_problem("grön cykel under bron") is None
    assert password_problem("x") is not None


def test_list_disable_reset_raise_the_session_generation(engine) -> None:
    user = add_user(engine, username="olle", password=GOOD, role="granskare", areas=["farsta"])
    assert user.session_generation == 0
    set_active(engine, "OLLE", False, actor="admin")
    assert [(u.username, u.active) for u in list_users(engine)] == [("olle", False)]
    set_active(engine, "olle", True, actor="admin")
    with pytest.raises(UserError, match="minst 12"):
        reset_password(engine, "olle", "kort", actor="admin")
    reset_password(engine, "olle", "en helt ny fras i höst", actor="admin")
    assert authenticate(engine, "olle", GOOD) is None
    again = authenticate(engine, "olle", "en helt ny fras i höst")
    assert again.session_generation == 3
    with Session(engine) as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert actions == ["user:add", "user:disable", "user:enable", "user:reset-password"]
