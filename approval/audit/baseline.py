"""``lagesbild audit baseline``: vouch once for the rows of a database made before the
chain covered them, so that ``audit verify`` can hold every later change against it.

A database upgraded from an earlier release has versions without a ``version:record``
entry, comments logged without their id, accounts without a password fingerprint and no
anchors outside the database; ``audit verify`` reports all of them. After checking the
data by other means, an administrator runs the baseline once: it appends one entry per
such row (marked ``baseline``), an ``audit:baseline`` entry naming who ran it, and writes
the missing anchors. Rows already covered are left alone, so running it again adds nothing
but its own entry.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval.audit import anchor, chain
from approval.db.models import AuditEntry, Comment, ReportVersion, User, UserArea
from approval.drafts.versions import version_details

__all__ = ["baseline"]


def baseline(engine: Engine, actor: str | None) -> dict[str, int]:
    """Append baseline entries for every row the chain does not cover; write anchors.

    Args:
        engine: the database.
        actor: who vouches (the OS user).

    Returns:
        How many versions, comments and accounts were covered, and anchors written.
    """
    from approval.accounts.users import password_fingerprint

    counts = {"versions": 0, "comments": 0, "users": 0, "anchors": 0}
    with Session(engine) as session, session.begin():
        chain.lock_chain(session)
        entries = list(session.scalars(select(AuditEntry)))
        subjects = {e.subject for e in entries if e.action == "version:record"}
        comment_ids = {json.loads(e.details).get("comment_id") for e in entries
                       if e.action == "comment"}  # fmt: skip
        fingerprints = {e.subject for e in entries if e.action.startswith("user:")
                        and "password" in json.loads(e.details)}  # fmt: skip
        for row in session.scalars(select(ReportVersion).order_by(ReportVersion.id)):
            if f"version:{row.id}" not in subjects:
                chain.append(session, actor=actor, action="version:record",
                             subject=f"version:{row.id}",
                             details=version_details(row) | {"baseline": True})  # fmt: skip
                counts["versions"] += 1
        for c in session.scalars(select(Comment).order_by(Comment.id)):
            if c.id not in comment_ids:
                chain.append(session, actor=c.author, action="comment",
                             subject=f"version:{c.version_id}",
                             details={"text": c.text, "comment_id": c.id, "baseline": True,
                                      "vouched_by": actor})  # fmt: skip
                counts["comments"] += 1
        for u in session.scalars(select(User).order_by(User.id)):
            if f"user:{u.username}" not in fingerprints:
                areas = sorted(session.scalars(select(UserArea.area)
                                               .where(UserArea.user_id == u.id)))  # fmt: skip
                chain.append(session, actor=actor, action="user:baseline",
                             subject=f"user:{u.username}",
                             details={"role": u.role, "areas": areas, "active": u.active,
                                      "password": password_fingerprint(u.password_hash),
                                      "baseline": True})  # fmt: skip
                counts["users"] += 1
        chain.append(session, actor=actor, action="audit:baseline", subject="audit",
                     details=dict(counts))  # fmt: skip
        versions = [(r.id, r.directory) for r in session.scalars(select(ReportVersion))]
    for version_id, directory in versions:
        if Path(directory).is_dir() and not (Path(directory) / anchor.HEAD_FILE).is_file():
            anchor.anchor_version(engine, version_id, Path(directory))
            counts["anchors"] += 1
    return counts
