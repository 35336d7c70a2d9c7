"""Issue 14's table in one run: how long ``lagesbild run`` takes as a person meets it.

Every figure is the wall time of a whole process (as typed in a terminal), the median of
``--repeat`` runs, interleaved (one run of each kind per round) so a busy moment of the
shared machine hits all kinds alike; each is printed with its ratio to a bare
pandas/scipy script doing the core computation on the same sample data. Figures:

- an argument error (unknown area), and ``import prefect`` alone;
- the first run on a fresh data root (starts the kept local Prefect server);
- a changed area-year (a new ``--ia-cutoff`` each round) and an unchanged rerun, without
  a worker (local server up) and with ``lagesbild worker`` running, with and without PDF;
- the pipeline alone in one process (no Prefect), first and warm;
- a trivial 5-task Prefect flow with Prefect's temporary server and against a running one
  (Prefect's own floors);
- ``--national DIR``: also the national-scale benchmark (``bench_pipeline``).

Usage: ``.venv/bin/python -m benchmarks.bench_run [--repeat 3] [--national DIR]``.
Nothing is asserted; the machine is shared, so read the medians and say so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LAGESBILD = str(BIN / "lagesbild")
BASE = ["run", "--area", "sodermalm", "--year", "2023"]

_BARE = """
import time; t = time.perf_counter()
from benchmarks.bare_sample import bare_sample
from lagesbild.settings import SAMPLE_INBOX
bare_sample(SAMPLE_INBOX, 2023)
print(time.perf_counter() - t)
"""
_PLAIN = """
import json, logging, sys, time
from pathlib import Path
logging.disable(logging.CRITICAL)
t = time.perf_counter()
from benchmarks.bench_yearly import _plain_run
home = Path(sys.argv[1])
first = _plain_run(2023, home / "a", pdf=False)
warm = _plain_run(2023, home / "b", pdf=False)
pdf = _plain_run(2023, home / "c", pdf=True)
print(json.dumps({"first": time.perf_counter() - t, "first_steps": first, "warm": warm,
                  "pdf": pdf}))
"""
_TRIVIAL = """
from prefect import flow, task
@task
def step(i): return i
@flow
def trivial(): return [step(i) for i in range(5)]
trivial()
"""


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "LAGESBILD_HOME": str(home), "PREFECT_HOME": str(home / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}  # fmt: skip
    env.pop("PREFECT_API_URL", None)
    env.pop("LAGESBILD_DATABASE_URL", None)
    return env


def _wall(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{args} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return took


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--national", type=Path, help="also run bench_pipeline on this data")
    args = parser.parse_args()
    py = sys.executable
    figures: dict[str, list[float]] = {}

    def add(label: str, value: float) -> None:
        figures.setdefault(label, []).append(value)
        print(f"  … {label}: {value:.2f} s", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        tmp_path = Path(tmp)
        warm_home = tmp_path / "warm"
        env = _env(warm_home)
        cold = {**env, "LAGESBILD_WORKER": "0"}  # runs that must not use the worker
        worker = None
        try:
            for round_ in range(args.repeat):
                fresh = _env(tmp_path / f"fresh{round_}")
                add("bare pandas/scipy script (process)", float(subprocess.run(
                    [py, "-c", _BARE], cwd=ROOT, env=fresh, capture_output=True, text=True,
                    check=True).stdout.split()[-1]) + 0.0)  # fmt: skip
                add("argument error (unknown area)",
                    _wall([LAGESBILD, "run", "--area", "sodermalmm", "--year", "2023"], fresh,
                          ok=(2,)))  # fmt: skip
                add("import prefect", _wall([py, "-c", "import prefect"], fresh))
                add("first run, fresh data root (starts the local server), no PDF",
                    _wall([LAGESBILD, *BASE, "--no-pdf"], fresh))  # fmt: skip
                subprocess.run([LAGESBILD, "server", "stop"], env=fresh, capture_output=True)
                plain = json.loads(subprocess.run(
                    [py, "-c", _PLAIN, str(tmp_path / f"plain{round_}")], cwd=ROOT, env=fresh,
                    capture_output=True, text=True, check=True).stdout.splitlines()[-1])
                add("pipeline alone, first in process (no PDF)", plain["first"])
                add("pipeline alone, warm (no PDF)", plain["warm"]["total"])
                add("pipeline alone, warm, with PDF", plain["pdf"]["total"])
                add("trivial 5-task flow, Prefect's temporary server",
                    _wall([py, "-c", _TRIVIAL], fresh))
                # Against the data root's kept server, no worker.
                if round_ == 0:
                    _wall([LAGESBILD, *BASE, "--no-pdf"], env)  # starts the server, v001
                day = dt.date(2023, 6, 1) + dt.timedelta(days=3 * round_)
                add("trivial 5-task flow, running server", _wall(
                    [py, "-c", _TRIVIAL], {**env, "PREFECT_API_URL": _api(warm_home)}))
                add("changed run, no worker, no PDF",
                    _wall([LAGESBILD, *BASE, "--no-pdf", "--ia-cutoff", str(day)], cold))
                add("changed run, no worker, with PDF",
                    _wall([LAGESBILD, *BASE, "--ia-cutoff", str(day + dt.timedelta(1))], cold))
                add("unchanged rerun, no worker",
                    _wall([LAGESBILD, *BASE, "--ia-cutoff", str(day + dt.timedelta(1))], cold))
                if worker is None:
                    worker = subprocess.Popen([LAGESBILD, "worker"], env=env, cwd=ROOT,
                                              stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL)  # fmt: skip
                    deadline = time.monotonic() + 300
                    while not (warm_home / "worker.json").exists():
                        if time.monotonic() > deadline or worker.poll() is not None:
                            raise SystemExit("lagesbild worker did not start")
                        time.sleep(0.2)
                day += dt.timedelta(days=100)
                add("changed run, worker, no PDF",
                    _wall([LAGESBILD, *BASE, "--no-pdf", "--ia-cutoff", str(day)], env))
                add("changed run, worker, with PDF",
                    _wall([LAGESBILD, *BASE, "--ia-cutoff", str(day + dt.timedelta(1))], env))
                add("unchanged rerun, worker",
                    _wall([LAGESBILD, *BASE, "--ia-cutoff", str(day + dt.timedelta(1))], env))
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=60)
            subprocess.run([LAGESBILD, "server", "stop"], env=env, capture_output=True)
    bare = _median(figures["bare pandas/scipy script (process)"])
    width = max(map(len, figures))
    print(f"lagesbild run, sodermalm 2023, sample data, {os.cpu_count()} cores, "
          f"median of {args.repeat} (interleaved; shared machine: noisy)")  # fmt: skip
    print(f"  {'what':<{width}}  {'median':>8}  {'min':>7}  {'max':>7}  {'× bare':>7}")
    for label, values in figures.items():
        m = _median(values)
        print(f"  {label:<{width}}  {m:7.2f} s  {min(values):6.2f} s  {max(values):6.2f} s"
              f"  {m / bare:6.1f}×")  # fmt: skip
    if args.national:
        subprocess.run([py, "-m", "benchmarks.bench_pipeline", "--data", str(args.national)],
                       cwd=ROOT, check=False)  # fmt: skip


def _api(home: Path) -> str:
    raw = json.loads((home / "prefect-server.json").read_text(encoding="utf-8"))
    return f"http://127.0.0.1:{raw['port']}/api"


if __name__ == "__main__":
    main()
