"""Every area's computed frames at national scale, to one pickle (and CSV) per frame kind.

A refactor of ``compute`` must leave the figures unchanged: dump before and after, then
compare with ``--compare`` (exact for counts, strings and booleans; floats to rtol 1e-12).

Usage: ``python -m benchmarks.dump_national_indicators [--data DIR] OUT_DIR``
``python -m benchmarks.dump_national_indicators --compare BEFORE_DIR AFTER_DIR``
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.bench_pipeline import AS_OF, YEAR
from lagesbild.settings import Settings
from tasks.pipeline.spec import RunSpec
from tasks.pipeline.stages import compute, ingest

FRAMES = ("indicators", "crime_series", "ia_series")


def dump(data: Path, out: Path) -> None:
    """Ingest ``data``'s inbox and write each frame kind of all areas' ``compute``."""
    logging.basicConfig(level=logging.ERROR)
    work = Path(tempfile.mkdtemp(prefix="lagesbild-dump-"))
    settings = Settings(home=work, database_url=f"sqlite:///{work / 'lagesbild.db'}")
    base = RunSpec(area="", year=YEAR, inbox=data / "inbox", out=work / "out",
                   areas_file=data / "areas.yaml", as_of=AS_OF)  # fmt: skip
    areas = list(base.areas().areas)
    inputs = ingest(RunSpec(**{**base.__dict__, "area": areas[0]}), settings)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in FRAMES}
    start, cpu = time.perf_counter(), time.process_time()
    for area in areas:
        computed = compute(RunSpec(**{**base.__dict__, "area": area}), inputs)
        for name in FRAMES:
            parts[name].append(getattr(computed, name).assign(_area=area))
    print(
        f"compute for {len(areas)} areas: {time.perf_counter() - start:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s CPU (less sensitive to a shared machine's load)"
    )
    out.mkdir(parents=True, exist_ok=True)
    for name, frames in parts.items():
        frame = pd.concat(frames, ignore_index=True)
        frame.to_csv(out / f"{name}.csv", index=False)  # to read; compared: the pickle
        frame.to_pickle(out / f"{name}.pkl")


def compare(before: Path, after: Path, rtol: float = 1e-12) -> bool:
    """True when every frame is equal: exact but for floats (``rtol``)."""
    same = True
    for name in FRAMES:
        old = pd.read_pickle(before / f"{name}.pkl")
        new = pd.read_pickle(after / f"{name}.pkl")
        if list(old.columns) != list(new.columns) or len(old) != len(new):
            print(f"{name}: shape/columns differ {old.shape} {new.shape}")
            same = False
            continue
        for column in old.columns:
            a, b = old[column], new[column]
            if a.dtype != b.dtype:
                print(f"{name}.{column}: dtype {a.dtype} -> {b.dtype}")
                same = False
            if pd.api.types.is_float_dtype(a) and pd.api.types.is_float_dtype(b):
                x, y = a.to_numpy(float), b.to_numpy(float)
                ok = (np.isnan(x) == np.isnan(y)) & (
                    np.isnan(x) | np.isclose(x, y, rtol=rtol, atol=0)
                )
                exact = np.array_equal(x, y, equal_nan=True)
                if not ok.all():
                    print(f"{name}.{column}: {int((~ok).sum())} values differ beyond rtol")
                    same = False
                elif not exact:
                    print(f"{name}.{column}: last-bit differences only")
            else:
                na, nb = a.isna().to_numpy(), b.isna().to_numpy()
                eq = (na & nb) | (
                    ~na & ~nb & (a.astype(object).to_numpy() == b.astype(object).to_numpy())
                )
                if not np.asarray(eq, dtype=bool).all():
                    print(f"{name}.{column}: {int((~eq).sum())} values differ")
                    same = False
    print("equal" if same else "DIFFERENT")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/lagesbild-national"))
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("out", type=Path, nargs="?")
    args = parser.parse_args()
    if args.compare:
        raise SystemExit(0 if compare(*args.compare) else 1)
    dump(args.data, args.out)


if __name__ == "__main__":
    main()
