"""``indicators.csv``: the machine-readable figures behind every number in the draft.

UTF-8, comma-separated, ``.`` as decimal point; booleans as ``true``/``false`` and empty
cells where a value does not apply (see docs/indicators.md for every column).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from outputs.publish.versions import write_csv_atomic

__all__ = ["BOOLEAN_COLUMNS", "format_indicators", "write_indicators"]

BOOLEAN_COLUMNS = ("significant", "uncertain", "comparable_series", "preliminary", "suppressed")
_INTEGER_COLUMNS = ("year", "prev_year")


def _bool(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return "true" if bool(value) else "false"


def _int(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(int(value))


def format_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """The frame as it is written: booleans as text, years as integers, floats unrounded."""
    out = indicators.copy()
    for column in BOOLEAN_COLUMNS:
        if column in out.columns:
            out[column] = out[column].map(_bool).astype("str")
    for column in _INTEGER_COLUMNS:
        out[column] = out[column].map(_int).astype("str")
    return out


def write_indicators(indicators: pd.DataFrame, path: Path) -> Path:
    """Write ``indicators.csv`` atomically and return its path."""
    return write_csv_atomic(format_indicators(indicators), path)
