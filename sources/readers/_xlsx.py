"""One xlsx sheet as numbered rows of text cells, read with calamine (Rust), openpyxl as fallback.

calamine reads the sample IA export about ten times faster than openpyxl's read-only mode
(whose per-cell Python parsing was most of the time). The rows must stay exactly what the
openpyxl reader gave, since they feed the same parsing path as CSV and row numbers reach
the data steward in errors. Where calamine's values can differ from openpyxl's, the file is
read with openpyxl instead (``_Unsure``), so the result is always openpyxl's:

* error cells (``#N/A``): calamine gives an empty cell, openpyxl the code;
* ``_xHHHH_`` escapes (Excel's way to store a CR): calamine decodes them, openpyxl not;
* a ``<t>`` with edge whitespace and no ``xml:space`` (a rich-text run): calamine trims it;
* integers of 16+ digits (calamine's are floats) and negative numbers (a date format then
  gives calamine a time of day, openpyxl a date before 1900);
* sub-second dates and times (the two round to the millisecond differently), serials past
  the year 9999 (calamine: a number, openpyxl: ``#VALUE!``), and anything calamine fails on;
* a ``<dimension>`` smaller than the data: openpyxl's read-only mode stops at it.

Errors name the file and at most an exception's type, never a cell.
"""

from __future__ import annotations

import datetime as dt
import logging
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook, SheetTypeEnum

from lagesbild.errors import InputError, SourceSchemaChanged

__all__ = ["SheetRows", "read_sheet"]

log = logging.getLogger(__name__)

#: Markers in the sheet or shared-strings XML where calamine and openpyxl can disagree.
_DOUBT = re.compile(
    rb"""\st=["']e["']"""  # an error cell
    rb"|_x[0-9A-Fa-f]{4}_"  # an escaped character
    rb"|<(?:\w+:)?t>(?:\s|[^<]*\s</)"  # edge whitespace without xml:space="preserve"
    rb"|<(?:\w+:)?v>\s*(?:-|\+?(?:9\d{15}|\d{17}))"  # a negative number, an integer past 2**53
)
_CHUNK = 1 << 22
#: Serials from here on may be dates past 9999-12-31 (2 958 465 in the 1900 system).
_SERIAL_LIMIT = 2_950_000.0
_ID = "}id"  # r:id, in the transitional or the strict namespace


class _Unsure(Exception):
    """calamine's rows might differ from openpyxl's: read the file with openpyxl."""


@dataclass(frozen=True)
class SheetRows:
    """The non-blank rows of one sheet: (sheet row number, text cells), and its workbook."""

    rows: list[tuple[int, list[str]]]
    name: str
    sheets: tuple[str, ...]


def read_sheet(path: Path, *, label: str, sheet: str | None) -> SheetRows:
    """Read ``sheet`` (the first worksheet when None) as text cells, row numbers as in Excel.

    Raises:
        SourceSchemaChanged: the file is empty, or the sheet does not exist.
        InputError: the file is damaged, cut off or not an xlsx file.
    """
    if path.stat().st_size == 0:
        raise SourceSchemaChanged("filen är tom (0 byte)", file=label)
    try:
        return _calamine_rows(path, label=label, sheet=sheet)
    except _Unsure as why:
        log.debug("%s: read with openpyxl (%s)", label, why)
        return _openpyxl_rows(path, label=label, sheet=sheet)


def _unreadable(label: str, exc: BaseException) -> InputError:
    return InputError(
        f"kan inte läsa arbetsboken ({type(exc).__name__}): filen är skadad, avklippt "
        "eller inte en xlsx-fil", file=label,
    )  # fmt: skip


def _missing_sheet(label: str, sheet: str, sheets: Iterable[str]) -> SourceSchemaChanged:
    return SourceSchemaChanged(
        f"bladet {sheet!r} finns inte; bladen i filen: {', '.join(sheets)}", file=label
    )


def _calamine_rows(path: Path, *, label: str, sheet: str | None) -> SheetRows:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:  # not a zip, or cut off: what openpyxl says too
        raise _unreadable(label, exc) from None
    except Exception as exc:
        raise _Unsure(f"zip: {type(exc).__name__}") from None
    try:
        with archive:
            name, sheets, values, end, limit = _calamine_values(archive, path, label, sheet)
    except (_Unsure, InputError):
        raise
    except Exception as exc:  # a damaged part: openpyxl's error is the one users know
        raise _Unsure(f"calamine: {type(exc).__name__}") from None
    if limit is not None and end is not None and (end[0] >= limit[0] or end[1] >= limit[1]):
        raise _Unsure("data past the sheet's <dimension>")
    rows = []
    for number, row in enumerate(values, start=1):
        cells = [v.strip() if type(v) is str else _text(v) for v in row]
        if any(cells):
            rows.append((number, cells))
    return SheetRows(rows=rows, name=name, sheets=sheets)


def _calamine_values(
    archive: zipfile.ZipFile, path: Path, label: str, sheet: str | None
) -> tuple[str, tuple[str, ...], list[list[object]], tuple[int, int] | None,
           tuple[int, int] | None]:  # fmt: skip
    """The sheet's name, all sheet names, its cells from A1, its last cell, its dimension."""
    with CalamineWorkbook.from_path(path) as book:
        sheets = tuple(book.sheet_names)
        kinds = {m.name: m.typ for m in book.sheets_metadata}
        if sheet is not None and sheet not in sheets:
            raise _missing_sheet(label, sheet, sheets)
        if sheet is None:
            sheet = next((s for s in sheets if kinds[s] == SheetTypeEnum.WorkSheet), None)
        if sheet is None or kinds[sheet] != SheetTypeEnum.WorkSheet:
            raise _Unsure("no worksheet")
        limit = _check_xml(archive, sheet)
        ws = book.get_sheet_by_name(sheet)
        # skip_empty_area=False: rows from A1, so row i of the list is sheet row i + 1
        return sheet, sheets, ws.to_python(skip_empty_area=False), ws.end, limit


def _text(value: object) -> str:
    """A calamine cell other than text as ``_cell`` gives openpyxl's, or ``_Unsure``."""
    kind = type(value)
    if kind is float:
        if abs(value) >= _SERIAL_LIMIT:
            raise _Unsure("a large number (a date past 9999?)")
    elif kind is dt.datetime:
        if value.microsecond:
            raise _Unsure("a sub-second date")
    elif kind is dt.time or kind is dt.timedelta:
        if value.microsecond if kind is dt.time else value.microseconds:
            raise _Unsure("a sub-second time")
    elif kind not in (bool, int, dt.date):
        raise _Unsure(f"a {kind.__name__} cell")
    return _cell(value)


def _check_xml(archive: zipfile.ZipFile, sheet: str) -> tuple[int, int] | None:
    """Scan the sheet's and the shared strings' XML for ``_DOUBT``; the sheet's dimension.

    Returns:
        openpyxl's last row and column (1-based) from the sheet's ``<dimension>``, or None.
    """
    member = _sheet_member(archive, sheet)
    strings = [n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")]
    dimension = None
    for name in [member, *strings]:
        with archive.open(name) as stream:
            tail = b""
            while chunk := stream.read(_CHUNK):
                text = tail + chunk
                if name == member and dimension is None and not tail:
                    dimension = _dimension(text)
                if _DOUBT.search(text):
                    raise _Unsure("a cell whose reading may differ")
                tail = text[-64:]
    return dimension


def _sheet_member(archive: zipfile.ZipFile, sheet: str) -> str:
    """The zip member of the named sheet (workbook.xml's sheet → its relationship target)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError) as exc:
        raise _Unsure(f"workbook layout: {type(exc).__name__}") from None
    rid = next((v for e in workbook.iter() if e.tag.endswith("}sheet") and e.get("name") == sheet
                for k, v in e.attrib.items() if k.endswith(_ID)), None)  # fmt: skip
    target = next((e.get("Target") for e in rels if e.get("Id") == rid), None)
    if rid is None or not target:
        raise _Unsure("workbook layout: sheet not found")
    member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join("xl", target))  # fmt: skip
    if member not in archive.namelist():
        raise _Unsure("workbook layout: sheet part missing")
    return member


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=[\"']([^\"']*)[\"']")
_CORNER = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)")


def _dimension(head: bytes) -> tuple[int, int] | None:
    """The last (row, column) of a sheet's ``<dimension ref>``: where openpyxl stops reading."""
    match = _DIMENSION.search(head[:4096])
    if match is None:
        return None
    corner = _CORNER.fullmatch(match.group(1).decode("ascii", "replace").split(":")[-1].upper())
    if corner is None:
        raise _Unsure("a <dimension> other than a cell range")
    column = 0
    for letter in corner.group(1):
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(corner.group(2)), column


def _cell(value: object) -> str:
    """A spreadsheet cell as text, so xlsx and CSV take the same parsing path."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _openpyxl_rows(path: Path, *, label: str, sheet: str | None) -> SheetRows:
    """The reader before calamine: openpyxl's read-only mode (the fallback, and the yardstick)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _unreadable(label, exc) from None
    try:
        sheets = tuple(book.sheetnames)
        if sheet is not None and sheet not in sheets:
            raise _missing_sheet(label, sheet, sheets)
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [
            (number, [_cell(v) for v in values])
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1)
        ]
    except SourceSchemaChanged:
        raise
    except Exception as exc:  # a damaged sheet part, no worksheet at all
        raise _unreadable(label, exc) from None
    finally:
        book.close()
    return SheetRows(rows=[(n, c) for n, c in rows if any(c)], name=ws.title, sheets=sheets)
