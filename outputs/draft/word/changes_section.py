"""The draft's section "Ändringar sedan version N": the same content as the portal's page.

The portal's "Jämför version N med M" shows the figures that moved (old → new with the
verdict before → after), the changed sentences per section and the source files that were
refreshed; this section prints the same from :class:`outputs.publish.changes.Changes`, so a reader
of the Word file or PDF sees what a reader of the portal sees. The wording is in
``outputs/templates/sentences.yaml`` (``changes_*``).

Disclosure: a figure withheld by ``outputs.publish.changes`` (``withheld``) is printed as "ändrad"
with neither value nor verdict — never the numbers, whatever the template says.

Layout: the heading, the intro lines and every table row but the last keep with the next
paragraph and rows do not split, so a short section stays on one page as the other tables do.
"""

from __future__ import annotations

import re

from docx.document import Document as DocumentObject
from docx.text.paragraph import Paragraph

from outputs.draft.content.context import SECTION_NAMES
from outputs.draft.word.table_helpers import add_note, add_table
from outputs.publish.changes import Changes, EditorialChange, FigureChange
from outputs.swedish import format_decimal
from outputs.text.sentences import Sentences, load_sentences

__all__ = ["add_changes_section", "changed_sentences", "changes_heading", "figure_rows"]

_TEXT_NAMES = {
    **{key: name[:1].upper() + name[1:] for key, name in SECTION_NAMES.items()},
    "status": "status",
    "beskrivning": "beskrivning av området",
    "kommentar": "kommentar",
}
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")


def changes_heading(changes: Changes, words: Sentences | None = None) -> str:
    """The section heading: "Ändringar sedan version N" (or "… föregående version")."""
    return (words or load_sentences()).say("changes_heading", version=changes.previous_version)


def _show(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return format_decimal(value, 0 if value.is_integer() else 1)
    return str(value)


def _text_label(key: str) -> str:
    """``kommentar:Otillåten påverkan`` → "Otillåten påverkan – kommentar"."""
    prefix, _, area = key.partition(":")
    name = _TEXT_NAMES.get(prefix, prefix)
    return f"{area} – {name}" if area else name


def figure_rows(changes: Changes, words: Sentences) -> list[list[str]]:
    """One row per indicator, group and year: label, year, old, new, verdict."""
    grouped: dict[tuple, dict[str, FigureChange]] = {}
    for f in changes.figures:
        grouped.setdefault((f.source, f.indicator, f.group, f.year), {})[f.field] = f
    rows = []
    for (_source, indicator, group, year), fields in grouped.items():
        label = f"{indicator} ({group})" if group else indicator
        if any(f.withheld for f in fields.values()):
            hidden = words.say("changes_withheld")
            rows.append([label, str(year), hidden, hidden, hidden])
            continue
        value, verdict = fields.get("value"), fields.get("significant")
        same = words.say("changes_unchanged_value")
        old, new = (_show(value.old), _show(value.new)) if value else (same, same)
        if verdict:
            before = words.say("changes_verdict", significant=verdict.old)
            after = words.say("changes_verdict", significant=verdict.new)
            shown = words.say("changes_verdict_moved", old=before, new=after)
        else:
            shown = words.say("changes_unchanged_verdict")
        rows.append([label, str(year), old, new, shown])
    return rows


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s.strip()]


def changed_sentences(change: EditorialChange) -> tuple[list[str], list[str]]:
    """The sentences added in and removed from one text, in their order."""
    old, new = _sentences(change.old), _sentences(change.new)
    return [s for s in new if s not in old], [s for s in old if s not in new]


def _keep(paragraph: Paragraph) -> Paragraph:
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def _keep_table_together(document: DocumentObject) -> None:
    """Every row of the last table but its last keeps with the next (rows already unsplit)."""
    rows = document.tables[-1].rows
    for row in rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                _keep(paragraph)


def add_changes_section(
    document: DocumentObject,
    changes: Changes,
    *,
    list_style: str | None = "List Bullet",
    words: Sentences | None = None,
    version: int | None = None,
) -> None:
    """Print the changes as the draft's last section.

    Args:
        document: the draft.
        changes: what changed.
        list_style: the bullet style, or None for plain paragraphs.
        words: the sentence set (default: ``outputs/templates/sentences.yaml``).
        version: this version's number (the table's "Version M" column).
    """
    words = words or load_sentences()
    _keep(document.add_heading(changes_heading(changes, words), 1))
    if changes.empty:
        document.add_paragraph(words.say("changes_none"))
        return

    def item(text: str, *, keep: bool = True) -> None:
        paragraph = document.add_paragraph(text, style=list_style) if list_style else \
            document.add_paragraph(f"• {text}")  # fmt: skip
        if keep:
            _keep(paragraph)

    if changes.figures:
        _keep(
            document.add_paragraph(
                words.say("changes_figures_intro", version=changes.previous_version)
            )
        )
        header = words.say("changes_table_header", old=changes.previous_version or "–",
                           new=version or "–").split("|")  # fmt: skip
        add_table(document, header, figure_rows(changes, words), numeric_from=1,
                  widths_cm=(6.0, 1.5, 2.5, 2.5, 4.0))  # fmt: skip
        _keep_table_together(document)
        if any(f.withheld for f in changes.figures):
            add_note(document, words.say("changes_withheld_note"))
    if changes.editorial:
        _keep(document.add_paragraph(words.say("changes_text_intro")))
        for e in changes.editorial:
            added, removed = changed_sentences(e)
            _keep(
                document.add_paragraph(
                    words.say("changes_text_section", label=_text_label(e.key), change=e.change)
                )
            )
            lines = [words.say("changes_sentence_added", text=s) for s in added]
            lines += [words.say("changes_sentence_removed", text=s) for s in removed]
            for index, line in enumerate(lines):
                item(line, keep=index < len(lines) - 1)
    if changes.sources:
        _keep(document.add_paragraph(words.say("changes_sources_intro")))
        for index, s in enumerate(changes.sources):
            item(words.say("changes_source", file=s.name, change=s.change),
                 keep=index < len(changes.sources) - 1)  # fmt: skip
