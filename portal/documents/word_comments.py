"""Comments from Word: a reviewer's copy of the draft, its comments anchored to sections.

A reviewer who prefers Word downloads the draft, comments it there and uploads it again.
The file must be the same version: its embedded identifier (the core property
``identifier``, ``lagesbild:<area>:<year>:v<NNN>``, which Word keeps when saving) must equal
the recorded draft's, or its bytes must be the recorded draft's. Each Word comment
becomes a portal comment on the section (heading) its anchor lies in.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from lagesbild.errors import IllegalApproval
from portal.documents.rendition import FRONT, slug

__all__ = ["MAX_UPLOAD", "WordComment", "check_same_version", "draft_identifier", "read_comments"]

MAX_UPLOAD = 25 * 1024 * 1024
_HEADING_STYLES = {"Heading 1", "Heading 2", "Heading 3", "Rubrik 1", "Rubrik 2", "Rubrik 3"}


@dataclass(frozen=True)
class WordComment:
    """One comment of the uploaded file: its text, the author Word recorded and the section."""

    text: str
    author: str
    section: str
    section_title: str


def draft_identifier(path: Path) -> str:
    """The draft's embedded identifier (empty when it has none or is not a .docx)."""
    try:
        return (Document(str(path)).core_properties.identifier or "").strip()
    except (ValueError, KeyError, zipfile.BadZipFile):
        return ""


def check_same_version(upload: Path, original: Path, recorded_sha256: str) -> None:
    """Refuse a file that is not a copy of this version of the draft.

    Raises:
        IllegalApproval: not a Word file, or another version (or another report).
    """
    if hashlib.sha256(upload.read_bytes()).hexdigest() == recorded_sha256:
        return
    try:
        uploaded_id = (Document(str(upload)).core_properties.identifier or "").strip()
    except (ValueError, KeyError, zipfile.BadZipFile):
        raise IllegalApproval("filen är inte ett Word-dokument (.docx)") from None
    expected = draft_identifier(original)
    if not expected or uploaded_id != expected:
        shown = uploaded_id or "ingen"
        raise IllegalApproval(
            f"filen är inte den här versionen av utkastet (filens id: {shown}; "
            f"väntat: {expected or 'okänt'}) – ladda ned versionen, kommentera den och ladda "
            "upp den igen"
        )


def read_comments(path: Path) -> list[WordComment]:
    """Every Word comment of ``path`` with the section its anchor lies in, in file order.

    A comment anchored before the first heading belongs to the title page.
    """
    document = Document(str(path))
    anchors: dict[str, tuple[str, str]] = {}
    current = (FRONT, "Titelsida")
    seen: dict[str, int] = {}
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            style_id = style.get(qn("w:val")) if style is not None else ""
            name = _style_name(document, style_id)
            text = "".join(t.text or "" for t in element.iter(qn("w:t"))).strip()
            if name in _HEADING_STYLES and text:
                base = slug(text)
                seen[base] = seen.get(base, 0) + 1
                current = (base if seen[base] == 1 else f"{base}-{seen[base]}", text)
        for tag in ("w:commentRangeStart", "w:commentReference"):
            for mark in element.iter(qn(tag)):
                anchors.setdefault(mark.get(qn("w:id")), current)
    out = []
    for comment in document.comments:
        text = "\n".join(p.text for p in comment.paragraphs).strip()
        if not text:
            continue
        section, title = anchors.get(str(comment.comment_id), (FRONT, "Titelsida"))
        out.append(WordComment(text, (comment.author or "").strip(), section, title))
    return out


def _style_name(document, style_id: str) -> str:  # noqa: ANN001 - python-docx document
    if not style_id:
        return ""
    try:
        return document.styles.get_by_id(style_id, 1).name  # 1 = paragraph style
    except (KeyError, ValueError, AttributeError):
        return style_id
