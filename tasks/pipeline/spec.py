"""What a yearly run is for and what its compute stage hands on: ``RunSpec``, ``Computed``.

Kept apart from the stages so that flows, the CLI and tests can build a run's parameters
and read the report configuration without importing the draft and publishing code.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lagesbild.areas.load import load_areas
from lagesbild.areas.model import AreasConfig
from lagesbild.report_config import REPORT_CONFIG_FILE, load_report_config
from lagesbild.settings import SAMPLE_INBOX
from outputs.draft.content.locations import text_root
from tasks.indicators.disclosure import (
    DisclosureRules,
    empty_suppression_log,
)

__all__ = [
    "REPORT_CONFIG_FILE",
    "SAMPLE_INBOX",
    "Computed",
    "RunSpec",
    "load_report_config",
]

SAMPLE_MARKER = "EXEMPELDATA"


@functools.lru_cache(maxsize=8)
def _areas(path: Path | None) -> AreasConfig:
    return load_areas(path)


@dataclass(frozen=True)
class RunSpec:
    """What one yearly run is for: the flow's parameters, resolved."""

    area: str
    year: int
    inbox: Path
    out: Path
    ia_cutoff: dt.date | None = None
    areas_file: Path | None = None
    as_of: dt.date | None = None
    text_dir: Path | None = None
    template: Path | None = None
    pdf: bool = True
    #: Reason for revising a fastställd area-year (``--revision``); None: an ordinary run.
    revision: str | None = None
    #: Who runs it, for the audit log (the OS user by default).
    actor: str | None = None

    @property
    def texts(self) -> Path:
        """Editorial text and åtgärdsplan files: ``--text-dir``, else ``<inbox>/../text``."""
        return text_root(self.inbox, self.text_dir)

    def areas(self) -> AreasConfig:
        """The validated areas configuration of this run (loaded once per file)."""
        return _areas(self.areas_file)

    @property
    def is_sample_data(self) -> bool:
        """True when the inbox is the bundled example data."""
        inbox = self.inbox.resolve()
        return (inbox / SAMPLE_MARKER).exists() or inbox == SAMPLE_INBOX.resolve()


@dataclass(frozen=True)
class Computed:
    """The indicators of a run and the frames the draft shows beside them.

    ``indicators`` are the public ones: disclosure control (``tasks.indicators.disclosure``) has
    already withheld small IA counts and survey shares with few respondents; ``suppression``
    logs each withheld cell (never its value).
    """

    indicators: pd.DataFrame
    crime_series: pd.DataFrame
    population: pd.DataFrame
    suppression: pd.DataFrame = field(default_factory=empty_suppression_log)
    rules: DisclosureRules = field(default_factory=DisclosureRules)
    ia_series: pd.DataFrame = field(default_factory=pd.DataFrame)
