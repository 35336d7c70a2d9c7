"""Tests for outputs.pdf.render: a PDF whose TOC and page fields LibreOffice has computed."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from outputs.draft.word.writer import TOC_PLACEHOLDER, write_draft
from outputs.pdf.render import render_pdf
from tests.outputs.test_draft import _context

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler (pdftotext) not installed",
)


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or poppler (pdftotext) not installed")
    folder = tmp_path_factory.mktemp("pdf")
    draft = write_draft(_context(), folder / "utkast.docx")
    pdf = render_pdf(draft, folder / "out")
    assert pdf == folder / "out" / "utkast.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    return pdf, text


@needs_soffice
def test_page_fields_are_computed(pdf_text: tuple[Path, str]) -> None:
    pdf, text = pdf_text
    pages = len(text.split("\f")) - (1 if text.endswith("\f") else 0)
    assert pages >= 3
    assert f"Sid 1 av {pages}" in text
    assert f"Sid {pages} av {pages}" in text
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["utkast.pdf"]


@needs_soffice
def test_table_of_contents_has_page_numbers(pdf_text: tuple[Path, str]) -> None:
    _, text = pdf_text
    assert TOC_PLACEHOLDER not in text
    for heading in ("Sammanfattning lokal lägesbild", "Beskrivning av brottsligheten"):
        assert re.search(rf"{heading}\s*\.{{3,}}\s*\d+", text), heading
    assert re.search(r"Figur\s+1\. Anmälda brott i Södermalm", text)


@needs_soffice
def test_footnote_stands_at_the_bottom_of_the_citing_page(pdf_text: tuple[Path, str]) -> None:
    _, text = pdf_text
    page = next(p for p in text.split("\f") if "statistiskt signifikant (p = 0,036)." in
                p.replace("\u00a0", " "))  # fmt: skip
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    note = next(i for i, line in enumerate(lines) if "Brottsförebyggande rådet (BRÅ)" in line)
    cited = next(i for i, line in enumerate(lines) if "(p = 0,036)." in line.replace("\u00a0", " "))
    assert cited < note and lines[-1].startswith("Sid ")  # under the text, above the footer
    assert "hämtad 2024-11-20" in " ".join(lines[note:])


def test_without_libreoffice_returns_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("outputs.pdf.render.shutil.which", lambda _name: None)
    with caplog.at_level(logging.WARNING, logger="outputs.pdf.render"):
        assert render_pdf(tmp_path / "x.docx", tmp_path / "out") is None
    assert "LibreOffice" in caplog.text
    assert not (tmp_path / "out").exists()


@needs_soffice
def test_failed_conversion_returns_none(tmp_path: Path) -> None:
    broken = tmp_path / "trasig.docx"
    broken.write_bytes(b"not a zip")
    assert render_pdf(broken, tmp_path / "out", timeout=120) is None
    assert not (tmp_path / "out" / "trasig.pdf").exists()
