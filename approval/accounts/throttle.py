"""Login throttling per account and per address, kept in the database.

After ``FREE_FAILURES`` failed logins of an account within ``WINDOW`` (or
``ADDRESS_FREE_FAILURES`` from one address, which may be a whole office behind one NAT),
that key is locked for 30 s, and each further failure after a lock doubles it, up to 15
minutes. While a key is locked, no password is checked at all, so guessing gains nothing;
a successful login clears the account's key. The rows live in ``login_throttle``, so the
limit holds across portal processes and restarts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from approval.db.models import LoginThrottle

__all__ = ["ADDRESS_FREE_FAILURES", "FREE_FAILURES", "WINDOW", "account_key", "address_key",
           "clear", "locked_for", "register_failure"]  # fmt: skip

FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)
BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(minutes=15)


def account_key(username: str) -> str:
    """The throttle key of an account (case-insensitive, like the user names)."""
    return f"user:{username.strip().casefold()[:200]}"


def address_key(address: str | None) -> str:
    """The throttle key of a client address."""
    return f"ip:{(address or 'okänd')[:200]}"


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite returns naive UTC
        return value.replace(tzinfo=dt.UTC)
    return value


def locked_for(engine: Engine, keys: Iterable[str], now: dt.datetime | None = None) -> int:
    """Seconds until every one of ``keys`` may try again (0: not locked).

    Args:
        engine: the database.
        keys: account and address keys.
        now: the current time (tests).

    Returns:
        Whole seconds, rounded up.
    """
    now = now or dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(list(keys))))
        until = [_aware(r.locked_until) for r in rows if r.locked_until is not None]
    waits = [(u - now).total_seconds() for u in until if u > now]
    return int(max(waits) + 0.999) if waits else 0


def register_failure(engine: Engine, keys: Iterable[str], now: dt.datetime | None = None) -> None:
    """Count one failed login against every key, locking those over their limit.

    Args:
        engine: the database.
        keys: account and address keys.
        now: the current time (tests).
    """
    now = now or dt.datetime.now(dt.UTC)
    keys = list(keys)
    try:
        _register(engine, keys, now)
    except IntegrityError:  # another process inserted the same key first: count again
        _register(engine, keys, now)


def _register(engine: Engine, keys: list[str], now: dt.datetime) -> None:
    with Session(engine) as session, session.begin():
        for key in keys:
            row = session.scalars(
                select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
            ).first()
            if row is None:
                row = LoginThrottle(key=key, failures=0, window_start=now)
                session.add(row)
            if now - _aware(row.window_start) > WINDOW and not _still_locked(row, now):
                row.failures, row.window_start = 0, now
            row.failures += 1
            free = ADDRESS_FREE_FAILURES if key.startswith("ip:") else FREE_FAILURES
            if row.failures >= free:
                delay = min(BASE_DELAY * 2 ** min(row.failures - free, 10), MAX_DELAY)
                row.locked_until = now + delay
                row.window_start = now  # the window runs on while someone keeps guessing
            session.flush()


def _still_locked(row: LoginThrottle, now: dt.datetime) -> bool:
    until = _aware(row.locked_until)
    return until is not None and until > now


def clear(engine: Engine, key: str) -> None:
    """Forget the failures of one key (after a successful login or a password reset)."""
    with Session(engine) as session, session.begin():
        row = session.get(LoginThrottle, key)
        if row is not None:
            session.delete(row)
