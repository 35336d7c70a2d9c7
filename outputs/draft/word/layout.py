"""The draft's headings in order: 003's Innehåll plus our own generated sections.

:data:`LAYOUT` is the table of contents of the published lägesbild (seed 003) plus our own
generated sections; each entry says which section key fills it
(``outputs.draft.word.sections`` prints them).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["APPENDICES", "HEADINGS", "LAYOUT", "Section"]


@dataclass(frozen=True)
class Section:
    """One heading of the draft.

    Attributes:
        level: heading level (1–3).
        title: the heading text, as in 003's Innehåll.
        key: the section key whose editorial text, sentences and tables fill it, or a
            special content name (``syfte``, ``kallor`` …), or None for a bare heading.
        fill: show a placeholder when nothing was printed under the heading.
    """

    level: int
    title: str
    key: str | None = None
    fill: bool = True


#: The draft's fixed sections in document order (003's Innehåll plus our own sections).
LAYOUT: tuple[Section, ...] = (
    Section(1, "Sammanfattning lokal lägesbild", "sammanfattning"),
    Section(1, "Inledning", "inledning"),
    Section(1, "Syfte", "syfte"),
    Section(1, "Källor", "kallor"),
    Section(1, "Beskrivning av stadsdelsområdet", "stadsdelsomradet", fill=False),
    Section(2, "Geografiskt ansvarsområde stadsdelsförvaltning", "geografiskt_ansvarsomrade_sdf"),
    Section(2, "Befolkningsfakta", "befolkning"),
    Section(2, "Stadsdelsförvaltningens uppdrag och organisation", "sdf_uppdrag"),
    Section(1, "Beskrivning av utbildningsförvaltningen", "utbildningsforvaltningen", fill=False),
    Section(2, "Grundskoleavdelningens uppdrag och organisation", "grundskoleavdelningen"),
    Section(1, "Beskrivning av lokalpolisområdet", "lokalpolisomradet"),
    Section(2, "Geografiskt ansvarsområde", "lpo_geografiskt_ansvarsomrade"),
    Section(2, "Medborgarlöften", "medborgarloften"),
    Section(1, "Beskrivning av brottsligheten", None, fill=False),
    Section(2, "Anmälda brott enligt BRÅ", "brottslighet"),
    Section(2, "Anmälda brott enligt polisen", "polis"),
    Section(2, "Trygghetsmätningar", "trygghetsmatningen"),
    Section(2, "Våld i offentlig miljö", "vald_offentlig_miljo"),
    Section(2, "Narkotikabrottslighet", "narkotika"),
    Section(2, "Brott i nära relation", "brott_i_nara_relation"),
    Section(2, "Rån", "ran"),
    Section(
        2, "Egenrapporterad brottslighet och riskbeteenden bland ungdomar", "stockholmsenkaten"
    ),
    Section(2, "Otillåten påverkan", "otillaten_paverkan"),
    Section(2, "Underlag från IA, säkerhetssamordnare", "ia"),
    Section(2, "Underlag från polisen", "underlag_fran_polisen"),
    Section(2, "Avhopparverksamhet för kriminella", "avhopparverksamhet"),
    Section(1, "Beskrivning av tryggheten", "trygghet"),
    Section(1, "Prioriterade samverkansområden", "prioriterade"),
    Section(2, "Stadsövergripande prioriterade samverkansområden", "omraden"),
    Section(1, "Sammantagen bedömning av lokal lägesbild", "bedomning"),
    Section(1, "Om statistiken", "metod"),
    Section(1, "Datakvalitet", "datakvalitet"),
)

#: The appendices after the body (before the åtgärdsplan and "what changed").
APPENDICES: tuple[Section, ...] = (
    Section(1, "Bilaga: Metod och statistisk prövning", "bilaga_metod"),
)

#: (level, text) of the fixed headings in document order. "Anmälda brott enligt polisen"
#: is only there with police data, "Datakvalitet" only with warnings; the priority areas
#: (level 3) come from configuration.
HEADINGS: tuple[tuple[int, str], ...] = tuple(
    (s.level, s.title) for s in LAYOUT if s.key != "polis"
)
