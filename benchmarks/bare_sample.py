"""The core of the yearly run as a bare pandas/scipy script, on the bundled sample data.

The yardstick of ``bench_run``: what a hand-written script does for Södermalm's report
year, with no checks, no Prefect, no draft: read the BRÅ exports, sum the months, rates per
100 000, one exact test per crime category against the year before, and the IA counts per
category in the same calendar window of both years. Returns the number of tests.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from scipy.stats import binomtest

MONTHS = ("Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec")


def bare_sample(inbox: Path, year: int, region: str = "Södermalm") -> int:
    """Counts, rates and exact tests for one district and year (see the module doc)."""
    frames = [pd.read_csv(p, sep=";", encoding="iso-8859-1", usecols=range(5), dtype=str,
                          index_col=False) for p in sorted((inbox / "bra").glob("*.txt"))]
    bra = pd.concat(frames, ignore_index=True).dropna(subset=["Region"])
    bra = bra[bra["Region"].str.contains(region) & bra["Period"].isin(MONTHS)]
    bra["year"] = bra["År"].str[:4].astype(int)
    bra["count"] = pd.to_numeric(bra["Antal"], errors="coerce")
    yearly = bra.groupby(["Brott", "year"])["count"].sum().unstack()
    pop = pd.read_csv(inbox / "befolkning" / "befolkning_stadsdelsomraden.csv", sep=";",
                      encoding="utf-8-sig", thousands="\u00a0")  # fmt: skip
    pop["Folkmängd"] = pd.to_numeric(pop["Folkmängd"].astype(str).str.replace(r"\s", "",
                                                                             regex=True))
    people = pop[pop["Stadsdelsområde"] == region].set_index("År")["Folkmängd"]
    tests = 0
    e_new, e_old = people.get(year), people.get(year - 1)
    for x_new, x_old in zip(yearly[year], yearly[year - 1], strict=True):
        if x_new + x_old:
            rate = x_new / e_new * 1e5  # noqa: F841 - computed as the report shows it
            binomtest(int(x_new), int(x_new + x_old), e_new / (e_new + e_old))
            tests += 1
    ia = pd.read_excel(next((inbox / "ia").glob("*.xlsx")),
                       usecols=["Händelsedatum", "Kategori", "Förvaltning"])  # fmt: skip
    date = pd.to_datetime(ia["Händelsedatum"])
    cutoff = date.max()
    window = date.dt.dayofyear <= cutoff.dayofyear
    ia = ia[window & ia["Förvaltning"].str.contains(region, na=False)]
    counts = ia.groupby(["Kategori", date.dt.year]).size().unstack(fill_value=0)
    for x_new, x_old in zip(counts.get(year, 0), counts.get(year - 1, 0), strict=True):
        if x_new + x_old:
            binomtest(int(x_new), int(x_new + x_old), 0.5)
            tests += 1
    return tests
