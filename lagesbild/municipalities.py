"""Municipalities as areas: an areas configuration for the municipalities of a county.

Every Swedish municipality writes a lokal lägesbild with the police, so the pipeline takes a
municipality as an area like a stadsdelsområde: id from the name (``slugify``), SCB's
municipality code (``scb_code``, for PxWeb population), BRÅ's region name
(``Botkyrka kommun``), the police area, the parties, and the county and the country as its
comparison levels. The county's members are its municipalities: a county figure is summed
from them only when every one is present (``tasks.indicators.comparison_levels``).

``municipality_areas`` builds the configuration from a list of SCB codes and names — the
``Region`` dimension of any PxWeb response (``regions_from_pxweb``), or the bundled list of
Stockholms län (``STOCKHOLMS_LAN``). ``scripts/generate_municipalities.py`` writes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from lagesbild.areas.model import slugify

__all__ = [
    "COUNTIES", "STOCKHOLMS_LAN", "municipality_areas", "regions_from_pxweb", "write_areas",
]

#: SCB's county codes (the first two digits of a municipality code) and names.
COUNTIES: dict[str, str] = {
    "01": "Stockholms län", "03": "Uppsala län", "04": "Södermanlands län",
    "05": "Östergötlands län", "06": "Jönköpings län", "07": "Kronobergs län",
    "08": "Kalmar län", "09": "Gotlands län", "10": "Blekinge län", "12": "Skåne län",
    "13": "Hallands län", "14": "Västra Götalands län", "17": "Värmlands län",
    "18": "Örebro län", "19": "Västmanlands län", "20": "Dalarnas län",
    "21": "Gävleborgs län", "22": "Västernorrlands län", "23": "Jämtlands län",
    "24": "Västerbottens län", "25": "Norrbottens län",
}

#: The 26 municipalities of Stockholms län, SCB code → name (SCB's spelling).
STOCKHOLMS_LAN: dict[str, str] = {
    "0114": "Upplands Väsby", "0115": "Vallentuna", "0117": "Österåker", "0120": "Värmdö",
    "0123": "Järfälla", "0125": "Ekerö", "0126": "Huddinge", "0127": "Botkyrka",
    "0128": "Salem", "0136": "Haninge", "0138": "Tyresö", "0139": "Upplands-Bro",
    "0140": "Nykvarn", "0160": "Täby", "0162": "Danderyd", "0163": "Sollentuna",
    "0180": "Stockholm", "0181": "Södertälje", "0182": "Nacka", "0183": "Sundbyberg",
    "0184": "Solna", "0186": "Lidingö", "0187": "Vaxholm", "0188": "Norrtälje",
    "0191": "Sigtuna", "0192": "Nynäshamn",
}

_CODE_PREFIX = re.compile(r"^\s*\d{2,4}\s+")
_PRIORITY_AREAS = (
    "Platser och områden med hög brottslighet och otrygghet",
    "Barn och unga som riskerar att hamna i kriminalitet", "Avhopparverksamhet",
    "Våldsbejakande extremism", "Brottsutsatta och särskilt sårbara grupper",
    "Otillåten påverkan", "Skolan som brottsplats", "Systematisk samverkan",
    "Ordningsvakter", "Kamerabevakning",
)


def regions_from_pxweb(path: Path) -> dict[str, str]:
    """The municipalities (4-digit codes) of a PxWeb JSON-stat 2.0 response's ``Region``.

    Labels written as ``0127 Botkyrka`` lose their code; counties (2 digits) and the
    country (``00``) are left out.
    """
    data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    category = data["dimension"]["Region"]["category"]
    index = category.get("index") or list(category.get("label", {}))
    codes = sorted(index, key=index.get) if isinstance(index, dict) else list(index)
    labels = category.get("label") or {}
    return {c: _CODE_PREFIX.sub("", str(labels.get(c, c))).strip()
            for c in codes if re.fullmatch(r"\d{4}", c)}


def _area(code: str, name: str, county_id: str) -> dict:
    police = f"Lokalpolisområde {name}"
    return {
        "id": slugify(name),
        "name": name,
        "scb_code": code,
        "bra_regions": [f"{name} kommun"],
        "lokalpolisomrade": police,
        "parties": [{"key": "polis", "name": police}, {"key": "kommun", "name": f"{name} kommun"}],
        "comparison": [county_id, "riket"],
    }


def municipality_areas(regions: Mapping[str, str], county: str = "01") -> dict:
    """An areas configuration for the municipalities of one county.

    Args:
        regions: SCB code → municipality name (other counties' municipalities are left out).
        county: the county's two-digit SCB code.

    Returns:
        The configuration as a dict: ``comparisons`` (the county with every municipality
        as a member, and the country), ``areas`` and the ten priority areas.
    """
    county_name = COUNTIES[county]
    county_id = slugify(county_name)
    own = {c: n for c, n in sorted(regions.items()) if c.startswith(county)}
    areas = [_area(code, name, county_id) for code, name in own.items()]
    return {
        "comparisons": [
            {"id": county_id, "name": county_name, "display": "länet",
             "regions": {"bra": [county_name], "scb": [county], "befolkning": [county_name]},
             "members": [a["id"] for a in areas]},
            {"id": "riket", "name": "Riket", "display": "riket",
             "regions": {"bra": ["Riket", "Hela landet"], "scb": ["00"],
                         "befolkning": ["Riket"]}},
        ],
        "areas": areas,
        "priority_areas": list(_PRIORITY_AREAS),
    }


_HEADER = """\
# Areas configuration: the municipalities of {county} as areas (lagesbild/municipalities.py;
# regenerate with `python scripts/generate_municipalities.py`). Each municipality is
# compared with the county and the country. The county's figure is the BRÅ/SCB row of the
# county when the inputs have one, else the sum of its members — only when every member is
# present with its population; otherwise there is no county comparison and a quality
# warning says what is missing.
#
# CHECK before use: `lokalpolisomrade` (the police area) and the parties are placeholders
# named after the municipality. Several municipalities share one lokalpolisområde; write
# the police's own name, as the police export spells it, and add the diarienummer per year.
"""


def write_areas(config: dict, path: Path, county: str = "01") -> Path:
    """Write the configuration as YAML with its explanatory header (UTF-8, stable order)."""
    text = _HEADER.format(county=COUNTIES[county]) + "\n" + yaml.safe_dump(
        config, allow_unicode=True, sort_keys=False, width=100)
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
