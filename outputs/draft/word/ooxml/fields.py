"""Low-level WordprocessingML helpers python-docx has no API for.

Word fields (PAGE, NUMPAGES, TOC) are computed by Word, not by python-docx: we write the
field code with a placeholder result and ask Word to update fields when the file opens
(``w:updateFields`` in settings.xml). The remaining helpers make the file reproducible:
a rerun on the same input gives a byte-identical .docx.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table
from docx.text.paragraph import Paragraph

__all__ = [
    "add_field",
    "add_figure",
    "enable_update_fields",
    "normalise_zip",
    "repeat_header_row",
    "set_document_language",
]

logger = logging.getLogger(__name__)

# CT_Settings children that must come after w:updateFields (ECMA-376 schema order).
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)


def _fld_char(kind: str, *, dirty: bool = False) -> OxmlElement:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    if dirty:
        element.set(qn("w:dirty"), "true")
    return element


def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "") -> None:
    """Append a complex field (begin, instrText, separate, result, end) to a paragraph.

    Args:
        paragraph: where the field goes.
        instruction: the field code, e.g. ``"PAGE"`` or ``'TOC \\o "1-3" \\h \\z \\u'``.
        placeholder: the result shown until Word updates the field.
    """
    begin = paragraph.add_run()
    begin._r.append(_fld_char("begin", dirty=True))
    instr_run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run._r.append(instr)
    paragraph.add_run()._r.append(_fld_char("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(_fld_char("end"))


def add_figure(
    document: DocumentObject,
    png: bytes,
    width_cm: float,
    alt_text: str,
    number: int,
    caption: str,
    *,
    caption_style: object | None = None,
) -> None:
    """A centred picture with alt text, then its caption "Figur N. …" (N a SEQ field).

    Args:
        document: where the figure goes.
        png: the image bytes.
        width_cm: the printed width.
        alt_text: the description read by screen readers (``wp:docPr/@descr``).
        number: the figure's number, also the SEQ field's stored result.
        caption: the caption text after "Figur N. ".
        caption_style: the caption paragraph style, or None for italic Normal text.
    """
    document.add_picture(io.BytesIO(png), width=Cm(width_cm))
    picture = document.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    shape = document.inline_shapes[-1]
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", alt_text)
    doc_pr.set("name", f"Figur {number}")
    paragraph = document.add_paragraph(style=caption_style)
    lead = paragraph.add_run("Figur ")
    add_field(paragraph, "SEQ Figur \\* ARABIC", str(number))
    tail = paragraph.add_run(f". {caption}")
    if caption_style is None:
        lead.italic = tail.italic = True


def enable_update_fields(document: DocumentObject) -> None:
    """Set ``<w:updateFields w:val="true"/>`` so Word refreshes fields and the TOC on open.

    Args:
        document: the python-docx document.
    """
    settings = document.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    element = OxmlElement("w:updateFields")
    element.set(qn("w:val"), "true")
    after = {qn(f"w:{name}") for name in _AFTER_UPDATE_FIELDS}
    for child in settings:
        if child.tag in after:
            child.addprevious(element)
            return
    settings.append(element)


def set_document_language(document: DocumentObject, lang: str = "sv-SE") -> None:
    """Make ``lang`` the default language (spelling, hyphenation) of every style.

    Args:
        document: the python-docx document.
        lang: a BCP 47 tag.
    """
    styles = document.styles.element
    r_pr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if r_pr is None:
        logger.debug("styles.xml has no rPrDefault; language not set")
        return
    lang_el = r_pr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        r_pr.append(lang_el)
    lang_el.set(qn("w:val"), lang)


def repeat_header_row(table: Table) -> None:
    """Mark the table's first row as a header row repeated on each page.

    Args:
        table: a table with at least one row.
    """
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def normalise_zip(path: Path, day: dt.date) -> None:
    """Rewrite a .docx so every zip entry carries the same fixed timestamp.

    python-docx stamps zip entries with the current time; fixing it makes reruns on the
    same input byte-identical (same sha256).

    Args:
        path: the .docx to rewrite in place.
        day: the timestamp to use (midnight of that day).
    """
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
