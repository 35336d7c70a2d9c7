"""Local portal accounts: roles, per-area access and scrypt password hashes.

The portal's login module (``portal.auth``) is the only caller of :func:`authenticate`, so a
single sign-on can replace local passwords without touching the workflow.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from approval.accounts.passwords import password_problem
from approval.audit import chain
from approval.db.models import User, UserArea
from lagesbild.errors import PipelineError

__all__ = [
    "ALL_AREAS",
    "SessionUser",
    "ROLE_LABELS",
    "Role",
    "UserError",
    "UserInfo",
    "add_user",
    "authenticate",
    "change_password",
    "find_user",
    "get_user",
    "hash_password",
    "list_users",
    "reset_password",
    "revoke_sessions",
    "set_active",
    "set_areas",
    "verify_password",
]

log = logging.getLogger(__name__)

ALL_AREAS = "*"
# scrypt cost: 16 MiB of memory per hash (n * r * 128 bytes), ~50 ms on one core.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_DUMMY_HASH: str | None = None


class Role(StrEnum):
    """What a user may do; everyone with access to an area may read and comment."""

    FORVALTARE = "forvaltare"  # data steward: runs the pipeline, submits for review
    GRANSKARE = "granskare"  # reviewer: reads, comments
    SEKRETERARE = "sekreterare"  # styrgrupp secretary/chair: records decisions
    ADMINISTRATOR = "administrator"  # manages accounts and area grants, reads the audit log


ROLE_LABELS: dict[Role, str] = {
    Role.FORVALTARE: "dataförvaltare",
    Role.GRANSKARE: "granskare",
    Role.SEKRETERARE: "sekreterare/ordförande",
    Role.ADMINISTRATOR: "administratör",
}


class UserError(PipelineError):
    """Raised when an account cannot be created (duplicate name, unknown role, no areas)."""


@dataclass(frozen=True)
class UserInfo:
    """A user as the portal and the workflow see it, detached from the session."""

    id: int
    username: str
    role: Role
    areas: frozenset[str]
    #: Copied into the session cookie; a cookie with an older generation is revoked.
    session_generation: int = 0

    def can_see(self, area: str) -> bool:
        """True when the user was granted ``area`` (or every area)."""
        return ALL_AREAS in self.areas or area in self.areas


def hash_password(password: str) -> str:
    """A salted scrypt hash, ``scrypt$n$r$p$salt$hash`` (base64), for storing.

    Args:
        password: the clear text.

    Returns:
        The encoded hash.
    """
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, encoded: str) -> bool:
    """Check ``password`` against a hash from :func:`hash_password` in constant time.

    Args:
        password: the clear text.
        encoded: the stored hash.

    Returns:
        True when they match; False for a wrong password or a malformed hash.
    """
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class SessionUser:
    """An account as ``lagesbild users list`` shows it."""

    username: str
    role: str
    active: bool
    areas: tuple[str, ...]
    created_at: dt.datetime
    email: str | None = None


def _info(user: User, areas: Iterable[str]) -> UserInfo:
    return UserInfo(
        id=user.id, username=user.username, role=Role(user.role), areas=frozenset(areas),
        session_generation=user.session_generation or 0,
    )  # fmt: skip


def _by_name(session: Session, username: str, *, lock: bool = False) -> User | None:
    query = select(User).where(func.lower(User.username) == username.strip().lower())
    return session.scalars(query.with_for_update() if lock else query).first()


def check_password(password: str, username: str) -> None:
    """Raise UserError with the reason when ``password`` fails the policy."""
    if problem := password_problem(password, username):
        raise UserError(problem)


def _areas(session: Session, user_id: int) -> list[str]:
    return list(session.scalars(select(UserArea.area).where(UserArea.user_id == user_id)))


def add_user(
    engine: Engine, *, username: str, password: str, role: Role | str, areas: Iterable[str]
) -> UserInfo:
    """Create an account with access to ``areas`` (``*`` for all); the audit log records it.

    Args:
        engine: the database.
        username: a unique name.
        password: the clear-text password (only its hash is stored).
        role: ``forvaltare``, ``granskare``, ``sekreterare`` or ``administrator``.
        areas: area ids.

    Returns:
        The new user.

    Raises:
        UserError: unknown role, empty name/password/areas, or the name is taken.
    """
    try:
        role = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise UserError(f"okänd roll {role!r} (välj en av {known})") from None
    grants = sorted({a.strip() for a in areas if a.strip()})
    if not username.strip() or not password:
        raise UserError("användarnamn och lösenord får inte vara tomma")
    if not grants:
        raise UserError("ange minst ett område (--areas sodermalm,… eller '*')")
    check_password(password, username)
    try:
        with Session(engine) as session, session.begin():
            chain.lock_chain(session)  # before any row lock: see chain.lock_chain
            if _by_name(session, username) is not None:  # gs and GS are the same account
                raise IntegrityError("duplicate user name", None, Exception("case"))
            user = User(
                username=username.strip(),
                password_hash=hash_password(password),
                role=role.value,
                active=True,
                created_at=dt.datetime.now(dt.UTC),
            )
            session.add(user)
            session.flush()
            session.add_all(UserArea(user_id=user.id, area=a) for a in grants)
            chain.append(
                session,
                actor=None,
                action="user:add",
                subject=f"user:{user.username}",
                details={"role": role.value, "areas": grants,
                         "password": password_fingerprint(user.password_hash)},
            )  # fmt: skip
            return _info(user, grants)
    except IntegrityError:
        raise UserError(f"användaren {username!r} finns redan") from None


def get_user(engine: Engine, user_id: int) -> UserInfo | None:
    """The active user with this id, or None.

    Args:
        engine: the database.
        user_id: the id kept in the session cookie.

    Returns:
        The user or None (unknown or deactivated).
    """
    with Session(engine) as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return None
        return _info(user, _areas(session, user.id))


def authenticate(engine: Engine, username: str, password: str) -> UserInfo | None:
    """The user when the password is right; None otherwise (same cost either way).

    Args:
        engine: the database.
        username: the name typed.
        password: the password typed.

    Returns:
        The user, or None.
    """
    global _DUMMY_HASH
    with Session(engine) as session:
        user = _by_name(session, username)
        if user is None or not user.active:
            _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(8))
            verify_password(password, _DUMMY_HASH)  # no timing hint that the name is unknown
            return None
        if not verify_password(password, user.password_hash):
            return None
        return _info(user, _areas(session, user.id))


def password_fingerprint(password_hash: str) -> str:
    """A sha256 of the stored hash, for the audit log: ``audit verify`` notices a hash
    written into ``users`` behind the portal's back, and the log holds nothing guessable."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


def find_user(engine: Engine, username: str) -> SessionUser | None:
    """An account by name (any case), active or not, or None."""
    with Session(engine) as session:
        user = _by_name(session, username)
        return _listed(session, user) if user is not None else None


def _listed(session: Session, user: User) -> SessionUser:
    return SessionUser(username=user.username, role=user.role, active=user.active,
                       areas=tuple(sorted(_areas(session, user.id))),
                       created_at=user.created_at, email=user.email)  # fmt: skip


def list_users(engine: Engine) -> list[SessionUser]:
    """Every account, by name."""
    with Session(engine) as session:
        users = session.scalars(select(User).order_by(func.lower(User.username)))
        return [_listed(session, u) for u in users]


def _change(engine: Engine, username: str, action: str, actor: str | None, **values) -> User:  # type: ignore[no-untyped-def]
    """Update one account, raise its session generation (every cookie of it stops working)
    and write the audit entry, in one transaction."""
    with Session(engine) as session, session.begin():
        chain.lock_chain(session)  # before any row lock: see chain.lock_chain
        user = _by_name(session, username, lock=True)
        if user is None:
            raise UserError(f"det finns ingen användare {username!r}")
        for name, value in values.items():
            setattr(user, name, value)
        user.session_generation = (user.session_generation or 0) + 1
        details: dict = {"session_generation": user.session_generation}
        if "active" in values:
            details["active"] = user.active
        if "password_hash" in values:
            details["password"] = password_fingerprint(user.password_hash)
        chain.append(session, actor=actor, action=action, subject=f"user:{user.username}",
                     details=details)  # fmt: skip
        session.flush()
        session.expunge(user)
        return user


def set_active(engine: Engine, username: str, active: bool, *, actor: str | None = None) -> None:
    """Disable (or enable again) an account; disabling ends all its sessions."""
    _change(engine, username, "user:enable" if active else "user:disable", actor, active=active)


def reset_password(engine: Engine, username: str, password: str, *,
                   actor: str | None = None) -> None:  # fmt: skip
    """Set a new password (administrator); every session of the account ends."""
    check_password(password, username)
    _change(engine, username, "user:reset-password", actor, password_hash=hash_password(password))
    from approval.accounts import throttle

    throttle.clear(engine, throttle.account_key(username))


def change_password(engine: Engine, username: str, old: str, new: str) -> None:
    """The user's own change: the old password must be right; every session ends."""
    if authenticate(engine, username, old) is None:
        raise UserError("det nuvarande lösenordet stämmer inte")
    check_password(new, username)
    _change(engine, username, "user:password", username, password_hash=hash_password(new))


def revoke_sessions(engine: Engine, username: str, *, actor: str | None = None,
                    action: str = "logout") -> None:  # fmt: skip
    """End every session of an account: logout does this, so a copied cookie is useless
    after its owner logged out (on any device: logout ends them all)."""
    _change(engine, username, action, actor)


def set_areas(engine: Engine, username: str, areas: Iterable[str], *,
              actor: str | None = None) -> tuple[str, ...]:  # fmt: skip
    """Replace the areas an account may see (``*`` = all), with its audit entry.

    Access is read from the database on every request, so the change holds from the
    account's next page on; its sessions are not ended.

    Raises:
        UserError: unknown account or no area left.
    """
    grants = sorted({a.strip() for a in areas if a.strip()})
    if not grants:
        raise UserError("ange minst ett område")
    with Session(engine) as session, session.begin():
        chain.lock_chain(session)  # before any row lock: see chain.lock_chain
        user = _by_name(session, username, lock=True)
        if user is None:
            raise UserError(f"det finns ingen användare {username!r}")
        before = sorted(_areas(session, user.id))
        if before != grants:
            session.execute(delete(UserArea).where(UserArea.user_id == user.id))
            session.add_all(UserArea(user_id=user.id, area=a) for a in grants)
            chain.append(session, actor=actor, action="user:areas",
                         subject=f"user:{user.username}",
                         details={"areas": grants, "before": before})  # fmt: skip
        return tuple(grants)
