"""Regenerate the bundled sample inbox (``lagesbild/sample_data/inbox``) deterministically.

The files imitate the real source formats of spec ``sources.md`` §1–6 so that adapters,
quality checks and the whole pipeline can be demonstrated without real exports. Everything
is synthetic ("Exempeldata – inte officiell statistik") except the Södermalm figures that
reproduce those published in the lägesbild of 2023-01-10 (see ``sample_data/README.md``).
A fixed seed and fixed zip timestamps make a rerun byte-identical, so the committed files
can be checked against a fresh generation.

Usage: ``python scripts/generate_sample_data.py [--out DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import math
import zipfile
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

try:  # imported: the project root is on sys.path
    from scripts._root import ROOT
except ModuleNotFoundError:  # run as a file: only scripts/ is, until _root adds the root
    from _root import ROOT

from scripts.sample_figures import (  # noqa: E402 - needs the project root on sys.path
    AGE_OVERRIDES,
    AGE_SHARES,
    ASSAULT,
    BRA_PATHS,
    BRA_POP_NAME,
    CITY,
    CITY_2022,
    CITY_AREA,
    DESCRIPTIONS,
    DRUGS,
    ENDED,
    FRID,
    IA_OTHER,
    IA_SOD,
    LIV,
    NORRA,
    NORRMALM,
    OSTERMALM,
    PERSON,
    POPULATION,
    ROBBERY,
    SDF,
    SE_GROUPS,
    SE_WAVES,
    SEX,
    SOD,
    SOD_CRIME,
    SOD_UNITS,
    STOCKHOLMSENKATEN,
    THEFT,
    TOTAL,
    TRYGGHET_WAVES,
    TRYGGHETSMATNINGEN,
    UNPUBLISHED,
    YEARS,
)
from scripts.sample_sources import generate_omradesfakta, generate_police  # noqa: E402

__all__ = ["SEED", "DEFAULT_OUT", "generate", "main"]

logger = logging.getLogger(__name__)

SEED = 20230110
DEFAULT_OUT = ROOT / "lagesbild" / "sample_data" / "inbox"
PRELIMINARY_YEAR = 2024
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec")
BRA_HEADER = "Region;Brott;År;Period;Antal;/100 000 inv"
POP_HEADER = "År;Stadsdelsområde;Folkmängd;0–15 år;16–19 år;20–24 år;25–64 år;65–79 år;80– år"
SURVEY_HEADER = "Undersökning;År;Område;Grupp;Indikator;Andel (%);Antal svar;Signifikant"
IA_COLUMNS = ("Ärendenummer", "Händelsedatum", "Registreringsdatum", "Händelsetyp", "Kategori",
              "Förvaltning", "Avdelning", "Beskrivning")
IA_EXPORT_DATE = dt.date(2024, 11, 15)
FIXED_TIMESTAMP = dt.datetime(2024, 11, 15, 6, 0, 0)

# Additive components: every parent is the sum of its parts, month by month.
COMPONENTS = ("assault", "liv_other", "frid", "sex", "person_other", "robbery", "theft_other",
              "drugs", "total_other")
SEASON = {"assault": 0.15, "liv_other": 0.08, "frid": 0.05, "sex": 0.12, "person_other": 0.0,
          "robbery": 0.10, "theft_other": 0.10, "drugs": -0.06, "total_other": 0.04}


def _rate(count: int, pop: int) -> int:
    """BRÅ's per-100 000 figure, rounded half up (integer arithmetic, no float ties)."""
    return (count * 200000 + pop) // (2 * pop)


def _space_thousands(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _components(crime: dict[str, int]) -> dict[str, int]:
    """Split one region-year's category totals into additive, non-negative parts."""
    person = crime[LIV] + crime[FRID] + crime[SEX] + crime["person_other"]
    parts = {"assault": crime[ASSAULT], "liv_other": crime[LIV] - crime[ASSAULT],
             "frid": crime[FRID], "sex": crime[SEX], "person_other": crime["person_other"],
             "robbery": crime[ROBBERY], "theft_other": crime[THEFT] - crime[ROBBERY],
             "drugs": crime[DRUGS], "total_other": crime[TOTAL] - person - crime[THEFT]
             - crime[DRUGS]}
    if min(parts.values()) < 0:
        raise ValueError(f"inconsistent category totals: {parts}")
    return parts


def _categories(parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rebuild the nine BRÅ categories from the additive parts (works on monthly arrays)."""
    liv = parts["assault"] + parts["liv_other"]
    person = liv + parts["frid"] + parts["sex"] + parts["person_other"]
    theft = parts["robbery"] + parts["theft_other"]
    return {TOTAL: person + theft + parts["drugs"] + parts["total_other"], PERSON: person,
            LIV: liv, ASSAULT: parts["assault"], FRID: parts["frid"], SEX: parts["sex"],
            THEFT: theft, ROBBERY: parts["robbery"], DRUGS: parts["drugs"]}


def _season_weights(year: int, amplitude: float) -> np.ndarray:
    days = np.array([(dt.date(year + (m == 12), m % 12 + 1, 1) - dt.date(year, m, 1)).days
                     for m in range(1, 13)], dtype=float)
    weights = days * (1 + amplitude * np.cos(2 * np.pi * (np.arange(1, 13) - 7) / 12))
    return weights / weights.sum()


def _monthly(rng: np.random.Generator, year: int, parts: dict[str, int]) -> dict[str, np.ndarray]:
    """Distribute yearly parts over months (multinomial: months sum exactly to the year)."""
    return {name: rng.multinomial(parts[name], _season_weights(year, SEASON[name]))
            for name in COMPONENTS}


def _scaled(rng: np.random.Generator, parts: dict[str, int], factor: float) -> dict[str, int]:
    return {k: int(round(v * factor * rng.uniform(0.92, 1.08))) for k, v in parts.items()}


def _bra_rows(region: str, year: int, monthly: dict[str, np.ndarray] | None) -> list[str]:
    """Rows of one region-year in export order; ``None`` means the region shows zeros."""
    year_text = f"{year} prel." if year == PRELIMINARY_YEAR else str(year)
    pop_name = BRA_POP_NAME.get(region)
    pop = POPULATION[pop_name][year] if pop_name else None
    cats = _categories(monthly) if monthly is not None else None
    rows = []
    for path in BRA_PATHS:
        for category in path:
            for m, month in enumerate(MONTHS):
                if m in UNPUBLISHED.get((region, category, year), ()):
                    count = rate = ".."
                elif cats is None:
                    count = rate = "0"
                else:
                    value = int(cats[category][m])
                    count, rate = str(value), str(_rate(value, pop))
                rows.append(f"{region};{category};{year_text};{month};{count};{rate};")
    return rows


def _write_bra(path: Path, rows: list[str]) -> None:
    """ISO-8859-1, LF line ends, a final extra CRLF — as SOL exports it."""
    text = BRA_HEADER + "\n" + "".join(row + "\n" for row in rows) + "\r\n"
    path.write_bytes(text.encode("iso-8859-1"))


def _generate_bra(rng: np.random.Generator, out: Path) -> list[Path]:
    bra = out / "bra"
    bra.mkdir(parents=True, exist_ok=True)
    written = []
    last_inner: dict[str, dict[str, int]] = {}
    for i, year in enumerate(YEARS):
        sod_parts = _components({k: v[i] for k, v in SOD_CRIME.items()})
        city_parts = _scaled(rng, sod_parts, 7.0)
        rows = _bra_rows(SOD, year, _monthly(rng, year, sod_parts))
        rows += _bra_rows(CITY, year, _monthly(rng, year, city_parts))
        path = bra / f"Databasfil_sodermalm_{year}.txt"
        _write_bra(path, rows)
        written.append(path)
        if year < 2020:
            continue
        if year < 2024:
            last_inner = {NORRMALM: _scaled(rng, sod_parts, 0.88), OSTERMALM: _scaled(
                rng, sod_parts, 0.33)}
            rows = [r for region, parts in last_inner.items()
                    for r in _bra_rows(region, year, _monthly(rng, year, parts))]
        else:
            merged = {k: last_inner[NORRMALM][k] + last_inner[OSTERMALM][k] for k in COMPONENTS}
            rows = _bra_rows(NORRA, year, _monthly(rng, year, _scaled(rng, merged, 1.0)))
            rows += [r for region in ENDED for r in _bra_rows(region, year, None)]
        path = bra / f"Databasfil_norra_innerstaden_{year}.txt"
        _write_bra(path, rows)
        written.append(path)
    return written


def _age_groups(area: str, year: int, total: int) -> list[int]:
    """Counts for 0–15, 16–19, 20–24, 25–64, 65–79, 80– that sum exactly to ``total``."""
    if (area, year) in AGE_OVERRIDES:
        young, teen, twenties, old, oldest = AGE_OVERRIDES[(area, year)]
    else:
        drift = (year - 2021) * 0.0008
        shares = AGE_SHARES[area]
        young, teen, twenties, old, oldest = (int(round(total * (s + d))) for s, d in zip(
            shares, (-drift, drift / 2, -drift / 2, drift, drift / 4), strict=True))
    return [young, teen, twenties, total - young - teen - twenties - old - oldest, old, oldest]


def _write_csv(path: Path, header: str, rows: list[list[str]]) -> None:
    """UTF-8 with BOM, ``;``, CRLF — as Excel saves a CSV."""
    lines = [header] + [";".join(row) for row in rows]
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))


def _generate_population(out: Path) -> list[Path]:
    rows = []
    for year in YEARS:
        for area, series in POPULATION.items():
            if year in series:
                groups = _age_groups(area, year, series[year])
                rows.append([str(year), area, _space_thousands(series[year])]
                            + [_space_thousands(g) for g in groups])
    path = out / "befolkning" / "befolkning_stadsdelsomraden.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_csv(path, POP_HEADER, rows)
    return [path]


def _share_flag(p_old: float, n_old: int, p_new: float, n_new: int) -> str:
    """Pooled two-proportion z-test at 5 % — stands in for the producer's weighted test."""
    pooled = (p_old * n_old + p_new * n_new) / (n_old + n_new)
    if pooled in (0.0, 1.0):
        return "nej"
    z = abs(p_new - p_old) / math.sqrt(pooled * (1 - pooled) * (1 / n_old + 1 / n_new))
    return "ja" if math.erfc(z / math.sqrt(2)) < 0.05 else "nej"


def _share(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _generate_surveys(rng: np.random.Generator, out: Path) -> list[Path]:
    table: dict[tuple[str, int, str], tuple[list[int], list[int]]] = {}
    for area, bounds in (("Södermalm", (250, 451)), (CITY_AREA, (3800, 5201))):
        for g_i in range(len(SE_GROUPS)):
            base_n = rng.integers(*bounds, size=len(SE_WAVES))
            for indicator, (values, _flags) in STOCKHOLMSENKATEN.items():
                series = list(values[g_i])
                if area == CITY_AREA:
                    deltas = rng.integers(-2, 3, size=len(series))
                    series = [max(0, v + int(d)) for v, d in zip(series, deltas, strict=True)]
                    series[2] = CITY_2022.get((indicator, g_i), series[2])
                n = [int(b) - int(rng.integers(0, 6)) for b in base_n]
                table[(area, g_i, indicator)] = (series, n)
    rows = []
    for w_i, wave in enumerate(SE_WAVES):
        for area in ("Södermalm", CITY_AREA):
            for g_i, group in enumerate(SE_GROUPS):
                for indicator, (_values, flags_2022) in STOCKHOLMSENKATEN.items():
                    series, n = table[(area, g_i, indicator)]
                    if wave == 2024:
                        flag = ""
                    elif wave == 2022 and area == "Södermalm":
                        flag = "ja" if flags_2022[g_i] == "j" else "nej"
                    elif wave == 2018:
                        flag = "nej"
                    else:
                        flag = _share_flag(series[w_i - 1] / 100, n[w_i - 1],
                                           series[w_i] / 100, n[w_i])
                    rows.append(["Stockholmsenkäten", str(wave), area, group, indicator,
                                 _share(series[w_i]), str(n[w_i]), flag])
    enkater = out / "enkater"
    enkater.mkdir(parents=True, exist_ok=True)
    _write_csv(enkater / "stockholmsenkaten.csv", SURVEY_HEADER, rows)
    rows = []
    n_by = {(area, w): int(rng.integers(*bounds)) for area, bounds in
            (("Södermalm", (1200, 1801)), (CITY_AREA, (20000, 26001))) for w in TRYGGHET_WAVES}
    for w_i, wave in enumerate(TRYGGHET_WAVES):
        for a_i, area in enumerate(("Södermalm", CITY_AREA)):
            for indicator, values in TRYGGHETSMATNINGEN.items():
                n = n_by[(area, wave)] - int(rng.integers(0, 30))
                rows.append(["Trygghetsmätningen", str(wave), area, "Alla", indicator,
                             _share(values[a_i][w_i]), str(n), ""])
    _write_csv(enkater / "trygghetsmatningen.csv", SURVEY_HEADER, rows)
    return [enkater / "stockholmsenkaten.csv", enkater / "trygghetsmatningen.csv"]


def _ia_records(rng: np.random.Generator, org: str, units: tuple[str, ...], category: str,
                n: int, start: dt.date, end: dt.date) -> list[list[object]]:
    """``n`` incidents occurring uniformly in [start, end], registered 0–10 days later."""
    records: list[list[object]] = []
    for offset in rng.integers(0, (end - start).days + 1, size=n):
        occurred = start + dt.timedelta(days=int(offset))
        reported = min(occurred + dt.timedelta(days=int(rng.integers(0, 11))), IA_EXPORT_DATE)
        event = rng.choice(("Tillbud", "Olycksfall", "Riskobservation"),
                           p=(0.4, 0.5, 0.1) if category == "Våld" else (0.65, 0.15, 0.2))
        records.append([occurred, reported, str(event), category, org,
                        str(rng.choice(units)), str(rng.choice(DESCRIPTIONS[category]))])
    return records


def _ia_rows(rng: np.random.Generator) -> list[list[object]]:
    records = []
    for y_i, year in enumerate(YEARS):
        window_end = min(dt.date(year, 11, 15), IA_EXPORT_DATE)
        for category, (window, after) in IA_SOD.items():
            records += _ia_records(rng, SDF, SOD_UNITS, category, window[y_i],
                                   dt.date(year, 1, 1), window_end)
            if year < IA_EXPORT_DATE.year:
                records += _ia_records(rng, SDF, SOD_UNITS, category, after[y_i],
                                       dt.date(year, 11, 16), dt.date(year, 12, 31))
        for org, (units, means, years) in IA_OTHER.items():
            for category, mean in means.items():
                if year in years and (category != "Otillåten påverkan" or year >= 2021):
                    records += _ia_records(rng, org, units, category, int(rng.poisson(mean)),
                                           dt.date(year, 1, 1),
                                           min(dt.date(year, 12, 31), IA_EXPORT_DATE))
    # The export's last registration is its export date (the default cut-off).
    records.append([IA_EXPORT_DATE - dt.timedelta(days=2), IA_EXPORT_DATE, "Tillbud", "Hot",
                    "Utbildningsförvaltningen", "Grundskoleavdelningen, område 6",
                    DESCRIPTIONS["Hot"][0]])
    records.sort(key=lambda r: (r[1], r[0], r[4], r[3], r[6]))
    numbered, counters = [], {}
    for record in records:
        year = record[1].year
        counters[year] = counters.get(year, int(rng.integers(100, 400))) + int(
            rng.integers(1, 30))
        numbered.append([f"IA-{year}-{counters[year]:06d}", *record])
    return numbered


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    """Write the export with fixed document properties and zip timestamps (byte-stable)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Incidenter"
    sheet.append(IA_COLUMNS)
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFGH", (16, 14, 18, 16, 24, 38, 38, 70), strict=True):
        sheet.column_dimensions[column].width = width
    workbook.properties.creator = "IA"
    workbook.properties.created = workbook.properties.modified = FIXED_TIMESTAMP
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()  # save_workbook() would stamp "now"
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    path.write_bytes(fixed.getvalue())


def generate(out: Path) -> list[Path]:
    """Write the whole sample inbox under ``out`` (existing files are overwritten).

    Args:
        out: the inbox directory to write (``bra/``, ``befolkning/``, ``ia/``, ``enkater/``,
            ``polis/``, ``omradesfakta/``).

    Returns:
        The files written, in generation order.
    """
    rng = np.random.default_rng(SEED)
    written = _generate_bra(rng, out)
    written += _generate_population(out)
    ia = out / "ia" / f"IA_export_{IA_EXPORT_DATE.isoformat()}.xlsx"
    ia.parent.mkdir(parents=True, exist_ok=True)
    _write_xlsx(ia, _ia_rows(rng))
    written.append(ia)
    written += _generate_surveys(rng, out)
    written += generate_police(out)  # own random stream: earlier files stay byte-identical
    written += generate_omradesfakta(out)
    marker = out / "EXEMPELDATA"
    marker.write_text(
        "Exempeldata – inte officiell statistik. Drafts built from this inbox say so.\n",
        encoding="utf-8",
    )
    written.append(marker)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: ``--out DIR`` (default: the bundled sample inbox).

    Args:
        argv: arguments without the program name; ``sys.argv[1:]`` when None.

    Returns:
        The exit status (0).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="inbox directory to write")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in generate(args.out):
        logger.info("wrote %s (%d bytes)", path, path.stat().st_size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
