"""The fetch configuration: which files to fetch (``fetch.yaml``) and where they go.

Kept apart from the fetching itself so that reading and checking the configuration needs no
HTTP client: a ``FetchSpec`` names an inbox folder, a URL and the inbox file name, and
``load_fetch_specs`` refuses anything the inbox readers could not read later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import yaml

from lagesbild.errors import ConfigError
from sources.store.inbox import SOURCE_KINDS

__all__ = ["FETCH_KINDS", "FetchSpec", "load_fetch_specs"]

FETCH_KINDS: tuple[str, ...] = ("bra", "befolkning", "ia", "enkater", "polis", "omradesfakta")


@dataclass(frozen=True)
class FetchSpec:
    """One file to fetch: the inbox folder it belongs in, its URL and its inbox file name."""

    kind: str
    url: str
    filename: str
    label: str | None = None  # shown in notes; the URL's host when None
    query: str | None = None  # a JSON body to POST (SCB's PxWeb API); a GET when None

    @property
    def shown(self) -> str:
        """How the source is named in the draft's note."""
        return self.label or urlparse(self.url).hostname or self.url


def _spec(raw: object, where: str) -> FetchSpec:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with kind, url and filename")
    missing = [k for k in ("kind", "url", "filename") if not raw.get(k)]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}")
    kind, url, filename = str(raw["kind"]), str(raw["url"]), str(raw["filename"])
    if kind not in FETCH_KINDS:
        raise ConfigError(f"{where}: kind {kind!r} is not one of {', '.join(FETCH_KINDS)}")
    if urlparse(url).scheme not in ("http", "https") or not urlparse(url).hostname:
        raise ConfigError(f"{where}: url {url!r} is not an http(s) URL")
    if Path(filename).name != filename or filename.startswith(".") or filename in ("..", "."):
        raise ConfigError(f"{where}: filename {filename!r} must be a plain file name")
    if Path(filename).suffix.lower() not in SOURCE_KINDS[kind]:
        raise ConfigError(
            f"{where}: filename {filename!r} must end with {' or '.join(SOURCE_KINDS[kind])} "
            f"to be read as {kind}"
        )
    label = raw.get("label")
    query = raw.get("query")
    if query is not None and not isinstance(query, dict):
        raise ConfigError(f"{where}: query must be a mapping (the JSON body to POST)")
    body = None if query is None else json.dumps(query, ensure_ascii=False, sort_keys=True)
    return FetchSpec(kind=kind, url=url, filename=filename, label=str(label) if label else None,
                     query=body)


def load_fetch_specs(path: Path, area: str | None = None) -> list[FetchSpec]:
    """Read the sources to fetch from ``fetch.yaml``: the global list plus one area's.

    Args:
        path: the YAML file (``sources:`` list and an ``areas:`` mapping of area id → list).
        area: the area whose own sources to add; only the global ones when None.

    Returns:
        The specs, global first, in file order.

    Raises:
        ConfigError: the file is missing or malformed, or two specs write one inbox file.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"fetch configuration not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with 'sources' and/or 'areas'")
    entries = [(e, f"{path}: sources[{i}]") for i, e in enumerate(raw.get("sources") or [])]
    per_area = raw.get("areas") or {}
    if not isinstance(per_area, dict):
        raise ConfigError(f"{path}: 'areas' must map area ids to lists of sources")
    if area is not None:
        own = per_area.get(area) or []
        entries += [(e, f"{path}: areas.{area}[{i}]") for i, e in enumerate(own)]
    specs: list[FetchSpec] = []
    seen: dict[tuple[str, str], str] = {}
    for entry, where in entries:
        spec = _spec(entry, where)
        other = seen.setdefault((spec.kind, spec.filename), where)
        if other != where:
            raise ConfigError(f"{where}: {spec.kind}/{spec.filename} is also written by {other}")
        specs.append(spec)
    return specs
