"""``lagesbild run`` as a person meets it: refusals in under a second, Swedish step lines in
a real terminal, and a kill -9 that leaves no LibreOffice, no scratch directory and no
child process behind."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outputs.pdf.render import UNO_PYTHON, find_soffice
from tests.proctree import alive, descendants

VENV_BIN = Path(sys.executable).parent
LAGESBILD = str(VENV_BIN / "lagesbild")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")

_PROBE = """
import sys, time
started = time.perf_counter()
from lagesbild.cli import app
try:
    app(sys.argv[1:], standalone_mode=True)
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"prefect", "great_expectations",
               "pandas", "scipy", "docx"})
print(f"RESULT {code} {time.perf_counter() - started:.3f} {','.join(heavy) or '-'}")
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "LAGESBILD_HOME": str(tmp_path / "home"),
           "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_LOGGING_LEVEL": "INFO"}  # fmt: skip
    env.pop("PREFECT_API_URL", None)
    env.pop("LAGESBILD_DATABASE_URL", None)
    return env


def _probe(args: list[str], env: dict[str, str]) -> tuple[int, float, str, str]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    _, code, seconds, heavy = done.stdout.strip().splitlines()[-1].split()
    return int(code), float(seconds), heavy, done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "sodermalmm", "--year", "2023"], "menade du sodermalm?"),
        (["--area", "sodermalm", "--year", "2031"], "år 2031 finns inte i indata"),
        (["--area", "sodermalm", "--year", "2023", "--inbox", "/nonexistent/inbox"],
         "indatamappen /nonexistent/inbox finns inte"),
    ],
)  # fmt: skip
def test_a_bad_argument_is_refused_at_once_without_importing_prefect(tmp_path, args, message):
    # What makes it fast is what it does not do: nothing heavy is imported before the
    # refusal (the time itself is a benchmark figure, benchmarks/bench_run.py).
    code, _seconds, heavy, stderr = _probe(["run", *args], _env(tmp_path))
    assert code == 2
    assert message in stderr
    assert heavy == "-", f"imported {heavy} before refusing"


class Terminal:
    """A command in a real pseudo-terminal; ``expect`` reads until a pattern shows."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        master, slave = pty.openpty()
        self.process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        cwd=cwd, close_fds=True)  # fmt: skip
        os.close(slave)
        self.master = master
        self.text = ""

    def expect(self, pattern: str, timeout: float = 240.0) -> str:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.text):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{pattern!r} not seen in:\n{self.text}")
            ready, _, _ = select.select([self.master], [], [], min(remaining, 1.0))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the command ended and closed the terminal
                    chunk = b""
                if not chunk and self.process.poll() is not None:
                    raise AssertionError(f"{pattern!r} not seen before exit:\n{self.text}")
                self.text += ANSI.sub("", chunk.decode("utf-8", "replace"))
        return self.text

    def drain(self, timeout: float = 60.0) -> str:
        """Everything up to the command's exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.5)
            chunk = b""
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
            self.text += ANSI.sub("", chunk.decode("utf-8", "replace"))
            if not chunk and self.process.poll() is not None:
                break
        return self.text

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        os.close(self.master)


@pytest.mark.skipif(find_soffice() is None or not Path(UNO_PYTHON).exists(),
                    reason="LibreOffice with python3-uno needed")
def test_run_in_a_terminal_shows_swedish_steps_and_a_kill_9_leaves_nothing(tmp_path):
    env = _env(tmp_path)
    env["COLUMNS"] = "200"
    try:
        _run_then_kill(tmp_path, env)
    finally:  # never leave the kept server of the test's data root running
        subprocess.run([LAGESBILD, "server", "stop"], env=env, capture_output=True, timeout=60)


def _run_then_kill(tmp_path: Path, env: dict[str, str]) -> None:
    base = [LAGESBILD, "run", "--area", "sodermalm", "--year", "2023"]
    first = Terminal(base, env, tmp_path)
    try:
        first.expect(r"Klart på [\d,]+\s+s: sodermalm 2023, version 1 \(ny version\)")
        text = first.drain()
        assert first.process.wait(timeout=60) == 0
    finally:
        first.close()
    for line in (r"✓ Startar Prefect-servern … http://127\.0\.0\.1:\d+/",
                 r"✓ Läser indata … \d+ filer, [\d,]+\s+s",
                 r"✓ Kontrollerar … \d+ av \d+ godkända, [\d,]+\s+s",
                 r"✓ Beräknar … \d+ indikatorer, [\d,]+\s+s",
                 r"✓ Skriver utkast … v001, [\d,]+\s+s", r"✓ PDF … [\d,]+\s+s",
                 r"lagesbild_sodermalm_2023_v001\.docx"):  # fmt: skip
        assert re.search(line, text), f"{line!r} not in:\n{text}"
    # Prefect's and Great Expectations' own lines went to the log, not the terminal.
    for noise in ("| INFO", "| WARNING", "Finished in state", "Flow run '", "Task run '",
                  "Calculating Metrics", "Traceback"):  # fmt: skip
        assert noise not in text, noise
    log = Path(re.search(r"logg: (\S+\.log)", text).group(1))
    assert "Finished in state Completed" in log.read_text(encoding="utf-8")
    # The Data Docs, rendered by a child while the run drafted, are whole in the version.
    docs = Path(re.search(r"(\S+/v001/data_docs/index\.html)", text).group(1))
    assert docs.is_file() and (docs.parent / "checks.html").is_file()
    assert any((docs.parent / "validations").rglob("*.html"))

    # A changed run killed with SIGKILL while LibreOffice renders its PDF.
    second = Terminal([*base, "--ia-cutoff", "2023-10-01"], env, tmp_path)
    try:
        second.expect(r"✓ Skriver utkast … v002")
        deadline, soffice = time.monotonic() + 120, []
        while not soffice and time.monotonic() < deadline:
            children = descendants(second.process.pid)
            soffice = [pid for pid in children if b"lagesbild-lo-" in
                       Path(f"/proc/{pid}/cmdline").read_bytes()]  # fmt: skip
            time.sleep(0.05)
        assert soffice, "LibreOffice never started"
        profile = re.search(rb"/tmp/lagesbild-lo-[^/\x00]+",
                            Path(f"/proc/{soffice[0]}/cmdline").read_bytes())  # fmt: skip
        children = descendants(second.process.pid)
        os.kill(second.process.pid, signal.SIGKILL)
        second.process.wait(timeout=30)
    finally:
        second.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(alive(p) for p in children):
        time.sleep(0.2)
    assert not [p for p in children if alive(p)], "a child process outlived the run"
    assert profile and not Path(profile.group().decode()).exists()
    # The kept local server is the one process meant to stay: visible, then stopped.
    status = subprocess.run([LAGESBILD, "server", "status"], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert status.returncode == 0 and "Prefect-servern svarar" in status.stdout
    pid = int(re.search(r"pid (\d+)", status.stdout).group(1))
    stop = subprocess.run([LAGESBILD, "server", "stop"], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert stop.returncode == 0 and f"(pid {pid}) stoppad" in stop.stdout
    deadline = time.monotonic() + 20
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(pid)


def test_a_run_handed_to_the_warm_worker_streams_its_steps_back(tmp_path):
    env = _env(tmp_path)
    env["COLUMNS"] = "200"
    worker = subprocess.Popen([LAGESBILD, "worker"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not (tmp_path / "home" / "worker.json").exists():
            assert worker.poll() is None and time.monotonic() < deadline, "no worker"
            time.sleep(0.2)
        run = Terminal([LAGESBILD, "run", "--area", "sodermalm", "--year", "2023", "--no-pdf"],
                       env, tmp_path)  # fmt: skip
        try:
            run.expect(r"Klart på [\d,]+\s+s \(via serve-flows\): sodermalm 2023, version 1")
            text = run.drain()
            assert run.process.wait(timeout=60) == 0
        finally:
            run.close()
        assert re.search(r"✓ Kontrollerar … \d+ av \d+ godkända", text)
        assert "Startar Prefect-servern" not in text  # the worker holds the server
        server = json.loads((tmp_path / "home" / "prefect-server.json").read_text())["pid"]
        children = descendants(worker.pid) - {server} - descendants(server)
        # The worker keeps one LibreOffice listener warm for its runs (outputs.pdf.render), and
        # the reaper that kills it if the worker dies.
        listener = {p for p in children if any(
            mark in Path(f"/proc/{p}/cmdline").read_bytes()
            for mark in (b"uno_update_indexes.py", b"groups, paths = set(), set()"))}
        kept = listener | {c for p in listener for c in descendants(p)}
        assert not [p for p in children - kept if alive(p)]  # the run's child has ended
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        subprocess.run([LAGESBILD, "server", "stop"], env=env, capture_output=True, timeout=60)
    assert not (tmp_path / "home" / "worker.json").exists()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(p) for p in kept):
        time.sleep(0.2)
    assert not [p for p in kept if alive(p)], "LibreOffice outlived the worker"
