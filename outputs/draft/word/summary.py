"""Numbered table captions with their source, and the draft's newer tables: the summary's
headline figures, the IA series and the appendix of every statistical test.

Writers format; they don't compute. Each cell is a value of ``DraftContext`` passed through
``outputs.swedish``; the "Bedömning" cell words ``significant`` and the change's sign.
"""

from __future__ import annotations

import pandas as pd
from docx.document import Document as DocumentObject

from outputs.draft.content.context import DraftContext
from outputs.draft.word.ooxml.fields import add_field
from outputs.draft.word.ooxml.footnotes import cite
from outputs.draft.word.ooxml.template import style_or_none
from outputs.draft.word.table_helpers import (
    add_note,
    add_table,
    as_number,
    is_suppressed,
    is_true,
    keep_with_block_above,
    relative_text,
)
from outputs.draft.word.tables import label_text
from outputs.swedish import (
    MISSING,
    NBSP,
    format_int,
    format_p,
    format_percent,
    format_share,
    format_signed,
    format_window,
)

__all__ = [
    "SOURCE_LINES",
    "add_caption",
    "add_facts_table",
    "add_ia_series_table",
    "add_source",
    "add_summary_table",
    "add_tests_table",
    "verdict",
]

#: The "Källa:" line under a table or figure, per source kind.
SOURCE_LINES = {
    "bra": "Källa: Brottsförebyggande rådet (BRÅ), statistik över anmälda brott.",
    "polis": "Källa: Polismyndigheten, statistik över anmälda brott.",
    "ia": "Källa: IA, Stockholms stads system för incidentrapportering.",
    "stockholmsenkaten": "Källa: Stockholmsenkäten, Stockholms stad.",
    "trygghetsmatningen": "Källa: Stockholms stads trygghetsmätning.",
    "befolkning": "Källa: Stockholms stad, Statistik om Stockholm (områdesfakta).",
    "omradesfakta": "Källa: Stockholms stad, Statistik om Stockholm (områdesfakta).",
    "alla": "Källa: BRÅ, Polisen, IA, Stockholmsenkäten och Stockholms stads trygghetsmätning.",
}
_SOURCE_NAMES = {"bra": "BRÅ", "polis": "Polisen", "ia": "IA",
                 "stockholmsenkaten": "Stockholmsenkäten",
                 "trygghetsmatningen": "Trygghetsmätningen"}  # fmt: skip


def add_caption(document: DocumentObject, text: str) -> int:
    """ "Tabell N. text" above the next table, N a SEQ field counted per document.

    Returns:
        The table's number.
    """
    number = getattr(document, "_lagesbild_tables", 0) + 1
    document._lagesbild_tables = number  # type: ignore[attr-defined]
    style = style_or_none(document, "Caption")
    paragraph = document.add_paragraph(style=style)
    lead = paragraph.add_run("Tabell ")
    add_field(paragraph, "SEQ Tabell \\* ARABIC", str(number))
    tail = paragraph.add_run(f". {text}")
    if style is None:
        lead.bold = tail.bold = True
    paragraph.paragraph_format.keep_with_next = True
    return number


def add_source(document: DocumentObject, source: str, *cited: str) -> None:
    """The source line under a table (a source kind of :data:`SOURCE_LINES`, or a text).

    The line carries the footnote of ``source`` (and of each of ``cited``) where no
    sentence has cited it before (``outputs.draft.word.ooxml.footnotes``).
    """
    paragraph = add_note(document, SOURCE_LINES.get(source, source))
    keep_with_block_above(paragraph)
    cite(document, paragraph, *((source, *cited) if source in SOURCE_LINES else cited))


def verdict(row: pd.Series | dict) -> str:
    """The Bedömning cell: "Signifikant ökning", "Ej signifikant", "Kan inte prövas"."""
    if is_suppressed(row):
        return MISSING
    if str(row.get("method") or "").strip().lower() in ("none", "", "nan"):
        return "Kan inte prövas"
    flag = is_true(row.get("significant"))
    if flag is None:
        return "Kan inte prövas"
    if not flag:
        return "Ej signifikant"
    change = as_number(row.get("change_abs")) or 0
    return "Signifikant ökning" if change > 0 else "Signifikant minskning"


def _value(row: dict) -> str:
    value = as_number(row.get("value"))
    if row.get("unit") == "procent":
        return format_share(value)
    return format_int(value)


def _change(row: dict) -> str:
    if row.get("unit") == "procent":
        change = as_number(row.get("change_abs"))
        return MISSING if change is None else f"{format_signed(change)}{NBSP}p.e."
    return relative_text(row.get("change_rel"))


def _rate(row: dict) -> str:
    """The area's rate per 100 000 (crime rows), the figure the city's rate compares with."""
    if row.get("unit") == "procent":
        return MISSING
    return format_int(as_number(row.get("rate_per_100k")))


def _city(row: dict) -> str:
    city = as_number(row.get("city_value"))
    if city is None:
        return MISSING
    shown = format_share(city) if row.get("unit") == "procent" else format_int(city)
    word = str(row.get("vs_city") or "").strip()
    return f"{shown} ({word})" if word else shown


def _name(row: dict) -> str:
    group = str(row.get("group") or "").strip()
    label = label_text(str(row["indicator"]))
    if group and group.lower() != "alla":
        label += f", {group.replace(' ', NBSP)}"
    return label


def add_summary_table(document: DocumentObject, ctx: DraftContext) -> None:
    """The headline figures: value, change, the city and the verdict, one row each.

    Counts give one row; a survey indicator gives its significant groups (or, when none,
    no row: the text says so), so the table stays short.
    """
    frame = ctx.indicators
    if frame.empty or not ctx.headline:
        return
    rows = []
    for source, label in ctx.headline:
        mine = frame[(frame["source"] == source) & (frame["indicator"] == label)]
        records = mine.to_dict("records")
        if source in ("stockholmsenkaten", "trygghetsmatningen") and len(records) > 1:
            records = [r for r in records if is_true(r.get("significant"))]
        rows += records
    if not rows:
        return
    with_city = any(as_number(r.get("city_value")) is not None for r in rows)
    # The city's figure for a crime row is a rate: the area's rate stands next to it, so a
    # count is never read against a rate.
    with_rate = any(_rate(r) != MISSING for r in rows)
    rate_head = [f"Per 100{NBSP}000"] if with_rate else []
    header = ["Indikator", "Källa", "Värde", *rate_head, "Förändring",
              *(["Staden"] if with_city else []), "Bedömning"]  # fmt: skip
    body = [[_name(r), _SOURCE_NAMES.get(r["source"], r["source"]), _value(r),
             *([_rate(r)] if with_rate else []), _change(r),
             *([_city(r)] if with_city else []), verdict(r)] for r in rows]  # fmt: skip
    # Källa fits "Trygghetsmätningen" on one line (a narrower cell breaks it mid-word).
    if with_rate and with_city:
        widths: tuple[float, ...] = (4.4, 3.0, 1.3, 1.3, 1.8, 2.1, 2.1)
    elif with_rate or with_city:
        widths = (4.4, 3.5, 1.5, 1.8, 2.2, 3.0)
    else:
        widths = (5.5, 3.5, 1.5, 1.9, 3.0)
    add_caption(document, f"Nyckeltal {ctx.area_name} {ctx.year} jämfört med föregående "
                          "mätning")  # fmt: skip
    add_table(document, header, body, numeric_from=2, widths_cm=widths)
    unit = (f" Per 100{NBSP}000 och Staden: anmälda brott per 100{NBSP}000 invånare, "
            "enkäterna i procent."
            if with_rate and with_city else "")  # fmt: skip
    add_source(document, "Källa: BRÅ, IA, Stockholmsenkäten och trygghetsmätningen; "
                         "förändring i procent (antal) eller procentenheter, p.e. (andelar)."
                         + unit)  # fmt: skip


def add_facts_table(document: DocumentObject, ctx: DraftContext) -> None:
    """Områdesfakta key figures (``befolkning`` rows other than Folkmängd), with the city."""
    frame = ctx.indicators
    if frame.empty:
        return
    facts = frame[(frame["source"] == "befolkning") & (frame["indicator"] != "Folkmängd")]
    facts = facts[facts["year"].astype(int) <= ctx.year]
    if facts.empty:
        return
    with_city = "city_value" in facts.columns and facts["city_value"].notna().any()

    def shown(value: object, unit: object) -> str:
        number = as_number(value)
        if number is None:
            return MISSING
        return format_percent(number, 1) if unit == "procent" else format_int(number)

    body = [[str(r["indicator"]), shown(r["value"], r["unit"]),
             *([shown(r.get("city_value"), r["unit"])] if with_city else [])]
            for r in facts.to_dict("records")]  # fmt: skip
    header = ["Nyckeltal", ctx.area_name, *(["Staden"] if with_city else [])]
    year = int(facts["year"].astype(int).max())
    add_caption(document, f"Nyckeltal från områdesfakta, 31 december {year}")
    add_table(document, header, body, numeric_from=1, first_width_cm=8.0)
    add_source(document, "omradesfakta")


def add_ia_series_table(document: DocumentObject, ctx: DraftContext) -> bool:
    """IA incidents per category for each year of ``ctx.ia_series``, one window for all.

    Returns:
        False when there is no series (the caller prints the two-year table instead).
    """
    series = ctx.ia_series
    if series is None or series.empty:
        return False
    years = sorted(int(y) for y in series["year"].unique())
    header = ["Kategori", *map(str, years)]
    body = []
    for category in dict.fromkeys(series["category"]):
        mine = series[series["category"] == category]
        by_year = {int(r.year): r.count for r in mine.itertuples()}
        body.append([str(category), *[format_int(as_number(by_year.get(y))) for y in years]])
    window = format_window(ctx.ia_window) if ctx.ia_window else "hela året"
    add_caption(document, f"Incidenter rapporterade i IA per kategori, {window} "
                          f"{years[0]}–{years[-1]}")  # fmt: skip
    add_table(document, header, body, numeric_from=1, first_width_cm=6.0)
    if series["suppressed"].map(lambda v: bool(is_true(v))).any():
        add_note(document, f"{MISSING} = uppgiften redovisas inte (färre än 5 händelser) för "
                           "att skydda enskildas identitet. Även andra uppgifter kan vara "
                           "undertryckta, så att en undertryckt uppgift inte kan räknas fram "
                           "ur en summa.")  # fmt: skip
    add_source(document, "ia")
    return True


def add_tests_table(document: DocumentObject, ctx: DraftContext) -> None:
    """Every tested comparison of the report: the appendix behind the summary."""
    frame = ctx.indicators
    if frame.empty:
        return
    tested = frame[[is_true(v) is not None for v in frame["significant"]]]
    if tested.empty:
        document.add_paragraph("Inga förändringar kunde prövas statistiskt.")
        return
    body = []
    for row in tested.to_dict("records"):
        p = as_number(row.get("p_value"))
        body.append([_name(row), _SOURCE_NAMES.get(row["source"], row["source"]),
                     _prev(row), _value(row), _p_cell(p), verdict(row)])  # fmt: skip
    add_caption(document, f"Samtliga statistiska prövningar, {ctx.area_name} {ctx.year}")
    add_table(document, ["Indikator", "Källa", "Förra", "Nu", "p", "Bedömning"], body,
              numeric_from=2, widths_cm=(5.1, 3.5, 1.4, 1.4, 1.6, 3.2))  # fmt: skip
    add_source(document, "alla")


def _prev(row: dict) -> str:
    value = as_number(row.get("prev_value"))
    return format_share(value) if row.get("unit") == "procent" else format_int(value)


def _p_cell(p: float | None) -> str:
    """The p column: "0,036", "< 0,001", "> 0,99" (the header says p)."""
    if p is None:
        return MISSING
    text = format_p(p).removeprefix("p").lstrip(NBSP + " ")
    return text.removeprefix("=").lstrip(NBSP + " ")
