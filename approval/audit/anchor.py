"""Anchors of the audit chain outside the database: a signed checkpoint file, and the
head hash written into each version directory.

The hash chain alone shows an *edited* entry, but someone with write access to the database
can delete the newest entries, or all of them, or rewrite an entry and rehash everything
after it, and the chain is valid again. So after every commit that appended to the chain,
``<home>/audit/checkpoint-<db>.json`` records the newest entry's sequence number and hash,
signed with an HMAC key derived from ``LAGESBILD_SECRET_KEY`` (or the key file under the
data root). Each version directory gets ``audit-head.json``: the sequence number and hash
of the entry that recorded it, signed the same way. ``audit verify`` checks that the chain
still contains every anchored entry unchanged.

Without the key an anchor cannot be forged; the checkpoint only moves forward (a lower
sequence number never overwrites a higher one), so two processes cannot roll it back.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval.audit.keys import derived_key
from outputs.publish.versions import write_json_atomic

__all__ = ["HEAD_FILE", "Anchor", "anchor_version", "checkpoint_path", "database_id",
           "install", "read_anchor", "sign", "write_checkpoint", "write_version_anchor"]

log = logging.getLogger(__name__)

HEAD_FILE = "audit-head.json"
_PURPOSE = "audit-anchor"
_PENDING = "lagesbild_audit_head"
_DB_ID = "lagesbild_audit_db"


@dataclass(frozen=True)
class Anchor:
    """A signed (sequence number, hash) of one chain entry."""

    database: str
    seq: int
    head: str
    written_at: str
    mac: str


def _home() -> Path:
    from lagesbild.settings import load_settings

    return load_settings().home


def database_id(session: Session) -> str:
    """A short stable id of the database (URL without password, PostgreSQL schema)."""
    cached = session.info.get(_DB_ID)
    if cached:
        return cached
    bind = session.get_bind()
    name = bind.url.render_as_string(hide_password=True)
    if bind.dialect.name == "postgresql":
        name += "#" + str(session.execute(text("SELECT current_schema()")).scalar())
    value = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    session.info[_DB_ID] = value
    return value


def engine_database_id(engine: Engine) -> str:
    """:func:`database_id` for an engine."""
    with Session(engine) as session:
        return database_id(session)


def sign(database: str, seq: int, head: str, written_at: str, home: Path | None = None) -> str:
    """The HMAC-SHA256 of an anchor's fields."""
    key = derived_key(home or _home(), _PURPOSE)
    message = f"{database}|{seq}|{head}|{written_at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _anchor(database: str, seq: int, head: str, home: Path | None = None) -> Anchor:
    written = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return Anchor(database, seq, head, written, sign(database, seq, head, written, home))


def read_anchor(path: Path, home: Path | None = None) -> Anchor | str:
    """The anchor in ``path``, or a Swedish reason why it cannot be trusted."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        anchor = Anchor(str(data["database"]), int(data["seq"]), str(data["head"]),
                        str(data["written_at"]), str(data["mac"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return f"{path} är oläslig"
    expected = sign(anchor.database, anchor.seq, anchor.head, anchor.written_at, home)
    if not hmac.compare_digest(expected, anchor.mac):
        return f"{path} har en ogiltig signatur (ändrad eller gjord utan nyckeln)"
    return anchor


def checkpoint_path(database: str, home: Path | None = None) -> Path:
    """Where the checkpoint of one database lives."""
    return (home or _home()) / "audit" / f"checkpoint-{database}.json"


def write_checkpoint(database: str, seq: int, head: str, home: Path | None = None) -> None:
    """Move the checkpoint forward to (seq, head); never backwards."""
    path = checkpoint_path(database, home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / f".{path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            current = read_anchor(path, home)
            if isinstance(current, Anchor) and current.seq >= seq:
                return
        write_json_atomic(path, _anchor(database, seq, head, home).__dict__)


def write_version_anchor(directory: Path, database: str, seq: int, head: str) -> Path:
    """Write ``audit-head.json`` (the entry that recorded the version) into its directory."""
    path = Path(directory) / HEAD_FILE
    write_json_atomic(path, _anchor(database, seq, head).__dict__)
    return path


def anchor_version(engine: Engine, version_id: int, directory: Path) -> Path | None:
    """Write the anchor of the entry that recorded ``version_id`` into its directory."""
    from sqlalchemy import select

    from approval.db.models import AuditEntry

    with Session(engine) as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "version:record",
            AuditEntry.subject == f"version:{version_id}")).first()  # fmt: skip
        if entry is None:
            return None
        return write_version_anchor(directory, database_id(session), entry.seq, entry.hash)


def note_append(session: Session, seq: int, head: str) -> None:
    """Called by ``audit.append``: checkpoint (seq, head) once this transaction commits."""
    session.info[_PENDING] = (database_id(session), seq, head)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    try:
        write_checkpoint(*pending)
    except OSError as exc:  # the commit stands; verify will report the stale checkpoint
        log.warning("audit checkpoint not written: %s", exc)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Register the commit hooks (idempotent; ``approval.audit.chain`` calls it on import)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
