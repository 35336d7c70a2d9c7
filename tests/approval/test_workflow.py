"""The approval service on SQLite and PostgreSQL: roles, areas, version binding, races."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from approval.accounts.users import Role
from approval.audit.chain import verify
from approval.db.models import ApprovalEvent, AuditEntry, ReportVersion
from approval.drafts.files import NotFound
from approval.review.rules import AccessDenied, InvalidField, local_today
from approval.review.states import Action, State
from approval.review.workflow import ApprovalService
from approval.testing import record_version
from lagesbild.errors import IllegalApproval
from tests.approval.conftest import user


@pytest.fixture
def service(engine, store: Path) -> ApprovalService:
    return ApprovalService(engine, store)


def _state(engine, version_id: int) -> str:
    with Session(engine) as session:
        return session.get(ReportVersion, version_id).state


def test_full_flow_binds_every_decision_to_the_exact_version(engine, store, service, people):
    vid = record_version(engine, store, "sodermalm", 2024, 1)
    assert service.submit(people["steward"], vid) is State.FOR_GRANSKNING
    assert service.decide(people["secretary"], vid, Action.GODKANN) is State.GODKAND
    final = service.decide(
        people["secretary"],
        vid,
        "faststall",
        diarienummer="SÖ 2025/17",
        decision_date=local_today(),
    )
    assert final is State.FASTSTALLD and _state(engine, vid) == "faststalld"
    with Session(engine) as session:
        row = session.get(ReportVersion, vid)
        events = list(session.scalars(select(ApprovalEvent).order_by(ApprovalEvent.id)))
    assert [e.to_state for e in events] == ["for_granskning", "godkand", "faststalld"]
    for event in events:
        assert event.docx_sha256 == row.docx_sha256
        assert event.inputs_fingerprint == row.inputs_fingerprint
        assert event.flow_run_id == "run-sodermalm-1"
    assert events[-1].diarienummer == "SÖ 2025/17"
    assert events[-1].decision_date == local_today()


def test_returned_report_continues_as_a_new_version_at_utkast(engine, store, service, people):
    v1 = record_version(engine, store, "sodermalm", 2024, 1)
    service.submit(people["steward"], v1)
    with pytest.raises(IllegalApproval, match="kommentar"):
        service.decide(people["secretary"], v1, Action.ATERREMITTERA)
    service.decide(
        people["secretary"], v1, Action.ATERREMITTERA, comment="Lägg till Medborgarplatsen"
    )
    v2 = record_version(engine, store, "sodermalm", 2024, 2)
    assert _state(engine, v2) == "utkast"
    service.submit(people["steward"], v2)
    assert service.decide(people["secretary"], v2, Action.GODKANN) is State.GODKAND
    history = service.history(people["reviewer"], "sodermalm", 2024)
    assert [v.version for v in history.versions] == [2, 1]
    assert history.versions[1].state_label == "återremitterad (ersatt)"
    assert any(e.text == "Lägg till Medborgarplatsen" for e in history.entries)


def test_approving_a_stale_version_is_refused(engine, store, service, people):
    v1 = record_version(engine, store, "sodermalm", 2024, 1)
    service.submit(people["steward"], v1)
    record_version(engine, store, "sodermalm", 2024, 2)  # a rerun while v1 is in review
    with pytest.raises(IllegalApproval, match="ersatt av version 2"):
        service.decide(people["secretary"], v1, Action.GODKANN)
    assert _state(engine, v1) == "for_granskning"


def test_faststall_needs_diarienummer_and_date(engine, store, service, people):
    vid = record_version(engine, store, "sodermalm", 2024, 1)
    service.submit(people["steward"], vid)
    service.decide(people["secretary"], vid, Action.GODKANN)
    with pytest.raises(InvalidField, match="beslutsdatum") as missing:
        service.decide(people["secretary"], vid, Action.FASTSTALL, diarienummer="SÖ 2025/1")
    with pytest.raises(InvalidField, match="diarienummer"):
        service.decide(people["secretary"], vid, Action.FASTSTALL, decision_date=local_today())
    with pytest.raises(InvalidField, match="före versionens tillkomst") as old:
        service.decide(people["secretary"], vid, Action.FASTSTALL, diarienummer="SÖ 2025/1",
                       decision_date=dt.date(1900, 1, 1))  # fmt: skip
    with pytest.raises(InvalidField, match="i framtiden"):
        service.decide(people["secretary"], vid, Action.FASTSTALL, diarienummer="SÖ 2025/1",
                       decision_date=local_today() + dt.timedelta(days=1))  # fmt: skip
    assert missing.value.field == old.value.field == "beslutsdatum"
    assert _state(engine, vid) == "godkand"


def test_illegal_move_is_refused_and_changes_nothing(engine, store, service, people):
    vid = record_version(engine, store, "sodermalm", 2024, 1)
    with pytest.raises(IllegalApproval, match="utkast"):
        service.decide(people["secretary"], vid, Action.GODKANN)
    assert _state(engine, vid) == "utkast"


def test_roles(engine, store, service, people):
    vid = record_version(engine, store, "sodermalm", 2024, 1)
    with pytest.raises(NotFound):  # a granskare does not even see a draft not yet sent
        service.submit(people["reviewer"], vid)
    with pytest.raises(AccessDenied):
        service.submit(people["secretary"], vid)
    service.submit(people["steward"], vid)
    with pytest.raises(AccessDenied):
        service.decide(people["reviewer"], vid, Action.GODKANN)
    with pytest.raises(AccessDenied):
        service.decide(people["steward"], vid, Action.GODKANN)
    service.comment(people["reviewer"], vid, "Tabell 3 saknar källa.")
    assert _state(engine, vid) == "for_granskning"


def test_a_reviewer_sees_only_drafts_sent_for_review(engine, store, service, people):
    v1 = record_version(engine, store, "sodermalm", 2024, 1)
    assert service.reports(people["reviewer"]) == []
    with pytest.raises(NotFound):
        service.history(people["reviewer"], "sodermalm", 2024)
    service.submit(people["steward"], v1)
    service.decide(people["secretary"], v1, Action.ATERREMITTERA, comment="Mer om rån")
    v2 = record_version(engine, store, "sodermalm", 2024, 2)
    history = service.history(people["reviewer"], "sodermalm", 2024)
    assert [v.version for v in history.versions] == [1]  # v2 is still the förvaltare's
    assert history.versions[0].state_label == "återremitterad (ersatt)"
    with pytest.raises(NotFound):
        service.draft_file(people["reviewer"], v2, "docx")
    assert [v.version for v in service.history(people["steward"], "sodermalm", 2024).versions] \
        == [2, 1]  # fmt: skip


def test_a_user_sees_only_granted_areas(engine, store, service, people):
    vid = record_version(engine, store, "sodermalm", 2024, 1)
    kid = record_version(engine, store, "kungsholmen", 2024, 1)
    service.submit(people["steward"], vid)
    service.submit(user("kim", Role.FORVALTARE, "kungsholmen"), kid)
    assert [r.area for r in service.reports(people["reviewer"])] == ["sodermalm"]
    assert [r.area for r in service.reports(people["other"])] == ["kungsholmen"]
    with pytest.raises(NotFound):
        service.version(people["other"], vid)
    with pytest.raises(NotFound):
        service.history(people["other"], "sodermalm", 2024)
    with pytest.raises(NotFound):
        service.draft_file(people["other"], vid, "docx")
    with pytest.raises(NotFound):
        service.comment(people["other"], vid, "hej")


def test_expedierad_is_recorded_and_needs_a_recipient(engine, store, service, people):
    vid = record_version(engine, store, "sodermalm", 2024, 1)
    with pytest.raises(IllegalApproval, match="mottagaren"):
        service.submit(people["steward"], vid, external=True)
    service.submit(people["steward"], vid, external=True, recipient="Polisen Södermalm")
    with Session(engine) as session:
        event = session.scalars(select(ApprovalEvent)).one()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "state:skicka")).one()
    assert event.expedierad and event.recipient == "Polisen Södermalm"
    assert '"expedierad":true' in entry.details


def test_download_is_found_by_id_inside_the_store_and_audited(engine, store, service, people):
    vid = record_version(engine, store, "sodermalm", 2024, 1)
    path = service.draft_file(people["steward"], vid, "docx")
    assert path.suffix == ".docx" and path.is_relative_to(store.resolve())
    with pytest.raises(NotFound):
        service.draft_file(people["steward"], vid, "../../etc/passwd")
    with pytest.raises(NotFound, match="ingen pdf"):
        service.draft_file(people["steward"], vid, "pdf")
    with Session(engine) as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert actions == ["version:record", "download"]


def test_download_outside_the_store_is_refused(engine, store, tmp_path, service, people):
    outside = tmp_path / "elsewhere"
    vid = record_version(engine, outside, "sodermalm", 2024, 1)  # recorded outside the store
    with pytest.raises(NotFound, match="utanför"):
        service.draft_file(people["steward"], vid, "docx")
    inside = record_version(engine, store, "sodermalm", 2024, 2)
    draft = service.draft_file(people["steward"], inside, "docx")
    draft.unlink()
    draft.symlink_to(next(outside.rglob("*.docx")))  # a symlink out of the store
    with pytest.raises(NotFound):
        service.draft_file(people["steward"], inside, "docx")


def test_a_changed_draft_is_not_served(engine, store, service, people):
    vid = record_version(engine, store, "sodermalm", 2024, 1)
    next(store.rglob("*.docx")).write_bytes(b"swapped")
    with pytest.raises(NotFound, match="ändrats"):
        service.draft_file(people["steward"], vid, "docx")


def test_quality_result_is_read_from_the_version_directory(engine, store, service, people):
    record_version(
        engine, store, "sodermalm", 2024, 1, quality='"{\\"success\\": true, \\"warnings\\": 2}"'
    )
    record_version(
        engine, store, "sodermalm", 2023, 1, quality='{"success": false, "blocking_failures": 1}'
    )
    record_version(engine, store, "sodermalm", 2022, 1)
    by_year = {r.year: r.quality for r in service.reports(people["steward"])}
    assert by_year[2024].level == "varning" and by_year[2024].label == "godkänd, 2 varningar"
    assert by_year[2023].level == "fel"
    assert by_year[2022] is None


def _race(calls) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # collected and asserted below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.parametrize("rounds", [5])
def test_concurrent_decisions_leave_one_consistent_state(engine, store, service, people, rounds):
    for n in range(1, rounds + 1):
        vid = record_version(engine, store, "sodermalm", 2000 + n, 1)
        service.submit(people["steward"], vid)
        results = _race(
            [
                lambda v=vid: service.decide(people["secretary"], v, Action.GODKANN),
                lambda v=vid: service.decide(
                    people["secretary"], v, Action.ATERREMITTERA, comment="Ändra"
                ),
            ]
        )
        winners = [r for r in results if isinstance(r, State)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert isinstance(losers[0], IllegalApproval)
        assert _state(engine, vid) == winners[0].value
        with Session(engine) as session:
            events = list(
                session.scalars(
                    select(ApprovalEvent).where(
                        ApprovalEvent.version_id == vid,
                        ApprovalEvent.from_state == "for_granskning",
                    )
                )
            )
        assert [e.to_state for e in events] == [winners[0].value]
    assert verify(engine).ok


def test_concurrent_submissions_and_comments_keep_the_audit_chain(engine, store, service, people):
    vid = record_version(engine, store, "sodermalm", 2024, 1)
    results = _race(
        [lambda: service.submit(people["steward"], vid)] * 2
        + [lambda i=i: service.comment(people["steward"], vid, f"k{i}") for i in range(4)]
    )
    assert sum(isinstance(r, State) for r in results) == 1, results
    assert sum(isinstance(r, IllegalApproval) for r in results) == 1
    check = verify(engine)
    assert check.ok and check.entries == 6  # version record, 1 move, 4 comments
