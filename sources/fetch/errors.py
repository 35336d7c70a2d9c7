"""How fetch failures are classified: which are worth retrying and which are not.

Transient (time-outs, connection errors, truncated or empty bodies, 5xx, 408, 425, 429)
failures are retried; permanent ones (404, 401/403, other 4xx, bad URLs) are not. Used by
``sources.fetch.fetch`` and, through ``retry_condition``, by the Prefect fetch task.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from lagesbild.errors import PipelineError

__all__ = ["FetchError", "is_transient", "retry_condition", "transient_status"]

log = logging.getLogger(__name__)

_TRANSIENT_STATUS = frozenset({408, 425, 429})


class FetchError(PipelineError):
    """Raised when a fetch fails; ``transient`` says whether retrying can help."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        transient: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.url = url
        self.transient = transient
        self.status = status
        self.retry_after = retry_after
        self.attempts = 1
        super().__init__(f"{url}: {message}")


def is_transient(exc: BaseException | None) -> bool:
    """Whether a fetch failure is worth retrying.

    Args:
        exc: the exception (``FetchError`` or a raw httpx exception).

    Returns:
        True for time-outs, connection and protocol errors (truncated bodies), 5xx, 408 and
        429; False for everything else (404, 401/403, other 4xx, bad URLs, other errors).
    """
    if isinstance(exc, FetchError):
        return exc.transient
    if isinstance(exc, httpx.HTTPStatusError):
        return transient_status(exc.response.status_code)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.LocalProtocolError)):
        return False
    return isinstance(exc, (httpx.TransportError, httpx.DecodingError))


def retry_condition(task: Any, task_run: Any, state: Any) -> bool:
    """A Prefect ``retry_condition_fn``: retry only transient fetch failures.

    Duck-typed on Prefect's (task, task_run, state) so this module needs no Prefect import.

    Returns:
        ``is_transient`` of the failed state's exception.
    """
    try:
        exc = state.result(raise_on_failure=False)
    except Exception as error:  # noqa: BLE001 - a result that cannot be read is not retried
        log.debug("retry_condition: cannot read state result: %s", error)
        return False
    return isinstance(exc, BaseException) and is_transient(exc)


def transient_status(status: int) -> bool:
    """Whether an HTTP status is worth retrying.

    Args:
        status: the response's status code.

    Returns:
        True for 5xx, 408, 425 and 429.
    """
    return status >= 500 or status in _TRANSIENT_STATUS
