"""A yearly run that fetches its BRÅ file over HTTP, then survives the provider's outage.

A real HTTP server on 127.0.0.1 serves the sample's BRÅ export; the second run finds it
down and must use the last good snapshot, and the draft must say so.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import docx
import pytest

from lagesbild.errors import SourceUnavailable
from lagesbild.settings import load_settings
from tasks.pipeline import publishing, stages
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec

BRA_FILE = "Databasfil_sodermalm_2022.txt"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if self.server.down:  # type: ignore[attr-defined]
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = (SAMPLE_INBOX / "bra" / BRA_FILE).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"v1"')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.down = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _setup(tmp_path: Path, server: ThreadingHTTPServer) -> tuple[RunSpec, dict[str, str]]:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    (inbox / "bra" / BRA_FILE).unlink()  # the run must fetch it
    config = tmp_path / "fetch.yaml"
    url = f"http://127.0.0.1:{server.server_address[1]}/{BRA_FILE}"
    config.write_text(
        f"sources:\n  - kind: bra\n    url: {url}\n    filename: {BRA_FILE}\n"
        "    label: BRÅ:s statistikdatabas\n",
        encoding="utf-8",
    )
    env = {"LAGESBILD_HOME": str(tmp_path / "home"), "LAGESBILD_FETCH_CONFIG": str(config)}
    spec = RunSpec(area="sodermalm", year=2022, inbox=inbox, out=tmp_path / "out", pdf=False)
    return spec, env


def _run(spec: RunSpec, env: dict[str, str]):
    settings = load_settings(env)
    fetched = []
    for source in stages.fetch_specs(spec, settings):
        try:
            fetched.append(stages.fetch_one(source, spec, settings))
        except Exception as error:  # what the Prefect task does after its last retry
            fetched.append(stages.fall_back(source, spec, settings, error))
    inputs = stages.ingest(spec, settings, fetched)
    report = stages.check(spec, inputs, None)
    computed = stages.compute(spec, inputs)
    return fetched, publishing.publish(spec, settings, inputs, computed, report)


def test_outage_falls_back_to_the_last_good_snapshot_and_the_draft_says_so(tmp_path, server):
    spec, env = _setup(tmp_path, server)
    fetched, first = _run(spec, env)
    assert not fetched[0].stale and (spec.inbox / "bra" / BRA_FILE).is_file()
    assert first.created

    server.down = True  # type: ignore[attr-defined]
    (spec.inbox / "bra" / BRA_FILE).unlink()  # even a lost inbox file comes back
    fetched, unchanged = _run(spec, env)
    assert fetched[0].stale and not unchanged.created  # same bytes: the draft still holds

    survey = spec.inbox / "enkater" / "trygghetsmatningen.csv"  # another source moves on
    survey.write_text(survey.read_text("utf-8-sig").replace(";8,0;", ";8,5;", 1), "utf-8-sig")
    fetched, second = _run(spec, env)
    assert fetched[0].stale and second.created
    assert (spec.inbox / "bra" / BRA_FILE).read_bytes() == (
        SAMPLE_INBOX / "bra" / BRA_FILE
    ).read_bytes()
    text = "\n".join(p.text for p in docx.Document(str(second.draft)).paragraphs)
    assert "Uppgifter från BRÅ:s statistikdatabas hämtade" in text
    assert "senaste lyckade hämtning" in text


def test_a_source_never_fetched_stops_the_run(tmp_path, server):
    spec, env = _setup(tmp_path, server)
    server.down = True  # type: ignore[attr-defined]
    with pytest.raises(SourceUnavailable, match=BRA_FILE):
        _run(spec, env)
    assert not (tmp_path / "out").exists()
