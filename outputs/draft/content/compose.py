"""Composing the draft's content: the Swedish paragraphs, tables and notes of one report.

Turns finished indicators into a ``DraftContext`` for the Word writer. It picks and words
figures; it computes no statistics (those are in ``tasks``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from lagesbild.areas.model import Area
from lagesbild.errors import InputError
from outputs.draft.content.context import (
    SECTION_KEYS,
    SOURCE_SECTIONS,
    STATUS_OPTIONS,
    DraftContext,
)
from outputs.draft.content.headlines import (
    SURVEY_NAMES,
    headline_rows,
    is_suppressed,
    row_dicts,
    suppressed_sentence,
)
from outputs.draft.content.kallor import sources_used
from outputs.draft.content.population import facts_sentences, population_sentences, population_table
from outputs.draft.content.report_config import REPORT_CONFIG, REST, Routing, load_section_routing
from outputs.swedish import format_window
from outputs.text.narrative import methods_note, trend_sentence
from outputs.text.prose import Caveat, Place, count_paragraph, ia_paragraphs, survey_paragraphs
from outputs.text.sentences import load_sentences
from outputs.text.significance_wording import methods_appendix
from outputs.text.summary import key_sentences
from outputs.text.trends import section_trends

__all__ = ["compose_context"]

_SECTION_OF_SOURCE = {"bra": "brottslighet", "ia": "ia", "befolkning": "befolkning"}
_MISSING_TEXT = {
    "bra": "Brottsstatistik från BRÅ saknas för {year}.",
    "ia": "Underlag från IA saknas för {year}.",
    "befolkning": "Befolkningsuppgifter saknas för {year}.",
    "enkater": "Enkätresultat (Stockholmsenkäten, trygghetsmätningen) saknas för {year}.",
}


def _router(routing: Routing, safety_indicators: Sequence[str]):  # noqa: ANN202 - a closure
    """source, indicator → section key: safety first, then named labels, then ``"*"``."""
    named: dict[tuple[str, str], str] = {}
    rest: dict[str, str] = {}
    for key, by_source in routing.items():
        for source, labels in by_source.items():
            for label in labels:
                if label == REST:
                    rest.setdefault(source, key)
                else:
                    named.setdefault((source, label), key)
    safety = set(safety_indicators)

    def section(source: str, indicator: str) -> str:
        if source in SURVEY_NAMES and indicator in safety:
            return "trygghet"
        return named.get((source, indicator)) or rest.get(source) or SOURCE_SECTIONS[source]

    return section


def _with_table_sections(indicators: pd.DataFrame, safety: Sequence[str]) -> pd.DataFrame:
    """A copy whose ``table_section`` puts the survey rows on perceived safety under
    "Beskrivning av tryggheten"; every other table stays in its source's section."""
    if indicators.empty:
        return indicators
    is_safety = indicators["source"].isin(["stockholmsenkaten", "trygghetsmatningen"]) & \
        indicators["indicator"].isin(list(safety))  # fmt: skip
    return indicators.assign(table_section=[("trygghet" if flag else "") for flag in is_safety])


def _ia_window(indicators: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    rows = indicators[(indicators["source"] == "ia") & indicators["window_start"].notna()]
    if rows.empty:
        return None
    return (dt.date.fromisoformat(str(rows["window_start"].iloc[0])[:10]),
            dt.date.fromisoformat(str(rows["window_end"].iloc[0])[:10]))  # fmt: skip


def compose_context(
    *,
    area: Area,
    year: int,
    version: int,
    created: dt.date,
    indicators: pd.DataFrame,
    crime_series: pd.DataFrame,
    population: pd.DataFrame,
    raw_files: Sequence[Mapping],
    present_kinds: Sequence[str],
    headline: Mapping[str, Sequence[str]],
    safety_indicators: Sequence[str] = (),
    priority_areas: Sequence[str],
    editorial: Mapping[str, str],
    quality_warnings: Sequence[str],
    is_sample_data: bool,
    sections: Routing | None = None,
    ia_series: pd.DataFrame | None = None,
    caveats: Sequence[Caveat] = (),
    sentences_file: Path | None = None,
    key_figures: Mapping[str, str] | None = None,
    status_texts: Mapping[str, str] | None = None,
) -> DraftContext:
    """Everything the Word writer prints, worded in Swedish.

    Args:
        area: the area.
        year: the report year.
        version: the version number being written.
        created: the draft's date.
        indicators: the report's indicators (tasks.indicators.build.build_indicators).
        crime_series: multi-year BRÅ series for the area.
        population: population rows of the area (canonical shape).
        raw_files: the raw inputs used (name, origin, sha256, retrieved_at).
        present_kinds: the inbox kinds that had data for the area and year.
        headline: per source, the indicators that get a sentence.
        safety_indicators: survey indicators whose sentences go under "Beskrivning av
            tryggheten" rather than under their survey.
        priority_areas: the ten city-wide priority areas.
        editorial: text written by people, keyed by section.
        quality_warnings: data-quality warnings to list in the draft.
        is_sample_data: mark the draft as example data.
        sections: which section each headline indicator's sentence stands in (section
            key → source → labels, ``"*"`` for the rest); None reads ``sections:`` of
            ``lagesbild/conf/report.yaml`` (``report_config.load_section_routing``). Safety
            indicators go to "trygghet" first; what is routed nowhere stays in its
            source's section.
        ia_series: IA counts per category over several years (``tasks.indicators.ia_series``).
        caveats: configured remarks (``report_config.load_caveats``), printed before the
            significance statement they qualify.
        sentences_file: a district's sentence templates (default
            ``outputs/templates/sentences.yaml``).
        key_figures: områdesfakta key figure → phrase (report.yaml ``befolkningsfakta``).
        status_texts: the three status texts (report.yaml ``status_texts``); None: 003's.
    """
    unknown = sorted(set(status_texts or {}) - set(STATUS_OPTIONS))
    if unknown:
        raise InputError(f"unknown status key(s) {unknown}; expected {list(STATUS_OPTIONS)}",
                         file=REPORT_CONFIG, column="status_texts")  # fmt: skip
    route = _router(load_section_routing() if sections is None else sections,
                    safety_indicators)  # fmt: skip
    sentences: dict[str, list[str]] = {k: [] for k in SECTION_KEYS}
    words = load_sentences(sentences_file)
    where = Place(name=area.name, place=area.place, city_name="staden som helhet",
                  organisation=area.forvaltningar[0] if area.forvaltningar else "")  # fmt: skip
    caveat_list = tuple(caveats)
    routed: dict[str, dict[str, list[dict]]] = {}
    for source in ("bra", "polis", "ia", "stockholmsenkaten", "trygghetsmatningen"):
        labels = headline.get(source, [])
        rows = headline_rows(indicators, source, labels)
        if source in SURVEY_NAMES:  # every group of a headline indicator
            rows = [r for r in row_dicts(indicators[indicators["source"] == source])
                    if r["indicator"] in labels]  # fmt: skip
        for row in rows:
            key = "ia" if source == "ia" else route(source, str(row["indicator"]))
            routed.setdefault(key, {}).setdefault(source, []).append(row)
    for key, by_source in routed.items():
        for source, rows in by_source.items():
            if source in ("bra", "polis"):
                sentences[key] += [
                    suppressed_sentence(r, area_name=area.name) if is_suppressed(r)
                    else count_paragraph(words, r, where, caveats=caveat_list, area_id=area.id)
                    for r in rows
                ]  # fmt: skip
            elif source == "ia":
                window = _ia_window(indicators)
                sentences[key] += ia_paragraphs(
                    words, rows, ia_series if ia_series is not None else pd.DataFrame(),
                    where, window=window, year=year, caveats=caveat_list, area_id=area.id,
                    labels=headline.get("ia", []),
                )
            else:
                sentences[key] += survey_paragraphs(
                    words, [r for r in rows if not is_suppressed(r)], where,
                    order=headline.get(source, []),
                )
    for key, texts in section_trends(words, indicators, routed, year=year).items():
        sentences[key][0:0] = texts  # the long run first, then the year's change (as 003)
    sentences["sammanfattning"] = key_sentences(words, indicators, where, year=year)
    total = indicators[(indicators["source"] == "bra") & (indicators["year"] == year)
                       & (indicators["indicator"] == "Samtliga brott")]  # fmt: skip
    if not total.empty:
        first = crime_series[(crime_series["indicator"] == "Samtliga brott")
                             & (crime_series["year"] == year - 4)]["value"]  # fmt: skip
        trend = trend_sentence(
            words, total.iloc[0].to_dict(), area_name=area.name, label="anmälda brott",
            first_value=float(first.iloc[0]) if len(first) and pd.notna(first.iloc[0]) else None,
        )  # fmt: skip
        if trend:
            sentences["brottslighet"].insert(0, trend)
    indicators = _with_table_sections(indicators, safety_indicators)
    pop_table = population_table(population, [area.id], year)
    sentences["befolkning"] = population_sentences(words, indicators, pop_table, area)
    sentences["befolkning"] += facts_sentences(words, indicators, key_figures or {}, where,
                                               year=year)  # fmt: skip
    missing = {
        _SECTION_OF_SOURCE.get(kind, "trygghet"): text.format(year=year)
        for kind, text in _MISSING_TEXT.items()
        if kind not in present_kinds
    }
    window = _ia_window(indicators)
    dnr = area.diarienummer_for(year)
    return DraftContext(
        area_id=area.id,
        area_name=area.name,
        year=year,
        parties=tuple((p.name, dnr.get(p.key, "")) for p in area.parties),
        lokalpolisomrade=area.lokalpolisomrade,
        created=created,
        version=version,
        is_sample_data=is_sample_data,
        indicators=indicators,
        population=pop_table,
        crime_series=crime_series,
        sentences={k: tuple(v) for k, v in sentences.items() if v},
        sources=sources_used(raw_files, indicators),
        missing_notes=missing,
        ia_window=window,
        priority_areas=tuple(priority_areas),
        editorial=dict(editorial),
        quality_warnings=tuple(quality_warnings),
        methods_note=methods_note(area_name=area.name),
        methods_appendix=tuple(methods_appendix(
            area_name=area.name, ia_window=format_window(window) if window else "")),
        ia_series=ia_series if ia_series is not None else pd.DataFrame(),
        headline=tuple((src, str(label)) for src, labels in headline.items()
                       for label in labels),
        template_uses=dict(words.uses),
        area_place=area.place,
        status_texts=dict(status_texts) if status_texts else dict(STATUS_OPTIONS),
    )
