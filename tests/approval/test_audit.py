"""The hash-chained audit log: appends, and detection of edited or deleted entries."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from approval.audit import chain
from approval.db.models import AuditEntry


def _fill(engine, n: int = 4) -> None:
    for i in range(n):
        with Session(engine) as session, session.begin():
            chain.append(
                session,
                actor="anna",
                action="comment",
                subject=f"version:{i}",
                details={"text": f"kommentar {i} åäö"},
            )


def test_entries_are_chained(engine) -> None:
    _fill(engine)
    with Session(engine) as session:
        entries = list(session.query(AuditEntry).order_by(AuditEntry.seq))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == chain.GENESIS
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash
    check = chain.verify(engine)
    assert check.ok and check.entries == 4 and check.head == entries[-1].hash


def test_hash_covers_prev_hash_and_canonical_json() -> None:
    fields = {
        "seq": 1,
        "created_at": "t",
        "actor": "a",
        "action": "x",
        "subject": "s",
        "details": {"b": 1, "a": "ä"},
    }
    assert chain.canonical_json(fields["details"]) == '{"a":"ä","b":1}'
    assert chain.entry_hash("0" * 64, fields) != chain.entry_hash("1" * 64, fields)


def test_an_edited_entry_is_detected(engine) -> None:
    _fill(engine)
    with Session(engine) as session, session.begin():
        session.execute(
            update(AuditEntry).where(AuditEntry.seq == 2).values(details='{"text":"ändrad"}')
        )
    check = chain.verify(engine)
    assert not check.ok
    assert any("post 2" in p and "ändrats" in p for p in check.problems)


def test_an_edited_actor_is_detected_even_with_a_recomputed_own_hash(engine) -> None:
    _fill(engine)
    with Session(engine) as session, session.begin():
        entry = session.query(AuditEntry).filter_by(seq=2).one()
        entry.actor = "mallory"
        entry.hash = chain.entry_hash(entry.prev_hash, chain._fields(entry))
    problems = chain.verify(engine).problems
    assert any("post 3" in p and "länken" in p for p in problems)


def test_a_deleted_entry_is_detected(engine) -> None:
    _fill(engine)
    with Session(engine) as session, session.begin():
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    problems = chain.verify(engine).problems
    assert any("saknas" in p for p in problems)
    assert any("post 4" in p and "länken" in p for p in problems)


def test_an_empty_log_is_intact(engine) -> None:
    check = chain.verify(engine)
    assert check.ok and check.entries == 0 and check.head == chain.GENESIS
