"""``lagesbild audit verify``: the chain, its anchors outside the database, and the tables
against the chain.

1. The hash chain (``approval.audit.verify``): an edited or missing entry in the middle.
2. The signed checkpoint (``approval.audit.anchor``): the newest entries deleted, all of them
   deleted, or the chain rewritten and rehashed (the anchored entry is gone or differs).
3. Each version directory's ``audit-head.json``: the same, for the entry that recorded it.
4. The tables: every version row equals the entry that recorded it and its state is the
   one its last decision in the chain led to; every decision row equals its entry and
   every decision entry has its row; every comment equals its entry, and none is missing;
   every account equals its entries (role, areas, active, password hash fingerprint).

What it cannot see: someone holding both the secret key and write access to the database
and the data root can rewrite everything consistently; entries appended after the last
checkpoint and then deleted before the next are invisible (the window is one transaction).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval.audit import anchor
from approval.audit.chain import AuditCheck, canonical_json, verify
from approval.db.models import ApprovalEvent, AuditEntry, Comment, ReportVersion, User, UserArea
from approval.drafts.versions import INITIAL_STATE, version_details

__all__ = ["FullCheck", "verify_all"]

_EVENT_FIELDS = ("id", "from_state", "to_state", "docx_sha256", "flow_run_id",
                 "inputs_fingerprint", "expedierad", "recipient", "comment", "diarienummer",
                 "decision_date")  # fmt: skip


@dataclass
class FullCheck:
    """The chain's result plus every disagreement found outside it."""

    chain: AuditCheck
    problems: list[str] = field(default_factory=list)
    anchors: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return self.chain.ok and not self.problems

    @property
    def all_problems(self) -> list[str]:
        """The chain's problems, then the others."""
        return [*self.chain.problems, *self.problems]


def _same(value: Any, logged: Any) -> bool:
    return json.loads(canonical_json(value)) == logged


def _check_anchor(found: anchor.Anchor | str, by_seq: dict[int, AuditEntry], where: str,
                  problems: list[str], database: str) -> bool:  # fmt: skip
    if isinstance(found, str):
        problems.append(found)
        return False
    if found.database != database:
        problems.append(f"{where}: hör till en annan databas")
        return False
    entry = by_seq.get(found.seq)
    if entry is None:
        problems.append(f"{where}: post {found.seq} finns inte längre i loggen "
                        "(loggen har kortats eller tömts)")  # fmt: skip
    elif entry.hash != found.head:
        problems.append(f"{where}: post {found.seq} har en annan hash än vid förankringen "
                        "(loggen har skrivits om)")  # fmt: skip
    return True


def _anchors(session: Session, by_seq: dict[int, AuditEntry], versions: list[ReportVersion],
             check: FullCheck, database: str) -> None:  # fmt: skip
    path = anchor.checkpoint_path(database)
    if path.exists():
        check.anchors += _check_anchor(anchor.read_anchor(path), by_seq, "kontrollpunkten",
                                       check.problems, database)  # fmt: skip
    elif by_seq or versions:
        check.problems.append(f"kontrollpunkten {path} saknas")
    for row in versions:
        head = Path(row.directory) / anchor.HEAD_FILE
        where = f"version {row.area} {row.year} v{row.version:03d} ({anchor.HEAD_FILE})"
        if not Path(row.directory).is_dir():
            continue  # a moved or removed directory is the draft store's problem, not the log's
        if not head.is_file():
            check.problems.append(f"{where} saknas")
            continue
        check.anchors += _check_anchor(anchor.read_anchor(head), by_seq, where, check.problems,
                                       database)  # fmt: skip


def _versions(entries: list[AuditEntry], versions: list[ReportVersion],
              events: list[ApprovalEvent], problems: list[str]) -> None:  # fmt: skip
    recorded = {e.subject: json.loads(e.details) for e in entries if e.action == "version:record"}
    last_state: dict[str, str] = {}
    logged_events: dict[int, dict] = {}
    for e in entries:
        if e.action.startswith("state:"):
            details = json.loads(e.details)
            last_state[e.subject] = details.get("to_state", "")
            if "id" in details:
                logged_events[int(details["id"])] = details
    for row in versions:
        subject, name = f"version:{row.id}", f"version {row.area} {row.year} v{row.version:03d}"
        logged = recorded.pop(subject, None)
        if logged is None:
            problems.append(f"{name} finns inte i loggen (tillagd utanför programmet?)")
        elif any(not _same(v, logged.get(k)) for k, v in version_details(row).items()):
            changed = [k for k, v in version_details(row).items() if not _same(v, logged.get(k))]
            problems.append(f"{name}: {', '.join(changed)} skiljer sig från loggen")
        expected = last_state.get(subject, INITIAL_STATE)
        if row.state != expected:
            problems.append(f"{name} har läget {row.state!r} men loggen säger {expected!r}")
    for subject, logged in recorded.items():
        problems.append(f"version {logged.get('area')} {logged.get('year')} "
                        f"v{int(logged.get('version') or 0):03d} ({subject}) finns i loggen "
                        "men inte i databasen")  # fmt: skip
    for ev in events:
        logged = logged_events.pop(ev.id, None)
        if logged is None:
            problems.append(f"beslut {ev.id} ({ev.action}) finns inte i loggen")
        elif any(not _same(getattr(ev, k), logged.get(k)) for k in _EVENT_FIELDS):
            changed = [k for k in _EVENT_FIELDS if not _same(getattr(ev, k), logged.get(k))]
            problems.append(f"beslut {ev.id} ({ev.action}): {', '.join(changed)} skiljer sig "
                            "från loggen")  # fmt: skip
    for event_id, logged in logged_events.items():
        problems.append(f"beslut {event_id} ({logged.get('to_state')}) finns i loggen men inte "
                        "i databasen")  # fmt: skip


def _comments(entries: list[AuditEntry], comments: list[Comment], problems: list[str]) -> None:
    logged: dict[int, tuple[str, dict]] = {}
    for e in entries:
        if e.action == "comment":
            details = json.loads(e.details)
            if "comment_id" in details:
                logged[int(details["comment_id"])] = (e.subject, details | {"actor": e.actor})
    for c in comments:
        found = logged.pop(c.id, None)
        if found is None:
            problems.append(f"kommentar {c.id} finns inte i loggen")
            continue
        subject, details = found
        if (subject != f"version:{c.version_id}" or details.get("text") != c.text
                or details.get("actor") != c.author):  # fmt: skip
            problems.append(f"kommentar {c.id} skiljer sig från loggen (text, författare "
                            "eller version)")  # fmt: skip
    for comment_id in logged:
        problems.append(f"kommentar {comment_id} finns i loggen men inte i databasen")


def _users(entries: list[AuditEntry], users: list[User], areas: dict[int, list[str]],
           problems: list[str]) -> None:  # fmt: skip
    state: dict[str, dict] = defaultdict(dict)
    for e in entries:
        if not e.subject.startswith("user:") or not e.action.startswith("user:"):
            continue
        details, name = json.loads(e.details), e.subject.removeprefix("user:").lower()
        if e.action in ("user:add", "user:baseline") and "role" not in state.get(name, {}):
            state[name] = {"role": details.get("role"), "areas": details.get("areas"),
                           "active": True, "password": details.get("password")}  # fmt: skip
        if "active" in details:
            state[name]["active"] = details["active"]
        if "password" in details:
            state[name]["password"] = details["password"]
        for key in ("role", "areas"):
            if key in details and e.action != "user:add":
                state[name][key] = details[key]
    from approval.accounts.users import password_fingerprint

    for u in users:
        logged = state.pop(u.username.lower(), None)
        if logged is None or "role" not in logged:
            problems.append(f"användaren {u.username} finns inte i loggen")
            continue
        actual = {"role": u.role, "areas": sorted(areas.get(u.id, [])), "active": u.active,
                  "password": password_fingerprint(u.password_hash)}  # fmt: skip
        if logged.get("password") is None:  # an account made before fingerprints were logged
            actual["password"] = None
        changed = [k for k, v in actual.items() if logged.get(k) != v]
        if changed:
            problems.append(f"användaren {u.username}: {', '.join(changed)} skiljer sig från "
                            "loggen")  # fmt: skip
    for name in state:
        problems.append(f"användaren {name} finns i loggen men inte i databasen")


def verify_all(engine: Engine) -> FullCheck:
    """Everything ``audit verify`` checks (see the module docstring).

    Args:
        engine: the database (the data root comes from the settings).

    Returns:
        The chain's result, the anchors checked and every problem found.
    """
    check = FullCheck(chain=verify(engine))
    with Session(engine) as session:
        database = anchor.database_id(session)
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        by_seq = {e.seq: e for e in entries}
        versions = list(session.scalars(select(ReportVersion).order_by(ReportVersion.id)))
        events = list(session.scalars(select(ApprovalEvent).order_by(ApprovalEvent.id)))
        comments = list(session.scalars(select(Comment).order_by(Comment.id)))
        users = list(session.scalars(select(User).order_by(User.id)))
        areas: dict[int, list[str]] = defaultdict(list)
        for grant in session.scalars(select(UserArea)):
            areas[grant.user_id].append(grant.area)
        _anchors(session, by_seq, versions, check, database)
    _versions(entries, versions, events, check.problems)
    _comments(entries, comments, check.problems)
    _users(entries, users, areas, check.problems)
    return check
