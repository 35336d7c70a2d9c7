"""The draft's Word template: styles, page, header, footer and title page live in a .docx.

A district changes the look in Word (fonts, colours, logo, margins, the title page), not in
code. :func:`build_template` generates the default template committed as
``outputs/templates/lagesbild.docx``; the writer opens it (or a district's own file) with
``docx.Document(template)`` and :func:`fill_template` replaces its markers:

=================== ==========================================================
marker              replaced by
=================== ==========================================================
``{{exempeldata}}`` "Exempeldata – inte officiell statistik" (paragraph removed
                    for real data); body or header
``{{år}}``          the report year
``{{område}}``      the area's name
``{{parter}}``      the parties, "A, B & C"
``{{datum}}``       the draft's date
``{{version}}``     the version number
``{{kvalitet}}``    the data-quality notice (paragraph removed without warnings)
``{{innehåll}}``    the table of contents field
``{{diarienummer}}`` (header) the table of parties and their diarienummer
=================== ==========================================================

A template without markers still works: the writer then clears its body and writes the
default title page, appends the diarienummer block to the header when the header has no
table, and adds "Sid X av Y" to the footer when it has no PAGE field.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from outputs.draft.word.ooxml.fields import add_field, normalise_zip, set_document_language

__all__ = [
    "DEFAULT_TEMPLATE",
    "FONT",
    "MARKERS",
    "RED",
    "build_template",
    "fill_template",
    "style_or_none",
]

logger = logging.getLogger(__name__)

DEFAULT_TEMPLATE = Path(__file__).parents[3] / "templates" / "lagesbild.docx"
#: Arial in Word, Liberation Sans (same metrics) in LibreOffice: the PDF matches Word's pages.
FONT = "Arial"
RED = RGBColor(0xC0, 0x00, 0x00)
_BLUE = RGBColor(0x00, 0x4B, 0x87)
_TEMPLATE_DATE = dt.date(2024, 1, 1)
MARKERS = (
    "exempeldata", "år", "område", "parter", "datum", "version", "kvalitet", "innehåll",
    "diarienummer",
)  # fmt: skip
_MARKER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
#: Markers whose paragraph disappears when their value is empty.
_REMOVABLE = {"exempeldata", "kvalitet"}


def style_or_none(document: DocumentObject, name: str):  # noqa: ANN201 - python-docx style
    """The named style when the document defines it, else None (a district's template).

    Args:
        document: the document.
        name: the style's UI name, e.g. ``"Tabelltext"``.

    Returns:
        The style or None.
    """
    try:
        return document.styles[name]
    except KeyError:
        return None


def paragraph_style_id(document: DocumentObject, name: str) -> str | None:
    """The style id that ``paragraph.style = name`` would write, looked up once.

    python-docx resolves a style name by scanning styles.xml on every assignment (and
    once more for the default style); a table sets the same style on hundreds of cells.
    Set the id with ``paragraph._p.style = style_id``, as python-docx's setter does.

    Raises:
        KeyError: the document has no such style.
    """
    return document.part.get_style_id(document.styles[name], WD_STYLE_TYPE.PARAGRAPH)


# --- building the default template ---------------------------------------------------------


def _paragraph_style(document: DocumentObject, name: str, base: str = "Normal"):  # noqa: ANN202
    styles = document.styles
    style = style_or_none(document, name)
    if style is None:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
    return style


def _plain_fonts(document: DocumentObject) -> None:
    """Use :data:`FONT` everywhere: drop theme fonts (Calibri/Cambria), which override it."""
    root = document.styles.element
    defaults = root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    holders = [defaults] if defaults is not None else []
    holders += [style.find(qn("w:rPr")) for style in root.findall(qn("w:style"))]
    for r_pr in holders:
        if r_pr is None:
            continue
        r_fonts = r_pr.find(qn("w:rFonts"))
        if r_fonts is None:
            continue
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            r_fonts.attrib.pop(qn(f"w:{attr}"), None)
        for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
            r_fonts.set(qn(f"w:{attr}"), FONT)


def _styles(document: DocumentObject) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    _plain_fonts(document)
    for level, size, before in ((1, 15, 18), (2, 12.5, 12), (3, 11, 10)):
        heading = styles[f"Heading {level}"]
        heading.font.name = FONT
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = False
        heading.font.color.rgb = _BLUE
        heading.paragraph_format.space_before = Pt(before)
        heading.paragraph_format.space_after = Pt(4)
        heading.paragraph_format.keep_with_next = True
    title = styles["Title"]
    title.font.name = FONT
    title.font.size = Pt(26)
    title.font.color.rgb = _BLUE
    title.paragraph_format.space_before = Pt(24)
    title.paragraph_format.space_after = Pt(6)
    subtitle = styles["Subtitle"]
    subtitle.font.name = FONT
    subtitle.font.size = Pt(14)
    subtitle.font.italic = False
    subtitle.font.color.rgb = _BLUE
    toc_heading = styles["TOC Heading"]
    toc_heading.font.name = FONT
    toc_heading.font.size = Pt(14)
    toc_heading.font.color.rgb = _BLUE
    caption = styles["Caption"]
    caption.font.name = FONT
    caption.font.size = Pt(9)
    caption.font.bold = False
    caption.font.italic = True
    caption.font.color.rgb = RGBColor(0x33, 0x33, 0x33)
    caption.paragraph_format.space_after = Pt(12)
    cell = _paragraph_style(document, "Tabelltext")
    cell.font.size = Pt(8.5)
    cell.paragraph_format.space_before = Pt(1)
    cell.paragraph_format.space_after = Pt(1)
    cell.paragraph_format.line_spacing = 1.0
    for level in (1, 2, 3):
        toc = _paragraph_style(document, f"toc {level}")
        toc.paragraph_format.space_before = Pt(0)
        toc.paragraph_format.space_after = Pt(1)
        toc.paragraph_format.line_spacing = 1.0  # 003's Innehåll (~50 entries) fits one page
        toc.paragraph_format.left_indent = Cm(0.5 * (level - 1))
    note = _paragraph_style(document, "Anteckning")
    note.font.size = Pt(8.5)
    note.font.italic = True
    note.paragraph_format.space_after = Pt(10)


def _title_page(document: DocumentObject) -> None:
    body = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    run = body.add_run("Stockholms stad")
    run.bold = True
    run.font.size = Pt(16)
    run.font.color.rgb = _BLUE
    marker = document.add_paragraph().add_run("{{exempeldata}}")
    marker.bold = True
    marker.font.color.rgb = RED
    document.add_paragraph("Lokal lägesbild {{år}}", style="Title")
    document.add_paragraph("Stadsdelsområde {{område}}", style="Subtitle")
    document.add_paragraph(
        "Samverkansöverenskommelse mellan Stockholms stad och Polisregion Stockholm"
    )
    block = document.add_paragraph()
    block.paragraph_format.space_before = Pt(12)
    block.add_run("{{parter}}").bold = True
    block.add_run().add_break()
    block.add_run("{{datum}}").bold = True
    document.add_paragraph("Version {{version}} – utkast")
    quality = document.add_paragraph().add_run("{{kvalitet}}")
    quality.bold = True
    quality.font.color.rgb = RED
    toc_heading = document.add_paragraph("Innehåll", style="TOC Heading")
    toc_heading.paragraph_format.page_break_before = True  # the title page stands alone
    document.add_paragraph("{{innehåll}}")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _header_footer(document: DocumentObject) -> None:
    header = document.sections[0].header
    first = header.paragraphs[0]
    sample = first.add_run("{{exempeldata}}")
    sample.bold = True
    sample.font.color.rgb = RED
    label = header.add_paragraph().add_run("Diarienummer:")
    label.bold = True
    label.font.size = Pt(8)
    header.add_paragraph("{{diarienummer}}")
    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Sid ")
    add_field(footer, "PAGE", "1")
    footer.add_run(" av ")
    add_field(footer, "NUMPAGES", "1")
    for paragraph in (*header.paragraphs, footer):
        paragraph.paragraph_format.space_after = Pt(0)
        for run in paragraph.runs:
            run.font.size = run.font.size or Pt(8)


def build_template(path: Path) -> Path:
    """Generate the default template (A4, Arial, header, footer, title page with markers).

    Args:
        path: the .docx to write; its directory is created.

    Returns:
        ``path``. The same code gives the same bytes.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(3.2), Cm(2.0)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    _styles(document)
    _plain_fonts(document)
    set_document_language(document)
    _title_page(document)
    _header_footer(document)
    stamp = dt.datetime.combine(_TEMPLATE_DATE, dt.time())
    props = document.core_properties
    props.author = props.last_modified_by = "lagesbild"
    props.title = "Lokal lägesbild – mall"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    document.save(str(path))
    normalise_zip(path, _TEMPLATE_DATE)
    return path


# --- filling a template --------------------------------------------------------------------


def _markers(paragraph: Paragraph) -> list[str]:
    return [m.strip() for m in _MARKER.findall(paragraph.text)]


def _replace(paragraph: Paragraph, values: Mapping[str, str]) -> None:
    """Replace markers; within a run keeps its formatting, across runs joins into the first."""

    def sub(text: str) -> str:
        return _MARKER.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), text)

    for run in paragraph.runs:
        if "{{" in run.text:
            run.text = sub(run.text)
    if _MARKER.search(paragraph.text):
        runs = [r for r in paragraph.runs if r.text]
        text = sub("".join(r.text for r in runs))
        runs[0].text = text
        for run in runs[1:]:
            run.text = ""


def _remove(paragraph: Paragraph) -> None:
    element = paragraph._p
    element.getparent().remove(element)


def fill_template(
    document: DocumentObject,
    values: Mapping[str, str],
    *,
    header_block,  # noqa: ANN001 - Callable[[header, Paragraph | None], None]
) -> bool:
    """Fill the template's markers in body and headers; report whether it had a title page.

    Args:
        document: the opened template.
        values: marker → text; an empty value of a removable marker drops its paragraph.
        header_block: called as ``header_block(header, paragraph)`` to put the diarienummer
            table at ``paragraph`` (the ``{{diarienummer}}`` marker, or None to append).

    Returns:
        True when the body had markers (its title page was filled); False when the body
        had none: it is then cleared (section properties kept) for the default title page.
    """
    had_markers = False
    for paragraph in list(document.paragraphs):
        found = _markers(paragraph)
        if not found:
            continue
        had_markers = True
        if "innehåll" in found:
            for run in paragraph.runs:
                run.text = ""
            add_field(paragraph, values["innehåll_instruktion"], values["innehåll"])
        elif any(m in _REMOVABLE and not values.get(m) for m in found):
            _remove(paragraph)
        else:
            _replace(paragraph, values)
    if not had_markers:
        body = document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
    seen: set[int] = set()
    for index, section in enumerate(document.sections):
        header = section.header
        if index == 0 and header.is_linked_to_previous:
            header.is_linked_to_previous = False  # the template has no header: make one
        if header.is_linked_to_previous or id(header._element) in seen:
            continue
        seen.add(id(header._element))
        placed = False
        for paragraph in list(header.paragraphs):
            found = _markers(paragraph)
            if "diarienummer" in found:
                header_block(header, paragraph)
                placed = True
            elif any(m in _REMOVABLE and not values.get(m) for m in found):
                _remove(paragraph)
            elif found:
                _replace(paragraph, values)
        if not placed and not header.tables:
            header_block(header, None)
    return had_markers
