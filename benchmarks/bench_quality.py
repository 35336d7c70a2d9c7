"""Benchmark of the BRÅ quality suite: great-expectations against the same checks in pandas.

Builds a 1 000 000-row frame in the canonical long shape (BRÅ-like: regions × categories ×
months), validates it with ``quality.validate.validate(frame, "bra_clean")`` (GX plus the
project's pandas row checks) and with a hand-written pandas version of every expectation
of that suite, and prints both times and the ratio. Nothing is asserted.

Usage: ``python -m benchmarks.bench_quality [--rows 1000000] [--repeat 2]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time

import numpy as np
import pandas as pd

from sources.readers._csv import as_canonical

REPORT_YEARS = (2023, 2024)
AS_OF = dt.date(2025, 2, 1)
KEY = ["region", "category", "period_start", "period_end", "period_kind"]


def bra_frame(rows: int, seed: int = 7) -> pd.DataFrame:
    """A valid canonical BRÅ frame of ``rows`` monthly observations (unique keys)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2015-01-01", "2024-12-01", freq="MS")
    categories = [f"{k} kap. Kategori {k}" for k in range(3, 16)]
    per_region = len(months) * len(categories)
    regions = -(-rows // per_region)
    idx = np.arange(rows)
    region = idx // per_region
    category = (idx // len(months)) % len(categories)
    month = idx % len(months)
    start = months[month]
    end = (start + pd.offsets.MonthEnd(0)).astype("datetime64[ns]")
    value = rng.poisson(40, rows).astype(float)
    names = np.array([f"Kommun {r:04d} kommun" for r in range(regions)], dtype=object)
    frame = pd.DataFrame({
        "source": "bra", "area": np.array([f"kommun-{r:04d}" for r in range(regions)],
                                          dtype=object)[region],
        "region": names[region], "period_start": start.astype("datetime64[ns]"),
        "period_end": end, "period_kind": "month",
        "category": np.array(categories, dtype=object)[category], "value": value,
        "unit": "antal", "preliminary": start.year == 2024, "group": "", "n": np.nan,
        "published_rate": np.round(value / 20_000 * 1e5), "producer_significant": pd.NA,
        "file": "bra/Databasfil_riket.txt", "row": idx + 2,
    })  # fmt: skip
    return as_canonical(frame)


def pandas_checks(frame: pd.DataFrame) -> dict[str, bool]:
    """Every expectation of ``bra_clean`` written directly in pandas."""
    f = frame.reset_index(drop=True)
    ok: dict[str, bool] = {}
    columns = ["source", "area", "region", "period_start", "period_end", "period_kind",
               "category", "value", "unit", "preliminary", "group", "n", "published_rate",
               "producer_significant", "file", "row"]  # fmt: skip
    for c in columns:
        ok[f"exists:{c}"] = c in f.columns
    for c in ("source", "region", "period_start", "period_end", "period_kind", "category",
              "unit", "preliminary", "file", "row"):  # fmt: skip
        ok[f"not_null:{c}"] = not f[c].isna().any()
    for c in ("source", "region", "category", "unit", "file"):
        ok[f"str:{c}"] = bool(f[c].map(type).eq(str).all())
    for c in ("value", "n", "published_rate"):
        ok[f"numeric:{c}"] = not (pd.to_numeric(f[c], errors="coerce").isna() & f[c].notna()).any()
    for c in ("period_start", "period_end"):
        ok[f"date:{c}"] = not (pd.to_datetime(f[c], errors="coerce").isna() & f[c].notna()).any()
    ok["row>=1"] = bool((f["row"] >= 1).all())
    ok["area_not_null(warn)"] = not f["area"].isna().any()
    dup = f.duplicated(subset=KEY, keep=False)
    ok["unique_key(warn)"] = not dup.any()
    values = f.loc[dup, [*KEY, "value", "n", "published_rate"]].fillna(-1)
    ok["no_conflicts"] = not values.drop_duplicates().duplicated(subset=KEY).any()
    ok["source_in_set"] = bool(f["source"].isin(["bra"]).all())
    ok["unit_in_set"] = bool(f["unit"].isin(["antal"]).all())
    ok["kind_in_set"] = bool(f["period_kind"].isin(["month", "quarter", "year"]).all())
    both = f["period_end"].notna() & f["period_start"].notna()
    ok["end>=start"] = bool((f.loc[both, "period_end"] >= f.loc[both, "period_start"]).all())
    latest = pd.Timestamp(AS_OF) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    ok["start_between"] = bool(f["period_start"].between(pd.Timestamp("2000-01-01"), latest).all())
    years = set(f["period_end"].dt.year.dropna().astype(int))
    ok["report_years(warn)"] = set(REPORT_YEARS) <= years
    v = f["value"].dropna()
    ok["value>=0"] = bool((v >= 0).all())
    ok["value_integer"] = bool((v == np.floor(v)).all())
    ok["rate>=0(warn)"] = bool((f["published_rate"].dropna() >= 0).all())
    return ok


def main() -> None:
    """Command line entry: build the frame, time both validations, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    start = time.perf_counter()
    frame = bra_frame(args.rows)
    print(f"frame: {len(frame):,} rows, {frame.memory_usage(deep=True).sum() / 2**20:.0f} MB, "
          f"built in {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    from quality.validate import validate  # GX is imported lazily; count the import once

    gx_times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        report = validate(frame, "bra_clean", report_years=REPORT_YEARS, as_of=AS_OF)
        gx_times.append(time.perf_counter() - t)
    cold = time.perf_counter() - start - sum(gx_times[1:])
    pd_times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        outcome = pandas_checks(frame)
        pd_times.append(time.perf_counter() - t)
    failed = [r.check for r in report.results if not r.success]
    gx, plain = min(gx_times), min(pd_times)
    print(f"GX suite ({len(report.results)} checks), success={report.success}, failed={failed}")
    print(f"pandas ({len(outcome)} checks), all ok={all(outcome.values())}")
    print()
    print(f"{'measure':<44} {'figure':>10}  target")
    print("-" * 70)
    print(f"{'GX validate, first call (incl. GX import)':<44} {cold:>8.2f} s")
    print(f"{'GX validate, warm (best of ' + str(args.repeat) + ')':<44} {gx:>8.2f} s")
    print(f"{'plain pandas, same checks (best)':<44} {plain:>8.2f} s")
    print(f"{'ratio GX / pandas (warm)':<44} {gx / plain:>8.1f} ×  ≤ 2×")


if __name__ == "__main__":
    main()
