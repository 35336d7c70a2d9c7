"""Checks of a run's arguments that answer in well under a second, before anything heavy.

``lagesbild run`` and ``check`` call :func:`preflight` before Prefect, pandas or Great
Expectations are imported: a mistyped area, a year the inbox has no data for, or a missing
path is refused at once, in Swedish, with exit code 2. Only the standard library and the
areas configuration (YAML) are used here.

The year is checked against a cheap scan of the BRÅ files' year column (a regular
expression over the raw text, cached per file by size and modification time), not the
full ingest. A file whose layout the scan does not recognise makes the check give way:
the full ingest then decides.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from lagesbild.areas.load import load_areas
from lagesbild.areas.model import AreasConfig, slugify
from lagesbild.errors import ConfigError

__all__ = ["ArgumentError", "Preflight", "bra_years", "preflight", "suggest_area"]

_YEAR = re.compile(r"(?:19|20)\d\d")
_YEAR_HEADERS = {"år", "ar", "year", "tid"}


class ArgumentError(ValueError):
    """A run's argument that cannot work; the message is the Swedish text for the user."""


@dataclass(frozen=True)
class Preflight:
    """What the pre-checks found: the areas configuration and the inbox's BRÅ years."""

    areas: AreasConfig
    years: frozenset[int] | None


def suggest_area(area: str, areas: AreasConfig) -> str | None:
    """The configured area id closest to a mistyped one (difflib), or None."""
    ids = [*areas.areas, areas.city.id]
    by_name = {slugify(a.name): a.id for a in areas.areas.values()}
    wanted = slugify(area) or area.casefold()
    if wanted in ids:
        return wanted
    if wanted in by_name:
        return by_name[wanted]
    close = difflib.get_close_matches(wanted, [*ids, *by_name], n=1, cutoff=0.6)
    return by_name.get(close[0], close[0]) if close else None


def _year_column_pattern(header: str) -> re.Pattern[str] | None:
    cells = [c.strip().strip('"').casefold() for c in header.split(";")]
    for index, cell in enumerate(cells):
        if cell in _YEAR_HEADERS:
            skip = "".join(r"[^;\n]*;" for _ in range(index))
            return re.compile(rf"^{skip}\"?((?:19|20)\d\d)", re.MULTILINE)
    return None


def _scan_file(path: Path) -> list[int] | None:
    """The distinct years in one BRÅ export's year column, or None for another layout."""
    if path.suffix.lower() not in {".txt", ".csv"}:
        return None
    text = path.read_bytes().decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
    header, _, body = text.partition("\n")
    pattern = _year_column_pattern(header)
    if pattern is None:
        return None
    return sorted({int(y) for y in pattern.findall(body)})


def bra_years(inbox: Path, cache: Path | None = None) -> frozenset[int] | None:
    """Every year the inbox's BRÅ files hold data for; None when a file could not be scanned.

    Args:
        inbox: the inbox (its ``bra/`` folder is scanned).
        cache: a JSON file remembering each file's years by size and modification time.
    """
    folder = inbox / "bra"
    if not folder.is_dir():
        return None
    try:
        known = json.loads(cache.read_text(encoding="utf-8")) if cache and cache.is_file() else {}
    except (OSError, ValueError):
        known = {}
    years: set[int] = set()
    fresh: dict[str, dict] = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        stat = path.stat()
        key = str(path.resolve())
        entry = known.get(key)
        if not (entry and entry["size"] == stat.st_size and entry["mtime"] == stat.st_mtime_ns):
            entry = {"size": stat.st_size, "mtime": stat.st_mtime_ns, "years": _scan_file(path)}
        fresh[key] = entry
        if entry["years"] is None:
            return None
        years.update(entry["years"])
    if cache is not None and fresh != known:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
            tmp.write_text(json.dumps(fresh), encoding="utf-8")
            os.replace(tmp, cache)
        except OSError:
            pass
    return frozenset(years)


def _span(years: frozenset[int]) -> str:
    ordered = sorted(years)
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}–{ordered[-1]}"
    return ", ".join(str(y) for y in ordered)


def preflight(
    *,
    area: str,
    year: int,
    inbox: Path,
    areas_file: Path | None = None,
    paths: dict[str, Path | None] | None = None,
    cache: Path | None = None,
) -> Preflight:
    """Refuse arguments that cannot work, with a Swedish message (``ArgumentError``).

    Args:
        area: the area id given.
        year: the report year given.
        inbox: the inbox directory.
        areas_file: the areas configuration, None for the bundled one.
        paths: other paths given on the command line that must exist (option → path).
        cache: where the year scan remembers files it has read.
    """
    try:
        areas = load_areas(areas_file)
    except ConfigError as exc:
        raise ArgumentError(f"områdesfilen går inte att läsa: {exc}") from None
    if not inbox.is_dir():
        raise ArgumentError(f"indatamappen {inbox} finns inte")
    for option, path in (paths or {}).items():
        if path is not None and not path.exists():
            raise ArgumentError(f"{option}: {path} finns inte")
    if area != areas.city.id and area not in areas.areas:
        hint = suggest_area(area, areas)
        guess = f" – menade du {hint}?" if hint else ""
        known = ", ".join(sorted(areas.areas))
        raise ArgumentError(f"okänt område {area!r}{guess} (områden: {known})")
    chosen = areas.get(area)
    if not chosen.existed_in(year):
        since = f" (giltigt från {chosen.valid_from})" if chosen.valid_from else ""
        until = f" (giltigt till {chosen.valid_to})" if chosen.valid_to else ""
        if not areas.series_members(area, year):
            raise ArgumentError(f"området {area} fanns inte {year}{since}{until}")
    if not 1900 <= year <= 2100:
        raise ArgumentError(f"år {year} är inte ett rimligt rapportår")
    years = bra_years(inbox, cache)
    if years is not None and year not in years:
        have = f"BRÅ-filerna i {inbox / 'bra'} har {_span(years)}" if years else (
            f"{inbox / 'bra'} har inga BRÅ-filer")
        raise ArgumentError(f"år {year} finns inte i indata: {have}")
    return Preflight(areas=areas, years=years)
