"""The Word draft of the lokal lägesbild, laid out like the city's own (seed 003).

Writers format; they don't compute: ``write_draft`` prints a :class:`DraftContext` whose
numbers and sentences are all finished. What it adds is layout: the title block, the
diarienummer block on every page, "Sid X av Y", a table of contents Word fills in on
opening, the standard sections in the standard order, and visible placeholders
("[Text saknas: …]") wherever people still have to write.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from docx import Document
from docx.document import Document as DocumentObject
from docx.shared import Cm, Pt

from outputs.action_plan import add_action_plan
from outputs.changes import add_changes_section
from outputs.charts import crime_chart, survey_chart
from outputs.docx_fields import add_figure, normalise_zip
from outputs.draft_context import STATUS_OPTIONS, DraftContext
from outputs.draft_front import (
    QUALITY_NOTICE,
    SAMPLE_MARK,
    TOC_PLACEHOLDER,
    add_footer,
    add_title_page,
    header_block,
    placeholder,
    setup_properties,
    template_values,
)
from outputs.draft_tables import (
    add_count_table,
    add_ia_table,
    add_population_table,
    add_series_table,
    add_survey_table,
    cell_style,
    table_style,
)
from outputs.swedish import format_date
from outputs.template import DEFAULT_TEMPLATE, RED, fill_template, style_or_none

__all__ = [
    "HEADINGS",
    "QUALITY_NOTICE",
    "SAMPLE_MARK",
    "TOC_PLACEHOLDER",
    "placeholder",
    "write_draft",
]

logger = logging.getLogger(__name__)

_RED = RED

#: The fixed headings (level, text) in document order; Datakvalitet only with warnings.
HEADINGS: tuple[tuple[int, str], ...] = (
    (1, "Sammanfattning lokal lägesbild"),
    (1, "Inledning"),
    (1, "Syfte"),
    (1, "Källor"),
    (1, "Beskrivning av stadsdelsområdet"),
    (2, "Befolkningsfakta"),
    (1, "Beskrivning av brottsligheten"),
    (2, "Anmälda brott enligt BRÅ"),
    (2, "Trygghetsmätningar"),
    (2, "Egenrapporterad brottslighet och utsatthet bland ungdomar"),
    (1, "Underlag från IA"),
    (2, "Otillåten påverkan och hot"),
    (1, "Beskrivning av tryggheten"),
    (1, "Prioriterade samverkansområden"),
    (2, "Stadsövergripande prioriterade samverkansområden"),
    (1, "Sammantagen bedömning av lokal lägesbild"),
    (1, "Metod och statistisk prövning"),
    (1, "Datakvalitet"),
)

_SYFTE = (
    "Lägesbilden syftar till att tydliggöra den lokala problematiken när det handlar om "
    "brott, utsatthet för brott, upplevd trygghet, oro för brott samt fenomen som upplevs "
    "som problem. Den lokala problematiken kopplas till de stadsövergripande prioriterade "
    "samverkansområdena och de problemområden som kräver gemensamma åtgärder och insatser, "
    "utöver linjeverksamhet. Lägesbilden är stadens och polisens gemensamma bild över "
    "problematiken som berör respektive verksamhet."
)
_PRIORITERADE = (
    "Samverkan sker idag mellan staden och polisen i en mängd olika frågor lokalt och "
    "centralt, alltifrån långsiktiga strukturer kring lokalt trygghetsarbete och "
    "krisberedskap till mer för stunden påkallade uppdrag som särskilda evenemang.",
    "Utifrån den lokala lägesbilden identifieras lokala prioriterade samverkansområden. "
    "Därutöver lyfter den övergripande överenskommelsen tio stadsövergripande prioriterade "
    "utmaningar där samverkan är särskilt påkallad på såväl lokal som central nivå. "
    "Prioriteringen beskrivs under rubriken ”Sammantagen bedömning av lokal lägesbild”.",
)
_SECTION_NAMES = {
    "stadsdelsomradet": "beskrivning av stadsdelsområdet",
    "bedomning": "sammantagen bedömning",
}
_CSV_NOTE = (
    "Samtliga siffror i lägesbilden finns i maskinläsbar form i filen indicators.csv, "
    "som levereras tillsammans med utkastet. Där anges för varje jämförelse metod, "
    "p-värde och konfidensintervall."
)


def write_draft(
    context: DraftContext,
    path: Path,
    *,
    template: Path | None = None,
    charts: bool = True,
) -> Path:
    """Write the draft .docx atomically; the same context gives the same bytes.

    Args:
        context: every number and sentence the draft prints.
        path: the .docx to write (its directory must exist).
        template: a district's own .docx template; default ``outputs/templates/lagesbild.docx``.
        charts: insert the figures (crime series, survey changes).

    Returns:
        ``path``.
    """
    path = Path(path)
    document = _build(context, Path(template) if template else DEFAULT_TEMPLATE, charts)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        document.save(str(tmp))
        normalise_zip(tmp, context.created)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    logger.info("wrote draft %s", path)
    return path


class _Figures:
    """Numbers the figures of one document: "Figur 1.", "Figur 2." …"""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.count = 0

    def add(self, document: DocumentObject, chart) -> None:  # noqa: ANN001 - Chart | None
        if not self.enabled or chart is None:
            return
        self.count += 1
        add_figure(document, chart.png, chart.width_cm, chart.alt_text, self.count,
                   chart.caption, caption_style=style_or_none(document, "Caption"))  # fmt: skip


def _build(ctx: DraftContext, template: Path, charts: bool) -> DocumentObject:
    document = Document(str(template))
    setup_properties(document, ctx)
    had_title_page = fill_template(
        document, template_values(ctx), header_block=lambda h, at: header_block(h, at, ctx)
    )
    if not had_title_page:
        add_title_page(document, ctx)
    add_footer(document)
    figures = _Figures(charts)
    _sections(document, ctx, figures)
    return document


# --- body ----------------------------------------------------------------------------------


def _paragraphs(document: DocumentObject, texts: Sequence[str]) -> None:
    for text in texts:
        for part in str(text).split("\n\n"):
            if part.strip():
                document.add_paragraph(part.strip())


def _note(document: DocumentObject, text: str) -> None:
    document.add_paragraph().add_run(text).italic = True


def _placeholder(document: DocumentObject, what: str) -> None:
    run = document.add_paragraph().add_run(placeholder(what))
    run.bold = True
    run.font.color.rgb = _RED


def _editorial(document: DocumentObject, ctx: DraftContext, key: str, *, required: bool) -> None:
    """People's text for a section; a placeholder when it is required and missing."""
    text = ctx.editorial.get(key, "").strip()
    if text:
        _paragraphs(document, [text])
    elif required:
        _placeholder(document, _SECTION_NAMES.get(key, key))


def _generated(document: DocumentObject, ctx: DraftContext, key: str) -> None:
    """The pre-written sentences of a section, then its missing-data note."""
    _paragraphs(document, ctx.sentences.get(key, ()))
    if key in ctx.missing_notes:
        _note(document, ctx.missing_notes[key])


def _source_rows(ctx: DraftContext, *sources: str) -> pd.DataFrame:
    frame = ctx.indicators
    if frame.empty:
        return frame
    return frame[frame["source"].isin(sources)]


def _sections(document: DocumentObject, ctx: DraftContext, figures: _Figures) -> None:
    heading = document.add_heading
    heading("Sammanfattning lokal lägesbild", 1)
    _editorial(document, ctx, "sammanfattning", required=True)
    _generated(document, ctx, "sammanfattning")

    heading("Inledning", 1)
    _editorial(document, ctx, "inledning", required=True)
    heading("Syfte", 1)
    document.add_paragraph(_SYFTE)
    heading("Källor", 1)
    _sources(document, ctx)

    heading("Beskrivning av stadsdelsområdet", 1)
    _editorial(document, ctx, "stadsdelsomradet", required=True)
    heading("Befolkningsfakta", 2)
    _editorial(document, ctx, "befolkning", required=False)
    _generated(document, ctx, "befolkning")
    add_population_table(document, ctx.population)

    _crime(document, ctx, figures)

    heading("Underlag från IA", 1)
    _editorial(document, ctx, "ia", required=False)
    heading("Otillåten påverkan och hot", 2)
    _generated(document, ctx, "ia")
    add_ia_table(document, _source_rows(ctx, "ia"), ctx.year, ctx.ia_window)

    heading("Beskrivning av tryggheten", 1)
    _editorial(document, ctx, "trygghet", required=False)
    _generated(document, ctx, "trygghet")

    _priority_areas(document, ctx)

    heading("Sammantagen bedömning av lokal lägesbild", 1)
    _editorial(document, ctx, "bedomning", required=True)
    _prioritised_list(document, ctx)

    heading("Metod och statistisk prövning", 1)
    _paragraphs(document, [ctx.methods_note] if ctx.methods_note else [])
    document.add_paragraph(_CSV_NOTE)

    bullets = "List Bullet" if style_or_none(document, "List Bullet") else None
    if ctx.quality_warnings:
        heading("Datakvalitet", 1)
        for warning in ctx.quality_warnings:
            document.add_paragraph(warning, style=bullets)
    if ctx.changes is not None:
        add_changes_section(document, ctx.changes, list_style=bullets)
    if ctx.action_plan is not None:
        add_action_plan(document, ctx.action_plan, table_style=table_style(document),
                        cell_style=cell_style(document))  # fmt: skip


def _sources(document: DocumentObject, ctx: DraftContext) -> None:
    if not ctx.sources:
        _placeholder(document, "källor")
        return
    document.add_paragraph("De källor som använts till lägesbilden är:")
    for source in ctx.sources:
        paragraph = document.add_paragraph(
            f"✓ {source.label}, hämtad {format_date(source.retrieved_at)}"
        )
        paragraph.paragraph_format.left_indent = Cm(0.75)
        paragraph.paragraph_format.space_after = Pt(2)


def _crime(document: DocumentObject, ctx: DraftContext, figures: _Figures) -> None:
    heading = document.add_heading
    heading("Beskrivning av brottsligheten", 1)
    heading("Anmälda brott enligt BRÅ", 2)
    _editorial(document, ctx, "brottslighet", required=False)
    _generated(document, ctx, "brottslighet")
    add_count_table(document, _source_rows(ctx, "bra"), ctx.year, with_rate=True)
    add_series_table(document, ctx.crime_series)
    if figures.enabled:
        figures.add(document, crime_chart(ctx.crime_series, ctx.area_name))

    polis = _source_rows(ctx, "polis")
    if not polis.empty or "polis" in ctx.sentences or "polis" in ctx.missing_notes:
        heading("Anmälda brott enligt polisen", 2)
        _generated(document, ctx, "polis")
        add_count_table(document, polis, ctx.year, with_rate=False)

    for key, title, label in (
        ("trygghetsmatningen", "Trygghetsmätningar", "Stockholms stads trygghetsmätning"),
        (
            "stockholmsenkaten",
            "Egenrapporterad brottslighet och utsatthet bland ungdomar",
            "Stockholmsenkäten",
        ),
    ):
        heading(title, 2)
        _editorial(document, ctx, key, required=False)
        _generated(document, ctx, key)
        rows = _source_rows(ctx, key)
        if rows.empty:
            continue
        for year, wave in rows.groupby("year", sort=True):
            document.add_paragraph().add_run(f"{label} {int(year)}").bold = True
            add_survey_table(document, wave)
            if figures.enabled:
                figures.add(document, survey_chart(wave, label))


def _status_lines(document: DocumentObject, chosen: str | None) -> None:
    for key, text in STATUS_OPTIONS.items():
        box = "☒" if key == chosen else "☐"
        paragraph = document.add_paragraph(f"{box} {text}")
        paragraph.paragraph_format.left_indent = Cm(0.75)
        paragraph.paragraph_format.space_after = Pt(2)


def _labelled(document: DocumentObject, label: str, text: str | None, what: str) -> None:
    """A bold label before the text; further paragraphs follow as plain paragraphs."""
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    parts = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    if parts:
        paragraph.add_run(parts[0])
        _paragraphs(document, parts[1:])
    else:
        run = paragraph.add_run(placeholder(what))
        run.bold = True
        run.font.color.rgb = _RED


def _priority_areas(document: DocumentObject, ctx: DraftContext) -> None:
    document.add_heading("Prioriterade samverkansområden", 1)
    _paragraphs(document, _PRIORITERADE)
    document.add_heading("Stadsövergripande prioriterade samverkansområden", 2)
    for name in ctx.priority_areas:
        document.add_heading(name, 3)
        chosen = ctx.editorial.get(f"status:{name}")
        _status_lines(document, chosen)
        if chosen is None:
            _placeholder(document, f"status för {name}")
        _labelled(
            document,
            "Beskrivning av området",
            ctx.editorial.get(f"beskrivning:{name}"),
            f"beskrivning för {name}",
        )
        _labelled(
            document, "Kommentar", ctx.editorial.get(f"kommentar:{name}"), f"kommentar för {name}"
        )


def _prioritised_list(document: DocumentObject, ctx: DraftContext) -> None:
    """The areas whose status is "åtgärdsplan", listed as in 003's closing assessment."""
    chosen = [n for n in ctx.priority_areas if ctx.editorial.get(f"status:{n}") == "atgardsplan"]
    if not chosen:
        return
    document.add_paragraph(
        "Med utgångspunkt i analysen av den lokala lägesbilden prioriteras följande områden:"
    )
    bullets = "List Bullet" if style_or_none(document, "List Bullet") else None
    for name in chosen:
        document.add_paragraph(name, style=bullets)
