"""Sample police counts (§5) and områdesfakta key figures (§6) for the bundled inbox.

Kept apart from ``generate_sample_data.py`` (which calls ``generate_police`` and
``generate_omradesfakta``) and drawn from its own random stream, so adding these files left
every earlier sample file byte-identical. Södermalm's figures reproduce those the published
lägesbild (2023-01-10) gives; everything else is invented (see ``sample_data/README.md``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "FACTS", "FACTS_HEADER", "POLICE", "POLICE_CITY", "POLICE_HEADER", "POLICE_JAN_NOV_2021",
    "POLICE_SOD", "generate_omradesfakta", "generate_police",
]

SEED = 20230111
YEARS = tuple(range(2017, 2025))
POLICE_HEADER = "Lokalpolisområde;Brottskategori;År;Månad;Antal"
FACTS_HEADER = "År;Område;Nyckeltal;Värde;Enhet"
POLICE_SOD = "Lokalpolisområde Södermalm"
POLICE_CITY = "Stockholms stad"

# Yearly police counts, 2017–2024, Lokalpolisområde Södermalm. 003: "Fram till den 30
# november 2021 var det totalt 36 944 brott anmälda enligt polisens statistikprogram Status".
POLICE: dict[str, tuple[int, ...]] = {
    "Totalt antal brott": (33910, 35820, 38140, 41530, 39990, 40810, 41620, 40930),
    "Våld i nära relation": (612, 641, 655, 702, 688, 714, 731, 702),
    "Våld i offentlig miljö": (1151, 1188, 1243, 1162, 1121, 1207, 1262, 1233),
    "Rån inkl. grovt": (262, 251, 279, 298, 286, 301, 378, 349),
    "Narkotikabrott": (2894, 2702, 2561, 3062, 2981, 2874, 2941, 2331),
}
POLICE_JAN_NOV_2021 = 36944
CITY_FACTOR = {"Totalt antal brott": 6.9, "Våld i nära relation": 8.1,
               "Våld i offentlig miljö": 6.2, "Rån inkl. grovt": 6.4, "Narkotikabrott": 5.8}

# Områdesfakta key figures for 31 December 2021 (shown by the 2022 lägesbild, 003's
# Befolkningsfakta) and their drift per year before and after; the city's are invented.
# name: (unit, Södermalm 2021, change per year, Stockholms stad 2021, change per year)
FACTS: dict[str, tuple[str, float, float, float, float]] = {
    "Utländsk bakgrund": ("procent", 20.9, 0.2, 33.4, 0.3),
    "Eftergymnasial utbildning 25–64 år": ("procent", 68.7, 0.6, 60.1, 0.5),
    "Behörighet till gymnasieskolan": ("procent", 96.2, 0.3, 89.5, 0.2),
    "Öppet arbetslösa 16–64 år": ("procent", 2.4, -0.2, 4.3, -0.2),
    "Hushåll med ekonomiskt bistånd": ("procent", 0.8, -0.1, 2.6, -0.1),
    "Bostadsrätter": ("antal", 42901, 310, 236150, 1900),
    "Övriga hyresrätter": ("antal", 21217, -180, 118400, -650),
    "Allmännyttan": ("antal", 8278, -40, 108900, 120),
}
FACT_YEARS = tuple(range(2016, 2024))
# 2020, the pandemic year, had higher unemployment than the trend (sources.md's example row).
FACT_OVERRIDES = {("Södermalm", 2020, "Öppet arbetslösa 16–64 år"): 3.1}
FORECASTS = {"Södermalm": (2026, 131013), "Stockholms stad": (2026, 1021500)}


def _write_csv(path: Path, header: str, rows: list[list[str]]) -> None:
    """UTF-8 with BOM, ``;``, CRLF — as Excel saves a CSV."""
    lines = [header] + [";".join(row) for row in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))


def _months(rng: np.random.Generator, total: int, n: int = 12) -> list[int]:
    weights = 1 + 0.08 * np.cos(2 * np.pi * (np.arange(1, n + 1) - 7) / 12)
    return [int(v) for v in rng.multinomial(total, weights / weights.sum())]


def generate_police(out: Path) -> list[Path]:
    """``polis/polis_brott_<first>-<last>.csv``: Södermalm by month, the city by year.

    The city's rows leave ``Månad`` empty (a whole year), as the export allows, so both
    forms are read. Södermalm's 2021 months January–November sum to 36 944.
    """
    rng = np.random.default_rng(SEED)
    rows: list[list[str]] = []
    for y_i, year in enumerate(YEARS):
        for category, totals in POLICE.items():
            total = totals[y_i]
            if category == "Totalt antal brott" and year == 2021:
                months = _months(rng, POLICE_JAN_NOV_2021, 11) + [total - POLICE_JAN_NOV_2021]
            else:
                months = _months(rng, total)
            rows += [[POLICE_SOD, category, str(year), str(m), str(v)]
                     for m, v in enumerate(months, start=1)]
    for y_i, year in enumerate(YEARS):
        for category, totals in POLICE.items():
            city = int(round(totals[y_i] * CITY_FACTOR[category] * rng.uniform(0.97, 1.03)))
            rows.append([POLICE_CITY, category, str(year), "", str(city)])
    path = out / "polis" / f"polis_brott_{YEARS[0]}-{YEARS[-1]}.csv"
    _write_csv(path, POLICE_HEADER, rows)
    return [path]


def _fact_text(value: float, unit: str) -> str:
    if unit == "antal":
        return f"{int(round(value)):,}".replace(",", " ")
    return f"{value:.1f}".replace(".", ",")


def generate_omradesfakta(out: Path) -> list[Path]:
    """``omradesfakta/omradesfakta_sodermalm_stockholm.csv``: 2016–2023 and a forecast."""
    rows: list[list[str]] = []
    for year in FACT_YEARS:
        for area, at in (("Södermalm", 1), ("Stockholms stad", 3)):
            for name, spec in FACTS.items():
                unit, level, step = spec[0], spec[at], spec[at + 1]
                value = level + step * (year - 2021)
                value = FACT_OVERRIDES.get((area, year, name), value)
                rows.append([str(year), area, name, _fact_text(value, unit), unit])
    for area, (year, value) in FORECASTS.items():
        rows.append([str(year), area, "Befolkningsprognos", _fact_text(value, "antal"), "antal"])
    path = out / "omradesfakta" / "omradesfakta_sodermalm_stockholm.csv"
    _write_csv(path, FACTS_HEADER, rows)
    return [path]
