"""The result of a data-quality gate: what was checked, what failed and where.

Validation reports problems and the caller decides what to do: a task raises
``DataQualityError(report)`` when ``report.success`` is false, so the failed checks travel
with the error. Every failure carries up to five example rows (file, row, column, value)
so a data steward can open the input file at the right line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["CheckResult", "MAX_EXAMPLES", "Severity", "ValidationReport"]

MAX_EXAMPLES = 5


class Severity(StrEnum):
    """How a failed check affects the run.

    Blocking stops it; a warning is listed in the draft's Datakvalitet section; info is kept
    in the quality result only (e.g. municipalities of a län export that the report ignores).
    """

    BLOCKING = "blocking"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one expectation or check on one source.

    ``examples`` holds up to ``MAX_EXAMPLES`` failing rows as
    ``{"file": ..., "row": ..., "column": ..., "value": ...}``. ``facts`` holds what the
    ``message`` says as plain values (area ids, years, counts, file names, never a cell of an
    IA export), so the draft can word a warning in Swedish from an editable template
    (``outputs.text.quality_lines``) without parsing the English message.
    """

    source: str
    check: str
    severity: Severity
    success: bool
    column: str | None
    message: str
    examples: tuple[dict, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def failed_blocking(self) -> bool:
        """True when this check failed and must stop the run."""
        return not self.success and self.severity is Severity.BLOCKING

    def describe(self) -> str:
        """One human-readable line: source, check, column and example file:row values."""
        column = f" [{self.column}]" if self.column else ""
        status = "passed" if self.success else "failed"
        line = f"{self.source}: {self.check}{column} {status}"
        if self.examples:
            line += ": " + "; ".join(_format_example(ex, self.column) for ex in self.examples)
            if self.message:
                line += f" ({self.message})"
        elif self.message:
            line += f": {self.message}"
        return line

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (numpy scalars and timestamps turned into plain values)."""
        out = {
            "source": self.source,
            "check": self.check,
            "severity": self.severity.value,
            "success": self.success,
            "column": self.column,
            "message": self.message,
            "examples": [{k: _plain(v) for k, v in ex.items()} for ex in self.examples],
        }
        if self.facts:  # only when present: older quality results and readers have none
            out["facts"] = json.loads(json.dumps(self.facts, ensure_ascii=False, default=_plain))
        return out


@dataclass(frozen=True)
class ValidationReport:
    """All check results of one validation, and where the Data Docs were written."""

    results: tuple[CheckResult, ...]
    data_docs: Path | None = None

    @property
    def success(self) -> bool:
        """True when no blocking check failed (warnings do not stop a run)."""
        return not self.blocking_failures

    @property
    def blocking_failures(self) -> tuple[CheckResult, ...]:
        """The failed blocking checks."""
        return tuple(r for r in self.results if r.failed_blocking)

    @property
    def warnings(self) -> tuple[CheckResult, ...]:
        """The failed warning checks."""
        return tuple(r for r in self.results if not r.success and r.severity is Severity.WARNING)

    @classmethod
    def merge(
        cls, reports: Iterable[ValidationReport], data_docs: Path | None = None
    ) -> ValidationReport:
        """Combine several reports into one (results in the given order).

        Args:
            reports: the reports to combine.
            data_docs: the Data Docs index of the combined report, if any.

        Returns:
            One report holding every result.
        """
        results: list[CheckResult] = []
        for report in reports:
            results.extend(report.results)
        return cls(results=tuple(results), data_docs=data_docs)

    def summary(self) -> str:
        """Human-readable summary: a headline, then one line per failed check.

        Returns:
            Text such as ``"bra: expect_column_values_to_not_be_null [value] failed:
            bra/Databasfil_2022.txt row 17 value 'abc'"``, blocking failures first.
        """
        blocking, warnings = self.blocking_failures, self.warnings
        head = (
            f"Data quality: {len(self.results)} checks, {len(blocking)} blocking failures, "
            f"{len(warnings)} warnings."
        )
        lines = [head]
        lines += [f"BLOCKING {r.describe()}" for r in blocking]
        lines += [f"WARNING {r.describe()}" for r in warnings]
        if self.data_docs is not None:
            lines.append(f"Data Docs: {self.data_docs}")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per check for a table printout.

        Returns:
            Columns ``source, check, column, severity, result, examples, message``;
            ``result`` is ``ok`` or ``failed`` and ``examples`` lists ``<file> row <n> value <v>``.
        """
        rows = [
            {
                "source": r.source,
                "check": r.check,
                "column": r.column or "",
                "severity": r.severity.value,
                "result": "ok" if r.success else "failed",
                "examples": "; ".join(_format_example(ex, r.column) for ex in r.examples),
                "message": r.message,
            }
            for r in self.results
        ]
        columns = ["source", "check", "column", "severity", "result", "examples", "message"]
        return pd.DataFrame(rows, columns=columns)

    def to_html(self) -> str:
        """A compact stand-alone HTML page of every check (GX Data Docs lack the pandas ones).

        Returns:
            UTF-8 HTML text with a headline and the ``to_frame`` table.
        """
        status = "godkänd" if self.success else "stoppad av blockerande fel"
        table = self.to_frame().to_html(index=False, border=0, escape=True)
        return (
            '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
            "<title>Datakvalitet</title></head><body>"
            f"<h1>Datakvalitet: {status}</h1>"
            f"<p>{len(self.results)} kontroller, {len(self.blocking_failures)} blockerande fel, "
            f"{len(self.warnings)} varningar.</p>{table}</body></html>\n"
        )

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON (UTF-8 text, Swedish letters kept as they are).

        Args:
            indent: JSON indentation; None for one line.

        Returns:
            ``{"success": ..., "data_docs": ..., "results": [...]}``.
        """
        payload = {
            "success": self.success,
            "blocking_failures": len(self.blocking_failures),
            "warnings": len(self.warnings),
            "data_docs": str(self.data_docs) if self.data_docs else None,
            "results": [r.to_dict() for r in self.results],
        }
        return json.dumps(payload, ensure_ascii=False, indent=indent)


def _format_example(example: dict, column: str | None) -> str:
    row = _plain(example.get("row", "?"))
    where = f"{example.get('file') or '?'}" + ("" if row is None else f" row {row}")
    ex_column = example.get("column")
    col = f" column {ex_column!r}" if ex_column and ex_column != column else ""
    value = _plain(example.get("value"))
    return f"{where}{col}" if value is None else f"{where}{col} value {value!r}"


def _plain(value: Any) -> Any:
    """Turn numpy/pandas scalars into JSON-friendly Python values."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
