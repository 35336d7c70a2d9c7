"""The input of the Word draft writer: everything the draft prints, already computed.

Writers format; they don't compute. Every number in the draft is a value in one of these
frames, every sentence is pre-written by ``outputs`` sentence builders or by people
(``editorial``). The writer only chooses where and how to print them.

Section keys (used by ``sentences``, ``missing_notes`` and the free-text part of
``editorial``), each naming where in the draft the text lands:

============================= ==========================================================
key                           section of the draft
============================= ==========================================================
sammanfattning                Sammanfattning lokal lägesbild
inledning                     Inledning
stadsdelsomradet              Beskrivning av stadsdelsområdet (optional opening text)
geografiskt_ansvarsomrade_sdf Geografiskt ansvarsområde stadsdelsförvaltning
befolkning                    Befolkningsfakta
sdf_uppdrag                   Stadsdelsförvaltningens uppdrag och organisation
utbildningsforvaltningen      Beskrivning av utbildningsförvaltningen (optional opening)
grundskoleavdelningen         Grundskoleavdelningens uppdrag och organisation
lokalpolisomradet             Beskrivning av lokalpolisområdet
lpo_geografiskt_ansvarsomrade Geografiskt ansvarsområde (lokalpolisområdet)
medborgarloften               Medborgarlöften
brottslighet                  Anmälda brott enligt BRÅ (the generated overview)
polis                         Anmälda brott enligt polisen (only shown when given)
trygghetsmatningen            Trygghetsmätningar
vald_offentlig_miljo          Våld i offentlig miljö
narkotika                     Narkotikabrottslighet
brott_i_nara_relation         Brott i nära relation
ran                           Rån
stockholmsenkaten             Egenrapporterad brottslighet och riskbeteenden bland ungdomar
otillaten_paverkan            Otillåten påverkan (under Beskrivning av brottsligheten)
ia                            Underlag från IA, säkerhetssamordnare
underlag_fran_polisen         Underlag från polisen
avhopparverksamhet            Avhopparverksamhet för kriminella (under brottsligheten)
trygghet                      Beskrivning av tryggheten
bedomning                     Sammantagen bedömning av lokal lägesbild
============================= ==========================================================

``editorial`` also holds, per priority area ``name``, the keys ``status:<name>`` (one of
:data:`STATUS_OPTIONS`), ``beskrivning:<name>`` and ``kommentar:<name>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # runtime imports would be circular (content.editorial imports this module)
    from outputs.draft.content.action_plan import ActionPlan
    from outputs.publish.changes import Changes

__all__ = [
    "CRIME_SERIES_COLUMNS",
    "DraftContext",
    "INDICATOR_COLUMNS",
    "PEOPLE_SECTIONS",
    "POPULATION_COLUMNS",
    "SECTION_KEYS",
    "SECTION_NAMES",
    "SOURCE_SECTIONS",
    "STATUS_OPTIONS",
    "SourceUsed",
]

#: Section key → what a placeholder or warning calls the section ("[Text saknas: …]").
SECTION_NAMES: dict[str, str] = {
    "sammanfattning": "sammanfattning",
    "inledning": "inledning",
    "stadsdelsomradet": "beskrivning av stadsdelsområdet",
    "geografiskt_ansvarsomrade_sdf": "geografiskt ansvarsområde stadsdelsförvaltning",
    "befolkning": "befolkningsfakta",
    "sdf_uppdrag": "stadsdelsförvaltningens uppdrag och organisation",
    "utbildningsforvaltningen": "beskrivning av utbildningsförvaltningen",
    "grundskoleavdelningen": "grundskoleavdelningens uppdrag och organisation",
    "lokalpolisomradet": "beskrivning av lokalpolisområdet",
    "lpo_geografiskt_ansvarsomrade": "lokalpolisområdets geografiska ansvarsområde",
    "medborgarloften": "medborgarlöften",
    "brottslighet": "anmälda brott enligt BRÅ",
    "polis": "anmälda brott enligt polisen",
    "trygghetsmatningen": "trygghetsmätningar",
    "vald_offentlig_miljo": "våld i offentlig miljö",
    "narkotika": "narkotikabrottslighet",
    "brott_i_nara_relation": "brott i nära relation",
    "ran": "rån",
    "stockholmsenkaten": "egenrapporterad brottslighet och riskbeteenden bland ungdomar",
    "otillaten_paverkan": "otillåten påverkan",
    "ia": "underlag från IA, säkerhetssamordnare",
    "underlag_fran_polisen": "underlag från polisen",
    "avhopparverksamhet": "avhopparverksamhet för kriminella",
    "trygghet": "beskrivning av tryggheten",
    "bedomning": "sammantagen bedömning",
}
SECTION_KEYS: tuple[str, ...] = tuple(SECTION_NAMES)
#: Sections only people can write: without their text the draft shows a placeholder (even
#: where generated sentences follow) and ``outputs.draft.content.editorial`` reports a warning.
PEOPLE_SECTIONS: tuple[str, ...] = (
    "sammanfattning",
    "inledning",
    "geografiskt_ansvarsomrade_sdf",
    "sdf_uppdrag",
    "utbildningsforvaltningen",
    "grundskoleavdelningen",
    "lokalpolisomradet",
    "lpo_geografiskt_ansvarsomrade",
    "medborgarloften",
    "vald_offentlig_miljo",
    "narkotika",
    "brott_i_nara_relation",
    "ran",
    "otillaten_paverkan",
    "ia",
    "underlag_fran_polisen",
    "avhopparverksamhet",
    "trygghet",
    "bedomning",
)

#: The three status options of a priority area (seed 003), key → checkbox text.
STATUS_OPTIONS: dict[str, str] = {
    "atgardsplan": "Lägesbild finns och arbete pågår – se Åtgärdsplan",
    "linjeverksamhet": "Arbete sker i linjeverksamhet",
    "prioriteras-ej": "Prioriteras ej i nuläget",
}

#: Columns of ``indicators`` the writer reads (the rest of indicators.csv may be present).
INDICATOR_COLUMNS: tuple[str, ...] = (
    "source",
    "indicator",
    "group",
    "year",
    "value",
    "unit",
    "rate_per_100k",
    "prev_year",
    "prev_value",
    "change_abs",
    "change_rel",
    "method",
    "significant",
    "preliminary",
)
POPULATION_COLUMNS: tuple[str, ...] = ("year", "category", "value", "share_pct")
CRIME_SERIES_COLUMNS: tuple[str, ...] = (
    "year",
    "indicator",
    "value",
    "rate_per_100k",
    "preliminary",
)

#: Where a source's table stands when ``indicators`` does not say (``table_section``).
SOURCE_SECTIONS: dict[str, str] = {
    "bra": "brottslighet",
    "polis": "polis",
    "ia": "ia",
    "trygghetsmatningen": "trygghetsmatningen",
    "stockholmsenkaten": "stockholmsenkaten",
}

_EDITORIAL_PREFIXES = ("status:", "beskrivning:", "kommentar:")


@dataclass(frozen=True)
class SourceUsed:
    """One input behind the draft, listed under Källor.

    Attributes:
        label: how the draft names it, e.g. ``"Brottsstatistik BRÅ (anmälda brott)"``.
        origin: URL or inbox path it came from.
        retrieved_at: when it was fetched or dropped into the inbox.
        sha256: fingerprint of the raw file(s).
        files: the raw files' names.
        key: the source kind (``bra``, ``stockholmsenkaten`` …): its publisher, title and
            address in ``outputs/templates/kallor.yaml``, and its footnote.
        year: a survey's year (the wave the draft shows), else None.
    """

    label: str
    origin: str
    retrieved_at: dt.datetime
    sha256: str
    files: tuple[str, ...] = ()
    key: str = ""
    year: int | None = None


@dataclass(frozen=True, eq=False)
class DraftContext:
    """Everything ``write_draft`` prints, pre-computed and pre-worded.

    Attributes:
        area_id, area_name: the area (``"sodermalm"``, ``"Södermalm"``).
        year: the report year.
        parties: (party name, diarienummer or ``""``) in configuration order.
        lokalpolisomrade: the police party's name; it is listed last in the title block.
        created: the draft's date (also its fixed document-property timestamps).
        version: the version number shown as "Version N – utkast".
        is_sample_data: print "Exempeldata – inte officiell statistik" on every page.
        indicators: rows of indicators.csv (at least :data:`INDICATOR_COLUMNS`), in the
            order they should be printed. An optional column ``table_section`` names the
            section whose table shows the row; without it (or where empty) a row's table
            stands in its source's section (:data:`SOURCE_SECTIONS`).
        population: :data:`POPULATION_COLUMNS`; ``category`` is ``Folkmängd`` or an age
            group, ``share_pct`` the age group's share of Folkmängd in % (NaN for
            Folkmängd). One table row per year given.
        crime_series: :data:`CRIME_SERIES_COLUMNS`, several years, for the series table.
        sentences: section key → pre-written paragraphs.
        sources: the inputs listed under Källor.
        missing_notes: section key → visible note ("Underlag från IA saknas för 2024.").
        ia_window: the calendar window IA counts were compared over, or None (full year).
        priority_areas: the city-wide priority areas, in order.
        editorial: people's text (see the module docstring); missing → placeholder.
        quality_warnings: data-quality warnings to list under Datakvalitet.
        methods_note: the plain three-sentence methods note for the styrgrupp.
        methods_appendix: the technical paragraphs of "Metod och statistisk prövning".
        action_plan: the åtgärdsplan printed as the appendix "Bilaga: Åtgärdsplan", or
            None (no appendix).
        changes: what changed since the previous version, printed as the last section
            "Ändringar sedan version N", or None (first version: no section).
        ia_series: IA counts per category and year in one calendar window
            (``tasks.indicators.ia_series``: year, category, count, suppressed, …), printed as the
            IA table; empty: the two-year table of ``indicators``.
        headline: (source, indicator) pairs of the summary table, in order.
        template_uses: sentence template (name#variant) → uses in this draft.
        area_place: the name with its preposition, "på Södermalm" (empty: "i <name>").
        status_texts: the text of each status option (keys of :data:`STATUS_OPTIONS`),
            report.yaml's ``status_texts``; the chosen one is printed ☒, the others ☐.
    """

    area_id: str
    area_name: str
    year: int
    parties: tuple[tuple[str, str], ...]
    lokalpolisomrade: str
    created: dt.date
    version: int
    is_sample_data: bool
    indicators: pd.DataFrame
    population: pd.DataFrame
    crime_series: pd.DataFrame
    sentences: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sources: tuple[SourceUsed, ...] = ()
    missing_notes: Mapping[str, str] = field(default_factory=dict)
    ia_window: tuple[dt.date, dt.date] | None = None
    priority_areas: tuple[str, ...] = ()
    editorial: Mapping[str, str] = field(default_factory=dict)
    quality_warnings: tuple[str, ...] = ()
    methods_note: str = ""
    methods_appendix: tuple[str, ...] = ()
    action_plan: ActionPlan | None = None
    changes: Changes | None = None
    ia_series: pd.DataFrame = field(default_factory=pd.DataFrame)
    headline: tuple[tuple[str, str], ...] = ()
    template_uses: Mapping[str, int] = field(default_factory=dict)
    area_place: str = ""
    status_texts: Mapping[str, str] = field(default_factory=lambda: dict(STATUS_OPTIONS))

    def __post_init__(self) -> None:
        """Reject inputs the writer would otherwise print wrongly or drop silently."""
        _check_columns("indicators", self.indicators, INDICATOR_COLUMNS)
        _check_columns("population", self.population, POPULATION_COLUMNS)
        _check_columns("crime_series", self.crime_series, CRIME_SERIES_COLUMNS)
        if "table_section" in self.indicators.columns:
            named = {str(v) for v in self.indicators["table_section"].dropna() if str(v)}
            unknown_tables = sorted(named - set(SECTION_KEYS))
            if unknown_tables:
                raise ValueError(
                    f"DraftContext.indicators: unknown table_section(s) {unknown_tables}"
                )
        for name, mapping in (("sentences", self.sentences), ("missing_notes", self.missing_notes)):
            unknown = sorted(set(mapping) - set(SECTION_KEYS))
            if unknown:
                raise ValueError(
                    f"DraftContext.{name}: unknown section key(s) {unknown}; "
                    f"expected one of {list(SECTION_KEYS)}"
                )
        for key, value in self.editorial.items():
            prefix, _, area = key.partition(":")
            if f"{prefix}:" in _EDITORIAL_PREFIXES:
                if area not in self.priority_areas:
                    raise ValueError(
                        f"DraftContext.editorial[{key!r}]: {area!r} is not a priority area"
                    )
                if prefix == "status" and value not in STATUS_OPTIONS:
                    raise ValueError(
                        f"DraftContext.editorial[{key!r}] = {value!r}; "
                        f"expected one of {list(STATUS_OPTIONS)}"
                    )
            elif key not in SECTION_KEYS:
                raise ValueError(
                    f"DraftContext.editorial: unknown key {key!r}; expected a section key "
                    f"{list(SECTION_KEYS)} or status:/beskrivning:/kommentar:<priority area>"
                )
        if self.ia_window is not None and self.ia_window[0] > self.ia_window[1]:
            raise ValueError(f"DraftContext.ia_window starts after it ends: {self.ia_window}")


def _check_columns(name: str, frame: pd.DataFrame, required: tuple[str, ...]) -> None:
    """An empty frame may lack columns; a non-empty one must have them all."""
    if frame.empty and len(frame.columns) == 0:
        return
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"DraftContext.{name} lacks column(s) {missing}")
