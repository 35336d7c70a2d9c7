"""The project's own exceptions.

Every error a user can cause derives from ``PipelineError`` so the CLI can print it
cleanly and exit non-zero without a traceback::

    PipelineError
    ├── ConfigError            the areas configuration is invalid
    ├── InputError             an input file cannot be read (names file, row, column)
    │   └── SourceSchemaChanged  a source's columns are not the documented ones
    ├── SourceUnavailable      a source could not be fetched and no snapshot exists
    ├── DataQualityError       a blocking data-quality expectation failed
    ├── IllegalApproval        an approval transition that the state machine refuses
    └── AreaYearAdopted        the area-year is fastställd: no new draft without --revision
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "AreaYearAdopted",
    "ConfigError",
    "DataQualityError",
    "IllegalApproval",
    "InputError",
    "PipelineError",
    "SourceSchemaChanged",
    "SourceUnavailable",
]


class PipelineError(Exception):
    """Raised when the pipeline must stop for a reason the user can act on."""


class ConfigError(PipelineError):
    """Raised when the areas configuration is missing, malformed or inconsistent."""


class InputError(PipelineError):
    """Raised when an input file cannot be read; says which file, row and column."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.reason = message
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class SourceSchemaChanged(InputError):
    """Raised when a source file lacks a required column or has an unknown layout."""


class SourceUnavailable(PipelineError):
    """Raised when a source cannot be fetched and no earlier snapshot can stand in."""


class DataQualityError(PipelineError):
    """Raised by a task when a blocking expectation failed; carries the report."""

    def __init__(self, report: Any) -> None:
        self.report = report
        super().__init__(report.summary() if hasattr(report, "summary") else str(report))


class IllegalApproval(PipelineError):
    """Raised when an approval action is not allowed from the report's current state."""


class AreaYearAdopted(PipelineError):
    """Raised when a run would make a new draft of an area-year whose newest version is
    fastställd; only an explicit revision (``--revision "skäl"``) may open it again."""

    def __init__(self, area: str, year: int, version: int) -> None:
        self.area, self.year, self.version = area, year, version
        super().__init__(
            f"{area} {year} är fastställd (version {version}); en ny körning med ändrade "
            f"indata skapar inget nytt utkast. Öppna en revision om styrgruppen ska ta "
            f"ställning till en ny version: lagesbild run --area {area} --year {year} "
            f'--revision "skäl"'
        )
