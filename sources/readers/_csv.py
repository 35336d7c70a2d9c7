"""Shared helpers of the source adapters: reading tables into text cells.

Every adapter reads its file into a ``Table`` of text cells whose index is the row number a
data steward sees (CSV: 1-based record, header = 1; xlsx: the sheet row), so that any error
can name file, row and column without a per-row Python loop.

The canonical frames (``CANONICAL_COLUMNS``, ``as_canonical``, ``combine_observations``, …)
are in ``sources.readers._canonical``, the number parsers (``parse_number``, ``parse_codes``,
…) in ``sources.readers._numbers``; both are re-exported here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lagesbild.errors import InputError, SourceSchemaChanged
from sources.readers._canonical import (
    CANONICAL_COLUMNS,
    INCIDENT_COLUMNS,
    as_canonical,
    as_incidents,
    combine_observations,
    empty_canonical,
    empty_incidents,
)
from sources.readers._numbers import (
    SPACES,
    combine_codes,
    first_positions,
    first_row,
    parse_codes,
    parse_number,
    parse_year,
    repeated,
)
from sources.readers._text import check_complete_rows, check_no_nul, read_text_file
from sources.readers._xlsx import read_sheet

__all__ = [
    "CANONICAL_COLUMNS",
    "INCIDENT_COLUMNS",
    "Table",
    "as_canonical",
    "as_incidents",
    "combine_codes",
    "combine_observations",
    "decode_text",
    "empty_canonical",
    "empty_incidents",
    "first_positions",
    "first_row",
    "normalise_label",
    "parse_codes",
    "parse_number",
    "parse_year",
    "read_csv_text",
    "read_table",
    "repeated",
    "resolve_columns",
]

_DASHES = str.maketrans({"-": "–", "—": "–", "‒": "–", "−": "–"})
_SNIFF_DELIMITERS = (";", ",", "\t")


def normalise_label(text: str) -> str:
    """A header label for comparison: trimmed, single spaces, casefolded, en dashes."""
    return SPACES.sub(" ", str(text).replace("\ufeff", "")).strip().casefold().translate(_DASHES)


def decode_text(data: bytes, *, fallback: str = "cp1252") -> str:
    """Decode a text file: UTF-8 (BOM stripped) when valid, else ``fallback``.

    Latin-1 or cp1252 Swedish text is practically never valid UTF-8, so trying UTF-8 first
    also reads a file that someone re-saved in another encoding.
    """
    bom = data.startswith(b"\xef\xbb\xbf")  # dropped before decoding: no second copy
    try:
        return (data[3:] if bom else data).decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return text.removeprefix("\ufeff")


@dataclass(frozen=True)
class Table:
    """Text cells of one sheet or CSV file; the index is the row number users see."""

    frame: pd.DataFrame
    file: str
    sheet: str | None = None
    sheets: tuple[str, ...] = field(default_factory=tuple)
    header_row: int = 1

    def where(self) -> str:
        """Which sheet was read and which exist (for schema errors in workbooks)."""
        if self.sheet is None:
            return ""
        return f" (läste bladet {self.sheet!r}; bladen i filen: {', '.join(self.sheets)})"


def read_table(
    path: Path,
    *,
    label: str,
    expect: Iterable[str] = (),
    sheet: str | None = None,
    fallback_encoding: str = "cp1252",
    private: bool = False,
) -> Table:
    """Read a CSV/txt (delimiter sniffed) or an xlsx sheet into a ``Table`` of text cells.

    Args:
        path: the file.
        label: the file name to use in errors.
        expect: header labels that identify the header row of a sheet with a title above it.
        sheet: the xlsx sheet to read; the first when None.
        fallback_encoding: text encoding when the file is not UTF-8.
        private: the cells may hold personal data (IA): the header must hold every
            ``expect`` label before any row is read, and no error quotes a cell (a lost
            header row would otherwise be quoted as "the columns found").

    Returns:
        The table: blank rows dropped, cells stripped, empty cells as ``""``.
    """
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, label=label, expect=expect, sheet=sheet)
    text = read_text_file(path, label=label, fallback=fallback_encoding)
    if private:
        return read_csv_text(text, label=label, required=expect, private=True)
    return read_csv_text(text, label=label)


def read_csv_text(
    text: str,
    *,
    label: str,
    delimiter: str | None = None,
    required: Iterable[str] = (),
    private: bool = False,
) -> Table:
    """Parse delimited text whose data rows may carry one trailing empty field.

    Args:
        text: the decoded file.
        label: the file name to use in errors.
        delimiter: the field separator; sniffed from the header line when None.
        required: header labels that must be present; checked before the rows, so a
            missing column is named rather than reported as rows with too many fields.
        private: never quote the header line when a required label is missing (it may
            be a data row: the header row was lost).

    Returns:
        The table with the header's labels as columns.
    """
    end = text.find("\n")
    first = (text if end < 0 else text[:end]).rstrip("\r")  # no copy of the rest
    if not first.strip():
        raise SourceSchemaChanged("filen är tom eller saknar rubrikrad", file=label, row=1)
    if delimiter is None:
        delimiter = max(_SNIFF_DELIMITERS, key=first.count)
    fields = next(csv.reader([first], delimiter=delimiter))
    header = [h.strip().replace("\ufeff", "") for h in fields]
    while header and not header[-1]:
        header.pop()
    present = {normalise_label(h) for h in header}
    required = list(required)
    missing = [r for r in required if normalise_label(r) not in present]
    if missing:
        found = (_known_labels(required, present, len(header)) if private
                 else f"rubriken har: {', '.join(header)}")  # fmt: skip
        raise SourceSchemaChanged(
            f"kolumnen {missing[0]!r} saknas i rubriken; {found}",
            file=label,
            row=1,
            column=missing[0],
        )
    check_no_nul(text, header, delimiter=delimiter, label=label)
    width = len(header) + 1
    try:
        # UTF-8 bytes, not a StringIO: the C parser reads bytes as they are, whereas a
        # StringIO of a 170 MB export is copied to UCS-4 and re-encoded chunk by chunk.
        raw = pd.read_csv(
            io.BytesIO(text.encode("utf-8")),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            encoding="utf-8",
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        row = int(match.group(1)) if match else None
        raise InputError("raden har fler fält än rubriken", file=label, row=row) from None
    raw.index = raw.index + 1
    raw = raw.iloc[1:]
    extra = raw[width - 1].to_numpy() != ""  # stripped only where not empty (the usual)
    if extra.any():
        extra[extra] = [not isinstance(c, str) or c.strip() != "" for c in
                        raw[width - 1].to_numpy()[extra]]  # fmt: skip
    if extra.any():
        raise InputError(
            "raden har fler fält än rubriken", file=label, row=int(raw.index[extra.argmax()])
        )
    if raw.empty:  # no rows: the frame as ``DataFrame.apply`` returns it
        raw = raw.drop(columns=[width - 1]).apply(_strip)
    else:  # column by column; the frame is rebuilt only when some cell had spaces
        columns = [raw[i] for i in range(width - 1)]
        stripped = [_strip(c) for c in columns]
        raw = raw.drop(columns=[width - 1])
        if any(s is not c for s, c in zip(stripped, columns, strict=True)):
            raw = pd.DataFrame(dict(enumerate(stripped)), index=raw.index)
    check_complete_rows(text, raw[len(header) - 1], header, delimiter=delimiter, label=label)
    raw.columns = _unique(header)
    blank = raw.iloc[:, 0].to_numpy() == ""  # cheap pre-filter: few rows can be blank
    if not blank.any():
        return Table(frame=raw, file=label)
    rows = np.flatnonzero(blank)
    blank[rows] = np.all([raw.iloc[:, j].to_numpy()[rows] == "" for j in range(raw.shape[1])],
                         axis=0)  # fmt: skip
    kept = len(blank) - int(np.argmin(blank[::-1])) if not blank.all() else 0
    if not blank[:kept].any():  # blank lines only at the end (the usual): no copy
        return Table(frame=raw.iloc[:kept], file=label)
    return Table(frame=raw[~blank], file=label)


def _known_labels(expected: Iterable[str], present: set[str], width: int) -> str:
    """What a header holds, told without quoting it: which expected labels it has."""
    known = [e for e in expected if normalise_label(e) in present]
    if not known:
        return (f"rubrikraden har {width} kolumner men inget av de väntade namnen; har "
                "rubrikraden tagits bort eller flyttats? (radens innehåll visas inte: det "
                "kan vara personuppgifter)")  # fmt: skip
    return f"rubrikraden har {width} kolumner; av de väntade finns {', '.join(known)}"


def _strip(values: pd.Series) -> pd.Series:
    """Strip cells; the column itself when none changes (the usual case).

    ``str.strip`` over a plain list is cheaper than factorising first: a column of a million
    distinct case numbers strips in 0.05 s, where factorising alone took 0.25 s.
    """
    cells = values.tolist()
    try:
        stripped = list(map(str.strip, cells))
    except TypeError:  # a missing cell (NaN) of a short line
        stripped = [c.strip() if isinstance(c, str) else c for c in cells]
    if stripped == cells:
        return values
    return pd.Series(stripped, index=values.index, dtype="str")


def _unique(header: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in header:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}.{count}")
    return out


def _read_xlsx(path: Path, *, label: str, expect: Iterable[str], sheet: str | None) -> Table:
    read = read_sheet(path, label=label, sheet=sheet)
    return _sheet_table(read.rows, label=label, expect=expect, name=read.name, sheets=read.sheets)


def _sheet_table(
    rows: list[tuple[int, list[str]]],
    *,
    label: str,
    expect: Iterable[str],
    name: str,
    sheets: tuple[str, ...],
) -> Table:
    """The table under the header row: the first of 20 holding every ``expect`` label."""
    if not rows:
        return Table(frame=pd.DataFrame(), file=label, sheet=name, sheets=sheets)
    wanted = {normalise_label(e) for e in expect}
    header_at = 0
    for i, (_, cells) in enumerate(rows[:20]):
        if wanted and wanted <= {normalise_label(c) for c in cells}:
            header_at = i
            break
    header = list(rows[header_at][1])
    while header and not header[-1]:
        header.pop()
    body = rows[header_at + 1 :]
    data = [(cells + [""] * len(header))[: len(header)] for _, cells in body]
    frame = pd.DataFrame(data, columns=_unique(header), index=[n for n, _ in body], dtype="str")
    return Table(frame=frame, file=label, sheet=name, sheets=sheets,
                 header_row=rows[header_at][0])  # fmt: skip


def resolve_columns(
    table: Table,
    wanted: Mapping[str, str],
    *,
    optional: Iterable[str] = (),
    private: bool = False,
) -> dict[str, str]:
    """Find each wanted column in the table's header, tolerant of case, spaces and dashes.

    Args:
        table: the table read.
        wanted: canonical key → documented column label.
        optional: canonical keys that may be absent.
        private: the header may be a data row holding personal data (IA): name the
            header row and the expected labels found, never the other cells.

    Returns:
        canonical key → the column label as written in the file (absent optional keys left out).

    Raises:
        SourceSchemaChanged: naming the file, the first missing column and the columns found.
    """
    by_norm = {}
    for column in table.frame.columns:
        by_norm.setdefault(normalise_label(column), column)
    found: dict[str, str] = {}
    optional = set(optional)
    for key, label in wanted.items():
        column = by_norm.get(normalise_label(label))
        if column is not None:
            found[key] = column
        elif key not in optional:
            if private:
                found = _known_labels(wanted.values(), set(by_norm), len(table.frame.columns))
                raise SourceSchemaChanged(
                    f"kolumnen {label!r} saknas{table.where()}; {found}",
                    file=table.file,
                    row=table.header_row,
                    column=label,
                )
            columns = ", ".join(repr(c) for c in table.frame.columns) or "inga"
            raise SourceSchemaChanged(
                f"kolumnen {label!r} saknas{table.where()}; kolumner i filen: {columns}",
                file=table.file,
                row=table.header_row,
                column=label,
            )
    return found
