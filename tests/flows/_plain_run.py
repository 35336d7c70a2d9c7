"""Run the plain yearly steps in a subprocess (the lock and kill -9 tests start this).

    python tests/flows/_plain_run.py AREA YEAR OUT [--barrier DIR --name N --parties K]
                                                 [--no-pdf] [--no-checks]

``--barrier``: after computing, touch ``DIR/N`` and wait until ``K`` files are there, so
that several processes reach publish together. ``--no-checks`` uses an empty quality
report (the lock test is about publishing, not the slow checks). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from lagesbild.settings import load_settings
from quality.report import ValidationReport
from tasks.pipeline import publishing, stages
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("area")
    parser.add_argument("year", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--barrier", type=Path)
    parser.add_argument("--name", default="run")
    parser.add_argument("--parties", type=int, default=2)
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--no-checks", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    spec = RunSpec(area=args.area, year=args.year, inbox=SAMPLE_INBOX, out=args.out,
                   pdf=not args.no_pdf)  # fmt: skip
    inputs = stages.ingest(spec, settings)
    report = ValidationReport(results=()) if args.no_checks else stages.check(spec, inputs, None)
    computed = stages.compute(spec, inputs)
    if args.barrier:
        args.barrier.mkdir(parents=True, exist_ok=True)
        (args.barrier / args.name).touch()
        deadline = time.monotonic() + 120
        while len(list(args.barrier.iterdir())) < args.parties and time.monotonic() < deadline:
            time.sleep(0.02)
    print(json.dumps({"phase": "publish", "t": time.time()}), flush=True)
    result = publishing.publish_locked(spec, settings, inputs, computed, report,
                                     flow_run_id=args.name)  # fmt: skip
    print(json.dumps({"created": result.created, "version": result.version.version,
                      "directory": result.version.directory}), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
