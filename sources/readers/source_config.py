"""The source adapters' configuration (``conf/sources.yaml``): column maps and code lists.

Read once per file version; a missing or malformed file is a ``ConfigError`` naming it.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import yaml

from lagesbild.errors import ConfigError

__all__ = ["DEFAULT_SOURCES_FILE", "SourceConfig", "load_source_config"]

DEFAULT_SOURCES_FILE = Path(str(resources.files("lagesbild") / "conf" / "sources.yaml"))


class SourceConfig(dict):
    """The parsed ``sources.yaml`` with typed accessors for what the adapters need."""

    @property
    def police_columns(self) -> dict[str, str]:
        """Canonical key → the police export's column label."""
        return {str(k): str(v) for k, v in ((self.get("polis") or {}).get("columns") or {}).items()}

    @property
    def population_contents(self) -> tuple[str, ...]:
        """PxWeb ContentsCode values that mean the total population (Folkmängd)."""
        return tuple(str(c) for c in (self.get("pxweb") or {}).get("population_contents")
                     or ("BE0101N1",))

    @property
    def omradesfakta_lag(self) -> int:
        """Years between a report year and the key figures it shows."""
        return int((self.get("omradesfakta") or {}).get("lag_years", 1))

    @property
    def forecasts(self) -> tuple[str, ...]:
        """Key figures that are forecasts (their year is the year forecast)."""
        return tuple((self.get("omradesfakta") or {}).get("forecasts") or ())


def load_source_config(path: Path | None = None) -> SourceConfig:
    """The sources configuration; the bundled ``conf/sources.yaml`` when ``path`` is None."""
    path = Path(path) if path else DEFAULT_SOURCES_FILE
    try:
        return _load(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise ConfigError(f"sources configuration not found: {path}") from None


@functools.lru_cache(maxsize=4)
def _load(path: Path, _mtime: int) -> SourceConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping (polis, pxweb, omradesfakta)")
    return SourceConfig(raw)
