"""The headline sentence of one indicators row, and the notice for a withheld one.

A row that disclosure control withheld figures of gets a sentence that prints no withheld
figure (nor any change); every other row gets ``outputs.text.narrative.change_sentence``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd

from outputs.swedish import format_int, format_percent, format_window
from outputs.text.narrative import change_sentence, place

__all__ = [
    "SURVEY_NAMES",
    "headline_rows",
    "headline_sentence",
    "is_suppressed",
    "row_dicts",
    "suppressed_sentence",
]

def row_dicts(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (None if (isinstance(v, float) and v != v) or v is pd.NA else v)
         for k, v in r.items()}
        for r in frame.to_dict("records")
    ]  # fmt: skip


def headline_rows(indicators: pd.DataFrame, source: str, labels: Sequence[str]) -> list[dict]:
    rows = row_dicts(indicators[indicators["source"] == source])
    order = {label: i for i, label in enumerate(labels)}
    picked = [r for r in rows if r["indicator"] in order]
    return sorted(picked, key=lambda r: (order[r["indicator"]], r.get("group") or ""))


SURVEY_NAMES = {"stockholmsenkaten": "Stockholmsenkäten",
                 "trygghetsmatningen": "Trygghetsmätningen"}  # fmt: skip
_PROTECT = "för att skydda enskildas identitet"


def is_suppressed(row: Mapping) -> bool:
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
        survey = SURVEY_NAMES.get(str(row["source"]), str(row["source"]))
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
        ``outputs.text.narrative.change_sentence`` for a published row, else
        :func:`suppressed_sentence` (which prints no withheld figure).
    """
    if is_suppressed(row):
        return suppressed_sentence(row, area_name=area_name)
    return change_sentence(row, area_name=area_name)
