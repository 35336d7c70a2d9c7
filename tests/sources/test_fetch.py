"""Tests for sources/fetch/fetch.py against a real HTTP server on 127.0.0.1 (no other network)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import ConfigError, SourceUnavailable
from sources.fetch.fetch import (
    FetchError,
    FetchSpec,
    fetch_or_fallback,
    fetch_source,
    fetch_with_retries,
    is_transient,
    load_fetch_specs,
    retry_condition,
    stale_source,
)
from sources.readers.bra import read_bra
from sources.store.inbox import StaleSource
from sources.store.rawstore import RawStore

FIXTURES = Path(__file__).parents[1] / "fixtures"
BRA_FILE = FIXTURES / "bra-sol" / "Databasfil_stockholms_lan_2020.txt"
BRA_BYTES = BRA_FILE.read_bytes()
FETCH_YAML = Path(__file__).parents[2] / "lagesbild" / "conf" / "fetch.yaml"

Action = Callable[[BaseHTTPRequestHandler], None]


# --- a scripted local server ---------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        server: _Server = self.server  # type: ignore[assignment]
        server.requests.append({k.lower(): v for k, v in self.headers.items()})
        action = server.actions.pop(0) if len(server.actions) > 1 else server.actions[0]
        action(self)

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    actions: list[Action]
    requests: list[dict[str, str]]


class Served:
    """The running server: script its answers with ``answer(...)``, read its ``requests``."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"

    def answer(self, *actions: Action) -> None:
        """Answer requests with these actions in turn; the last one repeats."""
        self._server.actions = list(actions)

    @property
    def requests(self) -> list[dict[str, str]]:
        return self._server.requests


@pytest.fixture
def served() -> Iterator[Served]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.actions, server.requests = [status(500)], []
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield Served(server)
    finally:
        server.shutdown()
        server.server_close()


def ok(body: bytes, *, etag: str | None = None, last_modified: str | None = None) -> Action:
    """200 with the body (304 when the client's If-None-Match is the ETag)."""

    def act(h: BaseHTTPRequestHandler) -> None:
        if etag and h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", "text/plain; charset=iso-8859-1")
        h.send_header("Content-Length", str(len(body)))
        if etag:
            h.send_header("ETag", etag)
        if last_modified:
            h.send_header("Last-Modified", last_modified)
        h.end_headers()
        h.wfile.write(body)

    return act


def status(code: int, headers: dict[str, str] | None = None) -> Action:
    def act(h: BaseHTTPRequestHandler) -> None:
        body = f"fel {code}".encode()
        h.send_response(code)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return act


def slow(seconds: float, then: Action) -> Action:
    def act(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        then(h)

    return act


def truncated(body: bytes) -> Action:
    """Announce the whole body, send half of it and close the connection."""

    def act(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(body[: len(body) // 2])
        h.wfile.flush()
        h.close_connection = True

    return act


# --- helpers -------------------------------------------------------------------------------


class Env:
    """Store, inbox, state file and client of one test, plus a recording sleep."""

    def __init__(self, root: Path) -> None:
        self.store = RawStore(root / "raw")
        self.inbox = root / "inbox"
        self.state_file = root / "fetch-state.json"
        self.client = httpx.Client(timeout=5.0)
        self.sleeps: list[float] = []

    def kwargs(self, **extra: object) -> dict:
        return {"client": self.client, "store": self.store, "inbox": self.inbox,
                "state_file": self.state_file, **extra}  # fmt: skip

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def blobs(self) -> list[Path]:
        root = self.store.root
        return [p for p in root.rglob("*") if p.is_file() and p.parent != root]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    environment = Env(tmp_path)
    yield environment
    environment.client.close()


def bra_spec(served: Served, label: str | None = None) -> FetchSpec:
    return FetchSpec(kind="bra", url=f"{served.base}/sol/Databasfil.txt",
                     filename="Databasfil_stockholms_lan_2020.txt", label=label)  # fmt: skip


# --- fetching ------------------------------------------------------------------------------


def test_first_fetch_writes_the_inbox_file_keeps_the_bytes_and_remembers_the_etag(served, env):
    served.answer(ok(BRA_BYTES, etag='"v1"', last_modified="Wed, 15 Jan 2025 08:00:00 GMT"))
    spec = bra_spec(served)

    result = fetch_source(spec, **env.kwargs())

    target = env.inbox / "bra" / "Databasfil_stockholms_lan_2020.txt"
    assert result.path == target and target.read_bytes() == BRA_BYTES
    assert result.changed and not result.not_modified and not result.stale
    assert result.raw_file.origin == spec.url
    assert result.raw_file.stored_path.read_bytes() == BRA_BYTES
    state = json.loads(env.state_file.read_text(encoding="utf-8"))["sources"][spec.url]
    assert state["etag"] == '"v1"' and state["sha256"] == result.sha256
    assert state["last_modified"] == "Wed, 15 Jan 2025 08:00:00 GMT"
    assert "if-none-match" not in served.requests[0]
    assert not list(target.parent.glob(".*"))  # no temporary file left behind
    frame = read_bra(target, load_areas())
    assert len(frame) > 1000  # the fetched file is a readable BRÅ export


def test_second_fetch_sends_validators_and_a_304_changes_nothing(served, env):
    served.answer(ok(BRA_BYTES, etag='"v1"', last_modified="Wed, 15 Jan 2025 08:00:00 GMT"))
    spec = bra_spec(served)
    first = fetch_source(spec, **env.kwargs())
    mtime = first.path.stat().st_mtime_ns
    manifest = env.store.manifest.read_text(encoding="utf-8")

    second = fetch_source(spec, **env.kwargs())

    assert served.requests[1]["if-none-match"] == '"v1"'
    assert served.requests[1]["if-modified-since"] == "Wed, 15 Jan 2025 08:00:00 GMT"
    assert second.not_modified and not second.changed
    assert second.sha256 == first.sha256 and second.raw_file == first.raw_file
    assert first.path.stat().st_mtime_ns == mtime
    assert env.store.manifest.read_text(encoding="utf-8") == manifest


def test_a_304_restores_a_removed_inbox_file_from_the_raw_store(served, env):
    served.answer(ok(BRA_BYTES, etag='"v1"'))
    spec = bra_spec(served)
    first = fetch_source(spec, **env.kwargs())
    first.path.unlink()

    again = fetch_source(spec, **env.kwargs())

    assert again.not_modified and again.changed
    assert first.path.read_bytes() == BRA_BYTES


def test_same_content_twice_adds_no_blob_and_leaves_the_inbox_file_untouched(served, env):
    served.answer(ok(BRA_BYTES))  # no validators: the server sends the body again
    spec = bra_spec(served)
    first = fetch_source(spec, **env.kwargs())
    mtime = first.path.stat().st_mtime_ns
    time.sleep(0.01)

    second = fetch_source(spec, **env.kwargs())

    assert not second.changed and not second.not_modified
    assert first.path.stat().st_mtime_ns == mtime
    assert len(env.blobs()) == 1 and len(env.store.records()) == 1


def test_new_content_replaces_the_inbox_file_and_adds_a_blob(served, env):
    spec = bra_spec(served)
    served.answer(ok(BRA_BYTES))
    fetch_source(spec, **env.kwargs())
    newer = (FIXTURES / "bra-sol" / "Databasfil_stockholms_lan_2023prel.txt").read_bytes()
    served.answer(ok(newer))

    result = fetch_source(spec, **env.kwargs())

    assert result.changed and result.path.read_bytes() == newer
    assert len(env.blobs()) == 2
    assert [r.sha256 for r in env.store.history(spec.url)][-1] == result.sha256


def test_500_then_200_succeeds_on_the_second_try_after_backing_off(served, env):
    served.answer(status(500), ok(BRA_BYTES))

    result = fetch_with_retries(bra_spec(served), **env.kwargs(sleep=env.sleep))

    assert result.attempts == 2 and result.path.read_bytes() == BRA_BYTES
    assert env.sleeps == [1.0]
    assert len(served.requests) == 2


def test_retry_after_of_a_503_lengthens_the_wait(served, env):
    served.answer(status(503, {"Retry-After": "3"}), ok(BRA_BYTES))

    fetch_with_retries(bra_spec(served), **env.kwargs(sleep=env.sleep))

    assert env.sleeps == [3.0]


def test_always_500_falls_back_to_the_last_good_snapshot_with_a_stale_note(served, env):
    spec = bra_spec(served, label="BRÅ:s statistikdatabas")
    served.answer(ok(BRA_BYTES))
    good = fetch_source(spec, **env.kwargs())
    served.answer(status(500))

    result = fetch_or_fallback(spec, **env.kwargs(sleep=env.sleep, attempts=3))

    assert result.stale and result.sha256 == good.sha256
    assert result.last_success == good.last_success
    day = good.last_success.astimezone(ZoneInfo("Europe/Stockholm")).date()
    assert result.stale_source == StaleSource(kind="bra", label="BRÅ:s statistikdatabas",
                                              fetched_on=day)  # fmt: skip
    assert "HTTP 500" in result.error and result.attempts == 3
    assert env.sleeps == [1.0, 2.0] and len(served.requests) == 4  # 1 good + 3 tries
    assert result.path.read_bytes() == BRA_BYTES


def test_stale_source_names_the_host_when_there_is_no_label():
    spec = FetchSpec(kind="bra", url="https://statistik.example.org/a/b.txt", filename="b.txt")
    when = dt.datetime(2025, 1, 31, 23, 30, tzinfo=dt.UTC)  # 1 Feb in Stockholm

    assert stale_source(spec, when) == StaleSource(
        kind="bra", label="statistik.example.org", fetched_on=dt.date(2025, 2, 1))


def test_no_earlier_success_raises_source_unavailable_naming_url_and_error(served, env):
    served.answer(status(500))
    spec = bra_spec(served)

    with pytest.raises(SourceUnavailable) as caught:
        fetch_or_fallback(spec, **env.kwargs(sleep=env.sleep, attempts=2))

    assert spec.url in str(caught.value) and "HTTP 500" in str(caught.value)
    assert not (env.inbox / "bra").exists()


def test_a_time_out_is_transient(served, env):
    served.answer(slow(1.0, ok(BRA_BYTES)))

    with pytest.raises(FetchError) as caught:
        fetch_source(bra_spec(served), **env.kwargs(timeout=0.3))

    assert caught.value.transient and is_transient(caught.value)
    assert "tidsgräns" in str(caught.value)
    assert not (env.inbox / "bra").exists() and not env.store.records()


def test_a_body_cut_off_mid_file_is_detected_and_nothing_is_kept(served, env):
    served.answer(truncated(BRA_BYTES))

    with pytest.raises(FetchError) as caught:
        fetch_source(bra_spec(served), **env.kwargs())

    assert caught.value.transient and "ofullständig" in str(caught.value)
    assert not (env.inbox / "bra").exists() and not env.store.records()


def test_an_empty_body_is_rejected(served, env):
    served.answer(ok(b""))

    with pytest.raises(FetchError, match="tomt svar"):
        fetch_source(bra_spec(served), **env.kwargs())


def test_404_is_permanent_and_not_retried(served, env):
    served.answer(status(404))

    with pytest.raises(FetchError) as caught:
        fetch_with_retries(bra_spec(served), **env.kwargs(sleep=env.sleep))

    assert not caught.value.transient and caught.value.status == 404
    assert len(served.requests) == 1 and env.sleeps == []


def test_a_connection_refused_is_transient(env):
    spec = FetchSpec(kind="bra", url="http://127.0.0.1:9/x.txt", filename="x.txt")

    with pytest.raises(FetchError) as caught:
        fetch_source(spec, **env.kwargs(timeout=0.3))

    assert caught.value.transient


@pytest.mark.parametrize(
    ("code", "transient"),
    [(500, True), (502, True), (503, True), (429, True), (408, True), (404, False),
     (401, False), (403, False), (400, False), (410, False)],
)  # fmt: skip
def test_is_transient_by_status(code, transient):
    request = httpx.Request("GET", "http://127.0.0.1/x")
    error = httpx.HTTPStatusError("x", request=request, response=httpx.Response(code))
    assert is_transient(error) is transient


def test_is_transient_for_other_exceptions():
    request = httpx.Request("GET", "http://127.0.0.1/x")
    assert is_transient(httpx.ConnectError("refused", request=request))
    assert is_transient(httpx.RemoteProtocolError("short body", request=request))
    assert not is_transient(httpx.UnsupportedProtocol("ftp", request=request))
    assert not is_transient(ValueError("bug"))


def test_retry_condition_reads_the_failed_state():
    class State:
        def __init__(self, exc: BaseException) -> None:
            self.exc = exc

        def result(self, raise_on_failure: bool = True) -> BaseException:
            assert raise_on_failure is False
            return self.exc

    assert retry_condition(None, None, State(FetchError("x", url="u", transient=True)))
    assert not retry_condition(None, None, State(FetchError("x", url="u", transient=False)))


def test_request_headers_are_built_from_the_remembered_validators(tmp_path):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "If-None-Match" in request.headers:
            return httpx.Response(304)
        return httpx.Response(200, content=b"a;b\n", headers={
            "ETag": 'W/"abc"', "Last-Modified": "Mon, 06 Jan 2025 10:00:00 GMT"})

    env = Env(tmp_path)
    env.client = httpx.Client(transport=httpx.MockTransport(handler))
    spec = FetchSpec(kind="befolkning", url="https://data.example.org/b.csv", filename="b.csv")
    fetch_source(spec, **env.kwargs())
    fetch_source(spec, **env.kwargs())

    assert "If-None-Match" not in seen[0].headers
    assert seen[1].headers["If-None-Match"] == 'W/"abc"'
    assert seen[1].headers["If-Modified-Since"] == "Mon, 06 Jan 2025 10:00:00 GMT"


# --- configuration -------------------------------------------------------------------------


def test_the_shipped_fetch_yaml_loads_global_and_area_sources():
    everyone = load_fetch_specs(FETCH_YAML)
    soder = load_fetch_specs(FETCH_YAML, area="sodermalm")

    assert everyone and all(s.kind in ("befolkning", "enkater") for s in everyone)
    assert soder[: len(everyone)] == everyone
    assert {s.kind for s in soder[len(everyone):]} == {"bra", "ia"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "polisen", "url": "https://x.org/a.csv", "filename": "a.csv"}, "kind"),
        ({"kind": "bra", "url": "ftp://x.org/a.txt", "filename": "a.txt"}, "http"),
        ({"kind": "bra", "url": "https://x.org/a.xlsx", "filename": "a.xlsx"}, ".txt"),
        ({"kind": "bra", "url": "https://x.org/a.txt", "filename": "../a.txt"}, "plain"),
        ({"kind": "bra", "url": "https://x.org/a.txt"}, "filename"),
    ],
)
def test_bad_fetch_entries_are_config_errors(tmp_path, entry, message):
    path = tmp_path / "fetch.yaml"
    path.write_text(json.dumps({"sources": [entry]}), encoding="utf-8")

    with pytest.raises(ConfigError, match=message) as caught:
        load_fetch_specs(path)

    assert "sources[0]" in str(caught.value)


def test_two_entries_writing_one_inbox_file_are_refused(tmp_path):
    entry = {"kind": "bra", "url": "https://x.org/a.txt", "filename": "a.txt"}
    path = tmp_path / "fetch.yaml"
    path.write_text(json.dumps({"sources": [entry], "areas": {"x": [entry]}}), encoding="utf-8")

    assert len(load_fetch_specs(path)) == 1
    with pytest.raises(ConfigError, match="also written by"):
        load_fetch_specs(path, area="x")
