"""SCB's PxWeb API: population by municipality from a JSON-stat 2.0 response (§2).

A response is one cube: ``id`` names the dimensions in order, ``size`` their lengths, and
``value`` holds the cells row-major over them (the last dimension varies fastest), as a list
or a sparse ``{"position": value}`` mapping. ``status`` marks cells (``..``: not available),
whose value is then ``null``. SCB's population table (BE0101A/BefolkningNy) has the
dimensions ``Region``, ``Civilstand``, ``Alder``, ``Kon``, ``ContentsCode`` and ``Tid``; a
query may eliminate the optional ones. ``read_pxweb`` accepts ``Region``, ``ContentsCode`` and
``Tid`` plus ``Alder``, ``Kon`` and ``Civilstand`` (summed, or their total category used),
and any other dimension with a single category (a fixed filter). Region codes map to areas
through the areas' ``scb_code``; the table's ``updated`` is kept as the retrieval metadata.

Every error names the file, the dimension (as the column) and the cell's coordinates.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lagesbild.areas.model import AreasConfig
from lagesbild.errors import InputError, SourceSchemaChanged
from sources.readers._csv import as_canonical, empty_canonical
from sources.readers.population import AGE_GROUPS

__all__ = ["Cube", "PxWebResult", "parse_jsonstat", "read_pxweb"]

log = logging.getLogger(__name__)

REQUIRED = ("Region", "ContentsCode", "Tid")
SUMMED = ("Alder", "Kon", "Civilstand")
_TOTALS = {"tot", "totalt", "1+2", "tot1", "totalt ålder", "totalt, ålder", "samtliga"}
_AGE = re.compile(r"^(\d{1,3})(\+)?$")
_AGE_BOUNDS = ((0, 15), (16, 19), (20, 24), (25, 64), (65, 79), (80, None))


@dataclass(frozen=True)
class Cube:
    """A JSON-stat 2.0 dataset: dimension codes in order, values shaped by ``size``."""

    dims: tuple[str, ...]
    codes: dict[str, tuple[str, ...]]
    labels: dict[str, dict[str, str]]
    values: np.ndarray  # float64, NaN where the status says so
    metadata: dict[str, str] = field(default_factory=dict)

    def where(self, flat: int) -> str:
        """The coordinates of the cell at row-major position ``flat`` (0-based)."""
        index = np.unravel_index(flat, self.values.shape)
        return ", ".join(f"{d}={self.codes[d][i]}" for d, i in zip(self.dims, index, strict=True))


@dataclass(frozen=True)
class PxWebResult:
    """The canonical population rows and the table's metadata (label, source, updated)."""

    frame: pd.DataFrame
    metadata: dict[str, str]


def _codes(dim: str, raw: object, label: str) -> tuple[tuple[str, ...], dict[str, str]]:
    if not isinstance(raw, dict) or "category" not in raw:
        raise SourceSchemaChanged(f"dimensionen {dim!r} saknar 'category'", file=label,
                                  column=dim)
    category = raw["category"]
    index = category.get("index")
    names = category.get("label") or {}
    if index is None:  # a single category may leave out the index
        if len(names) != 1:
            raise SourceSchemaChanged(f"dimensionen {dim!r} saknar 'category.index'",
                                      file=label, column=dim)
        index = list(names)
    if isinstance(index, dict):
        positions = sorted(index.values())
        if positions != list(range(len(index))):
            raise InputError(f"dimensionen {dim!r} har ett 'category.index' som inte numrerar "
                             f"kategorierna 0…{len(index) - 1}", file=label, column=dim)
        order = tuple(str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1]))
    else:
        order = tuple(str(c) for c in index)
    return order, {c: str(names.get(c, c)) for c in order}


def _values(raw: object, total: int, label: str, cube_shape: str) -> tuple[np.ndarray, np.ndarray]:
    """Cells as floats and a mask of cells absent from a sparse ``value``."""
    out = np.full(total, np.nan)
    absent = np.zeros(total, dtype=bool)
    if isinstance(raw, list):
        if len(raw) != total:
            raise InputError(f"'value' har {len(raw)} värden men 'size' {cube_shape} ger "
                             f"{total}: fel storlek", file=label, column="size")
        items: Iterable = enumerate(raw)
    elif isinstance(raw, dict):
        absent[:] = True
        items = []
        for key, value in raw.items():
            if not str(key).isdigit() or int(key) >= total:
                raise InputError(f"'value' har positionen {key!r} utanför kuben {cube_shape}",
                                 file=label, column="value")
            items.append((int(key), value))
    else:
        raise SourceSchemaChanged("'value' saknas eller är varken en lista eller ett objekt",
                                  file=label, column="value")
    for position, value in items:
        absent[position] = False
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise InputError(f"värde nr {position + 1} ({value!r}) är inte ett tal",
                             file=label, column="value")
        out[position] = float(value)
    return out, absent


def _status(raw: object, total: int) -> dict[int, str]:
    if isinstance(raw, list):
        return {i: str(s) for i, s in enumerate(raw) if s not in (None, "")}
    if isinstance(raw, dict):
        return {int(k): str(v) for k, v in raw.items() if str(k).isdigit() and int(k) < total}
    if isinstance(raw, str):
        return dict.fromkeys(range(total), raw)
    return {}


def parse_jsonstat(data: object, *, label: str) -> Cube:
    """Check a JSON-stat 2.0 dataset and shape its values.

    Args:
        data: the decoded JSON.
        label: the file name for errors.

    Returns:
        The cube; a cell is NaN where its status marks it (``..``).

    Raises:
        SourceSchemaChanged: not a JSON-stat 2.0 dataset (e.g. JSON-stat 1, or no ``id``).
        InputError: ``size`` disagrees with a dimension or with ``value``; a cell is absent
            or ``null`` without a status.
    """
    if isinstance(data, dict) and "dataset" in data and "id" not in data:
        raise SourceSchemaChanged("filen är JSON-stat 1.0; begär svarsformatet 'json-stat2' "
                                  "i PxWeb-frågan", file=label)
    if not isinstance(data, dict) or not isinstance(data.get("id"), list):
        raise SourceSchemaChanged("filen är inte ett JSON-stat 2.0-dataset (saknar 'id')",
                                  file=label)
    dims = tuple(str(d) for d in data["id"])
    size = data.get("size")
    if not isinstance(size, list) or len(size) != len(dims) or not all(
            isinstance(s, int) and s >= 0 for s in size):
        raise InputError(f"'size' {size!r} passar inte 'id' {list(dims)} (ett heltal per "
                         "dimension)", file=label, column="size")
    dimension = data.get("dimension") or {}
    codes, labels = {}, {}
    for dim, length in zip(dims, size, strict=True):
        if dim not in dimension:
            raise SourceSchemaChanged(f"dimensionen {dim!r} i 'id' saknas under 'dimension'",
                                      file=label, column=dim)
        codes[dim], labels[dim] = _codes(dim, dimension[dim], label)
        if len(codes[dim]) != length:
            raise InputError(f"dimensionen {dim!r} har {len(codes[dim])} kategorier men "
                             f"'size' säger {length}: fel storlek", file=label, column=dim)
    total = math.prod(size)
    shape = "[" + ", ".join(f"{d}={s}" for d, s in zip(dims, size, strict=True)) + "]"
    values, absent = _values(data.get("value"), total, label, shape)
    status = _status(data.get("status"), total)
    flagged = np.zeros(total, dtype=bool)
    flagged[list(status)] = True
    cube = Cube(dims=dims, codes=codes, labels=labels, values=values.reshape(size),
                metadata={k: str(data[k]) for k in ("label", "source", "updated") if data.get(k)})
    missing = np.isnan(values) & ~flagged
    if missing.any():
        position = int(np.argmax(missing))
        what = "saknas i 'value'" if absent[position] else "är null utan status ('..')"
        raise InputError(f"cellen {cube.where(position)} (värde nr {position + 1}) {what}",
                         file=label, column="value")
    return cube


def _total_index(codes: Sequence[str], labels: Mapping[str, str]) -> int | None:
    for i, code in enumerate(codes):
        if code.casefold() in _TOTALS or labels[code].casefold() in _TOTALS:
            return i
    return None


def _reduce(cube: Cube, values: np.ndarray, dims: list[str],
            dim: str) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    """Collapse ``dim``: its total category when present, else the sum of its categories."""
    axis = dims.index(dim)
    total = _total_index(cube.codes[dim], cube.labels[dim])
    # Without a total category the categories are summed (NaN in any part makes NaN).
    reduced = values.sum(axis=axis) if total is None else np.take(values, total, axis=axis)
    return reduced, [d for d in dims if d != dim]


def _age_groups(cube: Cube, values: np.ndarray,
                dims: list[str]) -> dict[str, np.ndarray] | None:  # fmt: skip
    """The six age groups of the district table, when ``Alder`` is complete single years."""
    axis = dims.index("Alder")
    ages = []
    for code in cube.codes["Alder"]:
        match = _AGE.match(code)
        if code.casefold() in _TOTALS:
            continue
        if not match:
            return None  # five-year groups etc.: totals only
        ages.append((int(match.group(1)), bool(match.group(2)), code))
    years = sorted(a for a, _, _ in ages)
    if not years or years != list(range(years[-1] + 1)) or years[-1] < 80:
        return None  # not every single year of age: the groups would be incomplete
    out = {}
    for name, (low, high) in zip(AGE_GROUPS, _AGE_BOUNDS, strict=True):
        picks = [cube.codes["Alder"].index(c) for a, _, c in ages
                 if a >= low and (high is None or a <= high)]
        out[name] = np.take(values, picks, axis=axis).sum(axis=axis)
    return out


def _check_dims(cube: Cube, label: str) -> None:
    for dim in REQUIRED:
        if dim not in cube.dims:
            raise SourceSchemaChanged(f"dimensionen {dim!r} saknas; dimensioner i filen: "
                                      f"{', '.join(cube.dims)}", file=label, column=dim)
    for dim in cube.dims:
        if dim not in (*REQUIRED, *SUMMED) and len(cube.codes[dim]) != 1:
            raise SourceSchemaChanged(
                f"okänd dimension {dim!r} med {len(cube.codes[dim])} kategorier (kända: "
                f"{', '.join((*REQUIRED, *SUMMED))}); välj en kategori i frågan",
                file=label, column=dim)


def _years(cube: Cube, label: str) -> list[int]:
    years = []
    for code in cube.codes["Tid"]:
        if not re.fullmatch(r"\d{4}", code):
            raise InputError(f"okänd kod {code!r}: 'Tid' ska vara ett årtal (folkmängd 31 "
                             "december)", file=label, column="Tid")
        years.append(int(code))
    return years


def read_pxweb(
    path: Path,
    areas: AreasConfig,
    *,
    display_name: str | None = None,
    population_contents: Sequence[str] = ("BE0101N1",),
) -> PxWebResult:
    """Read a saved PxWeb JSON-stat 2.0 response into canonical population rows.

    Args:
        path: the ``.json`` file (UTF-8, as the API returns it).
        areas: the areas configuration; ``Region`` codes map through ``scb_code``.
        display_name: the name for the ``file`` column and errors; the file name when None.
        population_contents: the ``ContentsCode`` values that are the population.

    Returns:
        Rows ``source='befolkning'``, ``category`` ``Folkmängd`` (and the six age groups
        when ``Alder`` holds single years), period 31 December of each ``Tid``; ``region``
        the region's label, ``row`` the 1-based position of the region-year's first cell.
        The metadata holds the table's ``label``, ``source`` and ``updated``.

    Raises:
        SourceSchemaChanged: not JSON-stat 2.0, a required dimension missing, an unknown one.
        InputError: an unknown code, a missing cell or a wrong ``size`` (dimension named).
    """
    path = Path(path)
    label = display_name or path.name
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("filen är inte UTF-8-kodad JSON", file=label) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"ogiltig JSON: {exc.msg}", file=label, row=exc.lineno) from None
    cube = parse_jsonstat(data, label=label)
    _check_dims(cube, label)
    unknown = [c for c in cube.codes["ContentsCode"] if c not in population_contents]
    if unknown:
        shown = cube.labels["ContentsCode"][unknown[0]]
        raise InputError(f"okänd kod {unknown[0]!r} ({shown}) i 'ContentsCode'; kända: "
                         f"{', '.join(population_contents)}", file=label, column="ContentsCode")
    years = _years(cube, label)
    values, dims = cube.values, list(cube.dims)
    for dim in dims.copy():  # fixed filters and ContentsCode (one population measure)
        if dim not in ("Region", "Tid", *SUMMED):
            values, dims = _reduce(cube, values, dims, dim)
    for dim in ("Kon", "Civilstand"):
        if dim in dims:
            values, dims = _reduce(cube, values, dims, dim)
    groups = _age_groups(cube, values, dims) if "Alder" in dims else None
    if "Alder" in dims:
        values, dims = _reduce(cube, values, dims, "Alder")
    categories = {"Folkmängd": values, **(groups or {})}
    first_cell = _first_cells(cube)
    regions = cube.codes["Region"]
    mapped = {code: areas.area_for_scb_code(code) for code in regions}
    if not any(mapped.values()):
        log.info("%s: no region code is configured as an area's scb_code", label)
    if not len(regions) or not categories:
        return PxWebResult(frame=empty_canonical(), metadata=cube.metadata)
    # One block per category, region by region, the years within (a frame per region took
    # a second for the country's 290 municipalities).
    day = pd.to_datetime([f"{y}-12-31" for y in years])
    n_years = len(years)
    names = np.repeat(np.array([cube.labels["Region"][c] for c in regions], dtype=object), n_years)
    ids = np.repeat(np.array([mapped[c] for c in regions], dtype=object), n_years)
    days = np.tile(day.to_numpy(), len(regions))
    parts = []
    for category, table in categories.items():
        table = table if dims == ["Region", "Tid"] else table.T
        parts.append(pd.DataFrame({
            "region": names,
            "area": ids,
            "period_start": days,
            "period_end": days,
            "category": category,
            "value": np.asarray(table).reshape(-1),
            "row": np.asarray(first_cell).reshape(-1),
        }))
    frame = pd.concat(parts, ignore_index=True).assign(
        source="befolkning", period_kind="year", unit="antal", preliminary=False, group="",
        n=np.nan, published_rate=np.nan, producer_significant=pd.NA, file=label,
    )
    return PxWebResult(frame=as_canonical(frame), metadata=cube.metadata)


def _first_cells(cube: Cube) -> np.ndarray:
    """Per region × year, the 1-based position of its first cell in ``value``."""
    index = np.arange(cube.values.size).reshape(cube.values.shape)
    r, t = cube.dims.index("Region"), cube.dims.index("Tid")
    other = tuple(i for i in range(len(cube.dims)) if i not in (r, t))
    first = index.min(axis=other) if other else index
    if r > t:
        first = first.T
    return first + 1
