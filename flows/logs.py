"""Expected failures are logged in one line: no traceback for a ``PipelineError``.

Prefect's engines log a failed task or flow run with ``exc_info``, so every expected
condition (a missing BRÅ file, a blocking quality check, an adopted area-year) printed a
full traceback on the console and into the server's log. A ``PipelineError`` carries a
message written for the user; the traceback adds nothing but noise (and, for input
errors, more places where input might be quoted). Bugs (any other exception) keep theirs.
"""

from __future__ import annotations

import logging

from lagesbild.errors import PipelineError

__all__ = ["ExpectedErrorFilter", "install"]

#: The loggers Prefect's flow and task engines write run failures to.
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


class ExpectedErrorFilter(logging.Filter):
    """Drops the traceback of a record whose exception is a ``PipelineError``."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        if record.exc_info and isinstance(record.exc_info[1], PipelineError):
            record.exc_info = None
            record.exc_text = None
        return True


def install() -> None:
    """Add the filter to Prefect's run loggers (once per process)."""
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ExpectedErrorFilter) for f in logger.filters):
            logger.addFilter(ExpectedErrorFilter())
