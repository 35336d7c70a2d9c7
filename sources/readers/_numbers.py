"""Parsing number, year and code columns of the source tables, once per distinct cell.

Source columns repeat a few texts over many rows (a count, a region, a period), so every
parser here works on the distinct texts and spreads the result back by integer code: the
per-value Python work is bounded by the number of distinct cells, not by the rows.
Re-exported by ``sources.readers._csv``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from lagesbild.errors import InputError

__all__ = [
    "SPACES", "combine_codes", "first_positions", "first_row", "parse_codes", "parse_number",
    "parse_year", "repeated",
]

SPACES = re.compile(r"[\s\u00a0\u202f]+")
_INT = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_KEY_LIMIT = 2**62


def first_row(mask: pd.Series) -> int:
    """The row number (index label) of the first True in ``mask``."""
    return int(mask.index[np.argmax(mask.to_numpy())])


def combine_codes(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    """One int64 key per row that is equal exactly where all the codes are equal.

    Args:
        codes: ``pd.factorize`` codes of several columns (``-1`` for missing allowed).
        sizes: the number of distinct values of each column.

    Returns:
        Mixed-radix keys; re-factorised whenever the radix would overflow int64.
    """
    key = np.zeros(len(codes[0]) if len(codes) else 0, dtype="int64")
    span = 1
    for column, size in zip(codes, sizes, strict=True):
        if span * (size + 1) >= _KEY_LIMIT:
            key, uniques = pd.factorize(key)
            key, span = key.astype("int64"), len(uniques)
        key = key * (size + 1) + (column.astype("int64") + 1)
        span *= size + 1
    return key


def repeated(key: np.ndarray) -> np.ndarray:
    """True for each repeat of an earlier key (as ``DataFrame.duplicated``)."""
    return pd.Series(key, copy=False).duplicated().to_numpy()


def first_positions(codes: np.ndarray, count: int) -> np.ndarray:
    """The first position of each code ``0 .. count-1`` (codes from ``pd.factorize``)."""
    first = np.full(count, len(codes), dtype="int64")
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first


def parse_codes(
    codes: np.ndarray,
    uniques: Sequence[object],
    *,
    index: pd.Index,
    file: str,
    column: str,
    integer: bool,
    missing: Iterable[str] = ("..",),
) -> np.ndarray:
    """``parse_number`` of factorised cells: each distinct text parsed once.

    Args:
        codes: per row, the position of its text in ``uniques`` (no ``-1``).
        uniques: the distinct cell texts.
        index: the row numbers of ``codes``, for the error.
        file: the file name for errors.
        column: the column label for errors.
        integer: accept only whole numbers rather than decimals.
        missing: cell texts that mean "not available".

    Returns:
        float64 per row, NaN where missing.

    Raises:
        InputError: at the first row whose cell is neither a number nor a missing marker.
    """
    missing = set(missing)
    pattern = _INT if integer else _DECIMAL
    cleaned: list[object] = []  # the text to convert, NaN where missing or bad
    bad = np.zeros(len(uniques), dtype=bool)
    for i, cell in enumerate(uniques):
        if not isinstance(cell, str):
            bad[i] = True
            cleaned.append(np.nan)
            continue
        text = SPACES.sub("", cell)
        if text in missing:
            cleaned.append(np.nan)
        elif pattern.match(text):
            cleaned.append(text.replace(",", "."))
        else:
            bad[i] = True
            cleaned.append(np.nan)
    if bad.any():
        at = int(np.argmax(bad[codes]))
        kind = "ett heltal" if integer else "ett tal"
        raise InputError(f"{uniques[codes[at]]!r} är inte {kind} eller '..'",
                         file=file, row=int(index[at]), column=column)  # fmt: skip
    # The object array a text column hands ``to_numeric`` (NaN where missing): the same
    # conversion, without building a column first.
    numbers = pd.to_numeric(np.array(cleaned, dtype=object), errors="raise")
    return np.asarray(numbers, dtype="float64")[codes]


def parse_number(
    values: pd.Series,
    *,
    file: str,
    column: str,
    integer: bool,
    missing: Iterable[str] = ("..",),
) -> pd.Series:
    """Parse text cells to floats, vectorised; missing markers become NaN.

    Args:
        values: text cells indexed by row number.
        file: the file name for errors.
        column: the column label for errors.
        integer: accept only whole numbers (counts) rather than decimals (shares).
        missing: cell texts that mean "not available" (``..``, optionally ``""``).

    Returns:
        Floats, NaN where missing. Thousands separated by spaces are accepted; a decimal
        comma or point when not ``integer``.

    Raises:
        InputError: at the first cell that is neither a number nor a missing marker.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    numbers = parse_codes(codes, uniques, index=values.index, file=file, column=column,
                          integer=integer, missing=missing)  # fmt: skip
    return pd.Series(numbers, index=values.index, dtype="float64")


def parse_year(values: pd.Series, *, file: str, column: str) -> pd.Series:
    """Four-digit years as int64; anything else is an ``InputError`` naming the row."""
    text = values.str.strip()
    bad = ~text.str.fullmatch(r"\d{4}")
    if bad.any():
        row = first_row(bad)
        raise InputError(
            f"{values.loc[row]!r} är inte ett årtal", file=file, row=row, column=column
        )
    return text.astype("int64")
