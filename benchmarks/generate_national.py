"""Generate a national-scale synthetic data set: 290 municipalities × 10 years.

Writes, into a directory, an inbox the pipeline reads unchanged and an areas file:

* ``inbox/bra/Databasfil_riket_<year>.txt``: monthly BRÅ counts per municipality and
  chapter in the real SOL "Databasfil" format (ISO-8859-1, ``;``, trailing ``;``, parent
  rows echoed before each child block, ``..`` for a few suppressed cells, ``YYYY prel.``
  for the last year), one file per year;
* ``inbox/befolkning/scb_folkmangd_kommuner.json``: population at 31 December per
  municipality, sex and year as SCB's PxWeb API answers (JSON-stat 2.0: ``Region`` with
  four-digit municipality codes, ``Kon``, ``ContentsCode`` ``BE0101N1``, ``Tid``);
* ``inbox/ia/IA_export_riket.csv``: IA incidents in the export layout (``Beskrivning``
  included), one organisation per municipality;
* ``areas.yaml``: each municipality an area (``scb_code``, ``bra_regions`` its BRÅ name,
  ``forvaltningar`` its IA organisation), compared with its county (21 counties, their
  municipalities as members: the county figure is summed from complete inputs) and the
  country, in the format of ``lagesbild/conf/municipalities_stockholms_lan.yaml``.

Everything follows from the seed, so two runs write identical bytes.

Usage: ``python -m benchmarks.generate_national OUT_DIR [--municipalities 290]
[--years 10] [--incidents 1000000] [--seed 2025]``
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from lagesbild.areas.model import slugify
from lagesbild.municipalities import COUNTIES
from sources.readers.jsonstat_write import jsonstat_dataset, write_jsonstat

__all__ = ["CATEGORY_RATES", "Generated", "generate", "municipality_codes", "municipality_names"]

log = logging.getLogger(__name__)

LAST_YEAR = 2024
MONTHS = ("Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec")
# Monthly reports per 100 000 inhabitants for the leaf categories (and "därav" rows).
CATEGORY_RATES: dict[str, float] = {
    "3 kap. Brott mot liv och hälsa": 70.0,
    "därav misshandel inkl. grov": 50.0,
    "4 kap. Brott mot frihet och frid": 95.0,
    "5 kap. Ärekränkningsbrott": 25.0,
    "6 kap. Sexualbrott": 20.0,
    "7 kap. Brott mot familj": 1.0,
    "8 kap. Stöldbrott": 340.0,
    "därav bostadsinbrott": 15.0,
    "9 kap. Bedrägeri m.m.": 190.0,
    "12 kap. Skadegörelsebrott": 110.0,
    "Narkotikabrott": 90.0,
}
PERSON = "3-7 kap. Brott mot person"
PROPERTY = "8-12 kap. Brott mot förmögenhet"
# The export's block order: each child block repeats its parents' rows first.
BLOCKS: tuple[tuple[str, ...], ...] = (
    (PERSON,),
    (PERSON, "3 kap. Brott mot liv och hälsa"),
    (PERSON, "3 kap. Brott mot liv och hälsa", "därav misshandel inkl. grov"),
    (PERSON, "4 kap. Brott mot frihet och frid"),
    (PERSON, "5 kap. Ärekränkningsbrott"),
    (PERSON, "6 kap. Sexualbrott"),
    (PERSON, "7 kap. Brott mot familj"),
    (PROPERTY,),
    (PROPERTY, "8 kap. Stöldbrott"),
    (PROPERTY, "8 kap. Stöldbrott", "därav bostadsinbrott"),
    (PROPERTY, "9 kap. Bedrägeri m.m."),
    (PROPERTY, "12 kap. Skadegörelsebrott"),
    ("Narkotikabrott",),
)
AGE_SHARES = {"0–15 år": 0.18, "16–19 år": 0.045, "20–24 år": 0.06, "25–64 år": 0.51,
              "65–79 år": 0.145}  # fmt: skip
IA_TYPES = ("Tillbud", "Olycksfall", "Riskobservation")
IA_CATEGORIES = ("Hot", "Våld", "Otillåten påverkan", "Trakasserier", "Våldsbejakande extremism")
IA_UNITS = ("Äldreomsorgsavdelningen", "Socialtjänstavdelningen", "Grundskoleavdelningen",
            "Kultur- och fritidsavdelningen")  # fmt: skip
IA_TEXTS = ("Besökare uttryckte hot mot personal i receptionen.",
            "Boende knuffade personal i samband med omvårdnad.",
            "Personal utsattes för upprepade kränkande kommentarer.",
            "Hotfullt uppträdande mot personal vid hembesök.")  # fmt: skip

_PREFIXES = ("Å", "Ö", "Väst", "Norr", "Söder", "Ny", "Lill", "Stor", "Berg", "Sjö", "Äng",
             "Hög", "Lund", "Ek", "Björk", "Gran", "Häll", "Mål")  # fmt: skip
_SUFFIXES = ("by", "köping", "vik", "sund", "holm", "ås", "torp", "hamn", "dal", "näs",
             "fors", "berga", "ryd", "stad", "tuna", "åker", "mo")  # fmt: skip


@dataclass(frozen=True)
class Generated:
    """Where the generated data set lies."""

    root: Path
    inbox: Path
    areas_file: Path
    municipalities: tuple[str, ...]
    years: tuple[int, ...]
    bra_rows: int
    incidents: int


def municipality_names(count: int) -> list[str]:
    """``count`` distinct Swedish-looking place names (å ä ö included), deterministic."""
    names = [p + s for p in _PREFIXES for s in _SUFFIXES]
    names = [n[0] + n[1:].lower() for n in names]
    if count > len(names):
        raise ValueError(f"at most {len(names)} municipalities")
    return names[:count]


def _populations(rng: np.random.Generator, n: int, years: list[int]) -> np.ndarray:
    """Population (municipality × year): log-normal sizes, a little yearly growth."""
    base = np.clip(rng.lognormal(mean=np.log(16_000), sigma=1.0, size=n), 2_500, 1_000_000)
    growth = rng.normal(0.006, 0.006, size=n)
    steps = np.arange(len(years)) - (len(years) - 1)
    return np.round(base[:, None] * (1 + growth[:, None]) ** steps[None, :]).astype(np.int64)


def _leaf_counts(rng: np.random.Generator, pop: np.ndarray) -> dict[str, np.ndarray]:
    """Counts (municipality × year × month) per category, parents as sums of children."""
    n, y = pop.shape
    level = rng.lognormal(0.0, 0.25, size=(n, 1, 1))  # some places have more crime
    trend = 1 + rng.normal(0.0, 0.04, size=(n, y, 1))  # year-to-year movement
    season = 1 + 0.15 * np.sin(np.arange(12) / 12 * 2 * np.pi)[None, None, :]
    exposure = pop[:, :, None] / 100_000 * level * trend * season
    counts = {c: rng.poisson(r * exposure) for c, r in CATEGORY_RATES.items()}
    kap3, kap8 = "3 kap. Brott mot liv och hälsa", "8 kap. Stöldbrott"
    counts[kap3] = counts[kap3] + counts["därav misshandel inkl. grov"]
    counts[kap8] = counts[kap8] + counts["därav bostadsinbrott"]
    counts[PERSON] = sum(counts[c] for c in CATEGORY_RATES if c[0] in "34567" and "kap" in c)
    counts[PROPERTY] = sum(counts[c] for c in (kap8, "9 kap. Bedrägeri m.m.",
                                               "12 kap. Skadegörelsebrott"))  # fmt: skip
    return counts


def _write_bra(inbox: Path, rng: np.random.Generator, names: list[str], years: list[int],
               pop: np.ndarray) -> int:  # fmt: skip
    """One Databasfil per year; returns the number of data lines written."""
    counts = _leaf_counts(rng, pop)
    folder = inbox / "bra"
    folder.mkdir(parents=True, exist_ok=True)
    n = len(names)
    regions = np.array([f"{name} kommun" for name in names], dtype=object)
    # Small places: BRÅ suppresses rare categories ("..").
    suppressed = pop[:, 0] < 4_000
    lines = 0
    for yi, year in enumerate(years):
        year_text = f"{year} prel." if year == LAST_YEAR else str(year)
        parts = []
        for block in BLOCKS:
            for category in block:
                values = counts[category][:, yi, :]  # municipality × month
                text = values.astype(str).astype(object)
                rate = np.round(values / pop[:, yi : yi + 1] * 100_000).astype(np.int64)
                rate_text = rate.astype(str).astype(object)
                if category == "7 kap. Brott mot familj":
                    text[suppressed, :] = ".."
                    rate_text[suppressed, :] = ".."
                parts.append(pd.DataFrame({
                    "m": np.repeat(np.arange(n), 12), "b": len(parts),
                    "Region": np.repeat(regions, 12), "Brott": category, "År": year_text,
                    "Period": np.tile(MONTHS, n), "Antal": text.ravel(),
                    "/100 000 inv": rate_text.ravel(), "": "",
                }))  # fmt: skip
        frame = pd.concat(parts, ignore_index=True).sort_values(["m", "b"], kind="stable")
        frame = frame.drop(columns=["m", "b"])
        body = frame.to_csv(sep=";", index=False, header=False, lineterminator="\n")
        header = "Region;Brott;År;Period;Antal;/100 000 inv\n"
        path = folder / f"Databasfil_riket_{year}.txt"
        path.write_bytes((header + body + "\r\n").encode("iso-8859-1"))
        lines += len(frame)
    return lines


def municipality_codes(count: int) -> list[tuple[str, str]]:
    """(county code, municipality code) per municipality: contiguous blocks per county."""
    counties = list(COUNTIES)
    codes, seen = [], {}
    for i in range(count):
        county = counties[i * len(counties) // count]
        seen[county] = seen.get(county, 0) + 1
        codes.append((county, f"{county}{seen[county]:02d}"))
    return codes


def _write_population(inbox: Path, names: list[str], years: list[int], pop: np.ndarray) -> None:
    """SCB's answer to a PxWeb query: Region × Kon × ContentsCode × Tid, row-major."""
    codes = [code for _, code in municipality_codes(len(names))]
    men = np.round(pop * 0.497).astype(np.int64)
    cube = np.stack([men, pop - men], axis=1)  # region × kon × year
    dims = {"Region": dict(zip(codes, names, strict=True)),
            "Kon": {"1": "män", "2": "kvinnor"}, "ContentsCode": {"BE0101N1": "Folkmängd"},
            "Tid": {str(y): str(y) for y in years}}
    write_jsonstat(inbox / "befolkning" / "scb_folkmangd_kommuner.json",
                   jsonstat_dataset(dims, cube.ravel().tolist(),
                                    label="Folkmängden efter region, kön, tabellinnehåll och år",
                                    updated="2025-02-21T07:00:00Z"))


def _write_ia(inbox: Path, rng: np.random.Generator, names: list[str], years: list[int],
              pop: np.ndarray, incidents: int) -> None:  # fmt: skip
    weights = pop.astype(float).ravel() / pop.sum()
    cell = rng.choice(weights.size, size=incidents, p=weights)
    town, year_index = np.divmod(cell, len(years))
    year = np.asarray(years)[year_index]
    day = rng.integers(0, 365, size=incidents)
    occurred = pd.to_datetime(year.astype(str), format="%Y") + pd.to_timedelta(day, unit="D")
    reported = occurred + pd.to_timedelta(rng.integers(0, 8, size=incidents), unit="D")
    order = np.lexsort((occurred.to_numpy(), year))
    numbers = np.arange(incidents)
    frame = pd.DataFrame({
        "Ärendenummer": [f"IA-{y}-{k:07d}" for y, k in zip(year[order], numbers, strict=True)],
        "Händelsedatum": occurred[order].strftime("%Y-%m-%d"),
        "Registreringsdatum": reported[order].strftime("%Y-%m-%d"),
        "Händelsetyp": np.asarray(IA_TYPES)[rng.choice(3, incidents, p=[.6, .25, .15])],
        "Kategori": np.asarray(IA_CATEGORIES)[
            rng.choice(5, incidents, p=[.52, .26, .12, .095, .005])],
        "Förvaltning": np.asarray([_org(n) for n in names], dtype=object)[town[order]],
        "Avdelning": np.asarray(IA_UNITS)[rng.integers(0, len(IA_UNITS), incidents)],
        "Beskrivning": np.asarray(IA_TEXTS)[rng.integers(0, len(IA_TEXTS), incidents)],
    })  # fmt: skip
    folder = inbox / "ia"
    folder.mkdir(parents=True, exist_ok=True)
    text = frame.to_csv(sep=";", index=False, lineterminator="\n")
    (folder / "IA_export_riket.csv").write_bytes(text.encode("utf-8-sig"))


def _org(name: str) -> str:
    return f"{name} kommuns socialförvaltning"


def _write_areas(path: Path, names: list[str]) -> None:
    codes = municipality_codes(len(names))
    areas = [
        {
            "id": slugify(name),
            "name": name,
            "scb_code": code,
            "bra_regions": [f"{name} kommun"],
            "lokalpolisomrade": f"Lokalpolisområde {name}",
            "forvaltningar": [_org(name)],
            "parties": [
                {"key": "polis", "name": f"Lokalpolisområde {name}"},
                {"key": "kommun", "name": f"{name} kommun"},
            ],
            "comparison": [slugify(COUNTIES[county]), "riket"],
        }
        for name, (county, code) in zip(names, codes, strict=True)
    ]
    counties = dict.fromkeys(county for county, _ in codes)
    comparisons = [
        {"id": slugify(COUNTIES[c]), "name": COUNTIES[c], "display": "länet",
         "regions": {"bra": [COUNTIES[c]], "scb": [c]},
         "members": [a["id"] for a, (county, _) in zip(areas, codes, strict=True)
                     if county == c]}
        for c in counties
    ]
    comparisons.append({"id": "riket", "name": "Riket", "display": "riket",
                        "regions": {"bra": ["Riket"], "scb": ["00"]},
                        "members": [a["id"] for a in areas]})
    doc = {
        "comparisons": comparisons,
        "areas": areas,
        "priority_areas": ["Unga i risk för kriminalitet", "Skolan som brottsplats"],
    }
    header = "# Generated by benchmarks/generate_national.py: one area per municipality.\n"
    path.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def generate(
    root: Path,
    *,
    municipalities: int = 290,
    years: int = 10,
    incidents: int = 1_000_000,
    seed: int = 2025,
) -> Generated:
    """Write the synthetic inbox and areas file under ``root``.

    Args:
        root: output directory (created; existing files are overwritten).
        municipalities: how many municipalities (at most 306).
        years: how many years, ending with the preliminary year 2024.
        incidents: how many IA incidents.
        seed: the random seed.

    Returns:
        The paths and sizes.
    """
    root = Path(root)
    inbox = root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "EXEMPELDATA").write_text("Syntetiska data för prestandamätning.\n",
                                       encoding="utf-8")
    rng = np.random.default_rng(seed)
    names = municipality_names(municipalities)
    year_list = list(range(LAST_YEAR - years + 1, LAST_YEAR + 1))
    pop = _populations(rng, len(names), year_list)
    bra_rows = _write_bra(inbox, rng, names, year_list, pop)
    _write_population(inbox, names, year_list, pop)
    _write_ia(inbox, rng, names, year_list, pop, incidents)
    areas_file = root / "areas.yaml"
    _write_areas(areas_file, names)
    return Generated(root=root, inbox=inbox, areas_file=areas_file,
                     municipalities=tuple(names), years=tuple(year_list), bra_rows=bra_rows,
                     incidents=incidents)  # fmt: skip


def main() -> None:
    """Command line entry: generate into the given directory and print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--municipalities", type=int, default=290)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    made = generate(args.out, municipalities=args.municipalities, years=args.years,
                    incidents=args.incidents, seed=args.seed)  # fmt: skip
    print(f"{len(made.municipalities)} municipalities, years {made.years[0]}–{made.years[-1]}, "
          f"{made.bra_rows:,} BRÅ lines, {made.incidents:,} IA incidents → {made.root}")


if __name__ == "__main__":
    main()
