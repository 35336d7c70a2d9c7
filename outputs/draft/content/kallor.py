"""The Källor section's entries: each source actually used, once, with its retrieval date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from outputs.draft.content.context import SourceUsed

__all__ = ["SOURCE_LABELS", "sources_used"]

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

def sources_used(raw_files: Sequence[Mapping], indicators: pd.DataFrame) -> tuple[SourceUsed, ...]:
    """One Källor entry per source actually used, each listed once, with its retrieval date.

    The date is the raw input's ``retrieved_at`` (fetch time, or the steward's / the file's
    own date for inbox files, see ``sources.store.retrieved``), the latest when several files
    make one source.
    """
    by_label: dict[tuple[str, str, int | None], list[Mapping]] = {}
    for raw in raw_files:
        kind = str(raw.get("kind") or Path(str(raw["origin"])).parent.name)
        labels = [(SOURCE_LABELS.get(kind, kind), kind, None)]
        if kind == "enkater":
            surveys = indicators[indicators["source"].isin(["stockholmsenkaten",
                                                             "trygghetsmatningen"])]
            labels = [
                (f"{SOURCE_LABELS[s]} {int(y)}", str(s), int(y))
                for s, y in surveys.groupby("source")["year"].max().items()
            ] or [(SOURCE_LABELS["stockholmsenkaten"], "stockholmsenkaten", None)]
        for label in labels:
            by_label.setdefault(label, []).append(raw)
    used = []
    for (label, key, year), files in sorted(by_label.items(), key=lambda kv: kv[0][0]):
        retrieved = max(dt.datetime.fromisoformat(str(f["retrieved_at"])) for f in files)
        used.append(
            SourceUsed(
                label=label,
                origin=str(Path(str(files[0]["origin"])).parent),
                retrieved_at=retrieved,
                sha256=str(files[0]["sha256"]),
                files=tuple(dict.fromkeys(str(f["name"]) for f in files)),
                key=key,
                year=year,
            )
        )
    return tuple(used)
