"""Row-level checks that great-expectations cannot express cleanly, in plain pandas.

GX (1.x) on a pandas frame has no "integer where not NaN" expectation, cannot tell a
conflicting duplicate from an identical repeat, and reports a text value in a numeric
column only as a column-level type mismatch without the offending rows. These checks do,
and they name file, row, column and value like the GX results do.

Each check takes the frame and its keyword arguments and returns ``(success, message,
examples)`` or ``(success, message, examples, facts)``; ``quality.run_suite`` turns that into
a ``CheckResult`` (``facts``: the message's figures, for the draft's Swedish wording).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from quality.report import MAX_EXAMPLES

__all__ = ["ROW_CHECKS", "RAW_FRAME_CHECKS", "CheckOutcome", "examples_for"]

CheckOutcome = tuple[bool, str, tuple[dict, ...]] | tuple[bool, str, tuple[dict, ...], dict]


def examples_for(
    frame: pd.DataFrame,
    mask: pd.Series,
    column: str,
    values: pd.Series | None = None,
    limit: int = MAX_EXAMPLES,
) -> tuple[dict, ...]:
    """Up to ``limit`` failing rows as ``{file, row, column, value}`` dicts.

    Args:
        frame: the validated frame (with ``file`` and ``row`` where the adapter set them).
        mask: boolean Series aligned with ``frame``; True marks a failing row.
        column: the column the failure is about.
        values: what to show as value (default: ``frame[column]``).
        limit: the maximum number of examples.

    Returns:
        A tuple of example dicts in frame order.
    """
    hits = frame.index[mask.fillna(False).to_numpy(dtype=bool)][:limit]
    shown = values if values is not None else frame.get(column)
    out = []
    for idx in hits:
        out.append(
            {
                "file": frame.at[idx, "file"] if "file" in frame.columns else None,
                "row": frame.at[idx, "row"] if "row" in frame.columns else int(idx),
                "column": column,
                "value": shown.at[idx] if shown is not None else None,
            }
        )
    return tuple(out)


def _count_message(bad: int, total: int, what: str) -> str:
    return f"{bad} of {total} rows {what}" if bad else ""


def check_numeric(frame: pd.DataFrame, *, column: str) -> CheckOutcome:
    """Values of a numeric column must be numbers or missing (text such as ``abc`` fails)."""
    series = frame[column]
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return True, "", ()
    coerced = pd.to_numeric(series, errors="coerce")
    bad = coerced.isna() & series.notna()
    n_bad = int(bad.sum())
    return (
        n_bad == 0,
        _count_message(n_bad, len(frame), "are not numbers"),
        examples_for(frame, bad, column),
    )


def check_dates(frame: pd.DataFrame, *, column: str) -> CheckOutcome:
    """Values of a date column must be dates or missing (unparseable text fails)."""
    series = frame[column]
    if pd.api.types.is_datetime64_any_dtype(series):
        return True, "", ()
    coerced = pd.to_datetime(series, errors="coerce", format="mixed")
    bad = coerced.isna() & series.notna()
    n_bad = int(bad.sum())
    return (
        n_bad == 0,
        _count_message(n_bad, len(frame), "are not dates"),
        examples_for(frame, bad, column),
    )


def check_integers(frame: pd.DataFrame, *, column: str) -> CheckOutcome:
    """Counts must be whole numbers where present (NaN is allowed: ``..`` in the source)."""
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    bad = values.notna() & (values != values.round())
    n_bad = int(bad.sum())
    return (
        n_bad == 0,
        _count_message(n_bad, len(frame), "are not whole numbers"),
        examples_for(frame, bad, column),
    )


def check_no_conflicting_duplicates(
    frame: pd.DataFrame, *, key: Sequence[str], value_columns: Sequence[str]
) -> CheckOutcome:
    """Two rows with the same key must carry the same values (identical repeats are fine).

    Missing values compare equal to each other, so ``..`` twice is not a conflict.
    """
    key, value_columns = list(key), [c for c in value_columns if c in frame.columns]
    dup = frame.duplicated(key, keep=False)
    if not dup.any() or not value_columns:
        return True, "", ()
    sub = frame.loc[dup, key + value_columns]
    grouped = sub.groupby(key, dropna=False, sort=False)
    differs = pd.Series(False, index=sub.index)
    for column in value_columns:
        differs |= grouped[column].transform("nunique", dropna=False) > 1
    if not differs.any():
        return True, "", ()
    mask = differs.reindex(frame.index, fill_value=False)
    conflicting = sub.loc[differs, key].drop_duplicates()
    first = tuple(conflicting.iloc[0])
    described = ", ".join(f"{k}={_short(v)}" for k, v in zip(key, first, strict=True))
    message = (
        f"{len(conflicting)} keys ({', '.join(key)}) occur with different values, e.g. {described}"
    )
    return False, message, examples_for(frame, mask, value_columns[0])


def check_years_present(frame: pd.DataFrame, *, column: str, years: Sequence[int]) -> CheckOutcome:
    """Every year in ``years`` has at least one row (whole source, any area)."""
    present = set(pd.to_numeric(frame[column], errors="coerce").dropna().astype(int))
    missing = sorted(set(years) - present)
    if not missing:
        return True, "", ()
    return False, "no rows for " + ", ".join(str(y) for y in missing), (), {"years": missing}


def check_column_exists(frame: pd.DataFrame, *, column: str) -> CheckOutcome:
    """The column is in the frame (a cheap schema check; no need for GX's machinery)."""
    if column in frame.columns:
        return True, "", ()
    return False, f"column {column!r} is missing; columns: {', '.join(frame.columns)}", ()


def check_text_type(frame: pd.DataFrame, *, column: str, type_: str = "str") -> CheckOutcome:
    """A text column holds strings (or missing values) only."""
    series = frame[column]
    if pd.api.types.is_string_dtype(series) and not pd.api.types.is_object_dtype(series):
        return True, "", ()
    bad = series.notna() & ~series.map(lambda v: isinstance(v, str))
    n_bad = int(bad.sum())
    return (
        n_bad == 0,
        _count_message(n_bad, len(frame), f"are not {type_}"),
        examples_for(frame, bad, column),
        {"unexpected": n_bad, "rows": len(frame)},
    )


def _short(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


ROW_CHECKS: dict[str, Callable[..., CheckOutcome]] = {
    "expect_column_to_exist": check_column_exists,
    "expect_column_values_to_be_of_type": check_text_type,
    "expect_column_values_to_be_numeric": check_numeric,
    "expect_column_values_to_be_dates": check_dates,
    "expect_column_values_to_be_integers": check_integers,
    "expect_no_conflicting_duplicates": check_no_conflicting_duplicates,
    "expect_report_years_present": check_years_present,
}

# Checks that must see the frame as the adapter returned it (before type coercion).
RAW_FRAME_CHECKS = frozenset(
    {"expect_column_values_to_be_numeric", "expect_column_values_to_be_dates"}
)
