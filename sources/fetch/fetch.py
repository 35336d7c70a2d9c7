"""Fetching source files over HTTP(S) into the inbox, with conditional requests and fallback.

A fetched file ends up exactly where a data steward would have dropped it
(``inbox/<kind>/<filename>``), so the rest of the pipeline cannot tell the two apart. Every
body is kept in the raw store first. The validators (ETag, Last-Modified) and the hash of
the last good body are remembered in a small JSON state file, so an unchanged source costs
one 304 and touches nothing. When a source stays unreachable, the last good snapshot
stands in and the result says when it was last fetched (``StaleSource``: facts the draft
words from a template); a source that never succeeded raises ``SourceUnavailable``.

Error classes: transient (time-outs, connection errors, truncated or empty bodies, 5xx,
408, 429) are worth retrying; permanent (404, 401/403, other 4xx, bad URLs) are not.

The configuration (``FetchSpec``, ``load_fetch_specs``) lives in ``sources.fetch.config``,
the error classification in ``sources.fetch.errors`` and the state-file helpers in
``sources.fetch._state``; the public names are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from lagesbild.errors import SourceUnavailable
from sources.fetch._state import (
    file_sha,
    last_good,
    now_utc,
    read_state,
    record_for,
    restore,
    save_state,
    sha256_hex,
    write_atomic,
)
from sources.fetch.config import FETCH_KINDS, FetchSpec, load_fetch_specs
from sources.fetch.errors import FetchError, is_transient, retry_condition, transient_status
from sources.store.inbox import StaleSource
from sources.store.rawstore import RawFile, RawStore

__all__ = [
    "DEFAULT_TIMEOUT",
    "FETCH_KINDS",
    "FetchError",
    "FetchResult",
    "FetchSpec",
    "fetch_or_fallback",
    "use_last_snapshot",
    "fetch_source",
    "fetch_sources",
    "fetch_with_retries",
    "is_transient",
    "load_fetch_specs",
    "make_client",
    "retry_condition",
    "stale_source",
]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
_ATTEMPTS = 3  # shared default of fetch_with_retries and fetch_or_fallback
_BACKOFF: tuple[float, ...] = (1, 2, 4)
_MAX_RETRY_AFTER = 300.0
_TZ = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class FetchResult:
    """What one fetch did: where the file lies, whether it changed, whether it is stale."""

    spec: FetchSpec
    path: Path
    sha256: str
    changed: bool  # the inbox file was (re)written
    not_modified: bool  # the server answered 304
    raw_file: RawFile | None
    last_success: dt.datetime
    stale: bool = False
    stale_source: StaleSource | None = None  # set when stale: the draft's note, as facts
    attempts: int = 1
    error: str | None = None


def make_client(timeout: httpx.Timeout | float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An ``httpx.Client`` with the project's defaults (time-outs, redirects, user agent).

    Args:
        timeout: seconds or an ``httpx.Timeout``.

    Returns:
        A client; the caller closes it (``with make_client() as client:``).
    """
    return httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        headers={"User-Agent": "lagesbild (Stockholms stad; lagesbild pipeline)"},  # ASCII only
    )


# --- fetching ------------------------------------------------------------------------------


def _checked_body(response: httpx.Response, url: str) -> bytes:
    """The body, refusing a short or empty one (httpx already refuses most short ones)."""
    data = response.content
    length = response.headers.get("Content-Length")
    if length is not None and length.strip().isdigit():
        encoded = "Content-Encoding" in response.headers  # the length counts encoded bytes
        received = response.num_bytes_downloaded if encoded else len(data)
        if received != int(length):
            raise FetchError(
                f"ofullständig överföring: {received} av {int(length)} byte mottagna",
                url=url, transient=True,
            )
    if not data:
        raise FetchError("tomt svar (0 byte)", url=url, transient=True)
    return data


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now_utc()).total_seconds())


def _get(client: httpx.Client, spec: FetchSpec, headers: dict, timeout: Any) -> httpx.Response:
    kwargs = {} if timeout is None else {"timeout": timeout}
    try:
        if spec.query is not None:  # PxWeb: POST the configured query, JSON-stat back
            response = client.post(spec.url, content=spec.query.encode("utf-8"),
                                   headers={**headers, "Content-Type": "application/json"},
                                   **kwargs)
        else:
            response = client.get(spec.url, headers=headers, **kwargs)
    except httpx.TimeoutException as exc:
        raise FetchError(f"tidsgränsen överskreds ({type(exc).__name__})", url=spec.url,
                         transient=True) from exc
    except httpx.RemoteProtocolError as exc:
        raise FetchError(f"ofullständig överföring ({exc})", url=spec.url,
                         transient=True) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}", url=spec.url,
                         transient=is_transient(exc)) from exc
    status = response.status_code
    if status == 304 or status == 200:
        return response
    raise FetchError(
        f"HTTP {status} {response.reason_phrase}".rstrip(),
        url=spec.url, status=status,
        transient=transient_status(status),
        retry_after=_retry_after(response) if status in (429, 503) else None,
    )


def fetch_source(
    spec: FetchSpec,
    *,
    client: httpx.Client,
    store: RawStore,
    inbox: Path,
    state_file: Path,
    timeout: httpx.Timeout | float | None = None,
) -> FetchResult:
    """Fetch one source once (no retries): conditional GET, check, keep, write if changed.

    Args:
        spec: what to fetch and where it goes.
        client: the HTTP client (the caller owns it; see ``make_client``).
        store: the raw store every received body is kept in.
        inbox: the inbox directory; the file goes to ``inbox/<kind>/<filename>``.
        state_file: JSON file remembering validators and the last good snapshot per URL.
        timeout: per-request time-out; the client's when None.

    Returns:
        The result; ``not_modified`` after a 304, ``changed`` when the inbox file was written.

    Raises:
        FetchError: on any failure (``transient`` tells whether to retry).
    """
    target = Path(inbox) / spec.kind / spec.filename
    previous = read_state(state_file).get(spec.url, {})
    old_sha = previous.get("sha256")
    have_snapshot = bool(old_sha) and store.blob_path(old_sha).is_file()
    headers = {}
    if have_snapshot:
        if previous.get("etag"):
            headers["If-None-Match"] = previous["etag"]
        if previous.get("last_modified"):
            headers["If-Modified-Since"] = previous["last_modified"]
    response = _get(client, spec, headers, timeout)
    now = now_utc()
    if response.status_code == 304:
        if not have_snapshot:
            raise FetchError("304 utan begärd villkorlig hämtning", url=spec.url, transient=False)
        restored = restore(target, store, old_sha)
        save_state(state_file, spec.url, {**previous, "last_success": now.isoformat()})
        log.info("%s: not modified since %s", spec.url, previous.get("retrieved_at"))
        return FetchResult(spec=spec, path=target, sha256=old_sha, changed=restored,
                           not_modified=True, raw_file=record_for(store, spec.url, old_sha),
                           last_success=now)  # fmt: skip
    data = _checked_body(response, spec.url)
    sha = sha256_hex(data)
    kept = store.keep_bytes(data, name=spec.filename, origin=spec.url, retrieved_at=now)
    changed = file_sha(target) != sha
    if changed:
        write_atomic(target, data)
        log.info("%s: wrote %s (%d bytes, %s)", spec.url, target, len(data), sha[:12])
    else:
        log.info("%s: same content as %s; inbox file left as it is", spec.url, target)
    save_state(
        state_file,
        spec.url,
        {
            "kind": spec.kind,
            "filename": spec.filename,
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
            "sha256": sha,
            "size": len(data),
            "retrieved_at": now.isoformat(),
            "last_success": now.isoformat(),
        },
    )
    return FetchResult(spec=spec, path=target, sha256=sha, changed=changed, not_modified=False,
                       raw_file=kept, last_success=now)  # fmt: skip


def fetch_with_retries(
    spec: FetchSpec,
    *,
    client: httpx.Client,
    store: RawStore,
    inbox: Path,
    state_file: Path,
    attempts: int = _ATTEMPTS,
    backoff: Sequence[float] = _BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    timeout: httpx.Timeout | float | None = None,
) -> FetchResult:
    """``fetch_source`` with retries on transient errors, for use without Prefect.

    Args:
        spec, client, store, inbox, state_file, timeout: as for ``fetch_source``.
        attempts: tries in all (1 = no retry).
        backoff: seconds to wait before the 2nd, 3rd, … try (the last repeats); a server's
            ``Retry-After`` (capped at 300 s) lengthens the wait.
        sleep: the waiting function (tests pass a recorder).

    Returns:
        The first successful result, with ``attempts`` set.

    Raises:
        FetchError: at once for a permanent error, else the last error after ``attempts``.
    """
    for attempt in range(1, max(1, attempts) + 1):
        try:
            result = fetch_source(spec, client=client, store=store, inbox=inbox,
                                  state_file=state_file, timeout=timeout)  # fmt: skip
        except FetchError as exc:
            exc.attempts = attempt
            if not exc.transient or attempt >= attempts:
                raise
            delay = float(backoff[min(attempt - 1, len(backoff) - 1)]) if backoff else 0.0
            if exc.retry_after:
                delay = max(delay, min(exc.retry_after, _MAX_RETRY_AFTER))
            log.warning("%s (try %d of %d); retrying in %.1f s", exc, attempt, attempts, delay)
            sleep(delay)
            continue
        return FetchResult(**{**result.__dict__, "attempts": attempt})
    raise AssertionError("unreachable")  # pragma: no cover


def stale_source(spec: FetchSpec, last_success: dt.datetime) -> StaleSource:
    """What the draft must say about data from an earlier fetch (date in Stockholm time).

    Args:
        spec: the source.
        last_success: when it was last fetched successfully.

    Returns:
        The source's kind, its label (the URL's host when unnamed) and the date; the draft
        words it with the ``datakvalitet_stale`` template.
    """
    day = last_success.astimezone(_TZ).date() if last_success.tzinfo else last_success.date()
    return StaleSource(kind=spec.kind, label=spec.shown, fetched_on=day)


def fetch_or_fallback(
    spec: FetchSpec,
    *,
    client: httpx.Client,
    store: RawStore,
    inbox: Path,
    state_file: Path,
    attempts: int = _ATTEMPTS,
    backoff: Sequence[float] = _BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    timeout: httpx.Timeout | float | None = None,
) -> FetchResult:
    """Fetch with retries; when every try fails, stand in the last good snapshot.

    Args:
        spec, client, store, inbox, state_file, attempts, backoff, sleep, timeout: as for
            ``fetch_with_retries``.

    Returns:
        A fresh result, or a stale one (``stale=True``, ``last_success``, ``stale_source``,
        ``error``) whose inbox file is the last good snapshot (restored if it was removed).

    Raises:
        SourceUnavailable: every try failed and no fetch of this URL ever succeeded.
    """
    try:
        return fetch_with_retries(spec, client=client, store=store, inbox=inbox,
                                  state_file=state_file, attempts=attempts, backoff=backoff,
                                  sleep=sleep, timeout=timeout)  # fmt: skip
    except FetchError as exc:
        error = exc
    return use_last_snapshot(spec, store=store, inbox=inbox, state_file=state_file,
                             error=error)


def use_last_snapshot(
    spec: FetchSpec, *, store: RawStore, inbox: Path, state_file: Path,
    error: BaseException | None,
) -> FetchResult:  # fmt: skip
    """Stand in the last good snapshot of a source whose fetch failed for good.

    Args:
        spec: the source.
        store: the raw store holding earlier downloads.
        inbox: the inbox whose file is restored from the snapshot if it was removed.
        state_file: the fetch state (last success per URL).
        error: why the fetch failed (kept in the result and the log).

    Returns:
        A stale result (``stale=True``, ``last_success``, ``stale_source``).

    Raises:
        SourceUnavailable: no fetch of this URL ever succeeded.
    """
    good = last_good(spec, store, state_file)
    if good is None:
        raise SourceUnavailable(
            f"{spec.url} kunde inte hämtas och har aldrig hämtats tidigare; "
            f"senaste fel: {error}"
        ) from error
    sha, when = good
    target = Path(inbox) / spec.kind / spec.filename
    restored = restore(target, store, sha)
    log.error("%s; using the snapshot of %s (%s)", error, when.date(), sha[:12])
    return FetchResult(
        spec=spec, path=target, sha256=sha, changed=restored, not_modified=False,
        raw_file=record_for(store, spec.url, sha), last_success=when, stale=True,
        stale_source=stale_source(spec, when), attempts=getattr(error, "attempts", 1),
        error=str(error),
    )  # fmt: skip


def fetch_sources(
    specs: Sequence[FetchSpec],
    *,
    client: httpx.Client,
    store: RawStore,
    inbox: Path,
    state_file: Path,
    **options: Any,
) -> list[FetchResult]:
    """``fetch_or_fallback`` for each spec in turn (options as for that function).

    Returns:
        One result per spec, in order.

    Raises:
        SourceUnavailable: a source failed that never succeeded before.
    """
    return [
        fetch_or_fallback(spec, client=client, store=store, inbox=inbox,
                          state_file=state_file, **options)
        for spec in specs
    ]  # fmt: skip
