"""A real-format inbox for a municipality of Stockholms län (tests of issue 15).

The real BRÅ län export of 2020 (``tests/fixtures/bra-sol``), a 2019 export in the same
layout generated from it (the real exports have no 2019), and a PxWeb JSON-stat 2.0
population file. The populations are not SCB's published figures: they are recovered from
the real export's own ``/100 000 inv`` column (count ÷ rate), so BRÅ's published rates
agree with them; 2019 is 1 % lower. ``complete=True`` adds the county's own rows
(``Stockholms län``, SCB code ``01``), so a county comparison can be built.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from lagesbild.municipalities import STOCKHOLMS_LAN
from sources.readers.jsonstat_write import jsonstat_dataset, write_jsonstat

FIXTURE = Path(__file__).parents[1] / "fixtures" / "bra-sol" / "Databasfil_stockholms_lan_2020.txt"
HEADER = "Region;Brott;År;Period;Antal;/100 000 inv"
COUNTY = "Stockholms län"
KNIVSTA = ("0330", "Knivsta")
#: Deterministic change 2019 → 2020 per category (2019 = 2020 count ÷ factor).
FACTOR = {"3-7 kap. Brott mot person": 1.04, "3 kap. Brott mot liv och hälsa": 0.97,
          "därav misshandel inkl. grov": 0.95, "4 kap. Brott mot frihet och frid": 1.06,
          "5 kap. Ärekränkningsbrott": 1.10, "6 kap. Sexualbrott": 0.92,
          "7 kap. Brott mot familj": 1.0}


def real_rows() -> list[list[str]]:
    """The real export's data rows as fields (repeated rows kept, as in the file)."""
    text = FIXTURE.read_bytes().decode("iso-8859-1")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=";") if r and r[0]]
    return [r[:6] for r in rows[1:]]


def populations_2020() -> dict[str, int]:
    """Region → population behind BRÅ's own rates (count × 100 000 ÷ rate of its largest
    count, where the rounding of the rate matters least)."""
    best: dict[str, tuple[int, int]] = {}
    for region, _, _, _, count, rate in real_rows():
        if (count.isdigit() and rate.isdigit() and int(rate) > 0
                and int(count) > best.get(region, (0, 0))[0]):
            best[region] = (int(count), int(rate))
    return {r: int(round(c * 100_000 / rate)) for r, (c, rate) in best.items()}


def _rate(count: int, pop: int) -> int:
    return (count * 200_000 + pop) // (2 * pop)


def _write_bra(path: Path, rows: list[list[str]]) -> None:
    text = HEADER + "\n" + "".join(";".join(r) + ";\n" for r in rows) + "\r\n"
    path.write_bytes(text.encode("iso-8859-1"))


def _county_rows(rows: list[list[str]], year: str, pop: int) -> list[list[str]]:
    """A county row per category and month: the sum over the municipalities (made up)."""
    sums: dict[tuple[str, str], int] = {}
    seen = set()
    for row in rows:
        region, crime, _, month, count, _ = row
        if tuple(row) in seen or not region.endswith("kommun") or region.startswith("Knivsta"):
            continue
        seen.add(tuple(row))
        sums[(crime, month)] = sums.get((crime, month), 0) + (int(count) if count.isdigit() else 0)
    return [[COUNTY, crime, year, month, str(v), str(_rate(v, pop))]
            for (crime, month), v in sums.items()]


def build_inbox(inbox: Path, *, complete: bool = False) -> dict[str, dict[int, int]]:
    """Write ``bra/`` (2020 real, 2019 generated) and ``befolkning/`` (JSON-stat).

    Returns:
        SCB code → {year: population} as written to the JSON-stat file.
    """
    (inbox / "bra").mkdir(parents=True, exist_ok=True)
    pops = populations_2020()
    rows_2020 = real_rows()
    rows_2019 = []
    for region, crime, _, month, count, rate in rows_2020:
        pop = int(round(pops.get(region, 100_000) * 0.99))
        if count.isdigit():
            value = int(round(int(count) / FACTOR[crime]))
            rows_2019.append([region, crime, "2019", month, str(value), str(_rate(value, pop))])
        else:
            rows_2019.append([region, crime, "2019", month, count, rate])
    by_code: dict[str, dict[int, int]] = {}
    for code, name in (*STOCKHOLMS_LAN.items(), KNIVSTA):
        p2020 = pops.get(f"{name} kommun", 40_000 + int(code))  # absent from the export
        by_code[code] = {2019: int(round(p2020 * 0.99)), 2020: p2020}
    if complete:
        county = sum(v[2020] for c, v in by_code.items() if c.startswith("01"))
        by_code["01"] = {2019: int(round(county * 0.99)), 2020: county}
        extra_2020 = _county_rows(rows_2020, "2020", county)
        extra_2019 = _county_rows(rows_2019, "2019", by_code["01"][2019])
        _write_bra(inbox / "bra" / "Databasfil_stockholms_lan_2020.txt", rows_2020 + extra_2020)
        _write_bra(inbox / "bra" / "Databasfil_stockholms_lan_2019.txt", rows_2019 + extra_2019)
    else:
        shutil.copyfile(FIXTURE, inbox / "bra" / FIXTURE.name)
        _write_bra(inbox / "bra" / "Databasfil_stockholms_lan_2019.txt", rows_2019)
    names = dict(STOCKHOLMS_LAN) | {KNIVSTA[0]: KNIVSTA[1], "01": COUNTY}
    codes = sorted(by_code)
    dims = {"Region": {c: names[c] for c in codes}, "ContentsCode": {"BE0101N1": "Folkmängd"},
            "Tid": {"2019": "2019", "2020": "2020"}}
    values = [by_code[c][y] for c in codes for y in (2019, 2020)]
    write_jsonstat(inbox / "befolkning" / "scb_folkmangd_2019_2020.json",
                   jsonstat_dataset(dims, values, label="Folkmängden efter region, "
                                    "tabellinnehåll och år", updated="2021-02-22T07:00:00Z"))
    return by_code
