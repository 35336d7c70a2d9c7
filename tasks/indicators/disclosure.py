"""Disclosure control (röjandeskydd): no published figure may point out an individual.

The lägesbild is an allmän handling, so every figure in it may reach anyone. Pure
functions, frames in and frames out: ``apply_disclosure_control`` takes the indicators of
``tasks.indicators.build.build_indicators`` and returns the public indicators (what
``indicators.csv`` and the draft show) and a suppression log (what was withheld and why).

Primary suppression
    * IA counts 1 to ``min_count − 1`` (default 1–4): an incident count that small concerns
      so few people (the one threatened employee, the one unit) that colleagues can tell who.
      Zero is *not* suppressed: a zero says that nothing happened and so reveals nobody;
      hiding it would also force needless secondary suppression.
    * Survey shares with fewer than ``min_respondents`` respondents (default 30): with few
      respondents a share is a handful of identifiable answers.
    * BRÅ counts and population are not suppressed: their producers publish them already.

    Both the report year (``value``) and the previous measurement (``prev_value``) are
    checked. When either is withheld, everything derived from the pair is blanked too
    (``DERIVED_COLUMNS``: the change, the share's own interval, the test, its φ and
    interval, the verdict, the city comparison, the trend, the BH p-value; and
    ``rate_per_100k`` with ``value``): a change plus the shown figure gives the hidden one
    back, and an exact test's p-value with known exposures does too.

Secondary suppression (IA categories)
    The draft's IA table lists every category, for two years, without a total row, and
    indicators.csv has no IA total either. But the total number of incidents an area's
    förvaltning reported in a year is a figure the city publishes elsewhere (e.g. in
    arbetsmiljö reports), and an editor may add a "Totalt" row; the table's categories are
    a complete split of that total. With a known total, one withheld cell is the total
    minus the shown ones. So, per year column, the rule is: when a column has a primary
    suppression, further cells of that column are withheld, smallest positive count first
    (ties by category name), until at least two cells are withheld *and* the withheld cells
    sum to at least ``min_count`` — so that the withheld sum itself does not betray a small
    count. Zeros are never picked (they add no uncertainty). When no positive cell is left,
    the remaining risk is logged as a warning. Survey groups are shares with no total, so
    they need no secondary suppression.

In the public frame every row gets the boolean column ``suppressed`` and, for withheld
rows, a ``note`` ending in ``undertryckt: färre än 5 händelser`` (IA) or
``undertryckt: färre än 30 svar`` (surveys). Primary and secondary cells are marked alike
in public (standard practice: the reader must not learn which withheld cell is the small
one); the suppression log, an internal working file, says which is which.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "COUNT_SOURCES",
    "DERIVED_COLUMNS",
    "DisclosureRules",
    "SUPPRESSION_LOG_COLUMNS",
    "SURVEY_SOURCES",
    "apply_disclosure_control",
    "empty_suppression_log",
    "suppression_records",
    "withheld_counts",
]

log = logging.getLogger(__name__)

#: Sources whose counts are about so few people that small ones must be withheld.
COUNT_SOURCES: tuple[str, ...] = ("ia",)
#: Sources of shares with a respondent count.
SURVEY_SOURCES: tuple[str, ...] = ("stockholmsenkaten", "trygghetsmatningen")
#: Columns blanked whenever ``value`` or ``prev_value`` of the row is withheld.
DERIVED_COLUMNS: tuple[str, ...] = (
    "change_abs", "change_rel", "rate_ci_low", "rate_ci_high", "p_value", "dispersion",
    "dispersion_df", "rate_ratio", "ci_low", "ci_high", "significant", "uncertain",
    "vs_city", "trend_pct", "trend_ci_low", "trend_ci_high", "p_value_bh",
)  # fmt: skip
#: Derived columns that are not numbers (blanked to None, not NaN).
_TEXT_COLUMNS: tuple[str, ...] = ("significant", "uncertain", "vs_city")
SUPPRESSION_LOG_COLUMNS: tuple[str, ...] = (
    "source", "indicator", "group", "year", "column", "reason", "kind",
)  # fmt: skip
_YEAR_OF = {"value": "year", "prev_value": "prev_year"}
_N_KEY = ["source", "category", "group", "_year"]


@dataclass(frozen=True)
class DisclosureRules:
    """The thresholds of disclosure control (``disclosure:`` in ``conf/report.yaml``).

    Attributes:
        min_count: IA counts with ``0 < count < min_count`` are withheld.
        min_respondents: survey shares with fewer respondents are withheld.
    """

    min_count: int = 5
    min_respondents: int = 30

    def __post_init__(self) -> None:
        if self.min_count < 1 or self.min_respondents < 1:
            raise ValueError(f"disclosure thresholds must be ≥ 1: {self}")

    @classmethod
    def from_config(cls, config: Mapping | None) -> DisclosureRules:
        """Rules from the ``disclosure`` mapping of the report configuration.

        Args:
            config: ``{"min_count": 5, "min_respondents": 30}``; None or missing keys give
                the defaults.

        Returns:
            The rules.
        """
        config = dict(config or {})
        unknown = sorted(set(config) - {"min_count", "min_respondents"})
        if unknown:
            raise ValueError(f"unknown disclosure setting(s): {', '.join(unknown)}")
        return cls(**{k: int(v) for k, v in config.items()})

    @property
    def count_reason(self) -> str:
        """The public reason of a withheld count: ``färre än 5 händelser``."""
        return f"färre än {self.min_count} händelser"

    @property
    def survey_reason(self) -> str:
        """The public reason of a withheld share: ``färre än 30 svar``."""
        return f"färre än {self.min_respondents} svar"


def empty_suppression_log() -> pd.DataFrame:
    """A suppression log with no entries (the columns of ``SUPPRESSION_LOG_COLUMNS``)."""
    return pd.DataFrame(columns=list(SUPPRESSION_LOG_COLUMNS))


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _respondents(respondents: pd.DataFrame | None, area: object) -> pd.Series:
    """Respondents per (source, category, group, year) of ``area``'s survey rows."""
    if respondents is None or respondents.empty or "n" not in respondents.columns:
        return pd.Series(dtype="float64")
    rows = respondents[respondents["area"] == area] if "area" in respondents else respondents
    rows = rows.assign(_year=pd.to_datetime(rows["period_end"]).dt.year)
    return rows.groupby(_N_KEY)["n"].min()


class _Cells:
    """The withheld cells: (row index, column) → (reason, kind)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[object, str], tuple[str, str]] = {}

    def add(self, index: object, column: str, reason: str, kind: str) -> None:
        self.cells.setdefault((index, column), (reason, kind))

    def has(self, index: object, column: str) -> bool:
        return (index, column) in self.cells

    def rows(self) -> set[object]:
        return {index for index, _ in self.cells}


def _primary_counts(frame: pd.DataFrame, rules: DisclosureRules, cells: _Cells) -> None:
    counts = frame["source"].isin(COUNT_SOURCES).to_numpy()
    for column in ("value", "prev_value"):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            small = counts & (values > 0) & (values < rules.min_count)
        for index in frame.index[small]:
            cells.add(index, column, rules.count_reason, "primary")


def _primary_surveys(
    frame: pd.DataFrame, rules: DisclosureRules, cells: _Cells, respondents: pd.DataFrame | None
) -> None:
    wanted = ["source", "area", "indicator", "group", *_YEAR_OF, *_YEAR_OF.values()]
    rows = frame.loc[frame["source"].isin(SURVEY_SOURCES),
                     [c for c in wanted if c in frame.columns]]  # fmt: skip
    if rows.empty:
        return
    counts = _respondents(respondents, rows["area"].iloc[0])
    for index, row in rows.iterrows():
        for column, year_column in _YEAR_OF.items():
            if _missing(row[column]) or _missing(row[year_column]):
                continue
            key = (row["source"], row["indicator"], row["group"], int(row[year_column]))
            n = counts.get(key, np.nan)
            if not _missing(n) and n < rules.min_respondents:
                cells.add(index, column, rules.survey_reason, "primary")


def _secondary_counts(frame: pd.DataFrame, rules: DisclosureRules, cells: _Cells) -> None:
    """Protect each year column of a count table against its (published elsewhere) total."""
    reason = f"sekundär: skyddar en uppgift med {rules.count_reason} mot att räknas fram ur totalen"
    for source in COUNT_SOURCES:
        mine = (frame["source"] == source).to_numpy()
        labels = list(frame.index[mine])
        names = [str(n) for n in frame["indicator"].to_numpy()[mine]]
        for column in ("value", "prev_value"):
            withheld = np.array([cells.has(i, column) for i in labels], dtype=bool)
            if not withheld.any():
                continue
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)[mine]
            for n in _secondary(values, names, withheld, rules, what=(source, column)):
                cells.add(labels[n], column, reason, "secondary")


def _secondary(values: np.ndarray, names: Sequence[str], withheld: np.ndarray,
               rules: DisclosureRules, *, what: tuple[str, str]) -> list[int]:  # fmt: skip
    """The table rule's secondary cells of one count column, in the order they are taken.

    Until at least two cells are withheld and they sum to ``min_count``, the smallest
    positive published cell is withheld too (ties by name, then position), so no withheld
    count can be recovered from the column's total. ``what`` (source, column) names the
    column in the warning when too few cells are left to protect it.
    """
    count, total = int(withheld.sum()), float(values[withheld].sum())
    candidates = sorted((float(values[n]), str(names[n]), n) for n in range(len(values))
                        if not withheld[n] and values[n] > 0)  # fmt: skip (NaN is not > 0)
    taken = []
    while (count < 2 or total < rules.min_count) and candidates:
        value, _, n = candidates.pop(0)
        taken.append(n)
        count, total = count + 1, total + value
    if count < 2 or total < rules.min_count:
        log.warning(
            "%s %s: too few other cells to protect the withheld ones against the "
            "total; do not publish the total of this table",
            *what,
        )  # fmt: skip
    return taken


def withheld_counts(values: np.ndarray, names: list[str], rules: DisclosureRules) -> np.ndarray:
    """Which cells of one count column are withheld: primary and secondary, as above.

    The same rule as ``apply_disclosure_control`` for an IA table's year column, on plain
    arrays (``tasks.indicators.ia_series`` runs it for every year of every area).
    """
    values = np.asarray(values, dtype=float)
    withheld = (values > 0) & (values < rules.min_count)
    if withheld.any():
        withheld[_secondary(values, names, withheld, rules, what=("ia", "value"))] = True
    return withheld


def _public(frame: pd.DataFrame, cells: _Cells, rules: DisclosureRules) -> pd.DataFrame:
    if not cells.cells:
        return frame.assign(suppressed=False)
    # Whole columns as arrays, one frame built at the end (not a cell at a time): the same
    # blanks, notes and dtypes as blanking each withheld cell.
    index = frame.index
    rows = index.isin(list(cells.rows()))
    value = index.isin([i for i, c in cells.cells if c == "value"])
    prev = index.isin([i for i, c in cells.cells if c == "prev_value"])
    columns: dict[str, object] = {c: frame[c] for c in frame.columns}
    columns["suppressed"] = pd.Series(rows, index=index, dtype="bool")
    if value.any() and "rate_per_100k" not in columns:
        columns["rate_per_100k"] = pd.Series(np.nan, index=index)  # blank even when absent
    if "note" not in columns:
        columns["note"] = pd.Series(np.nan, index=index, dtype="object")
    blanks = {"value": value, "rate_per_100k": value, "prev_value": prev}
    blanks.update(dict.fromkeys(DERIVED_COLUMNS, rows))
    for column, mask in blanks.items():
        if column not in columns:
            continue
        series = columns[column]
        if column in _TEXT_COLUMNS:
            array = series.to_numpy(dtype=object, copy=True)
            array[mask] = None
            columns[column] = pd.Series(array, index=index, dtype="object")
            continue
        if series.dtype == np.float64:
            array = series.to_numpy(dtype=np.float64, copy=True)
        else:
            array = pd.to_numeric(series.astype("object"), errors="coerce").astype(
                "float64").to_numpy(copy=True)  # fmt: skip
        array[mask] = np.nan
        columns[column] = pd.Series(array, index=index, dtype="float64")
    notes = columns["note"].astype("object").tolist()
    sources = frame["source"].to_numpy()
    for n in np.flatnonzero(rows):
        source = sources[n]
        reason = rules.count_reason if source in COUNT_SOURCES else rules.survey_reason
        note = "" if _missing(notes[n]) else str(notes[n])
        # A survey's note names respondents and derived counts: it is replaced, not kept.
        keep = note if source in COUNT_SOURCES and note else ""
        withheld = f"undertryckt: {reason}"
        notes[n] = f"{keep}; {withheld}" if keep else withheld
    columns["note"] = pd.Series(notes, index=index, dtype="object").astype("str")
    return pd.DataFrame(columns, index=index)


def _log(frame: pd.DataFrame, cells: _Cells) -> pd.DataFrame:
    entries = []
    for (index, column), (reason, kind) in cells.cells.items():
        row = frame.loc[index]
        year = row[_YEAR_OF[column]]
        entries.append(
            {
                "source": row["source"], "indicator": row["indicator"],
                "group": row.get("group") or "",
                "year": None if _missing(year) else int(year),
                "column": column, "reason": reason, "kind": kind,
            }
        )  # fmt: skip
        log.info(
            "undertryckt %s/%s%s %s (%s, %s): %s",
            row["source"], row["indicator"], f" ({row['group']})" if row.get("group") else "",
            entries[-1]["year"], column, kind, reason,
        )  # fmt: skip  (the withheld value itself is never logged)
    if not entries:
        return empty_suppression_log()
    order = {i: n for n, i in enumerate(frame.index)}
    keyed = sorted(zip([order[i] for i, _ in cells.cells], entries, strict=True),
                   key=lambda pair: (pair[0], pair[1]["column"] != "value"))  # fmt: skip
    return pd.DataFrame([e for _, e in keyed], columns=list(SUPPRESSION_LOG_COLUMNS))


def apply_disclosure_control(
    indicators: pd.DataFrame,
    rules: DisclosureRules | None = None,
    *,
    respondents: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Withhold the figures that could point out individuals (see the module docstring).

    Args:
        indicators: the indicators of one area and report year (columns of
            ``tasks.indicators.build.INDICATOR_COLUMNS``); not changed.
        rules: the thresholds; ``DisclosureRules()`` when None.
        respondents: the survey rows in the canonical long shape (``source, area,
            category, group, period_end, n``) to look up each share's respondents; without
            them no survey share is withheld.

    Returns:
        ``(public, log)``: the indicators with withheld cells blanked, the boolean column
        ``suppressed`` and a note saying why; and one log row per withheld cell with
        ``source, indicator, group, year, column, reason, kind`` (``primary`` or
        ``secondary``) — never the withheld value.
    """
    rules = rules or DisclosureRules()
    if indicators.empty:
        return indicators.assign(suppressed=pd.Series(dtype="bool")), empty_suppression_log()
    cells = _Cells()
    _primary_counts(indicators, rules, cells)
    _primary_surveys(indicators, rules, cells, respondents)
    _secondary_counts(indicators, rules, cells)
    return _public(indicators, cells, rules), _log(indicators, cells)


def suppression_records(suppression: pd.DataFrame, rules: DisclosureRules) -> dict:
    """The suppression log as JSON-ready data for ``suppression.json``.

    Args:
        suppression: the log of ``apply_disclosure_control``.
        rules: the thresholds applied.

    Returns:
        ``{"rules": {...}, "suppressed": [{source, indicator, group, year, column, reason,
        kind}, ...]}``.
    """
    records = [
        {k: (None if _missing(v) else (int(v) if k == "year" else v)) for k, v in r.items()}
        for r in suppression.to_dict("records")
    ]
    return {
        "rules": {"min_count": rules.min_count, "min_respondents": rules.min_respondents},
        "suppressed": records,
    }
