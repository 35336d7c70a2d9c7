"""Shared pieces of the draft's tables: styles, cell texts, footnotes and the table itself.

``outputs.draft.word.tables`` builds one table per source from these (and re-exports the public
names); every cell is a value of the input frame passed through ``outputs.swedish``.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence

import pandas as pd
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from outputs.draft.word.ooxml.fields import repeat_header_row
from outputs.draft.word.ooxml.template import paragraph_style_id, style_or_none
from outputs.swedish import MISSING, format_relative

__all__ = [
    "CELL_STYLE",
    "NOTE_STYLE",
    "TABLE_STYLE",
    "add_footnote",
    "add_note",
    "add_table",
    "any_true",
    "as_number",
    "cell_style",
    "is_suppressed",
    "is_true",
    "relative_text",
    "significance_cell",
    "significance_text",
    "single_year",
    "suppression_footnote",
    "table_style",
]

logger = logging.getLogger(__name__)

TABLE_STYLE = "Light Grid Accent 1"
CELL_STYLE = "Tabelltext"
NOTE_STYLE = "Anteckning"
_USABLE_WIDTH_CM = 16.0  # A4 minus 2,5 cm margins
_CELL_MARGIN_TWIPS = 57  # 0,1 cm


def is_true(value: object) -> bool | None:
    """Read a flag written as bool, ``true``/``false``, ``ja``/``nej`` or 1/0.

    Args:
        value: the cell.

    Returns:
        True or False, or None when the cell is empty (not testable / unknown).
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "ja", "1", "yes"):
            return True
        if text in ("false", "nej", "0", "no"):
            return False
        return None
    return bool(value)


def significance_text(row: pd.Series) -> str:
    """The Signifikant cell: "Ja", "Nej" or "Kan inte prövas".

    Args:
        row: an indicators row with ``method`` and ``significant``.

    Returns:
        The cell text.
    """
    if str(row.get("method", "")).strip().lower() in ("none", "", "nan"):
        return "Kan inte prövas"
    flag = is_true(row.get("significant"))
    if flag is None:
        return "Kan inte prövas"
    return "Ja" if flag else "Nej"


def is_suppressed(row: pd.Series) -> bool:
    """True when disclosure control withheld figures of this row (column ``suppressed``).

    Args:
        row: an indicators row (the column may be absent: then nothing was withheld).

    Returns:
        Whether the row's withheld cells must print as "–".
    """
    return bool(is_true(row.get("suppressed")))


_WITHHELD = re.compile(r"undertryckt: ([^;]+)")


def suppression_footnote(rows: pd.DataFrame) -> str | None:
    """The footnote under a table with withheld cells, or None when nothing was withheld.

    The reasons are those ``tasks.indicators.disclosure`` wrote into the rows' notes ("färre än 5
    händelser", "färre än 30 svar"), so the footnote always names the thresholds applied.

    Args:
        rows: the indicators rows of one table.

    Returns:
        E.g. "– = uppgiften redovisas inte (färre än 5 händelser) för att skydda enskildas
        identitet."
    """
    if rows.empty or "suppressed" not in rows.columns:
        return None
    withheld = rows[[is_true(v) is True for v in rows["suppressed"]]]
    if withheld.empty:
        return None
    reasons = dict.fromkeys(
        m.group(1).strip() for note in withheld.get("note", pd.Series(dtype="str"))
        for m in [_WITHHELD.search(str(note))] if m
    )  # fmt: skip
    because = f" ({' / '.join(reasons)})" if reasons else ""
    text = f"{MISSING} = uppgiften redovisas inte{because} för att skydda enskildas identitet."
    if withheld["unit"].eq("antal").any():
        text += (
            " Även andra uppgifter kan vara undertryckta, så att en undertryckt uppgift inte "
            "kan räknas fram ur en summa."
        )
    return text


def add_footnote(document: DocumentObject, rows: pd.DataFrame) -> None:
    """Add :func:`suppression_footnote` of ``rows`` under the table, when there is one."""
    text = suppression_footnote(rows)
    if text:
        add_note(document, text)


def significance_cell(row: pd.Series) -> str:
    """The Signifikant cell, "–" when the row's figures are withheld."""
    return MISSING if is_suppressed(row) else significance_text(row)


def as_number(value: object) -> float | None:
    """A cell as float, None when empty (NaN, pd.NA, None)."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def relative_text(value: object) -> str:
    """A relative change given as a fraction, printed in percent with sign."""
    number = as_number(value)
    if number is None:
        return MISSING
    return format_relative(number)


def single_year(values: pd.Series) -> int | None:
    """The one year of a column (e.g. ``prev_year``), or None when it holds several or none."""
    years = {int(v) for v in values if not pd.isna(v)}
    return years.pop() if len(years) == 1 else None


def any_true(values: pd.Series) -> bool:
    """Whether any cell of a flag column reads as true (see :func:`is_true`)."""
    return any(is_true(v) for v in values)


def table_style(document: DocumentObject) -> str | None:
    """The table style to use: :data:`TABLE_STYLE`, else "Table Grid", else none.

    A district's own template may lack the default style; the draft must still be written.

    Args:
        document: the draft.

    Returns:
        A style name the document defines, or None.
    """
    for name in (TABLE_STYLE, "Table Grid"):
        if style_or_none(document, name) is not None:
            return name
    return None


def cell_style(document: DocumentObject) -> str | None:
    """The template's paragraph style for table cells (:data:`CELL_STYLE`), or None."""
    return CELL_STYLE if style_or_none(document, CELL_STYLE) is not None else None


def _narrow_margins(table: Table) -> None:
    """Left/right cell margins of 0,1 cm, so that headers like "Förändring" fit."""
    tbl_pr = table._tbl.tblPr
    margins = tbl_pr.find(qn("w:tblCellMar"))
    if margins is None:
        margins = OxmlElement("w:tblCellMar")
        tbl_pr.append(margins)
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(_CELL_MARGIN_TWIPS))
        element.set(qn("w:type"), "dxa")
        margins.append(element)


def add_table(
    document: DocumentObject,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric_from: int,
    widths_cm: Sequence[float] | None = None,
    first_width_cm: float = 5.0,
) -> None:
    """A styled table; columns from ``numeric_from`` on are right-aligned."""
    table = document.add_table(rows=1, cols=len(header))
    style = table_style(document)
    if style:
        table.style = document.styles[style]
    _narrow_margins(table)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    repeat_header_row(table)
    for values in rows:
        row = table.add_row()
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    if widths_cm is None:
        rest = (_USABLE_WIDTH_CM - first_width_cm) / max(len(header) - 1, 1)
        widths_cm = [first_width_cm, *[rest] * (len(header) - 1)]
    widths = [Cm(w) for w in widths_cm]
    paragraph_style = cell_style(document)
    style_id = paragraph_style_id(document, paragraph_style) if paragraph_style else None
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for index, (cell, width) in enumerate(zip(row.cells, widths, strict=True)):
            cell.width = width
            paragraph = cell.paragraphs[0]
            if index >= numeric_from:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if paragraph_style:
                paragraph._p.style = style_id
            else:
                paragraph.paragraph_format.space_after = Pt(0)
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    document.add_paragraph().paragraph_format.space_after = Pt(0)


def add_note(document: DocumentObject, text: str) -> Paragraph:
    """An italic note paragraph: the template's :data:`NOTE_STYLE`, else 9 pt italic."""
    if style_or_none(document, NOTE_STYLE) is not None:
        paragraph = document.add_paragraph(text, style=NOTE_STYLE)
        paragraph.runs[0].italic = True
        return paragraph
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.italic = True
    run.font.size = Pt(9)
    return paragraph


def keep_with_block_above(paragraph: Paragraph, *, max_steps: int = 4) -> None:
    """Keep ``paragraph`` (a "Källa:" line) on the page of the table or figure above it.

    Walks back over the paragraphs between them (the spacer after a table, a note on
    preliminary figures or withheld cells) and makes each keep with the next; of a table
    only the last row keeps with the next, so a long table may still break across pages
    but never leaves its source line alone at the top of the next one.
    """
    element = paragraph._p.getprevious()
    for _ in range(max_steps):
        if element is None:
            return
        if element.tag == qn("w:tbl"):
            rows = element.findall(qn("w:tr"))
            if rows:
                for p in rows[-1].iter(qn("w:p")):
                    Paragraph(p, paragraph._parent).paragraph_format.keep_with_next = True
            return
        if element.tag != qn("w:p"):
            return
        above = Paragraph(element, paragraph._parent)
        figure = element.find(f".//{qn('w:drawing')}") is not None
        if not (figure or not above.text.strip() or _is_note(above)):
            return  # body text: the source line belongs to no table or figure here
        above.paragraph_format.keep_with_next = True
        if figure:
            return
        element = element.getprevious()


def _is_note(paragraph: Paragraph) -> bool:
    """A note written by :func:`add_note` (its style, or its italic run without one)."""
    style = paragraph.style.name if paragraph.style is not None else ""
    return style == NOTE_STYLE or all(run.italic for run in paragraph.runs)
