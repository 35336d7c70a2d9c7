"""The body of the Word draft: 003's sections in 003's order, filled from a ``DraftContext``.

Split from ``outputs.draft.word.writer`` (which writes the file); the sections and their
order are ``outputs.draft.word.layout.LAYOUT``. A section prints people's text first, then
the generated sentences, its missing-data note and its tables; a section left empty shows
the visible placeholder "[Text saknas: …]" so nothing is silently missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
from docx.document import Document as DocumentObject
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from outputs.draft.content.context import (
    PEOPLE_SECTIONS,
    SECTION_NAMES,
    SOURCE_SECTIONS,
    STATUS_OPTIONS,
    DraftContext,
)
from outputs.draft.word.chart_pool import ChartJob
from outputs.draft.word.charts import crime_chart, survey_chart
from outputs.draft.word.front import placeholder
from outputs.draft.word.layout import APPENDICES, LAYOUT
from outputs.draft.word.ooxml.footnotes import cite
from outputs.draft.word.ooxml.template import RED, style_or_none
from outputs.draft.word.summary import (
    add_caption,
    add_facts_table,
    add_ia_series_table,
    add_source,
    add_summary_table,
    add_tests_table,
)
from outputs.draft.word.tables import (
    add_count_table,
    add_ia_table,
    add_population_table,
    add_series_table,
    add_survey_table,
    has_groups,
)
from outputs.swedish import format_date

__all__ = ["add_appendices", "add_body", "chart_jobs", "section_rows"]


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
_PLAIN_METHODS = (
    "Siffrorna jämförs med föregående mätning. En förändring kallas statistiskt "
    "signifikant när den är så stor att den sannolikt inte beror på slumpen; med många "
    "jämförelser blir ändå ungefär en av tjugo signifikant av en slump. Hur siffrorna har "
    "prövats och samtliga prövningar finns i bilagan ”Metod och statistisk prövning”."
)
_CSV_NOTE = (
    "Samtliga siffror i lägesbilden finns i maskinläsbar form i filen indicators.csv, "
    "som levereras tillsammans med utkastet. Där anges för varje jämförelse metod, "
    "p-värde och konfidensintervall."
)
#: The source a section's generated sentences cite besides its table's (footnotes).
_SECTION_SOURCES = {
    "befolkning": ("befolkning",),  # områdesfakta's footnote stands at its own table
    "brottslighet": ("bra",),
    "vald_offentlig_miljo": ("bra",),
    "narkotika": ("bra",),
    "ran": ("bra",),
    "polis": ("polis",),
    "ia": ("ia",),
}
_SURVEY_LABELS = {
    "trygghetsmatningen": "Stockholms stads trygghetsmätning",
    "stockholmsenkaten": "Stockholmsenkäten",
}

#: Adds a figure (numbered caption, alt text) to the document from a planned chart
#: (``ChartJob``); a no-op without charts.
AddFigure = Callable[[DocumentObject, ChartJob], None]


def add_body(document: DocumentObject, ctx: DraftContext, add_figure: AddFigure) -> None:
    """Write every section of :data:`LAYOUT` that applies.

    Args:
        document: the draft, after its title page.
        ctx: what to print.
        add_figure: how to insert a chart (``outputs.draft.word.writer``'s figure counter).
    """
    for section in LAYOUT:
        if section.key == "polis" and not _has_police(ctx):
            continue
        if section.key == "datakvalitet" and not ctx.quality_warnings:
            continue
        document.add_heading(section.title, section.level)
        before = len(document.element.body)
        _fill(document, ctx, section.key, add_figure)
        if section.fill and len(document.element.body) == before and section.key:
            _placeholder(document, SECTION_NAMES.get(section.key, section.title.lower()))


def section_rows(ctx: DraftContext, key: str) -> pd.DataFrame:
    """The indicators rows whose table stands in section ``key``.

    Args:
        ctx: the draft context.
        key: a section key.

    Returns:
        The rows, in ``ctx.indicators`` order.
    """
    frame = ctx.indicators
    if frame.empty:
        return frame
    where = frame["source"].map(SOURCE_SECTIONS)
    if "table_section" in frame.columns:
        given = frame["table_section"].astype(object)
        where = given.where(given.notna() & (given != ""), where)
    return frame[where == key]


# --- content -------------------------------------------------------------------------------


def _fill(document: DocumentObject, ctx: DraftContext, key: str | None, add_figure) -> None:  # noqa: ANN001
    if key is None:
        return
    special = _SPECIAL.get(key)
    if special is not None:
        special(document, ctx)
        return
    text = ctx.editorial.get(key, "").strip()
    if text:
        _paragraphs(document, [text])
    elif key in PEOPLE_SECTIONS:
        _placeholder(document, SECTION_NAMES[key])
    written = _paragraphs(document, ctx.sentences.get(key, ()))
    if written and key != "sammanfattning":  # the summary's table names its sources
        cite(document, written[0], *_cited_sources(ctx, key))
    if key in ctx.missing_notes:
        _note(document, ctx.missing_notes[key])
    _tables(document, ctx, key, add_figure)
    if key == "sammanfattning":
        add_summary_table(document, ctx)
    if key == "bedomning":
        _prioritised_list(document, ctx)


def _tables(document: DocumentObject, ctx: DraftContext, key: str, add_figure) -> None:  # noqa: ANN001
    before = len(document.tables)
    _section_tables(document, ctx, key, add_figure)
    for table in document.tables[before:]:
        _keep_together(table)


def _keep_together(table, max_rows: int = 15) -> None:  # noqa: ANN001 - python-docx Table
    """Keep a short table on one page: each row's paragraphs keep with the next row."""
    if len(table.rows) > max_rows:
        return
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _section_tables(document: DocumentObject, ctx: DraftContext, key: str, add_figure) -> None:  # noqa: ANN001
    rows = section_rows(ctx, key)
    where = ctx.area_place or f"i {ctx.area_name}"
    if key == "befolkning":
        if not ctx.population.empty:
            add_caption(document, f"Befolkning {where} efter ålder")
            add_population_table(document, ctx.population)
            add_source(document, "befolkning")
        add_facts_table(document, ctx)
    elif key == "brottslighet":
        if not rows.empty:
            add_caption(document, f"Anmälda brott {where} {ctx.year} jämfört med "
                                  f"{ctx.year - 1}")  # fmt: skip
            add_count_table(document, rows, ctx.year, with_rate=True)
            add_source(document, "bra")
        if not ctx.crime_series.empty:
            years = sorted(int(y) for y in ctx.crime_series["year"].unique())
            add_caption(document, f"Anmälda brott {where} per år {years[0]}–{years[-1]}")
            add_series_table(document, ctx.crime_series)
            add_source(document, "bra")
        add_figure(document, _crime_job(ctx))
    elif key == "polis":
        if not rows.empty:
            add_caption(document, f"Anmälda brott enligt polisen {where}")
            add_count_table(document, rows, ctx.year, with_rate=False)
            add_source(document, "polis")
    elif key == "ia":
        if not add_ia_series_table(document, ctx) and not rows.empty:
            add_caption(document, "Incidenter rapporterade i IA per kategori")
            add_ia_table(document, rows, ctx.year, ctx.ia_window)
            add_source(document, "ia")
    else:
        for job, (source, year, wave, label) in _survey_jobs(rows, key):
            per = "per indikator och grupp" if has_groups(wave) else "per indikator"
            add_caption(document, f"{label} {int(year)}: andel (%) {per}")
            add_survey_table(document, wave)
            add_source(document, str(source))
            add_figure(document, job)


def chart_jobs(ctx: DraftContext) -> list[ChartJob]:
    """Every chart the body may draw, in document order (for ``ChartPool`` to draw ahead).

    A chart planned but not drawn only costs a child's time; one drawn but not planned is
    drawn where it stands.
    """
    jobs = [_crime_job(ctx)]
    for section in LAYOUT:
        if section.key not in (None, "befolkning", "brottslighet", "polis", "ia"):
            jobs += [job for job, _ in _survey_jobs(section_rows(ctx, section.key), section.key)]
    return jobs


def _crime_job(ctx: DraftContext) -> ChartJob:
    where = ctx.area_place or f"i {ctx.area_name}"
    return ChartJob(("crime",), crime_chart, (ctx.crime_series, ctx.area_name),
                    {"place": where}, cost=5 + len(ctx.crime_series))  # fmt: skip


def _survey_jobs(rows: pd.DataFrame, key: str) -> list[tuple[ChartJob, tuple]]:
    """One survey chart per wave of a section's survey rows, with (source, year, wave, label)."""
    if rows.empty or not rows["unit"].eq("procent").all():
        return []
    jobs = []
    for (source, year), wave in rows.groupby(["source", "year"], sort=True):
        label = _SURVEY_LABELS.get(str(source), str(source))
        job = ChartJob(("survey", key, str(source), int(year)), survey_chart, (wave, label),
                       cost=5 + len(wave))  # fmt: skip
        jobs.append((job, (source, year, wave, label)))
    return jobs


def _has_police(ctx: DraftContext) -> bool:
    return (not section_rows(ctx, "polis").empty or "polis" in ctx.sentences
            or "polis" in ctx.missing_notes)  # fmt: skip


def _paragraphs(document: DocumentObject, texts: Sequence[str]) -> list[Paragraph]:
    written = []
    for text in texts:
        for part in str(text).split("\n\n"):
            if part.strip():
                written.append(document.add_paragraph(part.strip()))
    return written


def _cited_sources(ctx: DraftContext, key: str) -> tuple[str, ...]:
    """The sources whose figures a section's generated sentences quote (footnote keys)."""
    rows = section_rows(ctx, key)
    found = [str(s) for s in rows["source"].unique()] if not rows.empty else []
    return tuple(dict.fromkeys([*_SECTION_SOURCES.get(key, ()), *found]))


def _note(document: DocumentObject, text: str) -> None:
    document.add_paragraph().add_run(text).italic = True


def _placeholder(document: DocumentObject, what: str) -> None:
    run = document.add_paragraph().add_run(placeholder(what))
    run.bold = True
    run.font.color.rgb = RED


def _syfte(document: DocumentObject, ctx: DraftContext) -> None:
    document.add_paragraph(_SYFTE)


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


def _prioriterade(document: DocumentObject, ctx: DraftContext) -> None:
    _paragraphs(document, _PRIORITERADE)


def _status_lines(document: DocumentObject, ctx: DraftContext, chosen: str | None) -> None:
    for key in STATUS_OPTIONS:
        text = ctx.status_texts.get(key, STATUS_OPTIONS[key])
        box = "☒" if key == chosen else "☐"
        paragraph = document.add_paragraph(f"{box} {text}")
        paragraph.paragraph_format.left_indent = Cm(0.75)
        paragraph.paragraph_format.space_after = Pt(2)
        # The heading, the three boxes and the area's description stand on one page.
        paragraph.paragraph_format.keep_with_next = True


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
        run.font.color.rgb = RED


def _priority_areas(document: DocumentObject, ctx: DraftContext) -> None:
    for name in ctx.priority_areas:
        document.add_heading(name, 3)
        chosen = ctx.editorial.get(f"status:{name}")
        _status_lines(document, ctx, chosen)
        if chosen is None:
            _placeholder(document, f"status för {name}")
        _labelled(document, "Beskrivning av området", ctx.editorial.get(f"beskrivning:{name}"),
                  f"beskrivning för {name}")  # fmt: skip
        _labelled(document, "Kommentar", ctx.editorial.get(f"kommentar:{name}"),
                  f"kommentar för {name}")  # fmt: skip


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


def _methods(document: DocumentObject, ctx: DraftContext) -> None:
    _paragraphs(document, [_PLAIN_METHODS])


def _methods_appendix(document: DocumentObject, ctx: DraftContext) -> None:
    _paragraphs(document, [ctx.methods_note] if ctx.methods_note else [])
    _paragraphs(document, list(ctx.methods_appendix))
    document.add_paragraph(_CSV_NOTE)
    add_tests_table(document, ctx)


def add_appendices(document: DocumentObject, ctx: DraftContext) -> None:
    """The appendices of :data:`APPENDICES`.

    No forced page break: the body ends with the short "Om statistiken" and "Datakvalitet",
    which would otherwise stand alone on a mostly blank page.
    """
    for section in APPENDICES:
        document.add_heading(section.title, section.level)
        _fill(document, ctx, section.key, lambda *_: None)


def _quality(document: DocumentObject, ctx: DraftContext) -> None:
    bullets = "List Bullet" if style_or_none(document, "List Bullet") else None
    for warning in ctx.quality_warnings:
        document.add_paragraph(warning, style=bullets)


_SPECIAL: dict[str, Callable[[DocumentObject, DraftContext], None]] = {
    "syfte": _syfte,
    "kallor": _sources,
    "prioriterade": _prioriterade,
    "omraden": _priority_areas,
    "metod": _methods,
    "bilaga_metod": _methods_appendix,
    "datakvalitet": _quality,
}
