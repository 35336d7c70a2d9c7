"""Running one quality suite on a source frame: GX and pandas checks, results as the file says.

``run_suite`` coerces a copy of the frame (numbers, dates, a year column), runs the GX
expectations and the pandas row checks of the suite, and names each failing example's column
as the data steward sees it in the file (``source_columns``). The private suites (IA) name
file, row and column only, never a value.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from quality._gx import INDEX_COLUMNS, DocsBuilder, from_gx, run_gx
from quality.report import MAX_EXAMPLES, CheckResult
from quality.rowchecks import RAW_FRAME_CHECKS, ROW_CHECKS
from quality.suites import (
    DATE_COLUMNS,
    NUMERIC_COLUMNS,
    SUITE_SOURCES,
    YEAR_COLUMN,
    ExpectationSpec,
)

__all__ = ["PRIVATE_SUITES", "SOURCE_COLUMNS", "run_suite", "source_columns"]

# Suites whose cells may hold personal data: their results name file, row and column but
# never a value, and their GX results stay out of the Data Docs (GX prints the unexpected
# values there); ``checks.html`` lists their checks.
PRIVATE_SUITES = frozenset({"ia_clean"})
# A failing row is shown with the column as the data steward sees it in the file (issue 16:
# "Antal", not "value"). Population's ``value`` is the row's age-group column (its category).
SOURCE_COLUMNS: dict[str, dict[str, str]] = {
    "bra": {"value": "Antal", "published_rate": "/100 000 inv", "region": "Region",
            "category": "Brott", "period_start": "Period", "period_end": "Period",
            "period_kind": "Period", "preliminary": "År"},
    "enkater": {"value": "Andel (%)", "n": "Antal svar", "region": "Område", "group": "Grupp",
                "category": "Indikator", "period_start": "År", "period_end": "År",
                "source": "Undersökning", "producer_significant": "Signifikant"},
    "befolkning": {"region": "Stadsdelsområde", "period_start": "År", "period_end": "År"},
    "ia": {"incident_id": "Ärendenummer", "occurred_on": "Händelsedatum",
           "reported_on": "Registreringsdatum", "category": "Kategori",
           "organisation": "Förvaltning", "event_type": "Händelsetyp", "unit": "Avdelning"},
}  # fmt: skip


_MAX_NAMES = 10


def _labelled(
    result: CheckResult, frame: pd.DataFrame, spec: ExpectationSpec, private: bool = False
) -> CheckResult:
    """Show the rows' names (``spec.label_column``) rather than the empty checked cells.

    Used for the unknown-area check: "area None" says nothing, "Stadsdelsområde Atlantis"
    says which region to add to the configuration. One example per distinct name.
    """
    label = spec.label_column
    if result.success or label is None or label not in frame or spec.column not in frame:
        return result
    failing = frame[frame[spec.column].isna()]
    if failing.empty:
        return result
    if private:  # counted, never named: the names are cells of a private source
        rows = tuple(
            {"file": r.get("file"), "row": r.get("row"), "column": label, "value": None}
            for r in failing.head(MAX_EXAMPLES).to_dict("records")
        )
        return dataclasses.replace(result, examples=rows)
    firsts = failing.drop_duplicates(subset=[label])
    examples = tuple(
        {"file": r.get("file"), "row": r.get("row"), "column": label, "value": r[label]}
        for r in firsts.head(MAX_EXAMPLES).to_dict("records")
    )
    names = [str(n) for n in firsts[label].head(_MAX_NAMES)]
    more = f" (+{len(firsts) - _MAX_NAMES} more)" if len(firsts) > _MAX_NAMES else ""
    message = f"{result.message}: {', '.join(names)}{more}"
    return dataclasses.replace(result, message=message, examples=examples)


def _prepare(frame: pd.DataFrame, suite_name: str) -> pd.DataFrame:
    """A copy with numbers and dates coerced (text reported by the row checks) and a year."""
    prepared = frame.reset_index(drop=True).copy()
    for column in NUMERIC_COLUMNS:
        if column in prepared.columns and not pd.api.types.is_numeric_dtype(prepared[column]):
            prepared[column] = pd.to_numeric(prepared[column], errors="coerce")
    for column in DATE_COLUMNS:
        if column in prepared.columns and not pd.api.types.is_datetime64_any_dtype(
            prepared[column]
        ):
            prepared[column] = pd.to_datetime(prepared[column], errors="coerce", format="mixed")
    year_from = "occurred_on" if suite_name == "ia_clean" else "period_end"
    if year_from in prepared.columns:
        prepared[YEAR_COLUMN] = prepared[year_from].dt.year.astype("Int64")
    return prepared


def run_suite(
    frame: pd.DataFrame,
    suite_name: str,
    specs: list[ExpectationSpec],
    docs: DocsBuilder | None,
) -> list[CheckResult]:
    source = SUITE_SOURCES[suite_name]
    private = suite_name in PRIVATE_SUITES
    if private:
        docs = None
    raw = frame.reset_index(drop=True)
    prepared = _prepare(frame, suite_name)
    available = set(prepared.columns)
    runnable = {
        i: s
        for i, s in enumerate(specs)
        if s.check == "expect_column_to_exist" or set(s.columns) <= available
    }
    by_index: dict[int, CheckResult] = {}
    gx_specs = {i: s for i, s in runnable.items() if s.engine == "gx"}
    if gx_specs:
        index_columns = [c for c in INDEX_COLUMNS if c in available]
        for i, result in run_gx(prepared, suite_name, gx_specs, index_columns, docs):
            by_index[i] = _labelled(from_gx(result, specs[i], source), prepared, specs[i],
                                    private)  # fmt: skip
    for i, spec in runnable.items():
        if spec.engine != "pandas":
            continue
        target = raw if spec.check in RAW_FRAME_CHECKS else prepared
        ok, message, examples, *facts = ROW_CHECKS[spec.check](target, **spec.kwargs)
        by_index[i] = CheckResult(source, spec.check, spec.severity, ok, spec.column, message,
                                  examples, facts[0] if facts else {})  # fmt: skip
    results = [source_columns(by_index[i], prepared) for i in sorted(by_index)]
    return [_without_values(r) for r in results] if private else results


def source_columns(result: CheckResult, frame: pd.DataFrame | None) -> CheckResult:
    """Name each example's column as the file does (``Antal``, ``Andel (%)``, ``0–15 år``).

    ``frame`` is the result's source frame (None when not given).
    """
    if not result.examples:
        return result
    labels = SOURCE_COLUMNS.get(result.source, {})
    examples = []
    for example in result.examples:
        column = example.get("column")
        label = labels.get(column)
        if label is None and result.source == "befolkning" and column == "value":
            label = _population_column(frame, example)
        examples.append({**example, "column": label or column})
    return dataclasses.replace(result, examples=tuple(examples))


def _population_column(frame: pd.DataFrame | None, example: dict) -> str | None:
    """The age-group column of a population row (one sheet row holds several)."""
    if frame is None or not {"file", "row", "category", "value"} <= set(frame.columns):
        return None
    rows = frame[(frame["file"] == example.get("file")) & (frame["row"] == example.get("row"))]
    value = example.get("value")
    if value is not None and not rows.empty:
        same = rows[pd.to_numeric(rows["value"], errors="coerce") == value]
        rows = same if not same.empty else rows
    return str(rows["category"].iloc[0]) if not rows.empty else None


def _without_values(result: CheckResult) -> CheckResult:
    """The result with its examples' values and any quoted value in the message removed."""
    if not result.examples and result.success:
        return result
    examples = tuple({**ex, "value": None} for ex in result.examples)
    message = result.message
    if " e.g. " in message:  # a conflicting duplicate quotes its key
        message = message.split(" e.g. ", 1)[0]
    if message.startswith(("observed ", "could not be evaluated")):
        message = "kontrollen underkänd" if not result.success else ""
    return dataclasses.replace(result, examples=examples, message=message)
