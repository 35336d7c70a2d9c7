"""The suites' great-expectations expectations evaluated in plain pandas, GX's way.

GX spends 20–70 ms of set-up on each expectation (metric graphs, pydantic copies: 580 000
``smart_deepcopy`` calls for one run) and a fraction of a millisecond on the data: a run's
76 expectations cost 1.5–6 s for frames of a few thousand rows. The handful of expectation
types the suites use are column masks, so they are computed here, with GX's semantics
(missing values skipped, ``ignore_row_if``, ``row_condition``) and GX's ``SUMMARY`` result
dict, which ``quality._gx.from_gx`` reads and GX's own Data Docs render (``DocsBuilder.
record``). ``tests/quality/test_gx_pandas.py`` holds the two engines to the same results;
``LAGESBILD_GX_VALIDATE=1`` runs GX's validator instead (``quality._gx.run_gx``).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from quality.report import MAX_EXAMPLES
from quality.suites import ExpectationSpec

__all__ = ["SUPPORTED", "Evaluated", "evaluate"]


@dataclass(frozen=True)
class Evaluated:
    """One expectation's outcome, shaped like GX's ``ExpectationValidationResult``."""

    success: bool
    result: dict[str, Any]
    exception_info: dict[str, Any] | None = None


# Each returns (considered, unexpected, columns shown): boolean masks over the frame's rows
# (``considered`` False for the rows GX skips as missing) and the columns whose values
# GX lists for a failing row.
Masks = tuple[pd.Series, pd.Series, list[str]]


def _not_null(frame: pd.DataFrame, column: str, **_: Any) -> Masks:
    return pd.Series(True, index=frame.index), frame[column].isna(), [column]


def _between(frame: pd.DataFrame, column: str, min_value: Any = None, max_value: Any = None,
             strict_min: bool = False, strict_max: bool = False, **_: Any) -> Masks:  # fmt: skip
    values = frame[column]
    considered = values.notna()
    present = values[considered]
    ok = pd.Series(True, index=present.index)
    if min_value is not None:
        ok &= present > min_value if strict_min else present >= min_value
    if max_value is not None:
        ok &= present < max_value if strict_max else present <= max_value
    return considered, (~ok).reindex(frame.index, fill_value=False), [column]


def _in_set(frame: pd.DataFrame, column: str, value_set: Any, **_: Any) -> Masks:
    values = frame[column]
    considered = values.notna()
    return considered, considered & ~values.isin(list(value_set)), [column]


def _unique(frame: pd.DataFrame, column: str, **_: Any) -> Masks:
    values = frame[column]
    considered = values.notna()
    dup = values[considered].duplicated(keep=False)
    return considered, dup.reindex(frame.index, fill_value=False), [column]


def _a_greater_than_b(frame: pd.DataFrame, column_A: str, column_B: str,  # noqa: N803
                      or_equal: bool = False, ignore_row_if: str = "both_values_are_missing",
                      **_: Any) -> Masks:  # fmt: skip
    a, b = frame[column_A], frame[column_B]
    considered = _considered(frame[[column_A, column_B]], ignore_row_if)
    ok = (a >= b) if or_equal else (a > b)
    return considered, considered & ~ok.fillna(False).astype(bool), [column_A, column_B]


def _compound_unique(frame: pd.DataFrame, column_list: list[str],
                     ignore_row_if: str = "all_values_are_missing", **_: Any) -> Masks:  # fmt: skip
    columns = list(column_list)
    considered = _considered(frame[columns], ignore_row_if)
    dup = frame.loc[considered, columns].duplicated(keep=False)
    return considered, dup.reindex(frame.index, fill_value=False), columns


def _considered(sub: pd.DataFrame, ignore_row_if: str) -> pd.Series:
    missing = sub.isna()
    if ignore_row_if in ("any_value_is_missing", "either_value_is_missing"):
        return ~missing.any(axis=1)
    if ignore_row_if in ("all_values_are_missing", "both_values_are_missing"):
        return ~missing.all(axis=1)
    return pd.Series(True, index=sub.index)  # "never"


SUPPORTED: dict[str, Callable[..., Masks]] = {
    "expect_column_values_to_not_be_null": _not_null,
    "expect_column_values_to_be_between": _between,
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_be_unique": _unique,
    "expect_column_pair_values_a_to_be_greater_than_b": _a_greater_than_b,
    "expect_compound_columns_to_be_unique": _compound_unique,
}
# The null expectation counts no row as missing (its failures are the missing values).
_NO_MISSING = frozenset({"expect_column_values_to_not_be_null"})


def evaluate(
    prepared: pd.DataFrame, specs: Mapping[int, ExpectationSpec], index_columns: list[str]
) -> dict[int, Evaluated]:
    """Evaluate GX-engine specs on ``prepared`` (a frame with a 0..n-1 index).

    Args:
        prepared: the frame with coerced types and the derived year column.
        specs: the specs, keyed by their index in the suite; each ``check`` in ``SUPPORTED``.
        index_columns: columns that identify a failing row (``file``, ``row``).

    Returns:
        One ``Evaluated`` per spec index, with GX's ``SUMMARY`` result keys.
    """
    return {i: _one(prepared, spec, index_columns) for i, spec in specs.items()}


def _one(frame: pd.DataFrame, spec: ExpectationSpec, index_columns: list[str]) -> Evaluated:
    kwargs = dict(spec.kwargs)
    condition = kwargs.pop("row_condition", None)
    kwargs.pop("condition_parser", None)
    try:
        if condition:
            frame = frame.query(condition, parser="pandas", engine="python")
        considered, unexpected, shown = SUPPORTED[spec.check](frame, **kwargs)
    except Exception as exc:  # noqa: BLE001 - GX reports a failing evaluation, not raises
        info = {"raised_exception": True, "exception_message": f"{type(exc).__name__}: {exc}",
                "exception_traceback": traceback.format_exc()}  # fmt: skip
        return Evaluated(False, {}, info)
    return Evaluated(not unexpected.any(),
                     _summary(frame, spec, considered, unexpected, shown, index_columns))


def _summary(frame: pd.DataFrame, spec: ExpectationSpec, considered: pd.Series,
             unexpected: pd.Series, shown: list[str],
             index_columns: list[str]) -> dict[str, Any]:  # fmt: skip
    total = len(frame)
    bad = unexpected.to_numpy(dtype=bool)
    n_bad = int(bad.sum())
    if not n_bad:  # the common case: no row to show
        return _counts_only(spec, total, considered, index_columns)
    rows = frame.loc[bad]
    first = rows.head(MAX_EXAMPLES)
    if len(shown) == 1:
        values: list[Any] = list(first[shown[0]])
        all_values = rows[shown[0]]
    elif spec.check == "expect_compound_columns_to_be_unique":
        values = first[shown].to_dict("records")
        all_values = pd.Series(list(rows[shown].itertuples(index=False, name=None)),
                               index=rows.index, dtype=object)  # fmt: skip
    else:
        values = list(first[shown].itertuples(index=False, name=None))
        all_values = pd.Series(values, dtype=object)
    result: dict[str, Any] = {
        "element_count": total,
        "unexpected_count": n_bad,
        "unexpected_percent": None,
        "partial_unexpected_list": values,
    }
    if index_columns:
        result["unexpected_index_column_names"] = list(index_columns)
    if spec.check in _NO_MISSING:
        result["unexpected_percent"] = 100.0 * n_bad / total if total else None
    else:
        nonmissing = int(considered.sum())
        missing = total - nonmissing
        share = 100.0 * n_bad / nonmissing if nonmissing else None
        result.update(unexpected_percent=share, missing_count=missing,
                      missing_percent=100.0 * missing / total if total else None,
                      unexpected_percent_total=100.0 * n_bad / total if total else None,
                      unexpected_percent_nonmissing=share)  # fmt: skip
    result["partial_unexpected_counts"] = _counts(all_values)
    if index_columns:
        keep = list(dict.fromkeys([*shown, *index_columns]))
        result["partial_unexpected_index_list"] = first[keep].to_dict("records")
    return result


def _counts_only(spec: ExpectationSpec, total: int, considered: pd.Series,
                 index_columns: list[str]) -> dict[str, Any]:  # fmt: skip
    result: dict[str, Any] = {"element_count": total, "unexpected_count": 0,
                              "unexpected_percent": 0.0 if total else None,
                              "partial_unexpected_list": []}  # fmt: skip
    if index_columns:
        result["unexpected_index_column_names"] = list(index_columns)
    if spec.check not in _NO_MISSING:
        nonmissing = int(considered.sum())
        missing = total - nonmissing
        share = 0.0 if nonmissing else None
        result.update(unexpected_percent=share, missing_count=missing,
                      missing_percent=100.0 * missing / total if total else None,
                      unexpected_percent_total=0.0 if total else None,
                      unexpected_percent_nonmissing=share)  # fmt: skip
    result["partial_unexpected_counts"] = []
    if index_columns:
        result["partial_unexpected_index_list"] = []
    return result


def _counts(values: pd.Series) -> list[dict[str, Any]]:
    if values.empty:
        return []
    counts = values.value_counts(dropna=False, sort=False)
    pairs = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [{"value": value, "count": int(count)} for value, count in pairs[:MAX_EXAMPLES]]
