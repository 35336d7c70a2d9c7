"""Composing the draft's content: the Swedish paragraphs, tables and notes of one report.

Turns finished indicators into a ``DraftContext`` for the Word writer. It picks and words
figures; it computes no statistics (those are in ``tasks``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
import yaml

import lagesbild
from lagesbild.config import Area
from lagesbild.errors import InputError
from outputs.draft_context import (
    SECTION_KEYS,
    SOURCE_SECTIONS,
    STATUS_OPTIONS,
    DraftContext,
    SourceUsed,
)
from outputs.draft_tables import format_window
from outputs.narrative import change_sentence, methods_note, place, trend_sentence
from outputs.significance_wording import methods_appendix
from outputs.swedish import format_int, format_percent
from outputs.text.prose import Caveat, Place, count_paragraph, ia_paragraphs, survey_paragraphs
from outputs.text.sentences import Sentences, load_sentences
from outputs.text.summary import key_sentences

__all__ = [
    "REPORT_CONFIG",
    "SOURCE_LABELS",
    "compose_context",
    "headline_sentence",
    "facts_sentences",
    "load_caveats",
    "load_section_routing",
    "population_table",
    "sources_used",
    "suppressed_sentence",
]

SOURCE_LABELS = {
    "bra": "Brottsstatistik BRÅ, anmälda brott",
    "befolkning": "Stockholms stad, Områdesfakta: befolkning",
    "ia": "IA, incidentrapporteringssystem inom Stockholms stad",
    "stockholmsenkaten": "Stockholmsenkäten",
    "trygghetsmatningen": "Stockholms stads trygghetsmätning",
    "polis": "Brottsstatistik, Polismyndigheten",
    "omradesfakta": "Stockholms stad, Områdesfakta: nyckeltal",
    "enkater": "Stockholmsenkäten",
}
_SECTION_OF_SOURCE = {"bra": "brottslighet", "ia": "ia", "befolkning": "befolkning"}
REPORT_CONFIG = Path(lagesbild.__file__).parent / "conf" / "report.yaml"
#: A section's routing entry that takes a source's headline indicators routed nowhere else.
_REST = "*"
#: section key → source → indicator labels (or ``"*"``), as in report.yaml's ``sections:``.
Routing = Mapping[str, Mapping[str, Sequence[str]]]
_MISSING_TEXT = {
    "bra": "Brottsstatistik från BRÅ saknas för {year}.",
    "ia": "Underlag från IA saknas för {year}.",
    "befolkning": "Befolkningsuppgifter saknas för {year}.",
    "enkater": "Enkätresultat (Stockholmsenkäten, trygghetsmätningen) saknas för {year}.",
}


def sources_used(raw_files: Sequence[Mapping], indicators: pd.DataFrame) -> tuple[SourceUsed, ...]:
    """One Källor entry per source actually used, each listed once, with its retrieval date.

    The date is the raw input's ``retrieved_at`` (fetch time, or the steward's / the file's
    own date for inbox files, see ``sources.retrieved``), the latest when several files
    make one source.
    """
    by_label: dict[str, list[Mapping]] = {}
    for raw in raw_files:
        kind = str(raw.get("kind") or Path(str(raw["origin"])).parent.name)
        labels = [SOURCE_LABELS.get(kind, kind)]
        if kind == "enkater":
            surveys = indicators[indicators["source"].isin(["stockholmsenkaten",
                                                             "trygghetsmatningen"])]
            labels = [
                f"{SOURCE_LABELS[s]} {int(y)}"
                for s, y in surveys.groupby("source")["year"].max().items()
            ] or [SOURCE_LABELS["stockholmsenkaten"]]
        for label in labels:
            by_label.setdefault(label, []).append(raw)
    used = []
    for label, files in sorted(by_label.items()):
        retrieved = max(dt.datetime.fromisoformat(str(f["retrieved_at"])) for f in files)
        used.append(
            SourceUsed(
                label=label,
                origin=str(Path(str(files[0]["origin"])).parent),
                retrieved_at=retrieved,
                sha256=str(files[0]["sha256"]),
                files=tuple(dict.fromkeys(str(f["name"]) for f in files)),
            )
        )
    return tuple(used)


def load_section_routing(path: Path = REPORT_CONFIG) -> dict[str, dict[str, tuple[str, ...]]]:
    """Read and check the ``sections:`` routing of the report configuration.

    Args:
        path: the report configuration (``lagesbild/conf/report.yaml``).

    Returns:
        Section key → source → indicator labels (``"*"``: the source's other headline
        indicators); empty when the file has no ``sections:``.

    Raises:
        InputError: an unknown section key or source, or a value that is not a list of
            labels; names the file and the key.
    """
    config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    raw = config.get("sections") or {}
    if not isinstance(raw, Mapping):
        raise InputError("'sections' must be a mapping", file=path, column="sections")
    routing: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, by_source in raw.items():
        where = f"sections.{key}"
        if key not in SECTION_KEYS:
            raise InputError(f"unknown section key {key!r}; expected one of "
                             f"{list(SECTION_KEYS)}", file=path, column=where)  # fmt: skip
        if not isinstance(by_source, Mapping):
            raise InputError(f"{where} must map sources to indicator lists",
                             file=path, column=where)  # fmt: skip
        routing[key] = {}
        for source, labels in by_source.items():
            if source not in SOURCE_SECTIONS:
                raise InputError(f"unknown source {source!r}; expected one of "
                                 f"{list(SOURCE_SECTIONS)}", file=path,
                                 column=f"{where}.{source}")  # fmt: skip
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                raise InputError("expected a list of indicator labels", file=path,
                                 column=f"{where}.{source}")  # fmt: skip
            routing[key][source] = tuple(labels)
    return routing


def _router(routing: Routing, safety_indicators: Sequence[str]):  # noqa: ANN202 - a closure
    """source, indicator → section key: safety first, then named labels, then ``"*"``."""
    named: dict[tuple[str, str], str] = {}
    rest: dict[str, str] = {}
    for key, by_source in routing.items():
        for source, labels in by_source.items():
            for label in labels:
                if label == _REST:
                    rest.setdefault(source, key)
                else:
                    named.setdefault((source, label), key)
    safety = set(safety_indicators)

    def section(source: str, indicator: str) -> str:
        if source in _SURVEY_NAMES and indicator in safety:
            return "trygghet"
        return named.get((source, indicator)) or rest.get(source) or SOURCE_SECTIONS[source]

    return section


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


def _row_dicts(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (None if (isinstance(v, float) and v != v) or v is pd.NA else v)
         for k, v in r.items()}
        for r in frame.to_dict("records")
    ]  # fmt: skip


def _headline(indicators: pd.DataFrame, source: str, labels: Sequence[str]) -> list[dict]:
    rows = _row_dicts(indicators[indicators["source"] == source])
    order = {label: i for i, label in enumerate(labels)}
    picked = [r for r in rows if r["indicator"] in order]
    return sorted(picked, key=lambda r: (order[r["indicator"]], r.get("group") or ""))


_SURVEY_NAMES = {"stockholmsenkaten": "Stockholmsenkäten",
                 "trygghetsmatningen": "Trygghetsmätningen"}  # fmt: skip
_PROTECT = "för att skydda enskildas identitet"


def _is_suppressed(row: Mapping) -> bool:
    flag = row.get("suppressed")
    if isinstance(flag, str):
        return flag.strip().lower() == "true"
    return bool(flag) if flag is not None and flag == flag else False


def suppressed_sentence(row: Mapping, *, area_name: str) -> str:
    """A headline sentence for a row disclosure control withheld figures of: no numbers.

    Only figures that are still published are printed (the report year's count when just
    the previous one was withheld); a withheld figure is never printed, nor any change.

    Args:
        row: one indicators row with ``suppressed`` true.
        area_name: the area's display name.

    Returns:
        E.g. "Antalet incidenter i kategorin våld rapporterade i IA för Södermalm redovisas
        inte för 2022, för att skydda enskildas identitet."
    """
    year = int(row["year"])
    prev_year = row.get("prev_year")
    label = str(row["indicator"])
    if row.get("unit") == "procent":
        group = str(row.get("group") or "")
        who = f"{group}, " if group and group.lower() != "alla" else ""
        survey = _SURVEY_NAMES.get(str(row["source"]), str(row["source"]))
        subject = f"Andelen ”{label}” {place(area_name)} ({who}{survey})"
    else:
        name = label if label[1:2].isupper() else label[:1].lower() + label[1:]
        subject = f"Antalet incidenter i kategorin {name} rapporterade i IA för {area_name}"
    value = row.get("value")
    if value is None or value != value or prev_year is None or prev_year != prev_year:
        return f"{subject} redovisas inte för {year}, {_PROTECT}."
    shown = format_percent(value) if row.get("unit") == "procent" else format_int(value)
    when = f"år {year}"
    if row.get("window_start") and row.get("window_end"):
        window = (dt.date.fromisoformat(str(row["window_start"])[:10]),
                  dt.date.fromisoformat(str(row["window_end"])[:10]))  # fmt: skip
        when = f"under perioden {format_window(window)} {year}"
    return (
        f"{subject} var {shown} {when}. Jämförelsen med {int(prev_year)} redovisas inte, "
        f"{_PROTECT}."
    )


def headline_sentence(row: Mapping, *, area_name: str) -> str:
    """The headline sentence of one indicators row: the change, or a withheld notice.

    Args:
        row: one indicators row.
        area_name: the area's display name.

    Returns:
        ``outputs.narrative.change_sentence`` for a published row, else
        :func:`suppressed_sentence` (which prints no withheld figure).
    """
    if _is_suppressed(row):
        return suppressed_sentence(row, area_name=area_name)
    return change_sentence(row, area_name=area_name)


def _population_sentence(words: Sentences, indicators: pd.DataFrame, population: pd.DataFrame,
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
    by_label = {str(r["indicator"]): r for r in _row_dicts(rows)}
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


def load_caveats(raw: object, *, path: Path = REPORT_CONFIG) -> tuple[Caveat, ...]:
    """The ``caveats:`` of the report configuration.

    Each entry: ``source``, ``indicator``, ``from`` (YYYY-MM-DD), ``text`` and optionally
    ``area``. A caveat stands before the significance statement of every comparison that
    spans its date (e.g. a new reporting routine from 2022-01-01).

    Raises:
        InputError: a missing key or a bad date; names the file and the entry.
    """
    if not raw:
        return ()
    if not isinstance(raw, list):
        raise InputError("'caveats' must be a list", file=path, column="caveats")
    out = []
    for number, entry in enumerate(raw):
        where = f"caveats[{number}]"
        if not isinstance(entry, Mapping):
            raise InputError("expected a mapping", file=path, column=where)
        missing = [k for k in ("source", "indicator", "from", "text") if not entry.get(k)]
        if missing:
            raise InputError(f"missing {missing}", file=path, column=where)
        start = entry["from"]
        try:
            start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        except ValueError:
            raise InputError("'from' is not a date (YYYY-MM-DD)", file=path,
                             column=f"{where}.from") from None  # fmt: skip
        out.append(Caveat(source=str(entry["source"]), indicator=str(entry["indicator"]),
                          start=start, text=" ".join(str(entry["text"]).split()),
                          area=str(entry.get("area") or "")))  # fmt: skip
    return tuple(out)


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
        indicators: the report's indicators (tasks.indicators.build_indicators).
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
            ``lagesbild/conf/report.yaml`` (:func:`load_section_routing`). Safety
            indicators go to "trygghet" first; what is routed nowhere stays in its
            source's section.
        ia_series: IA counts per category over several years (``tasks.ia_series``).
        caveats: configured remarks (:func:`load_caveats`), printed before the
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
        rows = _headline(indicators, source, labels)
        if source in _SURVEY_NAMES:  # every group of a headline indicator
            rows = [r for r in _row_dicts(indicators[indicators["source"] == source])
                    if r["indicator"] in labels]  # fmt: skip
        for row in rows:
            key = "ia" if source == "ia" else route(source, str(row["indicator"]))
            routed.setdefault(key, {}).setdefault(source, []).append(row)
    for key, by_source in routed.items():
        for source, rows in by_source.items():
            if source in ("bra", "polis"):
                sentences[key] += [
                    suppressed_sentence(r, area_name=area.name) if _is_suppressed(r)
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
                    words, [r for r in rows if not _is_suppressed(r)], where,
                    order=headline.get(source, []),
                )
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
    sentences["befolkning"] = _population_sentence(words, indicators, pop_table, area)
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
