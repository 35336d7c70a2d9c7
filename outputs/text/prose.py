"""Prose by theme: one paragraph per indicator, the groups worded together.

An analyst writes "Andelen har minskat för både pojkar och flickor i årskurs 9 …", gives each
number once, puts the significant and the notable first and compares with the city. The
paragraphs here do that from indicators rows, with every wording taken from the sentence
templates (``outputs.text.sentences``). Nothing is computed: direction words come from the
sign of ``change_abs``, the city verdict from ``vs_city``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from outputs.text._indicator_row import row_change, row_flag, row_number, row_significant, row_value
from outputs.text.groups import group_values, who
from outputs.text.narrative import crime_label
from outputs.text.sentences import Sentences

__all__ = [
    "Caveat",
    "Place",
    "count_paragraph",
    "ia_paragraphs",
    "significance",
    "survey_paragraphs",
]

SMALL_SHARE_PP = 0.5  # a share change below this (and not significant) is "oförändrad"
SMALL_COUNT_REL = 0.01
NOTABLE_PP = 5.0  # a group change this large is named even when not significant
_SURVEYS = {"stockholmsenkaten": "Stockholmsenkäten", "trygghetsmatningen": "Trygghetsmätningen"}
_TOTALS = {"samtliga brott", "totalt antal brott", "brott", "totalt"}
_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december")  # fmt: skip


@dataclass(frozen=True)
class Place:
    """How the text names the area and what it is compared with.

    Attributes:
        name: "Södermalm".
        place: the name with its preposition, "på Södermalm" (areas.yaml ``preposition``).
        city_name: the comparison as running text, "staden som helhet".
        organisation: the administration whose staff report to IA.
    """

    name: str
    place: str
    city_name: str = "staden som helhet"
    organisation: str = ""


@dataclass(frozen=True)
class Caveat:
    """A configured remark that must stand before the significance statement it qualifies.

    Attributes:
        source, indicator: the row it belongs to.
        start: the date from which it applies (e.g. a new reporting routine).
        text: the remark, as written by people.
        area: the area id it is limited to, or "" for every area.
    """

    source: str
    indicator: str
    start: dt.date
    text: str
    area: str = ""

    def applies(self, row: Mapping, area: str) -> bool:
        """True when the row's comparison spans the caveat's start date."""
        if self.area and self.area != area:
            return False
        if row_value(row, "source") != self.source or row_value(row, "indicator") != self.indicator:
            return False
        year, prev = row_number(row, "year"), row_number(row, "prev_year")
        if year is None:
            return False
        first = int(prev) if prev is not None else int(year)
        return dt.date(first, 1, 1) < self.start <= dt.date(int(year), 12, 31)


def _records(rows: pd.DataFrame | Sequence[Mapping]) -> list[dict]:
    if isinstance(rows, pd.DataFrame):
        return rows.to_dict("records")
    return [dict(r) for r in rows]


def _direction(change: float | None, *, small: bool) -> str:
    if change is None or change == 0 or small:
        return "stable"
    return "up" if change > 0 else "down"


def significance(s: Sentences, row: Mapping, *, alpha: float = 0.05) -> str:
    """The row's significance sentence (exact test, overdispersion, or cannot test)."""
    p = row_number(row, "p_value")
    significant = row_significant(row, alpha)
    change = row_change(row) or 0.0
    noun = "Ökningen" if change > 0 else "Minskningen" if change < 0 else "Förändringen"
    if row_value(row, "method") in (None, "none") or p is None or significant is None:
        return s.say("sig_cannot")
    if significant:
        return s.say("sig_yes", noun=noun, p=p)
    quasi = row_number(row, "p_value_quasi")
    if p < alpha and quasi is not None and quasi >= alpha:
        return s.say("sig_overdispersed", noun=noun, p=p, pq=quasi)
    return s.say("sig_no", p=p)


def _count_subject(row: Mapping) -> tuple[str, str]:
    indicator = str(row_value(row, "indicator") or "")
    police = " enligt polisens statistik" if row_value(row, "source") == "polis" else ""
    if indicator.strip().lower() in _TOTALS:
        return f"det totala antalet anmälda brott{police}", "anmälda brott"
    label = crime_label(indicator)
    return f"antalet anmälda brott inom kategorin {label}{police}", f"brott inom kategorin {label}"


def _city(s: Sentences, row: Mapping, where: Place, *, kind: str, who_: str = "") -> str | None:
    verdict = str(row_value(row, "vs_city") or "").strip().lower()
    city = row_number(row, "city_value")
    if not verdict or city is None:
        return None
    name = {"högre": "higher", "lägre": "lower", "i nivå": "level"}.get(verdict)
    if name is None:
        return None
    if kind == "rate":
        rate = row_number(row, "rate_per_100k")
        if rate is None:
            return None
        return s.say(f"city_{name}", rate=rate, city=city, city_name=where.city_name,
                     place=where.place, area=where.name)  # fmt: skip
    value = row_number(row, "value")
    return s.say(f"share_city_{name}", value=value, city=city, city_name=where.city_name,
                 place=where.place, area=where.name, who=who_)  # fmt: skip


def count_paragraph(s: Sentences, row: Mapping, where: Place, *, alpha: float = 0.05,
                    caveats: Sequence[Caveat] = (), area_id: str = "") -> str:  # fmt: skip
    """One BRÅ or police indicator: change, rate, the city, caveats, then significance."""
    subject, noun = _count_subject(row)
    value, prev = row_number(row, "value"), row_number(row, "prev_value")
    year, prev_year = int(row_number(row, "year") or 0), row_number(row, "prev_year")
    if value is None:
        return f"Uppgift saknas för {year} ({subject})."
    if prev is None:
        parts = [s.say("count_first", subject=subject, place=where.place, value=value, year=year)]
    else:
        rel = row_number(row, "change_rel")
        change = row_change(row)
        small = rel is not None and abs(rel) < SMALL_COUNT_REL and not row_significant(row, alpha)
        name = {"up": "count_up", "down": "count_down", "stable": "count_stable"}[
            _direction(change, small=small)
        ]
        parts = [s.say(name, subject=subject, noun=noun, place=where.place, value=value,
                       prev=prev, year=year, prev_year=int(prev_year or year - 1), rel=rel,
                       prel=bool(row_flag(row, "preliminary")))]  # fmt: skip
    rate = row_number(row, "rate_per_100k")
    city = _city(s, row, where, kind="rate")
    if city:
        parts.append(city)
    elif rate is not None:
        parts.append(s.say("rate", rate=rate, noun="brott"))
    parts += [c.text for c in caveats if c.applies(row, area_id)]
    if prev is not None:
        parts.append(significance(s, row, alpha=alpha))
    if row_flag(row, "comparable_series"):
        parts.append(s.say("comparable"))
    return " ".join(parts)


def _group(row: Mapping) -> str:
    return str(row_value(row, "group") or "")


def _share_paragraph(s: Sentences, rows: list[dict], where: Place, alpha: float) -> str:
    label = str(rows[0]["indicator"])
    groups = [_group(r) for r in rows]
    changes = {_group(r): row_change(r) for r in rows}
    significant = {_group(r): row_significant(r, alpha) for r in rows}
    moves: dict[str, list[str]] = {"up": [], "down": [], "stable": []}
    for r in rows:
        g, change = _group(r), changes[_group(r)]
        small = change is not None and abs(change) < SMALL_SHARE_PP and not significant[g]
        moves[_direction(change, small=small)].append(g)
    values = {_group(r): row_number(r, "value") for r in rows}
    if len(rows) == 1 and who(groups) == "":
        row = rows[0]
        direction = _direction(changes[groups[0]], small=bool(moves["stable"]))
        parts = [s.say(f"share_one_{direction}", label=label, change=changes[groups[0]],
                       value=values[groups[0]], prev=row_number(row, "prev_value"))]  # fmt: skip
        city = _city(s, row, where, kind="share")
        if city:
            parts.append(city)
        if row_value(row, "method") == "producer-flag":
            parts.append(s.say("share_sig_none") if not significant[groups[0]]
                         else s.say("share_sig_all"))  # fmt: skip
        else:
            parts.append(significance(s, row, alpha=alpha))
        return " ".join(parts)
    shown = group_values({g: v for g, v in values.items() if v is not None})
    present = [m for m in ("up", "down", "stable") if moves[m]]
    if present == ["down"]:
        parts = [s.say("share_all_down", label=label, who=who(groups, all_groups=groups),
                       values=shown)]  # fmt: skip
    elif present == ["up"]:
        parts = [s.say("share_all_up", label=label, who=who(groups, all_groups=groups),
                       values=shown)]  # fmt: skip
    elif present == ["stable"]:
        parts = [s.say("share_stable", label=label, who=who(groups, all_groups=groups),
                       values=shown)]  # fmt: skip
    elif not moves["up"] or not moves["down"]:  # one direction, some groups unchanged
        direction = "down" if moves["down"] else "up"
        parts = [s.say(f"share_all_{direction}", label=label, who=who(moves[direction]),
                       values=shown)]  # fmt: skip
    else:
        parts = [s.say("share_mixed", label=label, up=who(moves["up"]), down=who(moves["down"]),
                       same=who(moves["stable"]), values=shown)]  # fmt: skip
    largest = max((g for g in groups if changes[g] is not None), default=None,
                  key=lambda g: abs(changes[g] or 0))  # fmt: skip
    if largest is not None and abs(changes[largest] or 0) >= NOTABLE_PP and len(groups) > 1:
        row = next(r for r in rows if _group(r) == largest)
        parts.append(s.say("share_largest", who=who([largest]),
                           prev=row_number(row, "prev_value"), value=values[largest]))  # fmt: skip
    sig = [g for g in groups if significant[g]]
    if sig and len(sig) == len(groups):
        parts.append(s.say("share_sig_all"))
    elif sig:
        signs = {1 if (changes[g] or 0) > 0 else -1 for g in sig}
        noun = "Förändringen" if len(signs) > 1 else ("Ökningen" if signs == {1} else
                                                       "Minskningen")  # fmt: skip
        parts.append(s.say("share_sig_some", noun=noun, who=who(sig)))
    elif any(v is not None for v in significant.values()):
        parts.append(s.say("share_sig_none"))
    for r in rows:
        city = _city(s, r, where, kind="share", who_=who([_group(r)]))
        if city and str(row_value(r, "vs_city")).strip().lower() != "i nivå":
            parts.append(city)
    return " ".join(parts)


def _rank(rows: list[dict], alpha: float) -> tuple:
    significant = any(row_significant(r, alpha) for r in rows)
    largest = max((abs(row_change(r) or 0) for r in rows), default=0)
    return (not significant, -largest)


def survey_paragraphs(s: Sentences, rows: pd.DataFrame | Sequence[Mapping], where: Place, *,
                      alpha: float = 0.05, order: Sequence[str] = ()) -> list[str]:  # fmt: skip
    """One paragraph per survey indicator, significant and large changes first.

    Args:
        s: the sentence set.
        rows: survey rows (one or more surveys), each group a row.
        where: the area's wording.
        alpha: the test level.
        order: indicator labels in the configuration's order (ties keep this order).

    Returns:
        Per survey an introduction naming the waves, then its paragraphs.
    """
    records = [r for r in _records(rows) if row_value(r, "unit") == "procent"]
    out: list[str] = []
    for source in dict.fromkeys(r["source"] for r in records):
        mine = [r for r in records if r["source"] == source]
        by_indicator: dict[str, list[dict]] = {}
        for r in mine:
            by_indicator.setdefault(str(r["indicator"]), []).append(r)
        first = mine[0]
        if row_number(first, "prev_year") is not None:
            out.append(s.say("survey_intro", survey=_SURVEYS.get(source, source),
                             year=int(row_number(first, "year") or 0),
                             prev_year=int(row_number(first, "prev_year") or 0),
                             producer=any(r.get("method") == "producer-flag"
                                          for r in mine)))  # fmt: skip
        position = {label: i for i, label in enumerate(order)}
        ranked = sorted(by_indicator.items(), key=lambda kv: (*_rank(kv[1], alpha),
                                                              position.get(kv[0], 999)))
        for _, group_rows in ranked:
            usable = [r for r in group_rows if row_number(r, "value") is not None]
            if usable:
                out.append(_share_paragraph(s, usable, where, alpha))
    return out


def _day(day: dt.date) -> str:
    return f"{day.day}\u00a0{_MONTHS[day.month - 1]}"


def ia_paragraphs(s: Sentences, rows: pd.DataFrame | Sequence[Mapping], series: pd.DataFrame,
                  where: Place, *, window: tuple[dt.date, dt.date] | None, year: int,
                  alpha: float = 0.05, caveats: Sequence[Caveat] = (),
                  area_id: str = "", labels: Sequence[str] = ()) -> list[str]:  # fmt: skip
    """IA: the scope and window named once, then one paragraph per headline category.

    Each paragraph gives the series (earliest first), then the configured caveats, then
    the significance of the year-over-year change, in that order.
    """
    records = _records(rows)
    if not records:
        return []
    years = sorted({int(y) for y in series["year"]}) if not series.empty else [year - 1, year]
    span = (f"{_day(window[0])}–{_day(window[1])}" if window else "hela året")
    out = [s.say("ia_intro", org=where.organisation or f"förvaltningen {where.place}",
                 place=where.place, window=span, first=years[0], year=year)]  # fmt: skip
    wanted = [r for r in records if not labels or r["indicator"] in labels]
    wanted.sort(key=lambda r: (list(labels).index(r["indicator"]) if r["indicator"] in labels
                               else 999))  # fmt: skip
    for row in wanted:
        label = str(row["indicator"])
        value = row_number(row, "value")
        if value is None:
            out.append(s.say("ia_withheld", label=label, year=year))
            continue
        mine = series[series["category"] == label] if not series.empty else series
        earlier = [(int(r.year), r.count) for r in mine.itertuples() if int(r.year) < year]
        earlier = earlier or [(year - 1, row_number(row, "prev_value"))]
        earlier_text = _earlier(earlier)
        change = row_change(row)
        direction = _direction(change, small=change is not None and change == 0)
        parts = [s.say(f"ia_series_{direction}", label=label, value=value, year=year,
                       earlier=earlier_text)]  # fmt: skip
        parts += [c.text for c in caveats if c.applies(row, area_id)]
        parts.append(significance(s, row, alpha=alpha))
        out.append(" ".join(parts))
    return out


def _earlier(points: list[tuple[int, float | None]]) -> str:
    """"6 år 2021 och 0 både 2020 och 2019" — the latest first, equal runs merged."""
    from outputs.swedish import format_int

    pieces: list[tuple[str, list[int]]] = []
    for y, v in sorted(points, reverse=True):
        text = "–" if v is None or v != v else format_int(v)
        if pieces and pieces[-1][0] == text:
            pieces[-1][1].append(y)
        else:
            pieces.append((text, [y]))
    parts = []
    for text, ys in pieces:
        when = f"år {ys[0]}" if len(ys) == 1 else "både " + " och ".join(map(str, ys))
        parts.append(f"{text} {when}")
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " och " + parts[-1]
