"""The canonical long shape and the IA incident records: columns, dtypes, merging repeats.

Every adapter ends with ``as_canonical`` (or ``as_incidents``), so all sources leave
``sources`` with the same columns in the same order and with the same dtypes (see
``docs/architecture.md``). ``combine_observations`` merges an observation reported by
several files. Re-exported by ``sources.readers._csv``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from lagesbild.errors import InputError

__all__ = [
    "CANONICAL_COLUMNS", "INCIDENT_COLUMNS", "as_canonical", "as_incidents",
    "combine_observations", "drop_repeats", "empty_canonical", "empty_incidents",
    "observation_frame",
]

log = logging.getLogger(__name__)

CANONICAL_COLUMNS: tuple[str, ...] = (
    "source", "area", "region", "period_start", "period_end", "period_kind", "category",
    "value", "unit", "preliminary", "group", "n", "published_rate", "producer_significant",
    "file", "row",
)
INCIDENT_COLUMNS: tuple[str, ...] = (
    "incident_id", "occurred_on", "reported_on", "event_type", "category", "organisation",
    "unit", "area", "file", "row",
)
_DTYPES: dict[str, str] = {
    "period_start": "datetime64[ns]", "period_end": "datetime64[ns]", "value": "float64",
    "preliminary": "bool", "n": "float64", "published_rate": "float64",
    "producer_significant": "boolean", "row": "int64", "occurred_on": "datetime64[ns]",
    "reported_on": "datetime64[ns]",
}

_PANDAS_DTYPES = {c: pd.api.types.pandas_dtype(d) for c, d in _DTYPES.items()}
_STR = pd.api.types.pandas_dtype("str")


def _typed(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The columns in order, each cast to its dtype, on a fresh 0..n-1 index."""
    if not all(c in frame for c in columns):  # absent columns: all missing, aligned
        out = pd.DataFrame({c: frame[c] if c in frame else pd.Series(dtype="object")
                            for c in columns})  # fmt: skip
        out = out.reset_index(drop=True)
        for column in columns:
            out[column] = out[column].astype(_DTYPES.get(column, "str"))
        return out
    # One frame built from the arrays (copied), cast where their dtype differs: assigning
    # and casting column by column cost more than the data for the small frames most files give.
    data = {}
    for column in columns:
        values, dtype = frame[column], _PANDAS_DTYPES.get(column, _STR)
        data[column] = (values if values.dtype == dtype else values.astype(dtype)).array
    return pd.DataFrame(data, index=pd.RangeIndex(len(frame)))


def observation_frame(index: pd.Index, *, source: str, file: str,
                      **columns: object) -> pd.DataFrame:  # fmt: skip
    """An adapter's rows in the canonical columns: counts, not survey shares, by default.

    ``unit`` is ``antal``, ``preliminary`` False, ``group`` empty and ``n``,
    ``published_rate``, ``producer_significant`` missing unless given; ``row`` is the index
    (the row number a data steward sees).
    """
    defaults = {"unit": "antal", "preliminary": False, "group": "", "n": np.nan,
                "published_rate": np.nan, "producer_significant": pd.NA}  # fmt: skip
    return pd.DataFrame({"source": source, **defaults, **columns, "file": file, "row": index},
                        index=index)  # fmt: skip


def drop_repeats(frame: pd.DataFrame, key: Sequence[str], *, label: str, column: str,
                 describe: Callable[[pd.Series], str]) -> pd.DataFrame:  # fmt: skip
    """Drop identical repeats of a row; the same key with two values is an ``InputError``.

    Args:
        frame: rows indexed by row number, with the ``key`` columns and ``value``.
        key: the columns that identify one observation.
        label: the file name for the error.
        column: the value's column label in the file.
        describe: the observation as the error names it, e.g. ``"samma uppgift (…)"``.
    """
    key = list(key)
    compared = frame[key + ["value"]].fillna({"value": -1.0})
    keep = ~compared.duplicated()
    frame, compared = frame[keep], compared[keep]
    clash = compared.duplicated(subset=key, keep="first")
    if clash.any():
        second = int(clash.index[np.argmax(clash.to_numpy())])
        same = (compared[key] == compared.loc[second, key]).all(axis=1)
        first = int(compared.index[same.to_numpy()][0])
        raise InputError(
            f"{describe(frame.loc[second])} har olika värden på rad {first} och rad {second}",
            file=label, row=second, column=column,
        )
    return frame


def empty_canonical() -> pd.DataFrame:
    """An empty frame with the canonical long shape's columns and dtypes."""
    return _typed(pd.DataFrame(), CANONICAL_COLUMNS)


def empty_incidents() -> pd.DataFrame:
    """An empty frame with the IA incident records' columns and dtypes."""
    return _typed(pd.DataFrame(), INCIDENT_COLUMNS)


def as_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical columns in order with their dtypes (a new frame)."""
    return _typed(frame, CANONICAL_COLUMNS)


def as_incidents(frame: pd.DataFrame) -> pd.DataFrame:
    """The incident record columns in order with their dtypes (a new frame)."""
    return _typed(frame, INCIDENT_COLUMNS)

_OBSERVATION_KEY = [
    "source", "_key", "category", "group", "period_kind", "period_start", "period_end", "unit",
]
_VALUE_LABEL = {"bra": "Antal", "stockholmsenkaten": "Andel (%)",
                "trygghetsmatningen": "Andel (%)", "polis": "Antal", "omradesfakta": "Värde"}


def combine_observations(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per observation when several files (or region names) report it.

    An observation is identified by source, area (or the region when unmapped), category,
    group, period and unit, so an area's two BRÅ names are one observation. A repeat with the
    same value is dropped; a missing value (``..``) gives way to a reported one, and a
    preliminary figure to a final one.

    Args:
        frame: canonical rows, possibly from several files.

    Returns:
        Canonical rows in their original order, one per observation.

    Raises:
        InputError: the same observation with two different values, naming both files/rows.
    """
    if frame.empty:
        return as_canonical(frame)
    work = frame.reset_index(drop=True)
    work = work.assign(
        _key=work["area"].fillna("region:" + work["region"]),
        _nan=work["value"].isna(),
        _order=np.arange(len(work)),
    )
    work = work.sort_values(["_nan", "preliminary", "_order"], kind="stable")
    have_mask = ~work["_nan"].to_numpy()
    have = work[have_mask]
    # Each column is factorized once (as ``duplicated`` would per call), then the three
    # duplicate checks below run over integer codes: the same rows, without hashing the
    # string columns three times.
    codes = _codes(work, _OBSERVATION_KEY + ["preliminary"])
    codes_have = codes[have_mask].assign(
        value=pd.factorize(have["value"])[0], n=pd.factorize(have["n"].fillna(-1.0))[0]
    )
    distinct_mask = ~codes_have.duplicated().to_numpy()
    clash = codes_have[distinct_mask].duplicated(
        subset=_OBSERVATION_KEY + ["preliminary"], keep=False
    )
    if clash.any():
        compared = have[_OBSERVATION_KEY + ["preliminary", "value", "n"]].fillna({"n": -1.0})
        first = compared[distinct_mask][clash.to_numpy()].iloc[0]
        same = (compared[_OBSERVATION_KEY + ["preliminary"]]
                == first[_OBSERVATION_KEY + ["preliminary"]]).all(axis=1)
        group = have[same.to_numpy()]
        a = group.iloc[0]
        b = group[(group["value"] != a["value"]) | (group["n"].fillna(-1) != _nz(a["n"]))].iloc[0]
        label = _VALUE_LABEL.get(str(a["source"]), str(a["category"]))
        raise InputError(
            f"samma observation ({a['region']}, {a['category']}, {a['group'] or '-'}, "
            f"{a['period_start']:%Y-%m-%d}–{a['period_end']:%Y-%m-%d}) har olika värden: "
            f"{a['file']} rad {a['row']} ger {_shown(a['value'])}, {b['file']} rad {b['row']} "
            f"ger {_shown(b['value'])}",
            file=b["file"], row=int(b["row"]), column=label,
        )
    kept = work[~codes.duplicated(subset=_OBSERVATION_KEY, keep="first").to_numpy()]
    dropped = len(work) - len(kept)
    if dropped:
        log.debug("%d repeated observations merged", dropped)
    return as_canonical(kept.sort_values("_order"))


def _codes(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Each column's ``pd.factorize`` codes (missing values are one code, as ``duplicated``)."""
    return pd.DataFrame({c: pd.factorize(frame[c])[0] for c in columns}, index=frame.index)


def _shown(value: float) -> str:
    """A value as the file wrote it: whole numbers in full (never ``1e+06``)."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def _nz(value: float) -> float:
    return -1.0 if pd.isna(value) else float(value)
