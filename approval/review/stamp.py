"""The adopted version's stamped rendition: "Fastställd <datum>, dnr <…>" on the title page.

The styrgrupp decides on the exact recorded draft, whose sha256 is in the decision; that
file is never changed. The stamp is a new file beside it (``<draft>_faststalld.docx``),
written atomically once the decision is committed, with its own sha256 in the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.shared import Pt, RGBColor
from sqlalchemy.orm import Session

from approval.audit import chain
from approval.drafts.files import resolve_draft
from approval.review.states import Action
from outputs.publish.versions import sha256_file

if TYPE_CHECKING:
    from approval.accounts.users import UserInfo
    from approval.review.views import VersionView

__all__ = ["STAMP_SUFFIX", "stamp_listener", "stamp_text", "stamped_path", "write_stamped"]

log = logging.getLogger(__name__)

STAMP_SUFFIX = "_faststalld"


def stamped_path(original: Path) -> Path:
    """Where the stamped rendition of ``original`` lives (beside it)."""
    return original.with_name(f"{original.stem}{STAMP_SUFFIX}{original.suffix}")


def stamp_text(decision_date: dt.date, diarienummer: str) -> str:
    """The stamp: ``Fastställd 2025-02-03, dnr SÖD 2023/1177``."""
    return f"Fastställd {decision_date.isoformat()}, dnr {diarienummer}"


def write_stamped(original: Path, decision_date: dt.date, diarienummer: str) -> tuple[Path, str]:
    """Write the stamped copy of the adopted draft; return its path and sha256.

    The stamp goes right after the title (the first paragraph in the Title style, else the
    first paragraph), and every "– utkast" on the title page and in the document
    properties becomes "– fastställd".
    """
    document = Document(str(original))
    paragraphs = document.paragraphs
    anchor = next((p for p in paragraphs if p.style is not None and p.style.name == "Title"),
                  paragraphs[0] if paragraphs else None)  # fmt: skip
    for paragraph in paragraphs[:40]:
        for run in paragraph.runs:
            if "– utkast" in run.text:
                run.text = run.text.replace("– utkast", "– fastställd")
    stamp = document.add_paragraph() if anchor is None else anchor.insert_paragraph_before("")
    if anchor is not None:  # move the stamp after the title
        anchor._p.addnext(stamp._p)
    run = stamp.add_run(stamp_text(decision_date, diarienummer))
    run.bold = True
    run.font.size = Pt(14)
    run.font.color.rgb = RGBColor(0x1F, 0x7A, 0x35)
    props = document.core_properties
    props.comments = (props.comments or "").replace("– utkast", "– fastställd") or stamp.text
    target = stamped_path(original)
    tmp = target.with_name(f".{target.name}.tmp")
    document.save(str(tmp))
    os.chmod(tmp, original.stat().st_mode & 0o777)  # as readable as the draft itself
    os.replace(tmp, target)
    return target, sha256_file(target)


def stamp_listener(engine, draft_root: Path):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
    """A workflow listener that writes the stamped rendition when a version is fastställd."""

    def listener(user: UserInfo, version: VersionView, action: Action, event: dict) -> None:
        if action is not Action.FASTSTALL:
            return
        original = resolve_draft(version.directory, draft_root, "docx", version.docx_sha256)
        path, digest = write_stamped(original, event["decision_date"], event["diarienummer"])
        with Session(engine) as session, session.begin():
            chain.lock_chain(session)
            chain.append(
                session,
                actor=user.username,
                action="stamp",
                subject=f"version:{version.id}",
                details={"file": path.name, "sha256": digest,
                         "docx_sha256": version.docx_sha256},  # fmt: skip
            )
        log.info("stamped rendition %s", path)

    return listener
