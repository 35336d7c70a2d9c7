"""Settings read once from the environment, and every path built from one root.

Connection strings and locations vary per machine, so they come from environment variables
(or a git-ignored ``.env``); everything else that varies per run is a flow parameter.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "load_settings"]

DEFAULT_HOME = Path("lagesbild-data")


@dataclass(frozen=True)
class Settings:
    """Where the pipeline keeps its raw store, drafts and database."""

    home: Path
    database_url: str
    fetch_config: Path | None = None

    @property
    def raw_dir(self) -> Path:
        """The raw store: every input byte-for-byte, addressed by sha256."""
        return self.home / "raw"

    @property
    def fetch_state(self) -> Path:
        """Conditional-request state (ETag, Last-Modified) and last successes per URL."""
        return self.home / "fetch-state.json"

    @property
    def reports_dir(self) -> Path:
        """Default root of the versioned drafts (``--out`` overrides it)."""
        return self.home / "reports"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read ``LAGESBILD_HOME``, ``LAGESBILD_DATABASE_URL`` and ``LAGESBILD_FETCH_CONFIG``.

    Args:
        env: the environment to read; ``os.environ`` when None.

    Returns:
        Settings with a SQLite file under the home directory as the default database.
    """
    env = os.environ if env is None else env
    home = Path(env.get("LAGESBILD_HOME") or DEFAULT_HOME).expanduser().absolute()
    url = env.get("LAGESBILD_DATABASE_URL") or f"sqlite:///{home / 'lagesbild.db'}"
    fetch = env.get("LAGESBILD_FETCH_CONFIG")
    return Settings(home=home, database_url=url,
                    fetch_config=Path(fetch).expanduser() if fetch else None)  # fmt: skip

