"""The draft's tables: frames in, formatted Word tables out; nothing is computed here.

Every cell is a value of the input frame passed through ``outputs.swedish``; the only
arithmetic is unit conversion for printing (a relative change 0.125 printed as "+12,5 %").
"""

from __future__ import annotations

import datetime as dt
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

from outputs.docx_fields import repeat_header_row
from outputs.swedish import (
    MISSING,
    NBSP,
    format_decimal,
    format_int,
    format_percent,
    format_signed,
)
from outputs.template import style_or_none

__all__ = [
    "CELL_STYLE",
    "NOTE_STYLE",
    "TABLE_STYLE",
    "add_count_table",
    "add_ia_table",
    "add_population_table",
    "add_series_table",
    "add_survey_table",
    "cell_style",
    "format_window",
    "is_suppressed",
    "is_true",
    "significance_text",
    "suppression_footnote",
    "table_style",
]

logger = logging.getLogger(__name__)

TABLE_STYLE = "Light Grid Accent 1"
CELL_STYLE = "Tabelltext"
NOTE_STYLE = "Anteckning"
_USABLE_WIDTH_CM = 16.0  # A4 minus 2,5 cm margins
_CELL_MARGIN_TWIPS = 57  # 0,1 cm
_MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip


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

    The reasons are those ``tasks.disclosure`` wrote into the rows' notes ("färre än 5
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


def _footnote(document: DocumentObject, rows: pd.DataFrame) -> None:
    text = suppression_footnote(rows)
    if text:
        _note(document, text)


def _significance_cell(row: pd.Series) -> str:
    return MISSING if is_suppressed(row) else significance_text(row)


def format_window(window: tuple[dt.date, dt.date]) -> str:
    """A calendar window without years: ``"1 januari–15 november"``.

    Args:
        window: first and last day (inclusive).

    Returns:
        The Swedish wording.
    """
    start, end = window
    return f"{start.day} {_MONTHS[start.month - 1]}–{end.day} {_MONTHS[end.month - 1]}"


def _num(value: object) -> float | None:
    """A cell as float, None when empty (NaN, pd.NA, None)."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def _relative(value: object) -> str:
    """A relative change given as a fraction, printed in percent with sign."""
    number = _num(value)
    if number is None:
        return MISSING
    return f"{format_signed(number * 100, 1)}{NBSP}%"


def _single_year(values: pd.Series) -> int | None:
    years = {int(v) for v in values if not pd.isna(v)}
    return years.pop() if len(years) == 1 else None


def _any_true(values: pd.Series) -> bool:
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


def _add_table(
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
                paragraph.style = document.styles[paragraph_style]
            else:
                paragraph.paragraph_format.space_after = Pt(0)
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    document.add_paragraph().paragraph_format.space_after = Pt(0)


def _note(document: DocumentObject, text: str) -> None:
    if style_or_none(document, NOTE_STYLE) is not None:
        document.add_paragraph(text, style=NOTE_STYLE).runs[0].italic = True
        return
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.italic = True
    run.font.size = Pt(9)


def add_population_table(document: DocumentObject, population: pd.DataFrame) -> None:
    """År, Folkmängd and each age group's share of Folkmängd, one row per year.

    Args:
        document: where the table goes.
        population: columns year, category, value, share_pct.
    """
    if population.empty:
        return
    groups = [c for c in dict.fromkeys(population["category"]) if c != "Folkmängd"]
    header = ["År", "Folkmängd", *[f"{g} (%)" for g in groups]]
    rows = []
    for year, frame in population.groupby("year", sort=True):
        by_cat = frame.set_index("category")
        total = by_cat["value"].get("Folkmängd")
        shares = [format_percent(_num(by_cat["share_pct"].get(g))) for g in groups]
        rows.append([str(int(year)), format_int(_num(total)), *shares])
    _add_table(document, header, rows, numeric_from=1, first_width_cm=2.5)


def add_count_table(
    document: DocumentObject, rows: pd.DataFrame, year: int, *, with_rate: bool
) -> None:
    """Counts of the report year against the year before, with change and significance.

    Args:
        document: where the table goes.
        rows: indicators rows of one count source (BRÅ, polisen).
        year: the report year.
        with_rate: add the "Per 100 000 inv." column.
    """
    if rows.empty:
        return
    preliminary = _any_true(rows["preliminary"])
    prev = _single_year(rows["prev_year"])
    this_label = f"{year} (prel.)" if preliminary else str(year)
    header = [
        "Brottskategori",
        str(prev) if prev is not None else "Föregående år",
        this_label,
        "Förändring",
        "Förändring %",
    ]
    if with_rate:
        header.append("Per 100 000 inv.")
    header.append("Signifikant")
    body = []
    for _, row in rows.iterrows():
        cells = [
            str(row["indicator"]),
            format_int(_num(row["prev_value"])),
            format_int(_num(row["value"])),
            format_signed(_num(row["change_abs"])),
            _relative(row["change_rel"]),
        ]
        if with_rate:
            cells.append(format_int(_num(row["rate_per_100k"])))
        cells.append(_significance_cell(row))
        body.append(cells)
    widths = (4.0, 1.6, 1.9, 1.9, 2.3, 2.1, 2.2) if with_rate else (5.0, 2.0, 2.2, 2.1, 2.4, 2.3)
    _add_table(document, header, body, numeric_from=1, widths_cm=widths)
    _footnote(document, rows)
    if preliminary:
        _note(document, f"Siffrorna för {year} är preliminära.")


def add_series_table(document: DocumentObject, series: pd.DataFrame) -> None:
    """Counts per crime category (rows) and year (columns).

    Args:
        document: where the table goes.
        series: columns year, indicator, value, rate_per_100k, preliminary.
    """
    if series.empty:
        return
    years = sorted(int(y) for y in series["year"].dropna().unique())
    prel_years = {
        int(y) for y, p in zip(series["year"], series["preliminary"], strict=True) if is_true(p)
    }
    header = ["Brottskategori", *[f"{y} (prel.)" if y in prel_years else str(y) for y in years]]
    body = []
    for indicator in dict.fromkeys(series["indicator"]):
        frame = series[series["indicator"] == indicator]
        by_year = dict(zip(frame["year"].astype(int), frame["value"], strict=True))
        body.append([str(indicator), *[format_int(_num(by_year.get(y))) for y in years]])
    _add_table(document, header, body, numeric_from=1, first_width_cm=4.3)


def add_ia_table(
    document: DocumentObject,
    rows: pd.DataFrame,
    year: int,
    window: tuple[dt.date, dt.date] | None,
) -> None:
    """IA incidents per category in the same calendar window of two years.

    Args:
        document: where the table goes.
        rows: indicators rows of source ``ia``.
        year: the report year.
        window: the compared window, or None for whole years.
    """
    if rows.empty:
        return
    prev = _single_year(rows["prev_year"])
    header = [
        "Kategori",
        str(prev) if prev is not None else "Föregående år",
        str(year),
        "Förändring",
        "Förändring %",
        "Signifikant",
    ]
    body = [
        [
            str(row["indicator"]),
            format_int(_num(row["prev_value"])),
            format_int(_num(row["value"])),
            format_signed(_num(row["change_abs"])),
            _relative(row["change_rel"]),
            _significance_cell(row),
        ]
        for _, row in rows.iterrows()
    ]
    _add_table(document, header, body, numeric_from=1, widths_cm=(5.0, 2.0, 2.2, 2.1, 2.4, 2.3))
    period = format_window(window) if window is not None else "hela året"
    _note(document, f"Jämförelseperiod: {period} (samma period respektive år).")
    _footnote(document, rows)


def add_survey_table(document: DocumentObject, rows: pd.DataFrame) -> None:
    """Survey shares of this and the previous wave, change in percentage points.

    Args:
        document: where the table goes.
        rows: indicators rows of one survey (one wave pair).
    """
    if rows.empty:
        return
    prev = _single_year(rows["prev_year"])
    this = _single_year(rows["year"])
    header = [
        "Indikator",
        "Grupp",
        f"{prev} (%)" if prev is not None else "Föregående mätning (%)",
        f"{this} (%)" if this is not None else "Senaste mätning (%)",
        "Förändring (procentenheter)",
        "Signifikant",
    ]
    body = [
        [
            str(row["indicator"]),
            "" if pd.isna(row["group"]) else str(row["group"]),
            format_decimal(_num(row["prev_value"])),
            format_decimal(_num(row["value"])),
            format_signed(_num(row["change_abs"]), 1),
            _significance_cell(row),
        ]
        for _, row in rows.iterrows()
    ]
    _add_table(document, header, body, numeric_from=2, widths_cm=(5.3, 2.2, 1.8, 1.8, 2.6, 2.3))
    _footnote(document, rows)
