"""The calamine xlsx reader gives exactly the tables the openpyxl reader gave, errors included.

Every workbook is read both ways: ``read_table`` (calamine, or openpyxl where calamine's
values could differ) and the openpyxl reader it replaced (``_openpyxl_rows``). The tables
must be equal: frames, dtypes, row numbers, header row, sheet names.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from lagesbild.errors import InputError, SourceSchemaChanged
from sources.readers import _xlsx
from sources.readers._csv import Table, _sheet_table, read_table
from sources.readers.ia import DEFAULT_IA_COLUMNS

ROOT = Path(__file__).parents[2]
SAMPLE = next((ROOT / "lagesbild" / "sample_data" / "inbox" / "ia").glob("*.xlsx"))
EXPECT = list(DEFAULT_IA_COLUMNS.values())
MARKER = "HEMLIG-CELL-4417"


def old_table(path: Path, sheet: str | None, expect=EXPECT) -> Table:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's "date outside the limits" warning
        read = _xlsx._openpyxl_rows(path, label=path.name, sheet=sheet)
    return _sheet_table(read.rows, label=path.name, expect=expect, name=read.name,
                        sheets=read.sheets)  # fmt: skip


def assert_same(path: Path, expect=EXPECT) -> None:
    """Every sheet of ``path``, and the default one, read both ways: equal tables."""
    sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
    for sheet in [None, *sheets]:
        new = read_table(path, label=path.name, expect=expect, sheet=sheet)
        old = old_table(path, sheet, expect)
        assert (new.file, new.sheet, new.sheets, new.header_row) == (
            old.file, old.sheet, old.sheets, old.header_row), sheet  # fmt: skip
        pd.testing.assert_frame_equal(new.frame, old.frame, check_exact=True)
        assert list(new.frame.index) == list(old.frame.index)


def test_the_sample_export_is_read_by_calamine_and_equals_openpyxl(caplog):
    caplog.set_level(logging.DEBUG, logger=_xlsx.__name__)
    assert_same(SAMPLE)
    assert "openpyxl" not in caplog.text  # the fast path, not the fallback
    table = read_table(SAMPLE, label="ia.xlsx", expect=EXPECT)
    assert table.header_row == 1 and table.frame.index[0] == 2
    assert table.frame["Händelsedatum"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()


def _edit_sample(tmp_path: Path, edit) -> Path:
    path = tmp_path / "ia.xlsx"
    shutil.copy(SAMPLE, path)
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(path)
    return path


def _info_sheet_first(book):
    info = book.create_sheet("Info", 0)
    info["A1"], info["A2"] = "Export från IA", "Urval: alla förvaltningar"
    book.active = 0


def _title_rows(book):
    book.active.insert_rows(1, 3)
    book.active["B2"] = "IA-export 2024"  # a title above the header, a blank row between


@pytest.mark.parametrize("edit", [
    _info_sheet_first, _title_rows,
    lambda book: book.active.delete_rows(1),  # the header row lost
    lambda book: book.active.delete_cols(5),  # a column dropped
    lambda book: book.active.insert_cols(1, 2),  # the data starts in column C
    lambda book: setattr(book.active.cell(4, 2), "value", "igår"),
    lambda book: setattr(book.active.cell(5, 2), "value", dt.datetime(2024, 3, 1, 13, 45)),
], ids=["info-sheet-first", "title-rows", "header-lost", "column-dropped", "starts-in-c",
        "text-date", "date-with-time"])  # fmt: skip
def test_edited_sample_exports_read_alike(tmp_path, edit):
    assert_same(_edit_sample(tmp_path, edit))


PLAIN = [  # what calamine reads as openpyxl does: the fast path
    ["A1", dt.datetime(2024, 4, 2), 3, "  pad  ", True, None, dt.time(13, 5)],
    ["A2", dt.date(2024, 4, 3), 3.0, "", False, "x", dt.timedelta(hours=30)],
    ["A3", dt.datetime(2024, 4, 3, 10, 20, 30), 12.5, " ", 0, "=1+1", dt.time(0, 0)],
    [None, None, None, None, None, None, None],
    ["A4", "2024-04-05", 2_900_000, "rad\nbrytning", 1, "Å Ä Ö", dt.timedelta(days=2)],
    ["A5", dt.datetime(1900, 1, 1), 123456, "tab\tin", "ja", MARKER, 0.5],
    ["A6", None, 0.1, "a  b", None, None, None, "extra", "cells"],
]
DOUBTFUL = [  # where calamine and openpyxl can differ: read with openpyxl
    ["B1", dt.datetime(2024, 1, 1, 0, 0, 0, 500000), -3, "#N/A", "_x000D_", 1e20, None],
    ["B2", dt.time(1, 2, 3, 400000), 12345678901234567, "#DIV/0!", 1e15, 123456789, None],
]


@pytest.mark.parametrize("doubtful", [False, True], ids=["plain", "doubtful"])
def test_every_kind_of_cell_openpyxl_writes_reads_alike(tmp_path, caplog, doubtful):
    caplog.set_level(logging.DEBUG, logger=_xlsx.__name__)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Ärenden"
    sheet.append([])
    sheet.append([None, "Id", " Datum ", "Tal", "Text", "Flagga", "", "Tid"])
    for row in PLAIN + (DOUBTFUL if doubtful else []):
        sheet.append([None, *row])
    sheet.append([])
    book.create_sheet("Dolt", 0).sheet_state = "hidden"
    book["Dolt"].append(["Id", "Datum"])
    book["Dolt"].append(["B1", dt.date(2020, 1, 1)])
    book.create_sheet("Tomt")
    path = tmp_path / "kinds.xlsx"
    book.save(path)
    assert_same(path, expect=["Id", "Datum"])
    assert_same(path, expect=[])
    assert ("read with openpyxl" in caplog.text) == doubtful


_PARTS = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName='
    '"/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.styles+xml"/></Types>',
    "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>',
    "xl/styles.xml": '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/>'
    '</fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164" '
    'applyNumberFormat="1"/><xf numFmtId="22" applyNumberFormat="1"/><xf numFmtId="46" '
    'applyNumberFormat="1"/></cellXfs></styleSheet>',
}
_MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_HEAD = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'


def _raw_workbook(path: Path, rows: str, *, strings=("Id", "Datum"), dimension: str = "",
                  date1904: bool = False) -> Path:  # fmt: skip
    """A workbook from raw sheet XML: what other writers than openpyxl put in a file."""
    sst = "".join(s if s.startswith("<si>") else f"<si><t>{s}</t></si>" for s in strings)
    parts = dict(_PARTS)
    epoch = '<workbookPr date1904="1"/>' if date1904 else ""
    parts["xl/workbook.xml"] = (
        f'<workbook {_MAIN} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships">{epoch}<sheets><sheet '
        'name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>')  # fmt: skip
    parts["xl/sharedStrings.xml"] = f"<sst {_MAIN}>{sst}</sst>"
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    parts["xl/worksheets/sheet1.xml"] = (
        f"<worksheet {_MAIN}>{dim}<sheetData>{_HEAD}{rows}</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, xml in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + xml)
    return path


def _row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


@pytest.mark.parametrize(("rows", "options"), [
    (_row(2, '<c r="A2" t="inlineStr"><is><t>x</t></is></c>', '<c r="B2" s="1"><v>45000</v>'
     "</c>") + _row(3, '<c r="A3" t="str"><f>"a"</f><v>a</v></c>', '<c r="B3" s="2"><f>NOW()'
     "</f><v>45000.5</v></c>") + _row(5, '<c r="A5"><v>7</v></c>', '<c r="B5" t="d"><v>'
     "2024-03-01T10:20:30</v></c>"), {}),
    ('<row><c t="s"><v>2</v></c><c s="1"><v>45001</v></c></row><row><c><v>9</v></c></row>',
     {"strings": ("Id", "Datum", "utan r")}),  # no row or cell references
    (_row(2, '<c r="A2"><v>1</v></c>', '<c r="B2" s="3"><v>1.25</v></c>'), {}),  # a duration
    (_row(2, '<c r="A2" t="e"><v>#N/A</v></c>', '<c r="B2" s="1"><v>-5</v></c>'), {}),
    (_row(2, '<c r="A2" t="s"><v>2</v></c>', '<c r="B2"><v>12345678901234567890</v></c>'),
     {"strings": ("Id", "Datum", "a_x000D_b")}),
    (_row(2, '<c r="A2" t="s"><v>2</v></c>', '<c r="B2" s="1"><v>3000000</v></c>'),
     {"strings": ("Id", "Datum", "<si><r><t>rik </t></r><r><t>text</t></r></si>")}),
    (_row(2, '<c r="A2"><v>1</v></c>', '<c r="B2" s="2"><v>45000.123456789</v></c>'), {}),
    (_row(2, '<c r="A2"><v>1</v></c>') + _row(3, '<c r="C3"><v>2</v></c>'),
     {"dimension": "A1:B2"}),  # openpyxl stops at the dimension
    (_row(2, '<c r="A2"><v>1</v></c>', '<c r="B2" s="1"><v>45000</v></c>'),
     {"dimension": "A1:B2", "date1904": True}),
], ids=["formulas-inline-iso", "no-references", "duration", "error-and-negative",
        "escape-and-long-integer", "rich-text-and-year-10000", "sub-second", "small-dimension",
        "date1904"])  # fmt: skip
def test_workbooks_of_other_writers_read_alike(tmp_path, rows, options):
    assert_same(_raw_workbook(tmp_path / "raw.xlsx", rows, **options), expect=["Id", "Datum"])


def _errors(path: Path, sheet: str | None = None) -> tuple[Exception, Exception]:
    with pytest.raises(InputError) as new:
        read_table(path, label="ia/export.xlsx", expect=EXPECT, sheet=sheet)
    with pytest.raises(InputError) as old:
        _xlsx._openpyxl_rows(path, label="ia/export.xlsx", sheet=sheet)
    return new.value, old.value


def _cut(path: Path) -> None:
    path.write_bytes(SAMPLE.read_bytes()[:30000])


def _text(path: Path) -> None:
    path.write_text(f"Ärendenummer;Beskrivning\nIA-1;{MARKER}\n", encoding="utf-8")


def _damaged_sheet(path: Path) -> None:
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            out.writestr(item, data[: len(data) // 2] if "worksheets/" in item.filename else data)


@pytest.mark.parametrize("damage", [_cut, _text, _damaged_sheet], ids=["cut", "text", "sheet"])
def test_a_damaged_or_foreign_file_is_an_input_error_naming_the_file(tmp_path, damage):
    path = tmp_path / "export.xlsx"
    damage(path)
    new, old = _errors(path)
    assert type(new) is InputError and str(new) == str(old)
    assert "ia/export.xlsx" in str(new) and "kan inte läsa arbetsboken" in str(new)
    assert MARKER not in str(new)


def test_an_empty_file_and_a_missing_sheet_are_schema_errors(tmp_path):
    empty = tmp_path / "export.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(SourceSchemaChanged, match="tom"):
        read_table(empty, label="ia/export.xlsx", expect=EXPECT)
    new, old = _errors(SAMPLE, sheet="Ärenden")
    assert isinstance(new, SourceSchemaChanged) and str(new) == str(old)
    assert "'Ärenden' finns inte" in str(new) and "Incidenter" in str(new)
