"""The audit log: an append-only, hash-chained record of every login, download, comment and
state change.

Each entry stores ``hash = sha256(prev_hash + canonical JSON of the entry)``, where the
canonical JSON covers ``seq, created_at, actor, action, subject, details`` with sorted keys
and no spaces. Editing an entry breaks its own hash; deleting one breaks the sequence and the
next entry's ``prev_hash``. Deleting the *newest* entries, or rewriting and rehashing, leaves
a valid chain: the anchors outside the database (``approval.audit.anchor``: a signed checkpoint
after every commit, the head hash in each version directory) catch that, and
``approval.audit.check`` compares the tables with the chain.

Appends are serialised so the chain never forks: PostgreSQL takes a transaction-scoped
advisory lock, SQLite runs every transaction as ``BEGIN IMMEDIATE`` (see ``approval.db.engine``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval.audit import anchor
from approval.db.models import AuditEntry

__all__ = ["GENESIS", "AuditCheck", "append", "canonical_json", "entry_hash", "verify"]

log = logging.getLogger(__name__)
anchor.install()

GENESIS = "0" * 64
_LOCK_KEY = 7_041_922  # arbitrary, constant: "the audit chain" advisory lock


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no whitespace and UTF-8 letters kept, for hashing.

    Args:
        value: a JSON-serialisable value.

    Returns:
        The canonical text.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "created_at": entry.created_at,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "details": json.loads(entry.details),
    }


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The chain hash of one entry.

    Args:
        prev_hash: the previous entry's hash (``GENESIS`` for the first).
        fields: the entry's ``seq, created_at, actor, action, subject, details``.

    Returns:
        The hex sha256.
    """
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def lock_chain(session: Session) -> None:
    """Take the audit chain's lock for the rest of the caller's transaction.

    A transaction that will append must call this *before* it locks or writes any other
    row: taking the chain lock last (after a ``FOR UPDATE`` or a foreign-key insert) lets
    two transactions wait for each other, which PostgreSQL breaks as a deadlock. Taking
    it again in the same transaction is free. SQLite serialises whole transactions.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def append(
    session: Session,
    *,
    actor: str | None,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry inside the caller's transaction (it commits or rolls back with it).

    Args:
        session: an open session in a transaction.
        actor: the user name, or None for the system.
        action: e.g. ``login``, ``download``, ``comment``, ``state:skicka``.
        subject: what was acted on, e.g. ``version:12`` or ``user:anna``.
        details: anything else worth keeping (JSON-serialisable).

    Returns:
        The new entry (flushed).
    """
    lock_chain(session)
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        subject=subject,
        details=canonical_json(details or {}),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry.prev_hash, _fields(entry))
    session.add(entry)
    anchor.note_append(session, entry.seq, entry.hash)
    session.flush()
    return entry


@dataclass
class AuditCheck:
    """The result of walking the chain."""

    entries: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every entry is intact and none is missing."""
        return not self.problems


def verify(engine: Engine) -> AuditCheck:
    """Walk the chain from the first entry and report every break.

    Args:
        engine: the database.

    Returns:
        The count, the head hash and one message per edited or missing entry.
    """
    check = AuditCheck()
    expected_seq, prev = 1, GENESIS
    with Session(engine) as session:
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            check.entries += 1
            if entry.seq != expected_seq:
                check.problems.append(
                    f"post {expected_seq}–{entry.seq - 1} saknas (raderad?) / "
                    f"entries {expected_seq}..{entry.seq - 1} missing (deleted?)"
                )
            if entry.prev_hash != prev:
                check.problems.append(
                    f"post {entry.seq}: länken till föregående post är bruten / "
                    f"entry {entry.seq}: prev_hash does not match the previous entry"
                )
            try:
                recomputed = entry_hash(entry.prev_hash, _fields(entry))
            except ValueError:
                recomputed = ""
            if recomputed != entry.hash:
                check.problems.append(
                    f"post {entry.seq} ({entry.action} {entry.subject}) har ändrats / "
                    f"entry {entry.seq} was edited: its hash does not match its content"
                )
            expected_seq, prev = entry.seq + 1, entry.hash
    check.head = prev
    for problem in check.problems:
        log.warning("audit: %s", problem)
    return check
