"""The great_expectations side of ``quality.validate``: context, runs, Data Docs, results.

great_expectations is imported lazily (several seconds) and the ephemeral context is made
once per process; Data Docs get a fresh context so a site only shows its own run. GX
results become ``CheckResult`` objects with up to five (file, row, column, value) examples.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from quality.report import MAX_EXAMPLES, CheckResult
from quality.suites import ExpectationSpec

__all__: list[str] = []

DOCS_SITE = "lagesbild"
INDEX_COLUMNS = ["file", "row"]


def _result_format(index_columns: list[str]) -> dict[str, Any]:
    fmt: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": MAX_EXAMPLES}
    if index_columns:
        fmt["unexpected_index_column_names"] = index_columns
    return fmt


def run_gx(
    prepared: pd.DataFrame,
    suite_name: str,
    specs: Mapping[int, ExpectationSpec],
    index_columns: list[str],
    docs: DocsBuilder | None,
) -> list[Any]:
    """Validate ``prepared`` with the GX expectations of ``specs`` (meta ``spec`` = index).

    Args:
        prepared: the frame with coerced types and the derived year column.
        suite_name: the suite's name (also the data asset's name).
        specs: the GX specs to run, keyed by their index in the suite.
        index_columns: columns that identify a failing row (``file``, ``row``).
        docs: when given, run through a checkpoint so the results reach Data Docs.

    Returns:
        GX ``ExpectationValidationResult`` objects, in no particular order.
    """
    gx = _gx()
    suite = gx.ExpectationSuite(
        name=suite_name, expectations=[spec.to_gx(i) for i, spec in specs.items()]
    )
    fmt = _result_format(index_columns)
    with _GX_LOCK:
        if docs is not None:
            return docs.run(prepared, suite, fmt)
        _make_current(_context())
        batch_definition = _batch_definition(suite_name)
        batch = batch_definition.get_batch(batch_parameters={"dataframe": prepared})
        return list(batch.validate(suite, result_format=fmt).results)


#: GX keeps one global "current project" context that its fluent data sources, suites and
#: checkpoints resolve through, so two threads validating at once (the nightly's areas)
#: mix up each other's contexts ("ia_clean already exists"). Validations run one at a
#: time per process, each with its own context made current; they are CPU-bound Python
#: under the GIL anyway.
_GX_LOCK = threading.RLock()


def _make_current(context: Any) -> None:
    from great_expectations.data_context.data_context.context_factory import project_manager

    project_manager.set_project(context)


@functools.cache
def _gx() -> Any:
    """Import great_expectations once (slow: several seconds)."""
    import great_expectations as gx

    return gx


def _new_context() -> Any:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = _gx().get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@functools.cache
def _context() -> Any:
    """The process-wide ephemeral context with one pandas data source."""
    context = _new_context()
    context.data_sources.add_pandas("lagesbild")
    return context


@functools.cache
def _batch_definition(suite_name: str) -> Any:
    source = _context().data_sources.get("lagesbild")
    return source.add_dataframe_asset(suite_name).add_batch_definition_whole_dataframe("whole")


class DocsBuilder:
    """A fresh GX context whose validations go through a checkpoint into Data Docs."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._context: Any = None

    def _ctx(self) -> Any:
        if self._context is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._context = _new_context()
            self._context.add_data_docs_site(
                DOCS_SITE,
                {
                    "class_name": "SiteBuilder",
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(self.directory),
                    },
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
            self._context.data_sources.add_pandas("lagesbild")
        return self._context

    def run(self, prepared: pd.DataFrame, suite: Any, fmt: dict[str, Any]) -> list[Any]:
        gx, ctx = _gx(), self._ctx()
        _make_current(ctx)
        name = suite.name
        asset = ctx.data_sources.get("lagesbild").add_dataframe_asset(name)
        batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        suite = ctx.suites.add(suite)
        definition = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
        )
        # No UpdateDataDocsAction: the results are stored by the run and the site is built
        # once, for all suites, in ``build``.
        checkpoint = ctx.checkpoints.add(
            gx.Checkpoint(name=name, validation_definitions=[definition], result_format=fmt)
        )
        outcome = checkpoint.run(batch_parameters={"dataframe": prepared})
        return [r for run in outcome.run_results.values() for r in run.results]

    def build(self) -> Path | None:
        if self._context is None:
            return None
        with _GX_LOCK:
            _make_current(self._context)
            self._context.build_data_docs(site_names=[DOCS_SITE])
        return self.directory / "index.html"


def from_gx(result: Any, spec: ExpectationSpec, source: str) -> CheckResult:
    details = result.result or {}
    error = _exception_message(result.exception_info)
    if error:
        message = f"could not be evaluated: {error}"
        return CheckResult(source, spec.check, spec.severity, False, spec.column, message)
    examples: dict[tuple, dict] = {}
    for item in details.get("partial_unexpected_index_list") or ():
        example = _gx_example(item, spec)
        # One sheet row can hold several observations (population age groups): show it once.
        examples.setdefault(tuple(str(v) for v in example.values()), example)
    return CheckResult(
        source,
        spec.check,
        spec.severity,
        bool(result.success),
        spec.column,
        _with_note(_gx_message(details, spec, bool(result.success)), spec, bool(result.success)),
        tuple(examples.values())[:MAX_EXAMPLES],
    )


def _exception_message(info: Any) -> str | None:
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "unknown error")
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "unknown error")
    return None


def _gx_message(details: Mapping[str, Any], spec: ExpectationSpec, success: bool) -> str:
    if spec.check == "expect_column_to_exist":
        return "" if success else f"column {spec.kwargs['column']!r} is missing"
    count = details.get("unexpected_count")
    if count:
        total = details.get("element_count")
        return f"{count} of {total} rows unexpected" if total else f"{count} rows unexpected"
    observed = details.get("observed_value")
    return "" if success or observed is None else f"observed {observed!r}"


def _with_note(message: str, spec: ExpectationSpec, success: bool) -> str:
    if success or not spec.note:
        return message
    return f"{message}; {spec.note}" if message else spec.note


def _gx_example(item: Any, spec: ExpectationSpec) -> dict:
    if not isinstance(item, dict):  # no file/row columns: GX gives the frame index
        return {"file": None, "row": item, "column": spec.column, "value": None}
    file, row = item.get("file"), item.get("row")
    values = {k: v for k, v in item.items() if k not in INDEX_COLUMNS}
    column = spec.kwargs.get("column")
    if column is not None and column in values:
        value: Any = values[column]
    elif column in INDEX_COLUMNS:
        value = item.get(column)
    else:
        value = ", ".join(f"{k}={_text(v)}" for k, v in values.items())
    return {"file": file, "row": row, "column": column or spec.column, "value": value}


def _text(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)
