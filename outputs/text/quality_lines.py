"""The draft's Datakvalitet lines, worded in Swedish from the editable sentence templates.

The checks (``quality``), the comparison levels (``tasks.indicators.comparison_levels``) and
the fetcher (``sources.fetch``) hand over facts: a ``CheckResult`` with its ``facts`` and
examples, a ``StaleSource``. Their English ``describe()`` is for logs and the quality
report; the styrgrupp reads these sentences. A check has the template
``datakvalitet_<check>``; a check without one gets ``datakvalitet_generic``.

Privacy: an example's ``value`` (for IA, the content of a cell) is never passed to a
template, only its file, row and column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from outputs.text.sentences import Sentences
from quality.report import CheckResult
from sources.store.inbox import StaleSource
from tasks.indicators.comparison_levels import LEVEL_CHECK

__all__ = ["GENERIC", "quality_lines", "template_for"]

GENERIC = "datakvalitet_generic"
#: Checks whose name is not a template name of their own.
_TEMPLATES = {LEVEL_CHECK: "datakvalitet_comparison_level"}
#: Facts every template may test with ``{% if ... %}`` even when a check has none.
_DEFAULTS = {"unexpected": None, "rows": None, "years": [], "no_data": False}


def template_for(check: str, sentences: Sentences) -> str:
    """The template that words a failed ``check``: its own, else :data:`GENERIC`."""
    name = _TEMPLATES.get(check, f"datakvalitet_{check}")
    return name if sentences.has(name) else GENERIC


def quality_lines(
    results: Iterable[CheckResult],
    stale: Iterable[StaleSource],
    sentences: Sentences,
    *,
    area_name: Callable[[str], str],
) -> list[str]:
    """One Swedish sentence per stale source, then one per failed warning check.

    Args:
        results: the failed non-blocking checks (``ValidationReport.warnings``).
        stale: the sources whose last good snapshot stood in.
        sentences: the district's sentence set (``load_sentences``).
        area_name: an area id → its name ("sodermalm" → "Södermalm").

    Returns:
        The lines of the draft's Datakvalitet section, in that order.
    """
    lines = [sentences.say("datakvalitet_stale", label=s.label, date=s.fetched_on.isoformat(),
                           source=_source(s.kind, sentences))  # fmt: skip
             for s in stale]
    for result in results:
        lines.append(sentences.say(template_for(result.check, sentences),
                                   **_values(result, sentences, area_name)))  # fmt: skip
    return lines


def _values(result: CheckResult, sentences: Sentences,
            area_name: Callable[[str], str]) -> dict[str, Any]:  # fmt: skip
    places = [sentences.say("datakvalitet_plats", file=ex.get("file") or "",
                            row=ex.get("row"), column=ex.get("column") or "")  # fmt: skip
              for ex in result.examples if ex.get("file")]
    column = next((ex["column"] for ex in result.examples if ex.get("column")), result.column)
    return {**_DEFAULTS, **_named(result.facts, area_name),
            "check": result.check, "source": _source(result.source, sentences),
            "source_id": result.source, "column": column or "",
            "places": list(dict.fromkeys(places))}  # fmt: skip


def _source(kind: str, sentences: Sentences) -> str:
    return sentences.say("datakvalitet_kalla", source=kind)


def _named(facts: Mapping[str, Any], area_name: Callable[[str], str]) -> dict[str, Any]:
    """The facts with each ``area`` id replaced by the area's name (also inside lists)."""
    out: dict[str, Any] = {}
    for key, value in facts.items():
        if key == "area" and isinstance(value, str):
            value = area_name(value)
        elif isinstance(value, list):
            value = [_named(v, area_name) if isinstance(v, Mapping) else v for v in value]
        out[key] = value
    return out
