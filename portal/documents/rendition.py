"""The draft as HTML-ready sections: read from the recorded .docx, one section per heading.

The portal shows a version in the browser from the very file that was recorded (its sha256
checked by ``approval.drafts.files``), so what a reviewer reads and comments is what the
styrgrupp decides on. Each heading (Heading 1–3) starts a section with a stable anchor made
from its title (``#befolkningsfakta``; a repeated title gets ``-2``); comments, Word
imports and the comparison page all use these anchors.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

__all__ = ["FRONT", "Block", "Section", "read_sections", "section_text", "slug"]

FRONT = "titelsida"  # the anchor of everything before the first heading
_HEADING = re.compile(r"^(?:Heading|Rubrik)\s*([1-3])$")


@dataclass(frozen=True)
class Block:
    """A paragraph (``p``, ``li``, ``caption``, ``note``) or a table (``rows``, first = head)."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass
class Section:
    """A heading and what follows it up to the next heading."""

    anchor: str
    title: str
    level: int
    blocks: list[Block] = field(default_factory=list)


def slug(title: str) -> str:
    """An ASCII anchor for a heading: ``"Våld i offentlig miljö"`` → ``vald-i-offentlig-miljo``."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "avsnitt"


def _level(paragraph: Paragraph) -> int | None:
    name = paragraph.style.name if paragraph.style is not None else ""
    match = _HEADING.match(name or "")
    return int(match.group(1)) if match else None


def _block(paragraph: Paragraph) -> Block | None:
    text = paragraph.text.strip()
    if not text:
        return None
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.startswith("List"):
        return Block("li", text)
    if name == "Caption":
        return Block("caption", text)
    if name in ("Title", "Subtitle"):
        return Block("title", text)
    if name == "TOC Heading":
        return None  # the table of contents is Word's; the portal has its own
    return Block("p", text)


def _table(table: Table) -> Block:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        last = None
        for cell in row.cells:  # a merged cell is repeated: keep it once
            if cell._tc is not last:
                cells.append(" ".join(cell.text.split()))
            last = cell._tc
        rows.append(tuple(cells))
    return Block("rows", rows=tuple(rows))


def read_sections(path: Path) -> list[Section]:
    """The draft's sections in document order.

    Args:
        path: a .docx (the recorded draft or a reviewer's copy of it).

    Returns:
        The front matter (``titelsida``) followed by one section per heading.
    """
    document = Document(str(path))
    sections = [Section(FRONT, "Titelsida", 1)]
    seen: dict[str, int] = {}
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            sections[-1].blocks.append(_table(Table(element, document)))
            continue
        if tag != "p":
            continue
        paragraph = Paragraph(element, document)
        level = _level(paragraph)
        if level is not None and paragraph.text.strip():
            title = paragraph.text.strip()
            base = slug(title)
            seen[base] = seen.get(base, 0) + 1
            anchor = base if seen[base] == 1 else f"{base}-{seen[base]}"
            sections.append(Section(anchor, title, level))
        elif (block := _block(paragraph)) is not None:
            sections[-1].blocks.append(block)
    return sections


def section_text(section: Section) -> str:
    """A section's words as one text (paragraphs on lines, table cells separated by ``|``)."""
    lines = []
    for block in section.blocks:
        if block.kind == "rows":
            lines.extend(" | ".join(row) for row in block.rows)
        else:
            lines.append(block.text)
    return "\n".join(lines)
