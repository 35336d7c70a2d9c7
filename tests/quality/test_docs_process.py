"""The Data Docs rendered in a child process (``quality.docs_process``) are the site the run
renders itself: the same pages with the same content (times and GX's random element ids
aside); a child that dies before the build leaves the site to the parent, complete."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest

from lagesbild.settings import SAMPLE_INBOX, load_settings
from quality import docs_process
from tasks.pipeline import stages
from tasks.pipeline.spec import RunSpec

_STAMP = re.compile(
    r"\d{8}T\d{6}\.\d+Z|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?"
    r"|'_run_time_sort': [\d.]+"
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _site(directory: Path) -> dict[str, str]:
    """Every file of a site, its path and text with run times and element ids blanked."""
    return {_STAMP.sub("T", str(p.relative_to(directory))):
            _UUID.sub("U", _STAMP.sub("T", p.read_text(encoding="utf-8", errors="replace")))
            for p in sorted(directory.rglob("*")) if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """The sample inbox read once, and the site the run renders in its own process."""
    home = tmp_path_factory.mktemp("docs")
    spec = RunSpec(area="sodermalm", year=2023, inbox=SAMPLE_INBOX, out=home / "reports")
    inputs = stages.ingest(spec, load_settings({"LAGESBILD_HOME": str(home)}))
    stages.check(spec, inputs, home / "here")
    return spec, inputs, _site(home / "here")


def _check_in_child(spec: RunSpec, inputs, directory: Path, *, kill: bool = False,
                    stop: bool = False) -> None:  # fmt: skip
    inputs.__dict__.pop("_inbox_checks", None)  # the suites run (and record) again
    child = docs_process.start()
    try:
        if kill:
            os.kill(child.pid, signal.SIGKILL)
        if stop:  # alive but silent, as a child stuck on a lock would be
            os.kill(child.pid, signal.SIGSTOP)
        stages.check(spec, inputs, directory)
        docs_process.settle()
    finally:
        docs_process.stop()


def test_the_child_renders_the_same_data_docs(checked, tmp_path):
    spec, inputs, here = checked
    _check_in_child(spec, inputs, tmp_path / "child")
    site = _site(tmp_path / "child")
    assert "index.html" in site and any(name.startswith("validations/") for name in site)
    assert site == here


def test_a_child_that_died_leaves_the_whole_site_to_the_parent(checked, tmp_path):
    spec, inputs, here = checked
    _check_in_child(spec, inputs, tmp_path / "child", kill=True)
    assert _site(tmp_path / "child") == here
    assert docs_process.current() is None


def test_a_silent_child_is_given_up_and_the_parent_renders_the_site(checked, tmp_path,
                                                                   monkeypatch):  # fmt: skip
    spec, inputs, here = checked
    monkeypatch.setattr(docs_process, "REPLY_SECONDS", 1.0)
    _check_in_child(spec, inputs, tmp_path / "child", stop=True)
    assert _site(tmp_path / "child") == here
    assert docs_process.current() is None
