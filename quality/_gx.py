"""The great_expectations side of ``quality.validate``: runs, Data Docs, results.

The suites' GX expectations are evaluated in pandas with GX's semantics
(``quality.gx_pandas``: GX's own validator spends seconds of set-up on them); GX renders
those results into its Data Docs. ``LAGESBILD_GX_VALIDATE=1`` runs GX's validator instead
(the reference the tests compare with). great_expectations is imported lazily (several
seconds); Data Docs get a fresh context so a site only shows its own run. Results become
``CheckResult`` objects with up to five (file, row, column, value) examples.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from quality.gx_pandas import SUPPORTED, Evaluated, evaluate
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
) -> list[tuple[int, Any]]:
    """Validate ``prepared`` with the GX expectations of ``specs``.

    Args:
        prepared: the frame with coerced types and the derived year column.
        suite_name: the suite's name (also the data asset's name).
        specs: the GX specs to run, keyed by their index in the suite.
        index_columns: columns that identify a failing row (``file``, ``row``).
        docs: when given, the results are recorded for its Data Docs.

    Returns:
        ``(spec index, result)`` pairs, in no particular order; each result has GX's
        ``success``, ``result`` and ``exception_info``.
    """
    if not gx_validates() and all(spec.check in SUPPORTED for spec in specs.values()):
        evaluated = evaluate(prepared, specs, index_columns)
        if docs is not None:
            docs.record(suite_name, specs, evaluated)
        return list(evaluated.items())
    return [(int(r.expectation_config.meta["spec"]), r)
            for r in _validate_with_gx(prepared, suite_name, specs, index_columns, docs)]


def gx_validates() -> bool:
    """True when GX's own validator evaluates the expectations (``LAGESBILD_GX_VALIDATE``)."""
    return os.environ.get("LAGESBILD_GX_VALIDATE", "") == "1"


def _validate_with_gx(prepared: pd.DataFrame, suite_name: str,
                      specs: Mapping[int, ExpectationSpec], index_columns: list[str],
                      docs: DocsBuilder | None) -> list[Any]:  # fmt: skip
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

    _share_compiled_templates()
    return gx


def _bytecode_cache() -> Any:
    """Jinja bytecode kept in memory for the process (and inherited by forked runs).

    GX makes a new Jinja environment for every Data Docs view it renders, so each build
    parsed and compiled the same ~50 templates again: 1–2 s of a run's checks.
    """
    from jinja2 import BytecodeCache

    class InMemory(BytecodeCache):
        def __init__(self) -> None:
            self.code: dict[str, bytes] = {}

        def load_bytecode(self, bucket: Any) -> None:
            if bucket.key in self.code:
                bucket.bytecode_from_string(self.code[bucket.key])

        def dump_bytecode(self, bucket: Any) -> None:
            self.code[bucket.key] = bucket.bytecode_to_string()

    return InMemory()


def _share_compiled_templates() -> None:
    """Give every GX Data Docs view one in-memory template bytecode cache."""
    from great_expectations.render.view.view import DefaultJinjaView

    if getattr(DefaultJinjaView, "_lagesbild_cache", None) is not None:
        return
    cache = _bytecode_cache()
    init = DefaultJinjaView.__init__

    @functools.wraps(init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        init(self, *args, **kwargs)
        self.env.bytecode_cache = cache

    DefaultJinjaView.__init__ = __init__
    DefaultJinjaView._lagesbild_cache = cache


def warm_up(directory: Path) -> None:
    """Import GX and render a small Data Docs site once, so this process (and every run
    forked from it) starts with GX imported and its templates compiled."""
    from quality.report import Severity

    frame = pd.DataFrame({"file": ["warm-up"], "row": [1], "value": [1.0]})
    spec = ExpectationSpec("expect_column_values_to_not_be_null", Severity.BLOCKING,
                           {"column": "value"})  # fmt: skip
    docs = DocsBuilder(directory)
    run_gx(frame, "warm_up", {0: spec}, INDEX_COLUMNS, docs)
    docs.build()


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

    def __init__(self, directory: Path, *, in_process: bool = False) -> None:
        self.directory = directory
        self._context: Any = None
        #: recorded into the Data Docs child (``quality.docs_process``), when one runs
        self._remote = False
        self._in_process = in_process

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

    def _take_back(self) -> None:
        """Results recorded in the child come back here (GX's validator runs here)."""
        if self._remote:
            from quality import docs_process

            self._remote = False
            child = docs_process.current()
            for args in child.take(self.directory) if child is not None else ():
                self.record(*args)

    def run(self, prepared: pd.DataFrame, suite: Any, fmt: dict[str, Any]) -> list[Any]:
        self._take_back()
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

    def record(self, suite_name: str, specs: Mapping[int, ExpectationSpec],
               evaluated: Mapping[int, Evaluated]) -> None:  # fmt: skip
        """Store results evaluated in pandas as this site's validation of ``suite_name``."""
        from quality import docs_process

        child = None if self._in_process else docs_process.current()
        if child is not None and self._context is None:
            child.record(self.directory, suite_name, dict(specs), dict(evaluated))
            self._remote = True
            return
        from great_expectations.core import (
            ExpectationSuiteValidationResult,
            ExpectationValidationResult,
        )
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )
        from great_expectations.validator.validation_statistics import (
            calc_validation_statistics,
        )

        gx = _gx()
        with _GX_LOCK:
            ctx = self._ctx()
            _make_current(ctx)
            suite = ctx.suites.add(gx.ExpectationSuite(
                name=suite_name, expectations=[spec.to_gx(i) for i, spec in specs.items()]))
            by_index = {int(e.meta["spec"]): e.configuration for e in suite.expectations}
            no_error = {"raised_exception": False, "exception_traceback": None,
                        "exception_message": None}  # fmt: skip
            results = [
                ExpectationValidationResult(success=e.success, expectation_config=by_index[i],
                                            result=e.result,
                                            exception_info=e.exception_info or no_error)
                for i, e in evaluated.items()
            ]  # fmt: skip
            stats = calc_validation_statistics(results)
            run_id = RunIdentifier(run_time=dt.datetime.now(dt.UTC))
            meta = {
                "great_expectations_version": gx.__version__,
                "batch_spec": {"batch_data": "PandasDataFrame"},
                "batch_markers": {"ge_load_time": run_id.run_time.strftime("%Y%m%dT%H%M%S.%fZ")},
                "active_batch_definition": {
                    "batch_identifiers": {"dataframe": "<DATAFRAME>"},
                    "data_asset_name": suite_name, "data_connector_name": "fluent",
                    "datasource_name": "lagesbild"},
                "batch_parameters": {"dataframe": "<DATAFRAME>"},
                "run_id": run_id, "validation_time": run_id.run_time,
                "evaluated_by": "lagesbild quality.gx_pandas",
            }  # fmt: skip
            suite_result = ExpectationSuiteValidationResult(
                success=stats.success, results=results, suite_name=suite_name,
                statistics={"evaluated_expectations": stats.evaluated_expectations,
                            "successful_expectations": stats.successful_expectations,
                            "unsuccessful_expectations": stats.unsuccessful_expectations,
                            "success_percent": stats.success_percent},
                meta=meta,
            )  # fmt: skip
            suite_id = ExpectationSuiteIdentifier(name=suite_name)
            ctx.validation_results_store.store_validation_results(
                suite_validation_result=suite_result,
                suite_validation_result_identifier=ValidationResultIdentifier(
                    batch_identifier=f"lagesbild-{suite_name}",
                    expectation_suite_identifier=suite_id, run_id=run_id),
                expectation_suite_identifier=suite_id,
            )  # fmt: skip

    def build(self) -> Path | None:
        if self._remote:
            from quality import docs_process

            child = docs_process.current()
            if child is not None:
                return child.build(self.directory)
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
        _gx_facts(details),
    )


def _gx_facts(details: Mapping[str, Any]) -> dict[str, Any]:
    """The counts the message quotes, for the draft's Swedish wording."""
    count, total = details.get("unexpected_count"), details.get("element_count")
    return {"unexpected": int(count), **({"rows": int(total)} if total else {})} if count else {}


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
