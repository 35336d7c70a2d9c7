"""Guards for text inputs: wrong encodings, binary files and lines cut short.

A BRÅ export saved as UTF-8 is fine (``decode_text`` tries UTF-8 first), but a UTF-16 file,
a workbook renamed to ``.csv`` or random bytes would otherwise decode to garbage and fail
later with a confusing "column 'Region' is missing" full of NUL characters. And a file cut
off in the middle of a line (an interrupted copy or download) would silently lose fields.
These checks name the file, the line and, for short lines, the first missing column.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lagesbild.errors import InputError

__all__ = ["check_complete_rows", "check_no_nul", "check_text_bytes", "read_text_file"]

_SAMPLE = 8192
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)  # fmt: skip
_ARCHIVES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # xlsx/zip, old .xls
_SAVE_AS = "spara den som UTF-8 eller ISO-8859-1 (Latin-1) med semikolon som avgränsare"


def check_text_bytes(data: bytes, *, label: str) -> None:
    """Refuse bytes that are not a text file in a single-byte encoding or UTF-8.

    Args:
        data: the file's bytes.
        label: the file name for the error.

    Raises:
        InputError: UTF-16/UTF-32 text, a workbook or zip archive, or binary data.
    """
    if not data:
        return  # the table reader reports an empty file as such
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise InputError(f"filen är kodad som {name}; {_SAVE_AS}", file=label, row=1)
    if data.startswith(_ARCHIVES):
        raise InputError(
            "filen är en arbetsbok eller ett zip-arkiv, inte en textfil; "
            f"exportera den som text (.txt/.csv) eller {_SAVE_AS}", file=label, row=1,
        )  # fmt: skip
    head = data[:_SAMPLE]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if b"\x00" not in head or head.count(0) <= 4:
        # A stray NUL in a text file is a damaged cell: ``find_nul`` names its row and column.
        if head and controls / len(head) <= 0.01:
            return
    elif head[1::2].count(0) > 0.4 * len(head[1::2]) or head[0::2].count(0) > 0.4 * len(head[0::2]):
        raise InputError(f"filen ser ut att vara UTF-16 utan byteordningsmärke; {_SAVE_AS}",
                         file=label, row=1)  # fmt: skip
    raise InputError(
        "filen är binär (innehåller NUL- eller styrtecken), inte en textfil; kontrollera att "
        "rätt fil har lagts i inkorgen", file=label, row=1,
    )  # fmt: skip


def read_text_file(path: Path, *, label: str, fallback: str) -> str:
    """The decoded text of a file after ``check_text_bytes``.

    Args:
        path: the file.
        label: the file name for errors.
        fallback: the encoding used when the bytes are not valid UTF-8.

    Returns:
        The text, BOM removed.
    """
    from sources.readers._csv import decode_text

    data = Path(path).read_bytes()
    check_text_bytes(data, label=label)
    return decode_text(data, fallback=fallback)


def check_complete_rows(
    text: str, last_cells: pd.Series, header: Sequence[str], *, delimiter: str, label: str
) -> None:
    """Every non-blank line has at least as many fields as the header.

    Only lines whose last header cell parsed empty can be short, so only those are re-read
    with the ``csv`` module (quoting respected); a million-line export stays fast.

    Args:
        text: the decoded file.
        last_cells: the parsed cells of the header's last column, stripped, indexed by
            line number (1-based), header line excluded.
        header: the header's labels.
        delimiter: the field separator.
        label: the file name for errors.

    Raises:
        InputError: at the first short line, naming the first missing column.
    """
    suspects = last_cells.index[last_cells.to_numpy() == ""]
    if len(suspects) == 0:
        return
    lines = _lines(text, suspects)
    for number in suspects:
        line = lines.get(int(number), "").rstrip("\r")
        if not line.strip():
            continue
        fields = next(csv.reader([line], delimiter=delimiter))
        if len(fields) < len(header):
            raise InputError(
                f"raden har {len(fields)} fält men rubriken har {len(header)}: raden är "
                "avklippt (avbruten överföring?) eller saknar fält",
                file=label, row=int(number), column=header[len(fields)],
            )  # fmt: skip


def check_no_nul(text: str, header: Sequence[str], *, delimiter: str, label: str) -> None:
    """A NUL character in a cell is damage, not data: name its row and column.

    Without this a NUL inside a region name reads as an unknown region, and the row is
    silently left out of the area's figures.

    Raises:
        InputError: at the first NUL, with its line (1-based) and the header's column.
    """
    pos = text.find("\x00")
    if pos < 0:
        return
    start = text.rfind("\n", 0, pos) + 1
    index = text[start:pos].count(delimiter)
    raise InputError(
        "cellen innehåller ett NUL-tecken (\\x00): filen är skadad; rätta cellen eller "
        "exportera filen på nytt",
        file=label, row=text.count("\n", 0, pos) + 1,
        column=header[index] if index < len(header) else None,
    )  # fmt: skip


def _lines(text: str, numbers: Sequence[int]) -> dict[int, str]:
    """The text of the given 1-based lines (split at ``\\n``); absent numbers left out.

    The usual suspect is a blank line at the end of the file: then only the tail is split,
    not the whole (million-line) text.
    """
    total = text.count("\n") + 1
    wanted = [int(n) for n in numbers if 1 <= n <= total]
    if not wanted:
        return {}
    tail = total - min(wanted) + 1  # lines from the first wanted one to the end
    if tail < 1000:
        lines, first = text.rsplit("\n", tail)[-tail:], min(wanted)
    else:
        lines, first = text.split("\n"), 1
    return {n: lines[n - first] for n in wanted}
