"""Tests for draft.word.template: the generated template and drafts written from templates."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.shared import Pt

from outputs.draft.word.ooxml.template import DEFAULT_TEMPLATE, FONT, build_template
from outputs.draft.word.writer import SAMPLE_MARK, write_draft
from tests.outputs.test_draft import _context


def _all_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")
        )


def test_build_is_reproducible_and_committed_file_is_current(tmp_path: Path) -> None:
    first = build_template(tmp_path / "a" / "t.docx")
    second = build_template(tmp_path / "t.docx")
    assert first.read_bytes() == second.read_bytes()
    assert DEFAULT_TEMPLATE.read_bytes() == first.read_bytes(), (
        "outputs/templates/lagesbild.docx is stale: run build_template(DEFAULT_TEMPLATE)"
    )


def test_template_carries_styles_markers_header_and_footer() -> None:
    document = docx.Document(str(DEFAULT_TEMPLATE))
    names = {s.name for s in document.styles}
    assert {"Tabelltext", "Anteckning", "Caption", "Title", "Heading 1"} <= names
    assert document.styles["Normal"].font.name == FONT
    body = "\n".join(p.text for p in document.paragraphs)
    for marker in ("{{exempeldata}}", "{{år}}", "{{parter}}", "{{datum}}", "{{innehåll}}"):
        assert marker in body
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert "{{diarienummer}}" in header and "Diarienummer:" in header
    footer = document.sections[0].footer._element.xml
    assert "> PAGE <" in footer and "> NUMPAGES <" in footer


def test_draft_fills_every_marker(tmp_path: Path) -> None:
    path = write_draft(_context(), tmp_path / "d.docx")
    assert "{{" not in _all_xml(path)
    header = docx.Document(str(path)).sections[0].header
    assert len(header.tables) == 1


def test_district_template_without_markers_still_works(tmp_path: Path) -> None:
    plain = docx.Document()
    plain.styles["Normal"].font.size = Pt(13)
    plain.add_paragraph("Distriktets gamla framsida")
    template = tmp_path / "distrikt.docx"
    plain.save(str(template))
    path = write_draft(_context(), tmp_path / "d.docx", template=template)
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert "Distriktets gamla framsida" not in texts
    assert "Lokal lägesbild 2024" in texts
    assert document.styles["Normal"].font.size == Pt(13)  # the district's look is kept
    header = document.sections[0].header
    assert SAMPLE_MARK in [p.text for p in header.paragraphs]
    assert [c.text for c in header.tables[0].rows[0].cells] == [
        "Lokalpolisområde Södermalm:",
        "A690.924/2021",
    ]
    footer = document.sections[0].footer
    assert " PAGE " in footer._element.xml and " NUMPAGES " in footer._element.xml
    assert footer.paragraphs[0].text.startswith("Sid ")


def test_district_template_without_table_styles(tmp_path: Path) -> None:
    """A template whose styles.xml lacks the default table style falls back, not fails."""
    plain = docx.Document()
    styles = plain.styles.element
    for style in list(styles):
        if style.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}styleId") in (
            "LightGrid-Accent1",
            "TableGrid",
        ):
            styles.remove(style)
    template = tmp_path / "utan.docx"
    plain.save(str(template))
    path = write_draft(_context(), tmp_path / "d.docx", template=template)
    assert docx.Document(str(path)).tables
