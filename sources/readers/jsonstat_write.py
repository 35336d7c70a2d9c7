"""Write a JSON-stat 2.0 dataset shaped as SCB's PxWeb API returns it.

For generated inputs (the national benchmark, tests, the municipalities example): the
reader (``sources.readers.pxweb``) is tested on what this writes and on hand-written responses.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["jsonstat_dataset", "write_jsonstat"]

_DIM_LABELS = {"Region": "region", "Alder": "ålder", "Kon": "kön", "Civilstand": "civilstånd",
               "ContentsCode": "tabellinnehåll", "Tid": "år"}


def jsonstat_dataset(
    dimensions: Mapping[str, Mapping[str, str]],
    values: Sequence[float | None],
    *,
    label: str = "Folkmängden efter region, tabellinnehåll och år",
    updated: str = "2024-02-21T07:00:00Z",
    status: Mapping[int, str] | None = None,
) -> dict:
    """A JSON-stat 2.0 dataset: ``dimensions`` in order (code → label), values row-major.

    Args:
        dimensions: dimension id → its categories (code → label), in the cube's order.
        values: one value per cell, the last dimension varying fastest (None: no value).
        label: the table's title.
        updated: the table's ``updated`` timestamp.
        status: cell position → status symbol (``..`` for a suppressed cell).

    Returns:
        The dataset as a JSON-serialisable dict.
    """
    size = [len(c) for c in dimensions.values()]
    if math.prod(size) != len(values):
        raise ValueError(f"{len(values)} values for a cube of size {size}")
    dataset = {
        "class": "dataset",
        "label": label,
        "source": "Statistiska centralbyrån (SCB)",
        "updated": updated,
        "id": list(dimensions),
        "size": size,
        "dimension": {
            dim: {
                "label": _DIM_LABELS.get(dim, dim.lower()),
                "category": {"index": {c: i for i, c in enumerate(cats)}, "label": dict(cats)},
            }
            for dim, cats in dimensions.items()
        },
        "value": list(values),
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "version": "2.0",
    }
    if status:
        dataset["status"] = {str(k): v for k, v in status.items()}
    if "ContentsCode" in dimensions:
        dataset["dimension"]["ContentsCode"]["category"]["unit"] = {
            c: {"base": "antal", "decimals": 0} for c in dimensions["ContentsCode"]}
    return dataset


def write_jsonstat(path: Path, dataset: dict) -> Path:
    """Write the dataset as UTF-8 JSON (stable key order, so reruns are byte-identical)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dataset, ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")
    return path
