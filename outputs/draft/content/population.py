"""Befolkningsfakta: the population table by age and the sentences on population and key
figures (områdesfakta), with the city's figure beside the area's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from lagesbild.areas.model import Area
from outputs.draft.content.headlines import row_dicts
from outputs.swedish import format_int, format_percent
from outputs.text.prose import Place
from outputs.text.sentences import Sentences

__all__ = ["facts_sentences", "population_sentences", "population_table"]

def population_table(population: pd.DataFrame, area_ids: Sequence[str], year: int) -> pd.DataFrame:
    """Population by age group for the last three years up to ``year``, with shares in %."""
    if population.empty:
        return pd.DataFrame(columns=["year", "category", "value", "share_pct"])
    frame = population[population["area"].isin(area_ids)].assign(
        year=pd.to_datetime(population["period_end"]).dt.year
    )
    frame = frame[frame["year"].between(year - 2, year)]
    table = frame.groupby(["year", "category"], as_index=False, sort=False)["value"].sum()
    totals = table[table["category"] == "Folkmängd"].set_index("year")["value"]
    table["share_pct"] = table.apply(
        lambda r: r["value"] / totals[r["year"]] * 100 if r["year"] in totals else None, axis=1
    )
    return table



def population_sentences(words: Sentences, indicators: pd.DataFrame, population: pd.DataFrame,
                         area: Area) -> list[str]:  # fmt: skip
    row = indicators[(indicators["source"] == "befolkning")
                     & (indicators["indicator"] == "Folkmängd")]
    if row.empty:
        return []
    now = row.iloc[0]
    trend = ""
    if pd.notna(now["prev_value"]):
        change = now["value"] - now["prev_value"]
        if abs(change) / now["prev_value"] < 0.005:
            trend = "ungefär lika många som året innan"
        else:
            trend = "något fler än året innan" if change > 0 else "något färre än året innan"
    parts = [words.say("pop_total", district=f"{area.name}s stadsdelsområde",
                       year=int(now["year"]), value=now["value"], trend=trend)]  # fmt: skip
    latest = population[(population["year"] == now["year"])
                        & (population["category"] != "Folkmängd")]
    if not latest.empty:
        top = latest.sort_values("share_pct", ascending=False).head(3)
        groups = [f"{r.category} ({format_percent(r.share_pct)})" for r in top.itertuples()]
        parts.append(words.say("pop_ages", first=groups[0], rest=" och ".join(groups[1:])))
    return parts


def _fact_value(value: object, unit: object) -> str:
    """A key figure as the city publishes it: one decimal for shares ("20,9 %")."""
    if unit == "procent":
        return format_percent(float(value), 1)
    return format_int(float(value))


def facts_sentences(words: Sentences, indicators: pd.DataFrame, labels: Mapping[str, str],
                    where: Place, *, year: int) -> list[str]:  # fmt: skip
    """Befolkningsfakta beyond age: the configured områdesfakta key figures, with the city.

    Args:
        words: the sentence set.
        indicators: the report's indicators (key figures are ``befolkning`` rows).
        labels: key figure (Nyckeltal) → the phrase naming it, in print order.
        where: the area's wording.
        year: the report year (a later year marks the forecast).

    Returns:
        An introduction naming the date, one sentence per key figure found, the forecast.
    """
    rows = indicators[(indicators["source"] == "befolkning")
                      & (indicators["indicator"] != "Folkmängd")]
    if rows.empty:
        return []
    by_label = {str(r["indicator"]): r for r in row_dicts(rows)}
    shown = [(label, by_label[label]) for label in labels if label in by_label
             and int(by_label[label]["year"]) <= year]  # fmt: skip
    out = []
    if shown:
        out.append(words.say("facts_intro", year=int(shown[0][1]["year"])))
    for label, row in shown:
        value = _fact_value(row["value"], row.get("unit"))
        city = row.get("city_value")
        if city is not None and city == city:
            out.append(words.say("fact_with_city", label=labels[label], value=value,
                                 city=_fact_value(city, row.get("unit")), place=where.place,
                                 city_name=where.city_name))  # fmt: skip
        else:
            out.append(words.say("fact_alone", label=labels[label], value=value,
                                 place=where.place))  # fmt: skip
    forecast = by_label.get("Befolkningsprognos")
    if forecast is not None and int(forecast["year"]) > year:
        out.append(words.say("fact_forecast", year=int(forecast["year"]),
                             value=forecast["value"]))  # fmt: skip
    return out
