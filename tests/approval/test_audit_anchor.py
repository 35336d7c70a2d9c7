"""The audit log cannot be truncated or rewritten unnoticed (issue 10, finding 6): each
tampering below is done on a real database (SQLite, and PostgreSQL when configured) and
``verify_all`` (``lagesbild audit verify``) must report it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from approval.accounts.users import add_user, hash_password, set_active
from approval.audit import anchor
from approval.audit.chain import entry_hash
from approval.audit.check import verify_all
from approval.db.models import ApprovalEvent, AuditEntry, Comment, ReportVersion, User
from approval.drafts.publish import publish_version
from approval.drafts.versions import VersionRepository
from approval.review.rules import local_today
from approval.review.states import Action
from approval.review.workflow import ApprovalService
from approval.testing import make_draft

PASSWORD = "grön cykel under bron"


@pytest.fixture
def history(engine, store):  # noqa: ANN001, ANN201
    """One published version, taken through three decisions, with a comment and users."""
    for name, role in (("fia", "forvaltare"), ("sara", "sekreterare"), ("olle", "granskare")):
        add_user(engine, username=name, password=PASSWORD, role=role, areas=["sodermalm"])
    set_active(engine, "olle", False, actor="admin")

    def build(directory: Path, version: int) -> None:
        make_draft(directory / f"lagesbild_sodermalm_2024_v{version:03d}.docx", "text")

    result = publish_version(repo=VersionRepository(engine), out=store, area="sodermalm",
                             year=2024, inputs_fingerprint="a" * 64, inputs=[],
                             flow_run_id="run-1", build=build)  # fmt: skip
    vid = result.version.id
    service = ApprovalService(engine, store)
    people = {u: service_user(engine, u) for u in ("fia", "sara")}
    service.submit(people["fia"], vid)
    service.comment(people["sara"], vid, "Figur 2 saknar enhet.")
    service.decide(people["sara"], vid, Action.GODKANN)
    service.decide(people["sara"], vid, Action.FASTSTALL, diarienummer="SÖD 2023/1177",
                   decision_date=local_today())  # fmt: skip
    assert (Path(result.version.directory) / anchor.HEAD_FILE).is_file()
    return vid


def service_user(engine, name: str):  # noqa: ANN001, ANN201
    from approval.accounts.users import authenticate

    return authenticate(engine, name, PASSWORD)


def _rehash(session: Session) -> None:
    """What a careful forger does after an edit: recompute every hash from the first."""
    prev = "0" * 64
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        fields = {"seq": entry.seq, "created_at": entry.created_at, "actor": entry.actor,
                  "action": entry.action, "subject": entry.subject,
                  "details": json.loads(entry.details)}  # fmt: skip
        entry.prev_hash, entry.hash = prev, entry_hash(prev, fields)
        prev = entry.hash
        session.flush()


def _delete_newest(s: Session, _vid: int) -> None:
    s.execute(delete(AuditEntry).where(AuditEntry.seq == s.scalar(func.max(AuditEntry.seq))))


def _delete_all(s: Session, _vid: int) -> None:
    s.execute(delete(AuditEntry))


def _edit_and_rehash(s: Session, _vid: int) -> None:
    s.execute(update(AuditEntry).where(AuditEntry.action == "state:faststall")
              .values(actor="mallory"))  # fmt: skip
    _rehash(s)


def _state(s: Session, vid: int) -> None:
    s.execute(update(ReportVersion).where(ReportVersion.id == vid).values(state="godkand"))


def _draft_hash(s: Session, vid: int) -> None:
    s.execute(update(ReportVersion).where(ReportVersion.id == vid).values(docx_sha256="f" * 64))


def _forged_version(s: Session, vid: int) -> None:
    row = s.get(ReportVersion, vid)
    s.add(ReportVersion(area="sodermalm", year=2024, version=2, state="faststalld",
                        docx_sha256="e" * 64, inputs_fingerprint="e" * 64, inputs=[],
                        directory=row.directory + "x", created_at=row.created_at))  # fmt: skip


def _decision(s: Session, _vid: int) -> None:
    s.execute(update(ApprovalEvent).where(ApprovalEvent.action == "faststall")
              .values(diarienummer="SÖD 2099/1"))  # fmt: skip


def _deleted_decision(s: Session, _vid: int) -> None:
    s.execute(delete(ApprovalEvent).where(ApprovalEvent.action == "faststall"))


def _comment(s: Session, _vid: int) -> None:
    s.execute(update(Comment).values(text="Allt är bra."))


def _deleted_comment(s: Session, _vid: int) -> None:
    s.execute(delete(Comment))


def _password(s: Session, _vid: int) -> None:
    s.execute(update(User).where(User.username == "sara")
              .values(password_hash=hash_password("mallorys eget lösenord")))  # fmt: skip


def _reactivated(s: Session, _vid: int) -> None:
    s.execute(update(User).where(User.username == "olle").values(active=True))


def _role(s: Session, _vid: int) -> None:
    s.execute(update(User).where(User.username == "olle").values(role="sekreterare"))


TAMPERINGS: dict[str, tuple[Callable[[Session, int], None], str]] = {
    "delete the newest entry": (_delete_newest, "finns inte längre i loggen"),
    "delete every entry": (_delete_all, "finns inte längre i loggen"),
    "edit an entry and rehash the chain": (_edit_and_rehash, "skrivits om"),
    "a version's state": (_state, "men loggen säger 'faststalld'"),
    "a version's draft sha256": (_draft_hash, "docx_sha256 skiljer sig"),
    "a version inserted": (_forged_version, "v002 finns inte i loggen"),
    "a decision edited": (_decision, "diarienummer skiljer sig"),
    "a decision deleted": (_deleted_decision, "finns i loggen men inte i databasen"),
    "a comment edited": (_comment, "kommentar 1 skiljer sig"),
    "a comment deleted": (_deleted_comment, "kommentar 1 finns i loggen men inte"),
    "a password hash replaced": (_password, "sara: password skiljer sig"),
    "a disabled user enabled": (_reactivated, "olle: active skiljer sig"),
    "a role changed": (_role, "olle: role skiljer sig"),
}


def test_an_untouched_history_verifies(engine, history) -> None:
    check = verify_all(engine)
    assert check.ok, check.all_problems
    assert check.anchors == 2  # the checkpoint and the version directory's head


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_tampering_is_detected(engine, history, name) -> None:
    tamper, message = TAMPERINGS[name]
    with Session(engine) as session, session.begin():
        tamper(session, history)
    check = verify_all(engine)
    assert not check.ok
    assert any(message in p for p in check.all_problems), check.all_problems


def test_a_deleted_or_forged_checkpoint_is_detected(engine, history, tmp_path) -> None:
    with Session(engine) as session:
        path = anchor.checkpoint_path(anchor.database_id(session))
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data | {"seq": 1}), encoding="utf-8")  # rolled back, unsigned
    assert any("ogiltig signatur" in p for p in verify_all(engine).all_problems)
    path.unlink()
    assert any("saknas" in p for p in verify_all(engine).all_problems)


def test_a_database_from_an_earlier_release_is_baselined_once(engine, store) -> None:
    """Rows written before the chain covered them fail verify until the baseline vouches."""
    import datetime as dt

    from approval.audit.baseline import baseline

    directory = store / "sodermalm" / "2023" / "v001"
    draft = make_draft(directory / "lagesbild_sodermalm_2023_v001.docx", "gammal")
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session, session.begin():  # as the earlier release left them
        row = ReportVersion(area="sodermalm", year=2023, version=1, state="utkast",
                            docx_sha256="a" * 64, inputs_fingerprint="b" * 64, inputs=[],
                            directory=str(directory.resolve()), created_at=now)  # fmt: skip
        session.add(row)
        session.flush()
        session.add(Comment(version_id=row.id, author="greta", text="Äldre kommentar",
                            created_at=now))  # fmt: skip
        session.add(User(username="gammal", password_hash=hash_password(PASSWORD),
                         role="granskare", active=True, created_at=now))  # fmt: skip
    assert draft.is_file()
    before = verify_all(engine)
    assert not before.ok and any("finns inte i loggen" in p for p in before.problems)
    counts = baseline(engine, "admin")
    assert counts == {"versions": 1, "comments": 1, "users": 1, "anchors": 1}
    check = verify_all(engine)
    assert check.ok, check.all_problems
    assert baseline(engine, "admin") == {"versions": 0, "comments": 0, "users": 0, "anchors": 0}
    with Session(engine) as session, session.begin():
        session.execute(update(Comment).values(text="Ändrad i efterhand"))
    assert any("kommentar" in p for p in verify_all(engine).problems)
