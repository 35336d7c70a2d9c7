"""Prefect artifacts of a run: the draft's link, the headline figures, the quality summary.

Everything is read back from the version directory (``indicators.csv``, ``quality.json``,
the draft), so an unchanged run shows the same artifacts as the run that made the version.
Keys (lowercase letters, digits, dashes, as Prefect requires):

* ``lagesbild-<area>-<year>``              link to the draft (``file://``)
* ``lagesbild-<area>-<year>-indikatorer``  table of the headline indicators
* ``lagesbild-<area>-<year>-kvalitet``     markdown summary of the data-quality checks
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)

from approval.drafts.publish import PublishResult
from lagesbild.areas.model import slugify
from outputs.swedish import format_decimal, format_p, format_signed
from tasks.pipeline.spec import load_report_config

__all__ = [
    "artifact_key",
    "create_run_artifacts",
    "headline_rows",
    "quality_markdown",
]


def artifact_key(area: str, year: int, suffix: str = "") -> str:
    """The artifact key of an area-year: ``lagesbild-<area>-<year>[-suffix]``.

    Args:
        area: area id (a slug already; anything else is slugified).
        year: report year.
        suffix: distinguishes the artifacts of one run.

    Returns:
        A key of lowercase letters, digits and dashes.
    """
    return slugify(f"lagesbild {area} {year} {suffix}")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _value(value: object, unit: object) -> str:
    if _missing(value):
        return "–"
    decimals = 0 if float(value) == round(float(value)) else 1
    text = format_decimal(float(value), decimals, plain=True)
    return f"{text} %" if unit == "procent" else text


def headline_rows(indicators: pd.DataFrame, headline: dict[str, list[str]]) -> list[dict]:
    """One row per headline indicator (and group) of ``indicators.csv``, in config order.

    Args:
        indicators: the version's indicators (``indicators.csv``).
        headline: ``report.yaml``'s ``headline``: source → indicator labels.

    Returns:
        Rows with Swedish column names and formatted values.
    """
    rows = []
    for source, labels in headline.items():
        for label in labels:
            match = indicators[(indicators["source"] == source)
                               & (indicators["indicator"] == label)]  # fmt: skip
            for _, row in match.iterrows():
                p = row.get("p_value")
                rows.append({
                    "Källa": source,
                    "Indikator": label,
                    "Grupp": "" if _missing(row.get("group")) else str(row["group"]),
                    "År": int(row["year"]),
                    "Värde": _value(row["value"], row.get("unit")),
                    "Föregående": _value(row.get("prev_value"), row.get("unit")),
                    "Förändring": "–" if _missing(row.get("change_rel"))
                    else format_signed(float(row["change_rel"]) * 100, 1, plain=True) + " %",
                    "p": "–" if _missing(p) else format_p(float(p)),
                    "Signifikant": _significance(row.get("significant")),
                })  # fmt: skip
    return rows


def _significance(value: object) -> str:
    """ja / nej, or – when the change was not testable or its figures are withheld."""
    text = "" if _missing(value) else str(value).lower()
    return {"true": "ja", "false": "nej"}.get(text, "–")


def quality_markdown(quality: dict, area: str, year: int, version: int, created: bool) -> str:
    """A short markdown summary of ``quality.json``: totals and every warning.

    Args:
        quality: the parsed ``quality.json``.
        area: area id.
        year: report year.
        version: the version number.
        created: True when this run made the version.

    Returns:
        Markdown in Swedish.
    """
    results = quality.get("results", [])
    passed = sum(1 for r in results if r.get("success"))
    state = "ny version" if created else "oförändrad, ingen ny version"
    lines = [
        f"# Datakvalitet {area} {year}, version {version} ({state})",
        "",
        f"- Kontroller: {len(results)}, godkända: {passed}",
        f"- Blockerande fel: {quality.get('blocking_failures', 0)}",
        f"- Varningar: {quality.get('warnings', 0)}",
    ]
    warnings = [r for r in results if not r.get("success") and r.get("severity") != "blocking"]
    if warnings:
        lines += ["", "## Varningar", ""]
        for r in warnings:
            column = f" [{r['column']}]" if r.get("column") else ""
            message = f": {r['message']}" if r.get("message") else ""
            lines.append(f"- {r.get('source')}: {r.get('check')}{column}{message}")
    return "\n".join(lines) + "\n"


def quality_links(directory: Path, area: str, year: int, version: int) -> str:
    """Markdown links to the version's Data Docs and, with ``LAGESBILD_PORTAL_URL`` set, to
    its quality page in the portal."""
    lines = []
    portal = os.environ.get("LAGESBILD_PORTAL_URL", "").rstrip("/")
    if portal:
        lines.append(f"- [Kvalitetssidan i portalen]({portal}/rapporter/{area}/{year}/version/"
                     f"{version}/kvalitet)")  # fmt: skip
    docs = directory / "data_docs" / "index.html"
    if docs.is_file():
        lines.append(f"- [Data Docs (Great Expectations)]({docs.resolve().as_uri()})")
    return ("\n" + "\n".join(lines) + "\n") if lines else ""


def audit_anchor_line(directory: Path) -> str:
    """The audit log's entry that recorded the version (``audit-head.json``): a third copy of
    the chain's state, kept in Prefect's database, for ``audit verify`` comparisons by hand."""
    path = directory / "audit-head.json"
    try:
        head = json.loads(path.read_text("utf-8"))
        return f"\nGranskningslogg: post {int(head['seq'])}, hash `{head['head']}`\n"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def create_run_artifacts(result: PublishResult, headline: dict | None = None) -> dict[str, str]:
    """Create the three artifacts of a run in the current flow or task run.

    Args:
        result: the run's (new or unchanged) version.
        headline: the headline indicators; ``report.yaml``'s when None.

    Returns:
        Artifact kind (``link``, ``table``, ``markdown``) → key.
    """
    info = result.version
    directory = Path(info.directory)
    headline = load_report_config().get("headline", {}) if headline is None else headline
    keys = {
        "link": artifact_key(info.area, info.year),
        "table": artifact_key(info.area, info.year, "indikatorer"),
        "markdown": artifact_key(info.area, info.year, "kvalitet"),
    }
    create_link_artifact(
        link=result.draft.resolve().as_uri(),
        link_text=result.draft.name,
        key=keys["link"],
        description=f"Utkast {info.area} {info.year}, version {info.version}",
    )
    indicators = pd.read_csv(directory / "indicators.csv", keep_default_na=False,
                             na_values=[""])  # fmt: skip
    create_table_artifact(
        table=headline_rows(indicators, headline),
        key=keys["table"],
        description=f"Huvudindikatorer {info.area} {info.year}, version {info.version}",
    )
    quality_file = directory / "quality.json"
    quality = json.loads(quality_file.read_text("utf-8")) if quality_file.is_file() else {}
    markdown = quality_markdown(quality, info.area, info.year, info.version, result.created)
    markdown += quality_links(directory, info.area, info.year, info.version)
    markdown += audit_anchor_line(directory)
    create_markdown_artifact(
        markdown=markdown,
        key=keys["markdown"],
        description=f"Datakvalitet {info.area} {info.year}",
    )
    return keys
