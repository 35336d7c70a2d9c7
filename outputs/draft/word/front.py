"""The draft's front matter: properties, header, footer and title page.

Split from ``writer``: what the writer puts into (or around) the template before the body.
The template's markers are filled by ``ooxml.template.fill_template``; the functions here
supply the values and the pieces a template without markers lacks.
"""

from __future__ import annotations

import datetime as dt

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt

from outputs.draft.content.context import DraftContext
from outputs.draft.word.ooxml.fields import add_field, enable_update_fields, set_document_language
from outputs.draft.word.ooxml.template import RED, style_or_none
from outputs.swedish import format_date

__all__ = [
    "QUALITY_NOTICE",
    "SAMPLE_MARK",
    "TOC_INSTRUCTION",
    "TOC_PLACEHOLDER",
    "add_footer",
    "add_title_page",
    "header_block",
    "party_line",
    "placeholder",
    "red_bold",
    "setup_properties",
    "template_values",
]

SAMPLE_MARK = "Exempeldata – inte officiell statistik"
TOC_PLACEHOLDER = "Högerklicka och välj Uppdatera fält för att visa innehållsförteckningen."
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
QUALITY_NOTICE = "Observera: underlaget har datakvalitetsvarningar, se avsnittet Datakvalitet."


def placeholder(what: str) -> str:
    """The visible mark for text people still have to write: ``[Text saknas: <what>]``.

    Args:
        what: the missing section or item.

    Returns:
        The placeholder text.
    """
    return f"[Text saknas: {what}]"


# --- page, properties, header and footer -------------------------------------------------


def setup_properties(document: DocumentObject, ctx: DraftContext) -> None:
    set_document_language(document)
    enable_update_fields(document)
    stamp = dt.datetime.combine(ctx.created, dt.time())
    props = document.core_properties
    props.author = props.last_modified_by = "lagesbild"
    props.title = f"Lokal lägesbild {ctx.year} – {ctx.area_name}"
    props.subject = "Samverkansöverenskommelse mellan Stockholms stad och Polisregion Stockholm"
    props.comments = f"Version {ctx.version} – utkast"
    props.keywords = f"lägesbild; {ctx.area_id}; {ctx.year}"
    # Word keeps it when a reviewer saves a commented copy: the portal checks it on upload.
    props.identifier = f"lagesbild:{ctx.area_id}:{ctx.year}:v{int(ctx.version):03d}"
    props.language = "sv-SE"
    props.created = props.modified = props.last_printed = stamp
    props.revision = ctx.version


def template_values(ctx: DraftContext) -> dict[str, str]:
    return {
        "exempeldata": SAMPLE_MARK if ctx.is_sample_data else "",
        "år": str(ctx.year),
        "område": ctx.area_name,
        "parter": party_line(ctx),
        "datum": format_date(ctx.created),
        "version": str(ctx.version),
        "kvalitet": QUALITY_NOTICE if ctx.quality_warnings else "",
        "innehåll": TOC_PLACEHOLDER,
        "innehåll_instruktion": TOC_INSTRUCTION,
    }


def header_block(header, at, ctx: DraftContext) -> None:  # noqa: ANN001 - python-docx
    """Put the table of parties and diarienummer, at the template's marker or appended."""
    if at is None:
        if ctx.is_sample_data:
            red_bold(header.add_paragraph(), SAMPLE_MARK)
        label = header.add_paragraph().add_run("Diarienummer:")
        label.bold = True
        label.font.size = Pt(8)
    table = header.add_table(rows=len(ctx.parties), cols=2, width=Cm(16))
    table.autofit = False
    widths = (Cm(7.5), Cm(8.5))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row, (party, number) in zip(table.rows, ctx.parties, strict=True):
        row.cells[0].text = f"{party}:"
        row.cells[1].text = number or placeholder("diarienummer")
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
            cell.paragraphs[0].paragraph_format.space_before = Pt(0)
            for cell_run in cell.paragraphs[0].runs:
                cell_run.font.size = Pt(8)
    if at is None:
        header.add_paragraph()
        return
    at._p.addprevious(table._tbl)
    for run in at.runs:
        run.text = ""


def add_footer(document: DocumentObject) -> None:
    """Add "Sid X av Y" to every own footer that has no PAGE field yet."""
    for index, section in enumerate(document.sections):
        footer = section.footer
        if index == 0 and footer.is_linked_to_previous:
            footer.is_linked_to_previous = False  # the template has no footer: make one
        if footer.is_linked_to_previous or " PAGE " in footer._element.xml:
            continue
        paragraph = footer.add_paragraph() if footer.paragraphs[0].text else footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run("Sid ")
        add_field(paragraph, "PAGE", "1")
        paragraph.add_run(" av ")
        add_field(paragraph, "NUMPAGES", "1")


def red_bold(paragraph, text: str) -> None:  # noqa: ANN001 - python-docx Paragraph
    run = paragraph.add_run(text)
    run.bold = True
    run.font.color.rgb = RED


# --- title page (for templates without one) and table of contents -------------------------


def party_line(ctx: DraftContext) -> str:
    """Parties as in 003: the förvaltningar first, the lokalpolisområde last, "A, B & C"."""
    names = [name for name, _ in ctx.parties]
    ordered = [n for n in names if n != ctx.lokalpolisomrade]
    ordered += [n for n in names if n == ctx.lokalpolisomrade]
    if len(ordered) <= 1:
        return "".join(ordered)
    return ", ".join(ordered[:-1]) + " & " + ordered[-1]


def _styled(document: DocumentObject, text: str, style: str) -> None:
    document.add_paragraph(text, style=style if style_or_none(document, style) else None)


def add_title_page(document: DocumentObject, ctx: DraftContext) -> None:
    document.add_paragraph("Stockholms stad")
    if ctx.is_sample_data:
        red_bold(document.add_paragraph(), SAMPLE_MARK)
    _styled(document, f"Lokal lägesbild {ctx.year}", "Title")
    document.add_paragraph(f"Stadsdelsområde {ctx.area_name}")
    document.add_paragraph(
        "Samverkansöverenskommelse mellan Stockholms stad och Polisregion Stockholm"
    )
    block = document.add_paragraph()
    block.add_run(party_line(ctx)).bold = True
    block.add_run().add_break()
    block.add_run(format_date(ctx.created)).bold = True
    document.add_paragraph(f"Version {ctx.version} – utkast")
    if ctx.quality_warnings:
        red_bold(document.add_paragraph(), QUALITY_NOTICE)
    document.add_paragraph()
    _styled(document, "Innehåll", "TOC Heading")
    add_field(document.add_paragraph(), TOC_INSTRUCTION, TOC_PLACEHOLDER)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
