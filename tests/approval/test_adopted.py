"""An adopted (fastställd) area-year stays adopted (issue 10, finding 3): a run with
changed inputs makes no new draft; ``--revision`` opens one, recorded in the audit log;
a decision made while a draft is being built still closes the area-year."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from approval.audit.chain import verify
from approval.db.models import AuditEntry
from approval.drafts.publish import ADOPTED, CREATED, UNCHANGED, publish_version
from approval.drafts.versions import VersionRepository
from approval.review.rules import local_today
from approval.review.states import Action
from approval.review.workflow import ApprovalService
from approval.testing import make_draft
from lagesbild.errors import AreaYearAdopted, PipelineError


def _publish(repo, store: Path, fingerprint: str, during_build=None, **kwargs):  # noqa: ANN001, ANN202
    def build(directory: Path, version: int) -> None:
        make_draft(directory / f"lagesbild_sodermalm_2024_v{version:03d}.docx", fingerprint)
        (directory / f"lagesbild_sodermalm_2024_v{version:03d}.pdf").write_bytes(b"%PDF-1.4\n")
        if during_build is not None:
            during_build()

    return publish_version(repo=repo, out=store, area="sodermalm", year=2024,
                           inputs_fingerprint=fingerprint, inputs=[], flow_run_id=None,
                           build=build, **kwargs)  # fmt: skip


def _adopt(service: ApprovalService, people, version_id: int) -> None:  # noqa: ANN001
    service.submit(people["steward"], version_id)
    service.decide(people["secretary"], version_id, Action.GODKANN)
    service.decide(people["secretary"], version_id, Action.FASTSTALL,
                   diarienummer="SÖD 2023/1177", decision_date=local_today())  # fmt: skip


@pytest.fixture
def service(engine, store) -> ApprovalService:  # noqa: ANN001
    return ApprovalService(engine, store)


def test_adopted_area_year_is_closed_and_a_revision_reopens_it(engine, store, service, people):
    repo = VersionRepository(engine)
    first = _publish(repo, store, "a" * 64)
    assert first.status == CREATED and first.version.pdf_sha256
    _adopt(service, people, first.version.id)
    same = _publish(repo, store, "a" * 64)
    assert same.status == ADOPTED and not same.inputs_changed and same.version.version == 1
    closed = _publish(repo, store, "b" * 64)
    assert closed.status == ADOPTED and closed.inputs_changed and not closed.created
    assert closed.version.version == 1 and repo.max_version("sodermalm", 2024) == 1
    assert sorted(p.name for p in (store / "sodermalm" / "2024").iterdir()) == ["v001"]
    with pytest.raises(PipelineError, match="skäl"):
        _publish(repo, store, "b" * 64, revision="  ")
    revision = _publish(repo, store, "b" * 64, revision="Rättad BRÅ-fil", actor="fia")
    assert revision.status == CREATED and revision.version.version == 2
    assert revision.version.revision_of == first.version.id
    assert revision.version.revision_reason == "Rättad BRÅ-fil"
    # The adopted version stays the one in force in the list until the styrgrupp decides.
    (summary,) = service.reports(people["steward"])
    assert summary.current.version == 1 and summary.current.state_label == "fastställd (gällande)"
    assert summary.revision.version == 2 and summary.latest.state_label == "utkast"
    # Further runs go on with the open revision without --revision.
    more = _publish(repo, store, "c" * 64)
    assert more.status == CREATED and more.version.revision_of == first.version.id
    with Session(engine) as session:
        opened = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "revision:open")).one()  # fmt: skip
    assert opened.actor == "fia" and "Rättad BRÅ-fil" in opened.details
    assert opened.subject == f"version:{first.version.id}"
    assert verify(engine).ok


def test_revision_of_an_area_year_never_adopted_is_refused(engine, store):
    repo = VersionRepository(engine)
    _publish(repo, store, "a" * 64)
    with pytest.raises(PipelineError, match="ingen fastställd version"):
        _publish(repo, store, "b" * 64, revision="skäl")


def test_adopted_while_the_draft_was_being_built_records_nothing(engine, store, service, people):
    """The race: the styrgrupp adopts v1 while a run builds v2 under the publish lock."""
    repo = VersionRepository(engine)
    first = _publish(repo, store, "a" * 64)
    service.submit(people["steward"], first.version.id)
    service.decide(people["secretary"], first.version.id, Action.GODKANN)

    def adopt_now() -> None:
        service.decide(people["secretary"], first.version.id, Action.FASTSTALL,
                       diarienummer="SÖD 2023/1177", decision_date=local_today())  # fmt: skip

    result = _publish(repo, store, "b" * 64, during_build=adopt_now)
    assert result.status == ADOPTED and result.inputs_changed and result.version.version == 1
    assert repo.max_version("sodermalm", 2024) == 1
    assert [p.name for p in (store / "sodermalm" / "2024").iterdir()] == ["v001"]
    with pytest.raises(AreaYearAdopted, match="--revision"):
        repo.record(area="sodermalm", year=2024, version=2, docx_sha256="d" * 64,
                    inputs_fingerprint="b" * 64, inputs=[], flow_run_id=None,
                    directory=str(store / "x"))  # fmt: skip


def test_the_message_names_the_adopted_version_and_the_command() -> None:
    message = str(AreaYearAdopted("sodermalm", 2024, 3))
    assert "fastställd (version 3)" in message
    assert 'lagesbild run --area sodermalm --year 2024 --revision "skäl"' in message


def test_unchanged_status_when_not_adopted(engine, store) -> None:
    repo = VersionRepository(engine)
    _publish(repo, store, "a" * 64)
    assert _publish(repo, store, "a" * 64).status == UNCHANGED
