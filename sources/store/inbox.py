"""The inbox: a directory where a data steward drops the year's files, one folder per kind.

``read_inbox`` keeps every file in the raw store first (so a report can always be rebuilt
from exactly the bytes it was made from), then reads each with its adapter and merges the
files of one kind. A missing folder gives an empty frame with the right columns: whether
that is fatal (BRÅ) or a visible note in the draft (the others) is the pipeline's decision.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lagesbild.areas.model import AreasConfig
from lagesbild.errors import InputError
from sources.readers._csv import (
    as_incidents,
    combine_observations,
    decode_text,
    empty_canonical,
    empty_incidents,
    normalise_label,
)
from sources.readers.bra import bra_yearly, read_bra
from sources.readers.ia import read_ia
from sources.readers.omradesfakta import read_omradesfakta
from sources.readers.police import read_police
from sources.readers.population import read_population
from sources.readers.pxweb import read_pxweb
from sources.readers.source_config import SourceConfig, load_source_config
from sources.readers.surveys import read_surveys
from sources.store.discover import SOURCE_KINDS, discover
from sources.store.rawstore import RawFile, RawStore
from sources.store.retrieved import retrieval_dates

__all__ = [
    "SOURCE_KINDS",
    "Inputs",
    "StaleSource",
    "discover",
    "empty_canonical",
    "empty_incidents",
    "merge_incidents",
    "merge_observations",
    "read_inbox",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaleSource:
    """A source whose fetch failed, so its last good snapshot stands in (facts only).

    The draft words it (``outputs.text.quality_lines``, template ``datakvalitet_stale``);
    ``label`` is how fetch.yaml names the source (its URL's host when unnamed) and
    ``fetched_on`` the Stockholm date of the last successful fetch.
    """

    kind: str
    label: str
    fetched_on: dt.date


@dataclass
class Inputs:
    """Everything read from one inbox: one frame per kind, the raw records and the files.

    ``stale_sources`` carries what a reader of the draft must know about the inputs
    themselves: the sources that could not be fetched, whose last good snapshot was used.
    """

    bra: pd.DataFrame = field(default_factory=empty_canonical)
    befolkning: pd.DataFrame = field(default_factory=empty_canonical)
    enkater: pd.DataFrame = field(default_factory=empty_canonical)
    ia: pd.DataFrame = field(default_factory=empty_incidents)
    polis: pd.DataFrame = field(default_factory=empty_canonical)
    omradesfakta: pd.DataFrame = field(default_factory=empty_canonical)
    raw_files: list[RawFile] = field(default_factory=list)
    files: dict[str, list[Path]] = field(default_factory=dict)
    stale_sources: list[StaleSource] = field(default_factory=list)
    retrieval: dict[str, dict[str, str]] = field(default_factory=dict)
    #: inbox path → when it was retrieved (``sources.store.retrieved``), for Källor.
    retrieved: dict[str, dt.datetime] = field(default_factory=dict)

    @functools.cached_property
    def yearly_bra(self) -> pd.DataFrame:
        """Yearly BRÅ counts (``bra_yearly``), computed once: every area of a run shares them."""
        return bra_yearly(self.bra)

    @functools.cached_property
    def yearly_polis(self) -> pd.DataFrame:
        """Yearly police counts: the whole-year row, else the sum of twelve months (as BRÅ)."""
        return bra_yearly(self.polis)

    @functools.cached_property
    def ia_export_date(self) -> dt.date | None:
        """The IA export's cut-off by default: its latest registration date (whole export)."""
        if self.ia.empty or self.ia["reported_on"].isna().all():
            return None
        return pd.Timestamp(self.ia["reported_on"].max()).date()

    @functools.cached_property
    def _positions(self) -> dict[str, dict[str, np.ndarray]]:
        frames = {"yearly_bra": self.yearly_bra, "ia": self.ia, "befolkning": self.befolkning,
                  "yearly_polis": self.yearly_polis, "omradesfakta": self.omradesfakta}
        return {
            kind: {str(k): v for k, v in frame.groupby("area", sort=False).indices.items()}
            for kind, frame in frames.items()
            if not frame.empty
        }

    def rows_for(self, kind: str, area_ids: Iterable[str]) -> pd.DataFrame:
        """The rows of ``yearly_bra``, ``ia``, ``befolkning``, ``yearly_polis`` or
        ``omradesfakta`` for some areas.

        Indexed once per inbox read, so a nightly run over hundreds of areas does not scan
        the national frames once per area.
        """
        frame = {"yearly_bra": self.yearly_bra, "ia": self.ia, "befolkning": self.befolkning,
                 "yearly_polis": self.yearly_polis,
                 "omradesfakta": self.omradesfakta}[kind]  # fmt: skip
        positions = self._positions.get(kind, {})
        parts = [positions[a] for a in dict.fromkeys(area_ids) if a in positions]  # once each
        if not parts:
            return frame.iloc[0:0]
        return frame.iloc[np.sort(np.concatenate(parts))]


def merge_observations(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate canonical frames of one kind, one row per observation.

    Args:
        frames: one frame per file.

    Returns:
        The merged frame (empty canonical frame when there is none).

    Raises:
        InputError: the same observation with two different values, naming both files.
    """
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_canonical()
    return combine_observations(pd.concat(frames, ignore_index=True))


def merge_incidents(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate IA exports; an incident in two exports must be the same record.

    Args:
        frames: one frame of incident records per file.

    Returns:
        One row per ``incident_id``.

    Raises:
        InputError: one ``incident_id`` with different contents in two files (both named).
    """
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_incidents()
    merged = pd.concat(frames, ignore_index=True)
    if len(frames) == 1:  # one export: ``read_ia`` has refused a repeated Ärendenummer
        return as_incidents(merged)
    content = [c for c in merged.columns if c not in ("file", "row")]
    merged = merged[~merged[content].astype("str").duplicated()]
    repeated = merged["incident_id"].duplicated(keep="first")
    if repeated.any():
        b = merged[repeated].iloc[0]
        a = merged[merged["incident_id"] == b["incident_id"]].iloc[0]
        raise InputError(
            f"samma ärendenummer finns med olika uppgifter i {a['file']} "
            f"(rad {a['row']}) och {b['file']} (rad {b['row']})",
            file=b["file"], row=int(b["row"]), column="Ärendenummer",
        )
    return as_incidents(merged)


def _read_all(
    paths: list[Path],
    inbox: Path,
    reader: Callable[[Path, str], pd.DataFrame],
) -> list[pd.DataFrame]:
    return [reader(path, path.relative_to(inbox).as_posix()) for path in paths]


def is_omradesfakta(path: Path) -> bool:
    """True when a table in ``befolkning/`` is områdesfakta (its header has ``Nyckeltal``)."""
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:  # the population reader reports a damaged workbook
            return False
        try:
            for values in book.worksheets[0].iter_rows(max_row=20, values_only=True):
                if any(normalise_label(str(v)) == "nyckeltal" for v in values if v is not None):
                    return True
        finally:
            book.close()
        return False
    with path.open("rb") as handle:
        head = decode_text(handle.read(4096)).split("\n", 1)[0]
    return "nyckeltal" in normalise_label(head)


def _split_befolkning(paths: list[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """Population tables, PxWeb JSON-stat files and områdesfakta tables of ``befolkning/``."""
    tables, pxweb, facts = [], [], []
    for path in paths:
        if path.suffix.lower() == ".json":
            pxweb.append(path)
        elif is_omradesfakta(path):
            facts.append(path)
        else:
            tables.append(path)
    return tables, pxweb, facts


def read_inbox(
    inbox: Path,
    areas: AreasConfig,
    store: RawStore | None = None,
    *,
    ia_columns: Mapping[str, str] | None = None,
    ia_sheet: str | None = None,
    ia_categories: Iterable[str] | None = None,
    source_config: SourceConfig | None = None,
) -> Inputs:
    """Keep and read every file in the inbox.

    Args:
        inbox: the inbox directory (``bra/``, ``befolkning/``, ``ia/``, ``enkater/``,
            ``polis/``, ``omradesfakta/``). ``befolkning/`` may also hold PxWeb JSON-stat
            files (``*.json``) and områdesfakta tables (recognised by their header).
        areas: the areas configuration.
        store: the raw store to keep every file in (while they are read; a file the store
            refuses is the error, even when reading failed too); nothing is kept when None.
        ia_columns: the IA column mapping (``DEFAULT_IA_COLUMNS`` for what is not given).
        ia_sheet: the IA workbook sheet; the first when None.
        ia_categories: the IA categories counted by name (others count as ``Övrigt``);
            ``sources.readers.ia.DEFAULT_IA_CATEGORIES`` when None.
        source_config: column maps and codes (``conf/sources.yaml`` when None).

    Returns:
        The merged frames per kind (the ``file`` column is the inbox-relative path, e.g.
        ``bra/Databasfil_2022.txt``), the raw store records and the files per kind.

    Raises:
        InputError: a file cannot be read, or two files disagree about one observation.
    """
    inbox = Path(inbox)
    if not inbox.is_dir():
        log.warning("inbox %s does not exist; no inputs", inbox)
    files = discover(inbox)
    keeping = _start_keeping(store, files)
    try:
        inputs = _read_files(inbox, files, areas, ia_columns=ia_columns, ia_sheet=ia_sheet,
                             ia_categories=ia_categories, source_config=source_config)
    except BaseException:
        if keeping is not None:
            keeping.result()  # a file the store refused is that error, as before reading
        raise
    inputs.raw_files = keeping.result() if keeping is not None else []
    inputs.retrieved = retrieval_dates(inbox, files,
                                       store.records() if store is not None else [])
    return inputs


def _start_keeping(store: RawStore | None, files: dict[str, list[Path]]) -> Future | None:
    """Keep every file in the raw store, in a thread while the files are read.

    Copying, hashing and syncing 220 MB takes about a second that reading need not wait
    for. When a file is larger than the store takes, the files are kept first, one by
    one, so that the refusal comes before anything is read (it could be too large to read).
    """
    if store is None:
        return None
    paths = [path for kind in SOURCE_KINDS for path in files[kind]]

    def keep_all() -> list[RawFile]:
        return [store.keep(path, origin=str(path)) for path in paths]

    limit = store.max_file_bytes
    if limit is not None and any(path.stat().st_size > limit for path in paths):
        keep_all()  # raises for the first file too large, naming it
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="raw-store")
    try:
        return pool.submit(keep_all)
    finally:
        pool.shutdown(wait=False)


def _read_files(
    inbox: Path,
    files: dict[str, list[Path]],
    areas: AreasConfig,
    *,
    ia_columns: Mapping[str, str] | None,
    ia_sheet: str | None,
    ia_categories: Iterable[str] | None,
    source_config: SourceConfig | None,
) -> Inputs:
    """Read and merge the files of each kind (``read_inbox`` without the raw store)."""
    for kind, paths in files.items():
        if not paths:
            log.info("inbox: no %s files", kind)
    config = source_config if source_config is not None else load_source_config()
    tables, pxweb, facts = _split_befolkning(files["befolkning"])
    retrieval: dict[str, dict[str, str]] = {}

    def read_px(path: Path, name: str) -> pd.DataFrame:
        result = read_pxweb(path, areas, display_name=name,
                            population_contents=config.population_contents)
        retrieval[name] = result.metadata
        return result.frame

    population = _read_all(tables, inbox, lambda p, n: read_population(p, areas, display_name=n))
    population += _read_all(pxweb, inbox, read_px)
    return Inputs(
        bra=merge_observations(
            _read_all(files["bra"], inbox, lambda p, n: read_bra(p, areas, display_name=n))
        ),
        befolkning=merge_observations(population),
        enkater=merge_observations(
            _read_all(files["enkater"], inbox,
                      lambda p, n: read_surveys(p, areas, display_name=n))
        ),
        ia=merge_incidents(
            _read_all(files["ia"], inbox,
                      lambda p, n: read_ia(p, areas, columns=ia_columns, sheet=ia_sheet,
                                           display_name=n, categories=ia_categories))
        ),
        polis=merge_observations(
            _read_all(files["polis"], inbox,
                      lambda p, n: read_police(p, areas, columns=config.police_columns,
                                               display_name=n))
        ),
        omradesfakta=merge_observations(
            _read_all([*facts, *files["omradesfakta"]], inbox,
                      lambda p, n: read_omradesfakta(p, areas, display_name=n))
        ),
        files=files,
        retrieval=retrieval,
    )
