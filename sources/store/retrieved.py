"""When each inbox file was retrieved, for the draft's Källor ("hämtad 2024-02-01").

Never the run date: a file the fetcher downloaded carries the raw store's retrieval time of
its URL record (same bytes); a file dropped into the inbox by hand carries the date the
steward set in ``<inbox>/kallor.yaml``, else the file's own modification time.

``kallor.yaml`` maps an inbox file name (``Databasfil_2024.txt``), an inbox-relative path
(``bra/Databasfil_2024.txt``) or a kind (``bra``) to an ISO date; the most specific wins::

    bra: 2025-02-14
    ia/IA_export_2024.xlsx: 2025-01-31
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import yaml

from lagesbild.errors import InputError
from sources.store.rawstore import RawFile

__all__ = ["OVERRIDES_FILE", "load_overrides", "retrieval_dates"]

OVERRIDES_FILE = "kallor.yaml"


def load_overrides(inbox: Path) -> dict[str, dt.datetime]:
    """The steward's dates in ``<inbox>/kallor.yaml`` (empty when there is none).

    Raises:
        InputError: the file is not a mapping, or a value is not an ISO date; names the key.
    """
    path = Path(inbox) / OVERRIDES_FILE
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, Mapping):
        raise InputError("expected a mapping of file name or kind to a date", file=path)
    dates = {}
    for key, value in raw.items():
        try:
            when = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise InputError("expected an ISO date (YYYY-MM-DD)", file=path,
                             column=str(key)) from None  # fmt: skip
        if not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time(12), tzinfo=dt.UTC)
        dates[str(key)] = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return dates


def retrieval_dates(
    inbox: Path, files: Mapping[str, Sequence[Path]], records: Iterable[RawFile]
) -> dict[str, dt.datetime]:
    """Inbox path (as the raw store's origin, ``str(path)``) → when the file was retrieved.

    Args:
        inbox: the inbox folder (for ``kallor.yaml`` and relative paths).
        files: the inbox files per kind (``discover``).
        records: the raw store's records; a URL record with a file's bytes marks it fetched.
    """
    inbox = Path(inbox)
    overrides = load_overrides(inbox)
    fetched: dict[str, dt.datetime] = {}
    for record in records:
        if "://" in record.origin:
            seen = fetched.get(record.sha256)
            fetched[record.sha256] = max(seen, record.retrieved_at) if seen else record.retrieved_at
    by_origin = {r.origin: r.sha256 for r in records if "://" not in r.origin}
    dates = {}
    for kind, paths in files.items():
        for path in paths:
            relative = path.relative_to(inbox).as_posix() if path.is_relative_to(inbox) else ""
            for key in (relative, path.name, kind):
                if key and key in overrides:
                    dates[str(path)] = overrides[key]
                    break
            else:
                sha = by_origin.get(str(path))
                if sha in fetched:
                    dates[str(path)] = fetched[sha]
                else:
                    dates[str(path)] = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return dates
