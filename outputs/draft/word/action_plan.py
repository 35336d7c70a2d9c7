"""The draft's "Bilaga: Åtgärdsplan": one table per problem area on landscape pages.

Laid out as the city's own plan (seed 004), with 004's guidance row under the header; the
plan itself is read by ``outputs.draft.content.action_plan``.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from outputs.draft.content.action_plan import COLUMNS, ActionPlan
from outputs.draft.word.ooxml.fields import repeat_header_row
from outputs.draft.word.ooxml.template import paragraph_style_id

__all__ = ["APPENDIX_HEADING", "GUIDANCE", "add_action_plan"]

APPENDIX_HEADING = "Bilaga: Åtgärdsplan"
#: Sums to the 24,7 cm of a landscape page; Vem fits "(stadsdelsförvaltningen)" unbroken
#: (LibreOffice breaks a word wider than its cell mid-word, without a hyphen).
_WIDTHS_CM = (3.0, 3.6, 4.5, 3.3, 2.2, 4.1, 4.0)
#: 004's guidance row under the header: what each column asks for.
GUIDANCE = (
    "Ange identifierat problemområde eller utmaning här",
    "Beskriv orsaken till problemet, kan vara flera, gör då flera separata åtgärder.",
    "Koppla åtgärd mot respektive orsak. Beskriv tydligt vad som ska göras och hur det ska "
    "utföras.",
    "Koppla operativa mål till varje åtgärd.",
    "Ange tid för när åtgärden ska vara genomförd (alt linjearbete).",
    "Ange vem som ansvarar för åtgärden.",
    "Beskriv vad som har genomförts. Hur har parterna uppfyllt sina åtaganden. Denna kolumn "
    "fylls i i samband med uppföljning.",
)


def add_action_plan(document: DocumentObject, plan: ActionPlan, *, table_style: str | None,
                    cell_style: str | None) -> None:  # fmt: skip
    """Append "Bilaga: Åtgärdsplan" on landscape pages, one table per problem area.

    Args:
        document: the draft.
        plan: the plan.
        table_style: the table style to use, or None for the document's default.
        cell_style: the paragraph style of table cells, or None (direct 8 pt).
    """
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    width, height = section.page_width, section.page_height
    if width < height:
        section.page_width, section.page_height = height, width
    section.left_margin = section.right_margin = Cm(2.5)
    document.add_heading(APPENDIX_HEADING, 1)
    style_id = paragraph_style_id(document, cell_style) if cell_style else None
    for area in plan.areas:
        document.add_heading(area.name, 2)
        table = document.add_table(rows=1, cols=len(COLUMNS) + 1)
        if table_style:
            table.style = document.styles[table_style]
        table.autofit = False
        _plain_first_column(table)
        _fill_row(table.rows[0].cells, (area.name, *COLUMNS), cell_style, style_id, bold=True)
        repeat_header_row(table)
        guidance = table.add_row().cells
        _fill_row(guidance, GUIDANCE, cell_style, style_id, bold=False)
        for cell in guidance:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.italic = True
        for action in area.actions:
            _fill_row(table.add_row().cells, ("", *action.cells()), cell_style, style_id,
                      bold=False)  # fmt: skip
        for row in table.rows:
            for cell, cm in zip(row.cells, _WIDTHS_CM, strict=True):
                cell.width = Cm(cm)
        for column, cm in zip(table.columns, _WIDTHS_CM, strict=True):
            column.width = Cm(cm)
        document.add_paragraph()


def _plain_first_column(table) -> None:  # noqa: ANN001 - python-docx Table
    """Turn off the table style's bold first column: Orsak is text, not a row label."""
    look = table._tbl.tblPr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        table._tbl.tblPr.append(look)
    look.set(qn("w:firstColumn"), "0")
    look.set(qn("w:val"), "0420")  # first row, no vertical banding


def _fill_row(cells, texts, cell_style: str | None, style_id: str | None, *,  # noqa: ANN001
              bold: bool) -> None:  # fmt: skip
    for cell, text in zip(cells, texts, strict=True):
        parts = [p for p in str(text).split("\n\n") if p.strip()] or [""]
        cell.text = parts[0].strip()
        for part in parts[1:]:
            cell.add_paragraph(part.strip())
        for paragraph in cell.paragraphs:
            if cell_style:
                paragraph._p.style = style_id  # cell_style's id, looked up once
            else:
                paragraph.paragraph_format.space_after = Pt(0)
            for run in paragraph.runs:
                run.bold = bold or None
                if not cell_style:
                    run.font.size = Pt(8)
