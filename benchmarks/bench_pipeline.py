"""National-scale benchmark of the yearly run's plain functions (no Prefect), one process.

Measures, on the synthetic data set of ``generate_national`` (290 municipalities × 10
years, 1 000 000 IA incidents):

The inputs are in the real formats: BRÅ's SOL "Databasfil" exports and SCB's PxWeb
JSON-stat 2.0 population, so the real parsers are measured. Each municipality is compared
with its county, summed from its members' complete inputs.

(a) ingest + checks + indicators for every area (``tasks.pipeline.stages.ingest``, then
    ``check`` and ``compute`` per area, as the nightly flow runs them; the inbox-wide checks
    and the national yearly aggregation are computed once per inbox read and shared);
(b) the same computation as a bare pandas/scipy script, and the ratio pipeline / bare;
(c) Word drafts (``publish``) for a sample of areas, time per draft;
(d) a nightly refresh with nothing changed: the second ``publish`` for the same areas
    finds the inputs fingerprint unchanged;
(e) peak RSS of the process (``ru_maxrss``).

Figures are printed next to their targets; nothing is asserted.

Usage: ``python -m benchmarks.bench_pipeline [--data DIR] [--municipalities 290]
[--incidents 1000000] [--drafts 13] [--profile]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from benchmarks.generate_national import generate
from lagesbild.settings import Settings
from tasks.pipeline.publishing import publish
from tasks.pipeline.spec import RunSpec
from tasks.pipeline.stages import check, compute, ingest

YEAR = 2024
AS_OF = dt.date(2025, 2, 1)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec")


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def timed(label: str, fn: Callable, *args, **kwargs):  # noqa: ANN201 - any result
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"  {label:<58} {seconds:8.2f} s", flush=True)
    return result, seconds


def _jsonstat_population(path: Path) -> pd.DataFrame:
    """Region name, year, Folkmängd from SCB's JSON-stat (Region × Kon × Contents × Tid)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    cube = np.asarray(data["value"], dtype=float).reshape(data["size"])
    totals = cube.sum(axis=(1, 2))  # over Kon and the single ContentsCode
    region = data["dimension"]["Region"]["category"]
    names = [region["label"][c] + " kommun" for c in region["index"]]
    years = [int(t) for t in data["dimension"]["Tid"]["category"]["index"]]
    return pd.DataFrame(
        {
            "Region": np.repeat(names, len(years)),
            "År": np.tile(years, len(names)),
            "Folkmängd": totals.ravel(),
        }
    )


def bare_pandas(inbox: Path, year: int) -> int:
    """The same figures with plain pandas and scipy: what a hand-written script would do.

    Returns:
        The number of tests run (one per series with both years).
    """
    frames = [
        pd.read_csv(p, sep=";", encoding="iso-8859-1", usecols=range(6), dtype=str,
                    skip_blank_lines=True, index_col=False)
        for p in sorted((inbox / "bra").glob("*.txt"))
    ]  # fmt: skip
    bra = pd.concat(frames, ignore_index=True).dropna(subset=["Region"]).drop_duplicates()
    bra = bra[bra["Period"].isin(MONTHS)]
    bra["year"] = bra["År"].str[:4].astype(int)
    bra["count"] = pd.to_numeric(bra["Antal"], errors="coerce")
    grouped = bra.groupby(["Region", "Brott", "year"])["count"]
    yearly = grouped.sum(min_count=12).where(grouped.count() == 12).rename("count").reset_index()
    pop = _jsonstat_population(inbox / "befolkning" / "scb_folkmangd_kommuner.json")
    yearly = yearly.merge(pop[["Region", "År", "Folkmängd"]].rename(columns={"År": "year"}),
                          on=["Region", "year"], how="left")  # fmt: skip
    yearly["rate"] = yearly["count"] / yearly["Folkmängd"] * 1e5
    now = yearly[yearly["year"] == year].set_index(["Region", "Brott"])
    before = yearly[yearly["year"] == year - 1].set_index(["Region", "Brott"])
    both = now.merge(before, left_index=True, right_index=True, suffixes=("", "_prev"))
    both = both.dropna(subset=["count", "count_prev"])
    p_values = []
    for x_new, x_old, e_new, e_old in zip(both["count"], both["count_prev"], both["Folkmängd"],
                                          both["Folkmängd_prev"], strict=True):  # fmt: skip
        if x_new + x_old:
            p = e_new / (e_new + e_old)
            p_values.append(binomtest(int(x_new), int(x_new + x_old), p).pvalue)
    ia = pd.read_csv(
        inbox / "ia" / "IA_export_riket.csv",
        sep=";",
        encoding="utf-8-sig",
        usecols=["Ärendenummer", "Händelsedatum", "Kategori", "Förvaltning"],
    )
    ia["date"] = pd.to_datetime(ia["Händelsedatum"], format="%Y-%m-%d")
    ia = ia[ia["date"].dt.year.isin([year - 1, year])]
    counts = (
        ia.groupby(["Förvaltning", "Kategori", ia["date"].dt.year]).size().unstack(fill_value=0)
    )
    for x_new, x_old in zip(counts.get(year, 0), counts.get(year - 1, 0), strict=True):
        if x_new + x_old:
            p_values.append(binomtest(int(x_new), int(x_new + x_old), 0.5).pvalue)
    return len(p_values)


def run(
    data: Path, municipalities: int, incidents: int, drafts: int, profile: bool, all_areas: bool
) -> None:
    logging.basicConfig(level=logging.ERROR)  # missing editorial text etc. is expected
    rows: list[tuple[str, str, str]] = []
    print(f"data set: {data}")
    if not (data / "areas.yaml").exists():
        timed(
            f"generate {municipalities} municipalities, {incidents:,} incidents",
            generate,
            data,
            municipalities=municipalities,
            incidents=incidents,
        )
    work = Path(tempfile.mkdtemp(prefix="lagesbild-bench-"))
    settings = Settings(home=work, database_url=f"sqlite:///{work / 'lagesbild.db'}")
    base = RunSpec(area="", year=YEAR, inbox=data / "inbox", out=work / "out",
                   areas_file=data / "areas.yaml", as_of=AS_OF)  # fmt: skip
    area_ids = list(base.areas().areas)
    first = RunSpec(**{**base.__dict__, "area": area_ids[0]})
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()

    print("(a) pipeline functions at national scale")
    inputs, t_ingest = timed("ingest (raw store + read inbox)", ingest, first, settings)
    report, t_check = timed("check (GX suites + cross-source checks)", check, first, inputs, None)
    _, t_yearly = timed("bra_yearly (national, once per inbox read)", lambda: inputs.yearly_bra)
    sample = area_ids[:: max(1, len(area_ids) // drafts)][:drafts]
    measured = area_ids if all_areas else sample
    start = time.perf_counter()
    computed = {}
    for area in measured:
        spec = RunSpec(**{**base.__dict__, "area": area})
        computed[area] = compute(spec, inputs)
    t_measured = time.perf_counter() - start
    t_areas = t_measured / len(measured) * len(area_ids)
    shown = f"indicators for {len(measured)} areas"
    print(f"  {shown:<58} {t_measured:8.2f} s")
    if not all_areas:
        print(f"  {f'  → extrapolated to all {len(area_ids)} areas':<58} {t_areas:8.2f} s")
    _, t_compute_one = timed("tasks.pipeline.stages.compute, one area (as the flow calls it)",
                             compute, first, inputs)  # fmt: skip
    # The nightly checks every area before computing it: the further areas reuse the inbox
    # checks, but each still runs its own (its years, members, comparison levels).
    further = [a for a in measured if a != area_ids[0]]
    start = time.perf_counter()
    for area in further:
        check(RunSpec(**{**base.__dict__, "area": area}), inputs, None)
    t_further = time.perf_counter() - start
    t_check_next = t_further / max(1, len(further))
    t_checks = t_check_next * (len(area_ids) - 1)
    shown = f"check, {len(further)} further areas (inbox checks reused)"
    print(f"  {shown:<58} {t_further:8.2f} s")
    if not all_areas:
        print(f"  {f'  → extrapolated to all {len(area_ids) - 1}':<58} {t_checks:8.2f} s")
    total = t_ingest + t_check + t_checks + t_yearly + t_areas
    rss_a = peak_rss_mb()
    rows += [
        ("(a) ingest + checks + indicators, all areas", f"{total:.1f} s"
         + ("" if all_areas else " (extrap.)"), "≤ 30 s"),
        ("    ingest / check / further checks / yearly / indicators",
         f"{t_ingest:.1f} / {t_check:.1f} / {t_checks:.1f} / {t_yearly:.1f} / {t_areas:.1f} s",
         ""),
        ("    compute() per area, mean over the measured", f"{t_measured / len(measured):.3f} s",
         f"first area again: {t_compute_one:.2f} s"),
        ("    check() of each further area (nightly)", f"{t_check_next:.2f} s",
         f"×{len(area_ids)} ≈ {t_check_next * len(area_ids) / 60:.1f} min"),
        ("    peak RSS after (a)", f"{rss_a:.0f} MB", "≤ 2048 MB"),
    ]  # fmt: skip

    print("(b) bare pandas + scipy script")
    tests, t_bare = timed("read, yearly sums, rates, binomtest per series", bare_pandas,
                          data / "inbox", YEAR)  # fmt: skip
    rows += [
        ("(b) bare pandas script", f"{t_bare:.1f} s ({tests:,} tests)", ""),
        # The national target is the (a) total; ≤ 2× bare is its sample-run target.
        ("    ratio pipeline / bare", f"{total / t_bare:.1f}×", ""),
    ]

    print(f"(c) drafts for {len(sample)} areas")
    start = time.perf_counter()
    for area in sample:
        spec = RunSpec(**{**base.__dict__, "area": area})
        result = publish(spec, settings, inputs, computed[area], report)
        assert result.created, area
    t_drafts = time.perf_counter() - start
    print(f"  {'publish (docx + indicators.csv + record)':<58} {t_drafts:8.2f} s")
    rows.append((f"(c) drafts, {len(sample)} areas", f"{t_drafts:.1f} s",
                 f"{t_drafts / len(sample):.2f} s per draft"))  # fmt: skip

    print(f"(d) refresh with nothing changed, {len(sample)} areas")
    start = time.perf_counter()
    for area in sample:
        spec = RunSpec(**{**base.__dict__, "area": area})
        result = publish(spec, settings, inputs, computed[area], report)
        assert not result.created, area
    t_refresh = time.perf_counter() - start
    print(f"  {'second publish: fingerprint unchanged':<58} {t_refresh:8.2f} s")
    rows += [
        (f"(d) no-change refresh, {len(sample)} areas (publish)", f"{t_refresh:.2f} s", "≤ 5 s"),
        ("    + one ingest, as the nightly flow does", f"{t_ingest + t_refresh:.1f} s",
         "unchanged areas skip the checks"),
    ]  # fmt: skip
    if profiler is not None:
        profiler.stop()
        (work / "profile.html").write_text(profiler.output_html(), encoding="utf-8")
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        print(f"profile: {work / 'profile.html'}")
    rows.append(("(e) peak RSS (whole run)", f"{peak_rss_mb():.0f} MB", "≤ 2048 MB"))

    print()
    print(f"{'measure':<50} {'figure':<30} target")
    print("-" * 100)
    for name, figure, target in rows:
        print(f"{name:<50} {figure:<30} {target}")
    print(f"\nwork directory (drafts, raw store, database): {work}")


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(tempfile.gettempdir()) / "lagesbild-national"
    parser.add_argument("--data", type=Path, default=default)
    parser.add_argument("--municipalities", type=int, default=290)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--drafts", type=int, default=13)
    parser.add_argument("--profile", action="store_true", help="pyinstrument profile of (a)–(d)")
    parser.add_argument(
        "--all-areas",
        action="store_true",
        help="compute every area's indicators (else the draft sample, extrapolated)",
    )
    args = parser.parse_args()
    np.seterr(all="ignore")
    run(args.data, args.municipalities, args.incidents, args.drafts, args.profile, args.all_areas)


if __name__ == "__main__":
    main()
