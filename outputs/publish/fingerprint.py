"""The inputs fingerprint of a run, with light imports only (PyYAML, Jinja for the
sentence file's lookup).

One function for both callers: publishing records it with each version
(``tasks.pipeline.publishing.run_fingerprint``), and ``lagesbild run`` computes it from the
inbox's bytes to answer an unchanged rerun before importing Prefect
(``lagesbild.unchanged``). Same parts, same bytes, same answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import Path

import lagesbild
from lagesbild.report_config import REPORT_CONFIG_FILE, load_report_config
from outputs.draft.content.locations import action_plan_paths, editorial_path
from outputs.text.sentences import configured_sentences_file
from sources.store.rawstore import sha256_file

__all__ = ["fingerprint", "inputs_fingerprint"]


def fingerprint(parts: Iterable[str]) -> str:
    """A stable sha256 over the sorted, de-duplicated parts (input hashes, settings)."""
    digest = hashlib.sha256()
    for part in sorted(set(parts)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def inputs_fingerprint(
    raw_sha256: Iterable[str],
    *,
    area: str,
    year: int,
    ia_cutoff: dt.date | None,
    areas_file: Path,
    texts: Path,
    template: Path | None,
) -> str:
    """The fingerprint of raw file hashes, configuration, code version and parameters.

    Args:
        raw_sha256: the sha256 of every raw input file the run reads.
        area: area id.
        year: report year.
        ia_cutoff: the IA cut-off as given (None: the export's own).
        areas_file: the areas configuration the run uses.
        texts: the root of the editorial and åtgärdsplan files.
        template: the district's own .docx template, if any.
    """
    parts = [f"raw:{sha}" for sha in raw_sha256]
    parts += [
        f"areas:{sha256_file(areas_file)}",
        f"report:{sha256_file(REPORT_CONFIG_FILE)}",
        f"code:{lagesbild.__version__}",
        f"run:{area}:{year}:{ia_cutoff}",
    ]
    files = [editorial_path(texts, area, year), *action_plan_paths(texts, area, year)]
    parts += [f"text:{p.name}:{sha256_file(p)}" for p in files if p.is_file()]
    if template:
        parts.append(f"template:{sha256_file(template)}")
    own = configured_sentences_file(load_report_config(), area, base=REPORT_CONFIG_FILE)
    if own is not None:  # a district's edited wording is a new draft
        parts.append(f"sentences:{sha256_file(own)}")
    return fingerprint(parts)
