"""Read-only views of versions and their history, detached from the database session."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from approval.db.models import ApprovalEvent, Comment, ReportVersion
from approval.review.states import STATE_LABELS, Action, State, allowed_actions

__all__ = [
    "HistoryEntry",
    "QualityStatus",
    "ReportHistory",
    "ReportSummary",
    "VersionView",
    "comment_entry",
    "event_entry",
    "read_quality",
    "version_view",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VersionView:
    """One version as shown to a user; ``latest`` is False once a newer version exists."""

    id: int
    area: str
    year: int
    version: int
    state: State
    docx_sha256: str
    inputs_fingerprint: str
    flow_run_id: str | None
    directory: str
    created_at: dt.datetime
    latest: bool
    revision_of: int | None = None
    revision_reason: str | None = None

    @property
    def state_label(self) -> str:
        """The state in Swedish; a superseded version says so, an adopted one stays in force
        (gällande) while a revision of it is being prepared."""
        label = STATE_LABELS[self.state]
        if self.latest:
            return label
        return f"{label} (gällande)" if self.state is State.FASTSTALLD else f"{label} (ersatt)"

    @property
    def actions(self) -> list[Action]:
        """The moves the state machine allows (none for a superseded version)."""
        return allowed_actions(self.state) if self.latest else []


@dataclass(frozen=True)
class QualityStatus:
    """The data-quality result of a version: ``level`` is ok, varning, fel or okänd."""

    level: str
    label: str


@dataclass(frozen=True)
class ReportSummary:
    """An area-year with its newest version."""

    area: str
    year: int
    latest: VersionView
    versions: int
    quality: QualityStatus | None
    #: The newest fastställd version (in force until the styrgrupp decides again), if any.
    adopted: VersionView | None = None

    @property
    def current(self) -> VersionView:
        """The version the list and the status grid show: the adopted one when there is
        one (a revision in preparation does not replace it), else the newest."""
        return self.adopted or self.latest

    @property
    def revision(self) -> VersionView | None:
        """The newest version when it is a revision in preparation beside the adopted one."""
        return self.latest if self.adopted and self.adopted.id != self.latest.id else None


@dataclass(frozen=True)
class HistoryEntry:
    """A comment or a state change in a report's history."""

    at: dt.datetime
    version: int
    actor: str
    kind: str
    text: str = ""
    diarienummer: str | None = None
    decision_date: dt.date | None = None
    expedierad: bool = False
    recipient: str | None = None
    docx_sha256: str | None = None


@dataclass(frozen=True)
class ReportHistory:
    """Every version (newest first) and every event of an area-year."""

    area: str
    year: int
    versions: list[VersionView]
    entries: list[HistoryEntry] = field(default_factory=list)

    @property
    def adopted(self) -> VersionView | None:
        """The newest fastställd version (in force), if any."""
        return next((v for v in self.versions if v.state is State.FASTSTALLD), None)


def version_view(row: ReportVersion, newest: int) -> VersionView:
    """A detached view of ``row``; ``newest`` is the area-year's highest version number."""
    return VersionView(
        id=row.id,
        area=row.area,
        year=row.year,
        version=row.version,
        state=State(row.state),
        docx_sha256=row.docx_sha256,
        inputs_fingerprint=row.inputs_fingerprint,
        flow_run_id=row.flow_run_id,
        directory=row.directory,
        created_at=row.created_at,
        latest=row.version == newest,
        revision_of=row.revision_of,
        revision_reason=row.revision_reason,
    )


def comment_entry(comment: Comment, version: int) -> HistoryEntry:
    """A comment as a history line (``version`` is the version number)."""
    return HistoryEntry(
        at=comment.created_at,
        version=version,
        actor=comment.author,
        kind="kommentar",
        text=comment.text,
    )


def event_entry(event: ApprovalEvent, version: int) -> HistoryEntry:
    """A state change as a history line, with its diarienummer and expedition if any."""
    return HistoryEntry(
        at=event.created_at,
        version=version,
        actor=event.actor,
        kind=STATE_LABELS[State(event.to_state)],
        text=event.comment or "",
        diarienummer=event.diarienummer,
        decision_date=event.decision_date,
        expedierad=event.expedierad,
        recipient=event.recipient,
        docx_sha256=event.docx_sha256,
    )


def read_quality(directory: Path) -> QualityStatus | None:
    """Summarise ``quality.json`` of a version directory (None when there is none).

    The pipeline may store the report's JSON text as a JSON string; both forms are read.

    Args:
        directory: the version directory.

    Returns:
        ok / varning / fel, or ``okänd`` for an unreadable file.
    """
    path = directory / "quality.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, str):
            data = json.loads(data)
        success = bool(data["success"])
        blocking = int(data.get("blocking_failures", 0) or 0)
        warnings = int(data.get("warnings", 0) or 0)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("unreadable quality result %s: %s", path, exc)
        return QualityStatus("okänd", "oläsbart kvalitetsresultat")
    if not success or blocking:
        return QualityStatus("fel", f"{blocking} blockerande fel")
    if warnings:
        return QualityStatus(
            "varning", f"godkänd, {warnings} varning" + ("ar" if warnings > 1 else "")
        )
    return QualityStatus("ok", "godkänd")
