"""PxWeb: the configured query POSTed through the fetch machinery to a real local server.

A loopback HTTP server stands in for SCB's API (no other network): it answers the POSTed
JSON query with a JSON-stat 2.0 dataset and an ETag, and "304 Not Modified" when asked
conditionally. Retries, the conditional request and the last good snapshot are the same
code as for the GET sources.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import yaml

from lagesbild.areas.load import load_areas
from sources.fetch.fetch import fetch_or_fallback, fetch_source, load_fetch_specs
from sources.readers.jsonstat_write import jsonstat_dataset
from sources.store.inbox import read_inbox
from sources.store.rawstore import RawStore

QUERY = {"query": [{"code": "Region", "selection": {"filter": "vs:RegionKommun07",
                                                       "values": ["0180"]}},
                   {"code": "ContentsCode", "selection": {"filter": "item",
                                                            "values": ["BE0101N1"]}}],
         "response": {"format": "json-stat2"}}
BODY = json.dumps(jsonstat_dataset(
    {"Region": {"0180": "Stockholm"}, "ContentsCode": {"BE0101N1": "Folkmängd"},
     "Tid": {"2023": "2023"}}, [984748], updated="2024-02-21T07:00:00Z")).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length", 0))
        self.server.requests.append(  # type: ignore[attr-defined]
            (dict(self.headers.items()), json.loads(self.rfile.read(length))))
        if self.server.down:  # type: ignore[attr-defined]
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.requests, httpd.down = [], False  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_query_posted_read_and_conditional_then_last_good(server, tmp_path):
    url = f"http://127.0.0.1:{server.server_address[1]}/api/v1/sv/ssd/BE/BE0101/BefolkningNy"
    config = tmp_path / "fetch.yaml"
    config.write_text(yaml.safe_dump({"sources": [{
        "kind": "befolkning", "url": url, "filename": "scb_folkmangd.json",
        "label": "SCB, Befolkningsstatistik", "query": QUERY}]}, allow_unicode=True),
        encoding="utf-8")
    [spec] = load_fetch_specs(config)
    inbox, store, state = tmp_path / "inbox", RawStore(tmp_path / "raw"), tmp_path / "s.json"
    with httpx.Client() as client:
        first = fetch_source(spec, client=client, store=store, inbox=inbox, state_file=state)
        assert first.changed and (inbox / "befolkning" / "scb_folkmangd.json").read_bytes() == BODY
        headers, body = server.requests[0]
        assert body == QUERY and headers["Content-Type"] == "application/json"
        again = fetch_source(spec, client=client, store=store, inbox=inbox, state_file=state)
        assert again.not_modified and server.requests[1][0]["If-None-Match"] == '"v1"'
        server.down = True
        stale = fetch_or_fallback(spec, client=client, store=store, inbox=inbox,
                                  state_file=state, attempts=2, backoff=(0,),
                                  sleep=lambda s: None)  # fmt: skip
    assert stale.stale and stale.stale_source.label == "SCB, Befolkningsstatistik"
    assert len(server.requests) == 4  # two tries while down
    inputs = read_inbox(inbox, load_areas())
    assert inputs.befolkning[["area", "value"]].values.tolist() == [["stockholm", 984748.0]]
    assert inputs.retrieval["befolkning/scb_folkmangd.json"]["updated"] == "2024-02-21T07:00:00Z"
