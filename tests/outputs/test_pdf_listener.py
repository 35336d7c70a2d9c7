"""The warm LibreOffice listener: one soffice for many PDFs, replaced when it dies, and
gone with its owner even after a kill -9 (real processes throughout)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outputs.pdf import render as pdf
from outputs.pdf.render import WARM_UP_DOCX, render_pdf
from tests.proctree import alive, descendants

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or not Path(pdf.UNO_PYTHON).exists(),
    reason="LibreOffice with python3-uno needed",
)


def _soffice(listener_pid: int) -> list[int]:
    return [p for p in descendants(listener_pid)
            if b"soffice" in Path(f"/proc/{p}/cmdline").read_bytes()]  # fmt: skip


def _wait_gone(pids: set[int], seconds: float = 30) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.2)
    return [p for p in pids if alive(p)]


def test_one_soffice_serves_every_pdf_and_a_dead_one_is_replaced(tmp_path: Path) -> None:
    first = render_pdf(WARM_UP_DOCX, tmp_path / "a")
    assert first is not None and first.read_bytes().startswith(b"%PDF")
    listener = pdf._listener
    assert listener is not None and listener.alive()
    soffice = set(_soffice(listener.pid))
    assert soffice
    assert render_pdf(WARM_UP_DOCX, tmp_path / "b") is not None
    assert pdf._listener is listener and all(alive(p) for p in soffice)  # kept warm

    for pid in soffice:  # LibreOffice crashes between two PDFs
        os.kill(pid, signal.SIGKILL)
    assert not _wait_gone(soffice)
    assert render_pdf(WARM_UP_DOCX, tmp_path / "c") is not None
    assert pdf._listener is listener and _soffice(listener.pid)  # soffice started again

    os.kill(listener.pid, signal.SIGKILL)  # the listener itself dies
    assert render_pdf(WARM_UP_DOCX, tmp_path / "d") is not None
    assert pdf._listener is not listener and pdf._listener.alive()
    assert not _wait_gone({listener.pid})


_OWNER = """
import sys, time
from outputs.pdf import render as pdf
assert pdf.warm_listener()
print(pdf._listener.pid, pdf._listener.work, flush=True)
time.sleep(600)
"""


def test_a_kill_9_of_the_owner_leaves_no_soffice_and_no_profile() -> None:
    owner = subprocess.Popen([sys.executable, "-c", _OWNER], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    try:
        pid, work = owner.stdout.readline().split()
        children = descendants(owner.pid)
        assert int(pid) in children and _soffice(int(pid)) and Path(work).is_dir()
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait(timeout=30)
    finally:
        if owner.poll() is None:
            owner.kill()
    assert not _wait_gone(children), "a LibreOffice process outlived its owner"
    deadline = time.monotonic() + 10
    while Path(work).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(work).exists()


def test_a_listener_that_cannot_start_is_dropped_not_retried() -> None:
    # /bin/false stands in for a python3 without uno: the listener exits at once.
    assert pdf.warm_listener(python="/bin/false") is False
    assert not pdf.listener_died()  # the worker's loop does not restart it every second
    assert pdf._listener is None


def test_a_listener_started_ahead_warms_writer_and_serves_the_next_pdf(tmp_path: Path) -> None:
    pdf._drop()
    assert pdf.start_listener()
    listener = pdf._listener
    assert listener is not None and listener.alive()
    warm_up = listener.work / "warm-up.pdf"
    deadline = time.monotonic() + 120
    while not warm_up.is_file() and time.monotonic() < deadline:  # Writer loaded ahead
        time.sleep(0.2)
    assert warm_up.read_bytes().startswith(b"%PDF")
    assert pdf.start_listener() and pdf._listener is listener  # one listener, not two
    made = render_pdf(WARM_UP_DOCX, tmp_path / "out")
    assert made is not None and made.read_bytes().startswith(b"%PDF")
    assert pdf._listener is listener
