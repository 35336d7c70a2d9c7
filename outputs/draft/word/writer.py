"""The Word draft of the lokal lägesbild, laid out like the city's own (seed 003).

Writers format; they don't compute: ``write_draft`` prints a :class:`DraftContext` whose
numbers and sentences are all finished. What it adds is layout: the title block, the
diarienummer block on every page, "Sid X av Y", a table of contents Word fills in on
opening, the standard sections in the standard order (``outputs.draft.word.sections``), and
visible placeholders ("[Text saknas: …]") wherever people still have to write.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject

from outputs.draft.content.context import DraftContext
from outputs.draft.word.action_plan import add_action_plan
from outputs.draft.word.changes_section import add_changes_section
from outputs.draft.word.chart_pool import ChartJob, ChartPool
from outputs.draft.word.front import (
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
from outputs.draft.word.layout import HEADINGS
from outputs.draft.word.ooxml.fields import add_figure, normalise_zip
from outputs.draft.word.ooxml.footnotes import attach, footnote_texts
from outputs.draft.word.ooxml.template import DEFAULT_TEMPLATE, fill_template, style_or_none
from outputs.draft.word.sections import add_appendices, add_body, chart_jobs
from outputs.draft.word.tables import cell_style, table_style
from outputs.publish.versions import make_shareable

__all__ = [
    "HEADINGS",
    "QUALITY_NOTICE",
    "SAMPLE_MARK",
    "TOC_PLACEHOLDER",
    "placeholder",
    "write_draft",
]

logger = logging.getLogger(__name__)


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
        make_shareable(tmp)  # mkstemp makes 0600; the reports directory is shared
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    logger.info("wrote draft %s", path)
    return path


class _Figures:
    """Numbers the figures of one document: "Figur 1.", "Figur 2." …"""

    def __init__(self, enabled: bool, pool: ChartPool) -> None:
        self.enabled = enabled
        self.pool = pool
        self.count = 0

    def add(self, document: DocumentObject, job: ChartJob) -> None:
        if not self.enabled:
            return
        chart = self.pool.draw(job)
        if chart is None:
            return
        self.count += 1
        add_figure(document, chart.png, chart.width_cm, chart.alt_text, self.count,
                   chart.caption, caption_style=style_or_none(document, "Caption"))  # fmt: skip


def _build(ctx: DraftContext, template: Path, charts: bool) -> DocumentObject:
    # The charts are drawn in forked children from the start, while the template is
    # loaded and the title page, footnotes and body are written.
    with ChartPool(chart_jobs(ctx) if charts else ()) as pool:
        return _build_with(pool, ctx, template, charts)


def _build_with(pool: ChartPool, ctx: DraftContext, template: Path, charts: bool) -> DocumentObject:
    document = Document(str(template))
    setup_properties(document, ctx)
    had_title_page = fill_template(
        document, template_values(ctx), header_block=lambda h, at: header_block(h, at, ctx)
    )
    if not had_title_page:
        add_title_page(document, ctx)
    add_footer(document)
    texts = footnote_texts(ctx.sources)
    if texts:  # each source's footnote, at the first sentence or table citing it
        attach(document, texts)
    add_body(document, ctx, _Figures(charts, pool).add)
    bullets = "List Bullet" if style_or_none(document, "List Bullet") else None
    if ctx.changes is not None:
        add_changes_section(document, ctx.changes, list_style=bullets, version=ctx.version)
    add_appendices(document, ctx)
    if ctx.action_plan is not None:
        add_action_plan(document, ctx.action_plan, table_style=table_style(document),
                        cell_style=cell_style(document))  # fmt: skip
    return document
