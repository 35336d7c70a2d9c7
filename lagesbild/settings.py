"""Settings read once from the environment, and every path built from one root.

Connection strings and locations vary per machine, so they come from environment variables
(or a git-ignored ``.env``); everything else that varies per run is a flow parameter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SAMPLE_INBOX", "Settings", "load_settings"]

DEFAULT_HOME = Path("lagesbild-data")
#: The bundled example inbox (the default of ``--inbox``).
SAMPLE_INBOX = Path(__file__).parent / "sample_data" / "inbox"


@dataclass(frozen=True)
class Settings:
    """Where the pipeline keeps its raw store, drafts and database."""

    home: Path
    database_url: str
    fetch_config: Path | None = None
    raw_max_file_bytes: int | None = 500_000_000  # LAGESBILD_RAW_MAX_FILE_MB (default 500)
    raw_max_total_bytes: int | None = 50_000_000_000  # LAGESBILD_RAW_MAX_GB (default 50)
    reports: Path | None = None  # LAGESBILD_REPORTS_DIR (default <home>/reports)

    @property
    def raw_dir(self) -> Path:
        """The raw store: every input byte-for-byte, addressed by sha256."""
        return self.home / "raw"

    def raw_store(self):  # noqa: ANN201 - sources.store.rawstore.RawStore (no import here)
        """The raw store with this configuration's size limits."""
        from sources.store.rawstore import RawStore

        return RawStore(self.raw_dir, max_file_bytes=self.raw_max_file_bytes,
                        max_total_bytes=self.raw_max_total_bytes)  # fmt: skip

    @property
    def fetch_state(self) -> Path:
        """Conditional-request state (ETag, Last-Modified) and last successes per URL."""
        return self.home / "fetch-state.json"

    @property
    def reports_dir(self) -> Path:
        """The draft store: where ``run`` writes versions and ``serve`` reads them.

        One setting for both (``LAGESBILD_REPORTS_DIR``), so a portal started without
        ``--drafts`` serves what the runs wrote; ``run --out`` overrides it for one run.
        """
        return self.reports or self.home / "reports"

    @property
    def logs_dir(self) -> Path:
        """Run logs: Prefect's, Great Expectations' and LibreOffice's output goes here."""
        return self.home / "logs"

    @property
    def cache_dir(self) -> Path:
        """Small caches that are safe to delete (the inbox's year scan)."""
        return self.home / "cache"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read ``LAGESBILD_HOME``, ``LAGESBILD_DATABASE_URL``, ``LAGESBILD_FETCH_CONFIG``,
    ``LAGESBILD_REPORTS_DIR`` and the
    raw store's limits ``LAGESBILD_RAW_MAX_FILE_MB`` / ``LAGESBILD_RAW_MAX_GB``.

    Args:
        env: the environment to read; ``os.environ`` when None.

    Returns:
        Settings with a SQLite file under the home directory as the default database.
    """
    env = os.environ if env is None else env
    home = Path(env.get("LAGESBILD_HOME") or DEFAULT_HOME).expanduser().absolute()
    url = env.get("LAGESBILD_DATABASE_URL") or f"sqlite:///{home / 'lagesbild.db'}"
    fetch = env.get("LAGESBILD_FETCH_CONFIG")
    reports = env.get("LAGESBILD_REPORTS_DIR")
    return Settings(home=home, database_url=url,
                    fetch_config=Path(fetch).expanduser() if fetch else None,
                    reports=Path(reports).expanduser().absolute() if reports else None,
                    raw_max_file_bytes=_limit(env, "LAGESBILD_RAW_MAX_FILE_MB", 500, 1e6),
                    raw_max_total_bytes=_limit(env, "LAGESBILD_RAW_MAX_GB", 50, 1e9))  # fmt: skip


def _limit(env: Mapping[str, str], name: str, default: float, unit: float) -> int | None:
    """A size limit in bytes from ``name`` (a number; ``0`` means no limit)."""
    text = env.get(name, "").strip().replace(",", ".")
    try:
        value = float(text) if text else default
    except ValueError:
        from lagesbild.errors import ConfigError

        raise ConfigError(f"{name}={text!r} är inte ett tal") from None
    return None if value <= 0 else int(value * unit)

