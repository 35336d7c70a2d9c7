"""Tests for ooxml.footnotes: real Word footnotes, read back from the saved .docx."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document

from lagesbild.errors import InputError
from outputs.draft.word.ooxml.footnotes import attach, cite, footnote_texts
from outputs.draft.word.ooxml.template import DEFAULT_TEMPLATE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class _Source:
    key: str
    label: str
    retrieved_at: dt.datetime | None
    year: int | None = None


SOURCES = (
    _Source("bra", "Brottsstatistik BRÅ", dt.datetime(2023, 1, 10, 9, 30)),
    _Source("stockholmsenkaten", "Stockholmsenkäten 2022", dt.datetime(2022, 12, 2), 2022),
    _Source("ia", "IA", None),
    _Source("okänd", "Något annat", dt.datetime(2022, 1, 1)),
)


def test_texts_come_from_the_metadata_file_with_the_retrieval_date() -> None:
    texts = footnote_texts(SOURCES)
    assert set(texts) == {"bra", "stockholmsenkaten", "ia"}  # unknown key: no footnote
    assert texts["bra"].startswith("Brottsförebyggande rådet (BRÅ), Statistik över anmälda")
    assert texts["bra"].endswith("https://bra.se/statistik, hämtad 2023-01-10.")
    assert "Stockholmsenkäten 2022, resultat per stadsdelsområde" in texts["stockholmsenkaten"]
    assert texts["ia"].endswith("hämtningsdatum saknas.")  # no date is not the run date
    assert dt.date.today().isoformat() not in " ".join(texts.values())


def test_a_district_file_changes_the_wording(tmp_path: Path) -> None:
    own = tmp_path / "kallor.yaml"
    own.write_text("sources:\n  bra: {publisher: BRÅ, title: Anmälda brott}\n"
                   "footnote: '{{ publisher }}: {{ title }} ({{ retrieved }})'\n",
                   encoding="utf-8")  # fmt: skip
    assert footnote_texts(SOURCES, own) == {"bra": "BRÅ: Anmälda brott (2023-01-10)"}
    own.write_text("sources:\n  bra: {title: Anmälda brott}\nfootnote: x\n", encoding="utf-8")
    with pytest.raises(InputError, match="sources.bra"):
        footnote_texts(SOURCES, own)


def test_each_source_is_footnoted_once_at_its_first_citation(tmp_path: Path) -> None:
    document = Document(str(DEFAULT_TEMPLATE))
    texts = footnote_texts(SOURCES)
    attach(document, texts)
    first = document.add_paragraph("Antalet anmälda brott ökade.")
    cite(document, first, "bra")
    second = document.add_paragraph("Brotten och enkäten.")
    cite(document, second, "bra", "stockholmsenkaten", "okänd")
    cite(document, None, "ia")  # no paragraph: nothing
    path = tmp_path / "fotnoter.docx"
    document.save(str(path))

    with zipfile.ZipFile(path) as archive:
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
        notes = archive.read("word/footnotes.xml").decode()
        body = archive.read("word/document.xml").decode()
        styles = archive.read("word/styles.xml").decode()
    assert ('PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.footnotes+xml"') in types  # fmt: skip
    assert "relationships/footnotes" in rels
    assert re.search(r'w:type="separator" w:id="-1"', notes)
    assert re.search(r'w:type="continuationSeparator" w:id="0"', notes)
    assert notes.count("<w:footnoteRef/>") == 2
    assert texts["bra"] in notes and texts["stockholmsenkaten"] in notes
    assert texts["ia"] not in notes
    refs = re.findall(r'<w:footnoteReference w:id="(\d+)"/>', body)
    assert refs == ["1", "2"]
    assert body.count('<w:rStyle w:val="FootnoteReference"/>') == 2
    assert 'w:styleId="FootnoteText"' in styles and 'w:styleId="FootnoteReference"' in styles

    reread = Document(str(path))  # a template that already has footnotes gets more
    attach(reread, {"polis": "Polismyndigheten."})
    cite(reread, reread.add_paragraph("Polisens siffror."), "polis")
    again = tmp_path / "igen.docx"
    reread.save(str(again))
    with zipfile.ZipFile(again) as archive:
        notes = archive.read("word/footnotes.xml").decode()
        body = archive.read("word/document.xml").decode()
    assert notes.count("<w:footnoteRef/>") == 3 and "Polismyndigheten." in notes
    assert re.findall(r'<w:footnoteReference w:id="(\d+)"/>', body) == ["1", "2", "3"]


def test_a_document_without_footnotes_ignores_cite() -> None:
    document = Document(str(DEFAULT_TEMPLATE))
    paragraph = document.add_paragraph("Text.")
    cite(document, paragraph, "bra")
    assert "footnoteReference" not in paragraph._p.xml
