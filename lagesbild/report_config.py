"""The report configuration file (``lagesbild/conf/report.yaml``), read with PyYAML only.

Apart from ``tasks.pipeline.spec`` (pandas; it re-exports both) so that the inputs
fingerprint (``outputs.publish.fingerprint``) can be computed before anything heavy is imported.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

import lagesbild

__all__ = ["REPORT_CONFIG_FILE", "load_report_config"]

REPORT_CONFIG_FILE = Path(lagesbild.__file__).parent / "conf" / "report.yaml"


def load_report_config(path: Path = REPORT_CONFIG_FILE) -> dict:
    """The report settings: alpha, series length, headline indicators (read once per edit)."""
    return _report_config(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _report_config(path: Path, _mtime: int) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))
