"""The yearly run on the bundled sample data: the whole process vs the pipeline alone.

Prints, in one run on one machine:

- the whole ``lagesbild run --area sodermalm --year 2023`` process (Python start, imports,
  Prefect's temporary server, the flow), as a user sees it;
- the pipeline alone, in-process, without Prefect: ingest, check, compute and publish, each
  step timed (the first check pays the great_expectations import once);
- the same pipeline with the draft's PDF rendition (LibreOffice), when installed.

Nothing is asserted: the machines are shared and noisy; compare the figures of one run.
Usage: ``.venv/bin/python -m benchmarks.bench_yearly [--year 2023] [--no-cli]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from lagesbild.settings import load_settings
from tasks.pipeline import publishing, stages
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec

ROOT = Path(__file__).resolve().parent.parent


def _cli_run(year: int, home: Path) -> float:
    env = {**os.environ, "LAGESBILD_HOME": str(home), "PREFECT_HOME": str(home / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}  # fmt: skip
    env.pop("PREFECT_API_URL", None)
    start = time.perf_counter()
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "lagesbild"), "run", "--area",
                           "sodermalm", "--year", str(year)], env=env, cwd=home.parent,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"lagesbild run failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def _plain_run(year: int, home: Path, *, pdf: bool) -> dict[str, float]:
    settings = load_settings({"LAGESBILD_HOME": str(home)})
    spec = RunSpec(area="sodermalm", year=year, inbox=SAMPLE_INBOX, out=home / "out", pdf=pdf)
    times: dict[str, float] = {}
    start = time.perf_counter()
    inputs = stages.ingest(spec, settings)
    times["ingest"] = time.perf_counter() - start
    mark = time.perf_counter()
    report = stages.check(spec, inputs, None)
    times["check"] = time.perf_counter() - mark
    mark = time.perf_counter()
    computed = stages.compute(spec, inputs)
    times["compute"] = time.perf_counter() - mark
    mark = time.perf_counter()
    publishing.publish(spec, settings, inputs, computed, report)
    times["publish"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - start
    return times


def main() -> None:
    """Run the measurements and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--no-cli", action="store_true", help="skip the whole-process run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-yearly-") as tmp:
        if not args.no_cli:
            rows.append(("whole process: lagesbild run (temporary Prefect server)",
                         _cli_run(args.year, Path(tmp) / "cli")))  # fmt: skip
        first = _plain_run(args.year, Path(tmp) / "a", pdf=False)
        second = _plain_run(args.year, Path(tmp) / "b", pdf=False)
        rows += [(f"pipeline alone, first in process: {k}", v) for k, v in first.items()]
        rows += [(f"pipeline alone, warm: {k}", v) for k, v in second.items()]
        if shutil.which("soffice"):
            with_pdf = _plain_run(args.year, Path(tmp) / "c", pdf=True)
            rows.append(("pipeline alone, warm, with PDF: publish", with_pdf["publish"]))
            rows.append(("pipeline alone, warm, with PDF: total", with_pdf["total"]))
    width = max(len(label) for label, _ in rows)
    print(f"yearly run, sodermalm {args.year}, sample data, {os.cpu_count()} cores")
    for label, seconds in rows:
        print(f"  {label:<{width}}  {seconds:7.2f} s")


if __name__ == "__main__":
    main()
