"""Comparison levels built only from complete inputs: the level's own row, or all members.

A district is compared with the city, a municipality with its county and the country
(``comparisons`` in the areas configuration). The statistics read a level's figures as the
rows whose ``area`` is the level's id (``tasks.indicators.crime_rows``: ``city_value``).
Those rows are the source's own row for the level when it has one (BRÅ's ``Stockholm kommun``, SCB's
``01``); otherwise, for a level with ``members``, they are summed here from the members —
but only for a category and year where *every* member is present, with the population of
every member to match. A partial sum would be a wrong figure that looks right: the real BRÅ
län export of 2020 lacks Ekerö, Nykvarn, Nynäshamn and Upplands-Bro, lists Stockholm only
by its stadsdelsområden (two of which are missing) and includes Knivsta (Uppsala län), so
no county figure can be built from it. Then the level has no rows, the draft shows no
comparison, and a quality warning names what is missing.

Pure functions on canonical frames (yearly BRÅ counts, population rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lagesbild.areas.model import AreasConfig, ComparisonLevel
from quality.report import CheckResult, Severity
from sources.store.inbox import Inputs
from tasks.indicators._rows import year_of

__all__ = [
    "LEVEL_CHECK", "LevelBuild", "build_levels", "comparison_ids", "level_builds",
    "level_check_results", "with_level_rows",
]

#: The check name of a level that could not be built (its draft wording is a template's).
LEVEL_CHECK = "jämförelsenivå av fullständiga underlag"


@dataclass(frozen=True)
class LevelBuild:
    """What one comparison level has for the report year, and how it was obtained.

    ``how`` is ``rad`` (the source's own row), ``summa`` (all members summed) or ``saknas``.
    ``bra`` and ``population`` hold the summed rows to add (empty for ``rad``/``saknas``).
    ``gaps`` says what is missing as facts, one per source (``source``: ``bra`` or
    ``befolkning``, ``year``, ``absent``: the names of the members without rows, empty when
    the level has none or no members), for the draft's Swedish wording.
    """

    level: ComparisonLevel
    how: str
    bra: pd.DataFrame
    population: pd.DataFrame
    gaps: tuple[dict, ...] = ()

    def describe(self) -> str:
        """The sentence for logs and the quality report (empty when complete).

        The draft words the same ``gaps`` with its ``datakvalitet_comparison_level`` template.
        """
        if self.how != "saknas":
            return ""
        parts = [_gap_text(self.level.name, gap) for gap in self.gaps]
        return (f"Jämförelse med {self.level.name} saknas: " + "; ".join(parts) + ". "
                "En jämförelsenivå byggs bara av fullständiga underlag (en egen rad, eller "
                "alla ingående områden med befolkning).")


def _gap_text(level: str, gap: dict) -> str:
    absent = gap["absent"]
    names = ", ".join(absent[:-1]) + " och " + absent[-1] if len(absent) > 1 else "".join(absent)
    if gap["source"] == "bra":
        text = f"BRÅ-underlaget för {gap['year']} har ingen rad för {level}"
        return text + (f" och saknar {names}" if absent else "")
    if absent:
        return f"befolkningen för {gap['year']} saknar {names}"
    return f"befolkningen för {gap['year']} saknas för {level}"


def _sorted_names(areas: AreasConfig, ids: list[str]) -> list[str]:
    return sorted(areas.get(i).name for i in ids)


def _own(frame: pd.DataFrame, level: str, year: int) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[(frame["area"] == level) & (year_of(frame) == year) & frame["value"].notna()]


def _summed(frame: pd.DataFrame, level: ComparisonLevel, years: pd.Series,
            keys: list[str]) -> tuple[pd.DataFrame, dict[int, list[str]]]:  # fmt: skip
    """Member rows summed per key and year where every member has a value; gaps per year."""
    members = list(level.members)
    part = frame[frame["area"].isin(members)].assign(_year=years)
    part = part[part["value"].notna()]
    gaps: dict[int, list[str]] = {}
    if part.empty:
        return frame.iloc[0:0], gaps
    group = part.groupby([*keys, "_year"], sort=True, dropna=False)
    have = group["area"].nunique()
    complete = have[have == len(members)].index
    for year, got in part.groupby("_year")["area"]:
        absent = sorted(set(members) - set(got))
        if absent:
            gaps[int(year)] = absent
    if not len(complete):
        return frame.iloc[0:0], gaps
    first = group.head(1).set_index([*keys, "_year"]).loc[complete]
    sums = group["value"].sum().loc[complete]
    out = first.assign(value=sums.to_numpy(), area=level.id, region=level.name,
                       file="(summa av " + str(len(members)) + " områden)", row=0)
    if "preliminary" in out:
        out["preliminary"] = group["preliminary"].any().loc[complete].to_numpy()
    if "published_rate" in out:
        out["published_rate"] = float("nan")
    return out.reset_index().drop(columns="_year"), gaps


def _build(level: ComparisonLevel, yearly_bra: pd.DataFrame, population: pd.DataFrame,
           areas: AreasConfig, year: int) -> LevelBuild:  # fmt: skip
    empty = yearly_bra.iloc[0:0]
    totals = population[population["category"] == "Folkmängd"] if not population.empty \
        else population
    own_bra = _own(yearly_bra, level.id, year)
    own_pop = _own(totals, level.id, year)
    bra_sum, bra_gaps = (empty, {})
    pop_sum, pop_gaps = (totals.iloc[0:0], {})
    if level.members:
        if own_bra.empty and not yearly_bra.empty:
            bra_sum, bra_gaps = _summed(yearly_bra, level, year_of(yearly_bra, "period_start"),
                                        ["source", "category", "period_start"])
        if own_pop.empty and not totals.empty:
            pop_sum, pop_gaps = _summed(totals, level, year_of(totals),
                                        ["source", "category", "period_end"])
    gaps = []
    has_bra = not own_bra.empty or (not bra_sum.empty and year in set(
        year_of(bra_sum, "period_start")))
    has_pop = not own_pop.empty or (not pop_sum.empty and year in set(year_of(pop_sum)))
    for source, present, member_gaps in (("bra", has_bra, bra_gaps),
                                         ("befolkning", has_pop, pop_gaps)):  # fmt: skip
        if not present:
            absent = member_gaps.get(year) if level.members else None
            gaps.append({"source": source, "year": year,
                         "absent": _sorted_names(areas, absent) if absent else []})  # fmt: skip
    if gaps:
        return LevelBuild(level=level, how="saknas", bra=empty, population=totals.iloc[0:0],
                          gaps=tuple(gaps))  # fmt: skip
    how = "rad" if not own_bra.empty else "summa"
    return LevelBuild(level=level, how=how, bra=bra_sum, population=pop_sum)


def build_levels(yearly_bra: pd.DataFrame, population: pd.DataFrame, areas: AreasConfig,
                 area: str, year: int) -> list[LevelBuild]:  # fmt: skip
    """Every comparison level of ``area`` for report ``year``, from complete inputs only.

    Args:
        yearly_bra: yearly BRÅ rows (``bra_yearly``) of the area, the levels and members.
        population: population rows in the canonical shape (the same areas).
        areas: the areas configuration (``comparisons_for``, ``members``).
        area: the area reported on.
        year: the report year: a level lacking it is ``saknas``.

    Returns:
        One build per level, the primary one first.
    """
    return [_build(level, yearly_bra, population, areas, year)
            for level in areas.comparisons_for(area)]


def with_level_rows(yearly_bra: pd.DataFrame, population: pd.DataFrame,
                    builds: list[LevelBuild]) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """The frames with each level's summed rows added (its own rows are there already)."""
    bra = [b.bra for b in builds if not b.bra.empty]
    pop = [b.population for b in builds if not b.population.empty]
    if bra:
        yearly_bra = pd.concat([yearly_bra, *bra], ignore_index=True)
    if pop:
        population = pd.concat([population, *pop], ignore_index=True)
    return yearly_bra, population


def level_check_results(builds: list[LevelBuild]) -> tuple[CheckResult, ...]:
    """One warning per level that could not be built, for the quality report and draft."""
    return tuple(
        CheckResult(source="jämförelse", check=LEVEL_CHECK, severity=Severity.WARNING,
                    success=False, column=None, message=b.describe(),
                    facts={"level": b.level.name, "gaps": list(b.gaps)})
        for b in builds if b.how == "saknas"
    )  # fmt: skip


def comparison_ids(areas: AreasConfig, area: str) -> list[str]:
    """The comparison levels of ``area`` and their members (the rows the levels need)."""
    ids = []
    for level in areas.comparisons_for(area):
        ids += [level.id, *level.members]
    return list(dict.fromkeys(ids))


def level_builds(inputs: Inputs, areas: AreasConfig, area: str, year: int) -> list[LevelBuild]:
    """``build_levels`` on the rows of an inbox read, each level built once per read.

    A level depends on the inputs, the level and the year only, so every municipality of a
    county (and every area compared with the country) shares one build: the nightly run
    over 290 municipalities sums the country once, not 290 times.
    """
    cache = inputs.__dict__.setdefault("_comparison_levels", {})
    builds = []
    for level in areas.comparisons_for(area):
        key = (str(areas.source_file), level.id, year)
        if key not in cache:
            ids = [level.id, *level.members]
            cache[key] = _build(level, inputs.rows_for("yearly_bra", ids),
                                inputs.rows_for("befolkning", ids), areas, year)
        builds.append(cache[key])
    return builds
