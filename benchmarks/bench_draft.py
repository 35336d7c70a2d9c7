"""The Word draft's own cost: ``write_draft`` for Södermalm on the bundled sample data.

Builds the draft's content once (ingest, check, compute and ``draft_context`` as the run
does, with the sample's editorial text and åtgärdsplan), then times ``write_draft`` the
first time in the process and warm (median of ``--repeat``), and the five charts alone.
``--profile`` adds a pyinstrument profile of one warm draft (``pip install pyinstrument``).

Nothing is asserted: the machines are shared and noisy; compare the figures of one run.
Usage: ``.venv/bin/python -m benchmarks.bench_draft [--year 2023] [--repeat 5] [--profile]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import statistics
import tempfile
import time
from pathlib import Path

from lagesbild.settings import load_settings
from outputs.draft.content.action_plan import load_action_plan
from outputs.draft.content.editorial import load_editorial
from outputs.draft.word.writer import write_draft
from tasks.pipeline import publishing, stages
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec


def _context(year: int, home: Path):  # noqa: ANN202 - a DraftContext
    settings = load_settings({"LAGESBILD_HOME": str(home)})
    spec = RunSpec(area="sodermalm", year=year, inbox=SAMPLE_INBOX, out=home / "out")
    inputs = stages.ingest(spec, settings)
    report = stages.check(spec, inputs, None)
    computed = stages.compute(spec, inputs)
    areas = spec.areas()
    editorial = load_editorial(spec.texts, spec.area, spec.year, areas.priority_areas)
    context = publishing.draft_context(spec, inputs, computed, report, version=1,
                                     editorial=editorial.text)  # fmt: skip
    plan = load_action_plan(spec.texts, spec.area, spec.year)
    return dataclasses.replace(context, action_plan=plan), spec


def _charts(context) -> float:  # noqa: ANN001 - a DraftContext
    """The draft's charts alone (what ``sections`` asks ``charts`` for)."""
    from outputs.draft.word.charts import crime_chart, survey_chart
    from outputs.draft.word.sections import section_rows

    start = time.perf_counter()
    where = context.area_place or f"i {context.area_name}"
    crime_chart(context.crime_series, context.area_name, place=where)
    for key in ("trygghet", "trygghetsmatningen", "stockholmsenkaten"):
        rows = section_rows(context, key)
        if rows.empty or not rows["unit"].eq("procent").all():
            continue
        for (_source, _year), wave in rows.groupby(["source", "year"], sort=True):
            survey_chart(wave, str(_source))
    return time.perf_counter() - start


def main() -> None:
    """Run the measurements and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="pyinstrument, one warm draft")
    parser.add_argument("--keep", type=Path, help="also write one draft to this path")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-draft-") as tmp:
        home = Path(tmp)
        context, spec = _context(args.year, home)
        start = time.perf_counter()
        write_draft(context, home / "first.docx", template=spec.template)
        first = time.perf_counter() - start
        warm, cpu = [], []
        for number in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            write_draft(context, home / f"warm-{number}.docx", template=spec.template)
            warm.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        charts = [_charts(context) for _ in range(max(1, args.repeat // 2))]
        if args.keep:
            write_draft(context, args.keep, template=spec.template)
        print(f"write_draft, first in process: {first:6.2f} s")
        print(f"write_draft, warm (median of {len(warm)}): {statistics.median(warm):6.2f} s "
              f"(min {min(warm):.2f}, max {max(warm):.2f}); "
              f"CPU {statistics.median(cpu):.2f} s")  # fmt: skip
        print(f"charts alone, warm (median of {len(charts)}): {statistics.median(charts):6.2f} s")
        print(f"load average: {Path('/proc/loadavg').read_text().strip()}")
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
            write_draft(context, home / "profiled.docx", template=spec.template)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
