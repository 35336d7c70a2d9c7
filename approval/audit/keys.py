"""The installation's secret: ``LAGESBILD_SECRET_KEY``, else a key file under the data root.

It signs the portal's session cookies and, through a derived key, the audit log's
checkpoints (``approval.audit.anchor``), so that neither can be forged without it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

__all__ = ["KEY_FILE", "derived_key", "load_secret_key"]

KEY_FILE = "portal-secret.key"


def load_secret_key(home: Path) -> str:
    """The key: ``LAGESBILD_SECRET_KEY``, else ``<home>/portal-secret.key`` (made, mode 600).

    Args:
        home: the data root (``LAGESBILD_HOME``).

    Returns:
        The key.
    """
    if key := os.environ.get("LAGESBILD_SECRET_KEY"):
        return key
    path = Path(home) / KEY_FILE
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def derived_key(home: Path, purpose: str) -> bytes:
    """A key for one purpose, derived from the secret (so one use never signs another's)."""
    secret = load_secret_key(home).encode("utf-8")
    return hmac.new(secret, f"lagesbild:{purpose}".encode(), hashlib.sha256).digest()
