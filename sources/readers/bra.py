"""BRÅ anmälda brott: the SOL statistics database's "Databasfil" export.

The real files are ISO-8859-1, ``;``-separated, with a 6-field header and 7-field data rows
(trailing ``;``), repeated parent rows, ``..`` for not available and ``YYYY prel.`` for
preliminary years. ``read_bra`` returns the figures exactly as sent, in the canonical long
shape, except that a region's figure for a period before its area existed (or after it
ended) is NaN: BRÅ writes ``0`` there, which is missing, not zero.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lagesbild.areas.model import AreasConfig
from lagesbild.errors import InputError
from sources.readers._csv import (
    as_canonical,
    combine_codes,
    combine_observations,
    first_positions,
    parse_codes,
    read_csv_text,
    repeated,
    resolve_columns,
)
from sources.readers._text import read_text_file

__all__ = ["BRA_COLUMNS", "MONTHS", "bra_quarterly", "bra_yearly", "read_bra"]

log = logging.getLogger(__name__)

BRA_COLUMNS: dict[str, str] = {
    "region": "Region",
    "category": "Brott",
    "year": "År",
    "period": "Period",
    "value": "Antal",
    "rate": "/100 000 inv",
}
MONTHS: tuple[str, ...] = (
    "Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec",
)
_MONTH_NUMBER = {m.casefold(): i for i, m in enumerate(MONTHS, start=1)} | {"may": 5, "oct": 10}
_YEAR = re.compile(r"^(\d{4})\s*(prel\.?)?$", re.IGNORECASE)
_QUARTER = re.compile(r"^kvartal\s*([1-4])$", re.IGNORECASE)


def _period(year_text: str, period_text: str) -> tuple | str:
    """(year, preliminary, kind, start month, months) or the name of the bad column."""
    if year_text.casefold() == "år":  # yearly menu: the year is in Period
        match = _YEAR.match(period_text)
        return (int(match.group(1)), bool(match.group(2)), "year", 1, 12) if match else "Period"
    match = _YEAR.match(year_text)
    if not match:
        return "År"
    year, prel = int(match.group(1)), bool(match.group(2))
    key = " ".join(period_text.split()).casefold()
    if key in _MONTH_NUMBER:
        return year, prel, "month", _MONTH_NUMBER[key], 1
    if key == "helår":
        return year, prel, "year", 1, 12
    quarter = _QUARTER.match(key)
    if quarter:
        return year, prel, "quarter", 3 * int(quarter.group(1)) - 2, 3
    return "Period"


@dataclass(frozen=True)
class _Periods:
    """The distinct (År, Period) pairs parsed, and each row's pair."""

    codes: np.ndarray  # per row: its pair
    preliminary: np.ndarray  # per pair
    kind: np.ndarray
    start: np.ndarray  # datetime64[ns]
    end: np.ndarray
    dates: list[dt.date]  # the start as a date
    bounds: np.ndarray  # per pair: one code per distinct (start, end)


def _periods(year: np.ndarray, period: np.ndarray, uniques: dict[str, np.ndarray],
             index: pd.Index, label: str) -> _Periods:  # fmt: skip
    """Year, flag and period bounds, computed once per distinct (År, Period)."""
    years, texts = uniques["year"], uniques["period"]
    codes, pairs = pd.factorize(combine_codes([year, period], [len(years), len(texts)]))
    parsed = []
    for at in first_positions(codes, len(pairs)):  # in order of first appearance
        year_text, period_text = years[year[at]], texts[period[at]]
        result = _period(year_text, period_text)
        if isinstance(result, str):
            shown = year_text if result == "År" else period_text
            raise InputError(
                f"{shown!r} är inte en känd period (år, 'YYYY prel.', månad, 'Kvartal N', "
                "'Helår')", file=label, row=int(index[at]), column=result,
            )
        year_number, prel, kind, month, length = result
        start = dt.date(year_number, month, 1)
        end_month = month + length
        end = (dt.date(year_number + (end_month > 12), (end_month - 1) % 12 + 1, 1)
               - dt.timedelta(1))  # fmt: skip
        parsed.append((prel, kind, start, end))
    start = np.array([p[2] for p in parsed], dtype="datetime64[ns]")
    end = np.array([p[3] for p in parsed], dtype="datetime64[ns]")
    start_codes, starts = pd.factorize(start)
    end_codes, ends = pd.factorize(end)
    bounds = pd.factorize(combine_codes([start_codes, end_codes], [len(starts), len(ends)]))[0]
    return _Periods(
        codes=codes,
        preliminary=np.array([p[0] for p in parsed], dtype=bool),
        kind=np.array([p[1] for p in parsed], dtype=object),
        start=start, end=end, dates=[p[2] for p in parsed], bounds=bounds,
    )


def _conflict(frame: pd.DataFrame, key: np.ndarray, label: str) -> None:
    """Two values for one observation: an error naming both rows.

    ``key`` holds one integer per row of region, category and period bounds.
    """
    clash = repeated(key)
    if not clash.any():
        return
    at = int(np.argmax(clash))
    second = int(frame.index[at])
    row = frame.loc[second]
    first = int(frame.index[int(np.argmax(key == key[at]))])
    other = frame.loc[first]
    column = "Antal" if not _same(row["value"], other["value"]) else "/100 000 inv"
    raise InputError(
        f"samma uppgift ({row['region']}, {row['category']}, "
        f"{row['period_start']:%Y-%m-%d}, {row['period_kind']}) har olika värden på rad "
        f"{first} och rad {second}",
        file=label, row=second, column=column,
    )


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == b


def _value_codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes equal where the values are (NaN as -1.0, as the repeats were compared)."""
    codes, uniques = pd.factorize(np.where(np.isnan(values), -1.0, values))
    return codes, len(uniques)


def _not_existed(region: np.ndarray, areas_of: np.ndarray, periods: _Periods,
                 pair: np.ndarray, areas: AreasConfig) -> np.ndarray:  # fmt: skip
    """Per row: its area did not exist in the period (BRÅ writes 0 there: NaN is right).

    Decided once per distinct (region, period) pair and configured area.
    """
    codes, uniques = pd.factorize(combine_codes([region, pair],
                                                [len(areas_of), len(periods.dates)]))
    firsts = first_positions(codes, len(uniques))
    configured: dict[str, object] = {}
    dead = np.zeros(len(uniques), dtype=bool)
    for i, at in enumerate(firsts):
        area = areas_of[region[at]]
        if area is None:
            continue
        if area not in configured:
            configured[area] = areas.get(area)  # one look-up per area
        config = configured[area]
        if (config.valid_from or config.valid_to) and not config.existed_on(
            periods.dates[pair[at]]
        ):
            dead[i] = True
    return dead[codes]


def _check_trailing_separator(text: str, label: str) -> None:
    """A SOL export's data rows end with ``;``: a last row that does not was cut off.

    A line cut inside its last field keeps all its separators but one, so the field count
    alone does not catch it. An interrupted copy or download cuts the end of a file, so the
    last non-blank line is compared with the first data line (string scans, no splitting:
    a million-line export stays fast). Files without the trailing ``;`` are left alone.
    """
    body = text.rstrip()
    first_end = body.find("\n", body.find("\n") + 1)
    first = body[body.find("\n") + 1 : first_end if first_end >= 0 else len(body)]
    last = body[body.rfind("\n") + 1 :]
    if not first.rstrip().endswith(";") or last.rstrip().endswith(";"):
        return
    raise InputError(
        "raden slutar inte med ';' som övriga rader: den är avklippt (avbruten överföring?)",
        file=label, row=body.count("\n") + 1,
    )  # fmt: skip


def read_bra(path: Path, areas: AreasConfig, *, display_name: str | None = None) -> pd.DataFrame:
    """Read a BRÅ SOL Databasfil export into the canonical long shape.

    Each column is factorised once; repeats, periods, numbers and areas are then worked
    out per distinct cell and spread back by code (no per-row Python work).

    Args:
        path: the export (``.txt`` or ``.csv``), ISO-8859-1 (UTF-8 is accepted too).
        areas: the areas configuration, to map region names to area ids.
        display_name: the name for the ``file`` column and errors (the inbox-relative path);
            the file name when None.

    Returns:
        One row per distinct observation; ``value`` is the count (NaN for ``..`` and for
        periods before/after the area existed), ``published_rate`` BRÅ's ``/100 000 inv``.

    Raises:
        SourceSchemaChanged: a documented column is missing or renamed.
        InputError: an unreadable count, year or period, or one key with two values.
    """
    path = Path(path)
    label = display_name or path.name
    text = read_text_file(path, label=label, fallback="latin-1")
    table = read_csv_text(text, label=label, delimiter=";", required=BRA_COLUMNS.values())
    cols = resolve_columns(table, BRA_COLUMNS)
    if table.frame.empty:  # a SOL export always has rows: this one was cut or emptied
        raise InputError("filen har en rubrikrad men inga datarader (tom eller avbruten export)",
                         file=label, row=2)  # fmt: skip
    _check_trailing_separator(text, label)
    extra = [c for c in table.frame.columns if c not in cols.values()]
    if extra:
        log.warning("%s: okända kolumner ignoreras: %s", label, ", ".join(extra))
    factorised = {key: pd.factorize(table.frame[column].to_numpy(dtype=object))
                  for key, column in cols.items()}  # fmt: skip
    uniques = {key: u for key, (_, u) in factorised.items()}
    # Parent nodes are echoed: drop repeated lines, comparing integer codes (fast).
    line = combine_codes([c for c, _ in factorised.values()], [len(u) for u in uniques.values()])
    kept = np.flatnonzero(~repeated(line))
    codes = {key: c[kept] for key, (c, _) in factorised.items()}
    index = table.frame.index[kept]
    periods = _periods(codes["year"], codes["period"], uniques, index, label)
    value = parse_codes(codes["value"], uniques["value"], index=index, file=label,
                        column=cols["value"], integer=True)  # fmt: skip
    rate = parse_codes(codes["rate"], uniques["rate"], index=index, file=label,
                       column=cols["rate"], integer=False)  # fmt: skip
    # One observation once: drop exact repeats; one key with two values is an error.
    sizes = [len(uniques["region"]), len(uniques["category"]), len(periods.dates)]
    bounds = periods.bounds[periods.codes]
    key, keys = pd.factorize(combine_codes([codes["region"], codes["category"], bounds], sizes))
    value_codes, rate_codes = _value_codes(value), _value_codes(rate)
    same = repeated(combine_codes([key, value_codes[0], rate_codes[0]],
                                  [len(keys), value_codes[1], rate_codes[1]]))
    keep = np.flatnonzero(~same)
    index, key, pair = index[keep], key[keep], periods.codes[keep]
    region, category = codes["region"][keep], codes["category"][keep]
    value, rate = value[keep], rate[keep]
    frame = pd.DataFrame(
        {
            "source": "bra",
            "region": uniques["region"][region],
            "category": uniques["category"][category],
            "value": value,
            "published_rate": rate,
            "unit": "antal",
            "group": "",
            "n": np.nan,
            "producer_significant": pd.NA,
            "file": label,
            "row": index.to_numpy(dtype="int64"),
            "preliminary": periods.preliminary[pair],
            "period_kind": periods.kind[pair],
            "period_start": periods.start[pair],
            "period_end": periods.end[pair],
        },
        index=index,
    )
    _conflict(frame, key, label)
    areas_of = np.array([areas.area_for_region(r) for r in uniques["region"]], dtype=object)
    frame["area"] = areas_of[region]
    dead = _not_existed(region, areas_of, periods, pair, areas)
    if dead.any():
        log.info("%d BRÅ figures set to missing: the area did not exist in the period",
                 dead.sum())  # fmt: skip
        frame["value"] = np.where(dead, np.nan, value)
        frame["published_rate"] = np.where(dead, np.nan, rate)
    unknown = int(sum(a is None for a in areas_of))
    if unknown:
        log.debug("%s: %d regions not in the areas configuration", label, unknown)
    return as_canonical(frame)


def _aggregate(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Yearly or quarterly figures: the producer's own row, else the sum of full months."""
    length = 12 if kind == "year" else 3
    if frame.empty:
        return as_canonical(frame).assign(months=pd.Series(dtype="int64"),
                                          note=pd.Series(dtype="str"))
    frame = combine_observations(frame)
    start = frame["period_start"]
    bucket = (
        start.dt.to_period("Y") if kind == "year" else start.dt.to_period("Q")
    ).dt.start_time.astype("datetime64[ns]")
    frame = frame.assign(
        _key=frame["area"].fillna("region:" + frame["region"]),
        _bucket=bucket,
    )
    keys = ["source", "_key", "category", "_bucket"]
    own = frame[(frame["period_kind"] == kind)].drop_duplicates(subset=keys, keep="first")
    months = frame[frame["period_kind"] == "month"]
    months = months[~months.set_index(keys).index.isin(own.set_index(keys).index)]
    rows = [own.assign(months=0, note="")]
    if not months.empty:
        rows.append(_sum_months(months, keys, length))
    out = pd.concat(rows, ignore_index=True)
    out["period_start"] = out["_bucket"]
    offset = pd.DateOffset(years=1) if kind == "year" else pd.DateOffset(months=3)
    out["period_end"] = (out["_bucket"] + offset - pd.Timedelta(days=1)).astype("datetime64[ns]")
    out["period_kind"] = kind
    out = out.sort_values(["source", "_key", "category", "period_start"], kind="stable")
    result = as_canonical(out)
    result["months"] = out["months"].astype("int64").to_numpy()
    result["note"] = out["note"].astype("str").to_numpy()
    return result


def _sum_months(months: pd.DataFrame, keys: list[str], length: int) -> pd.DataFrame:
    """Sum complete months per key, vectorised (a million rows must stay fast)."""
    bit = np.left_shift(1, months["period_start"].dt.month.to_numpy() - 1)
    months = months.assign(_bit=np.where(months["value"].notna(), bit, 0))
    grouped = months.groupby(keys, sort=False, dropna=False)
    out = grouped.head(1).set_index(keys).drop(columns=["value", "preliminary", "file", "row"])
    out = out.join(
        pd.DataFrame(
            {
                "value": grouped["value"].sum(min_count=1),
                "have": grouped["value"].count(),
                "bits": grouped["_bit"].sum(),  # one row per month after combining
                "preliminary": grouped["preliminary"].any(),
                "file": grouped["file"].first(),
                "nfiles": grouped["file"].nunique(),
                "row": grouped["row"].min(),
            }
        )
    )
    several = out.index[out["nfiles"] > 1]
    if len(several):  # months from several files: name them all
        part = months.set_index(keys).loc[several, "file"]
        levels = list(range(len(keys)))
        names = part.groupby(level=levels).agg(lambda f: ", ".join(dict.fromkeys(f)))
        out.loc[several, "file"] = names.reindex(several).to_numpy()
    complete = (out["have"] == length).to_numpy()
    out["published_rate"] = np.nan
    out.loc[~complete, "value"] = np.nan
    out["months"] = np.where(complete, length, out["have"]).astype("int64")
    first_month = out.index.get_level_values("_bucket").month.to_numpy()
    notes = {
        (m, b): _missing_note(m, b, length)
        for m, b in set(zip(first_month[~complete], out["bits"].to_numpy()[~complete],
                            strict=True))
    }
    out["note"] = [
        "" if ok else notes[(m, b)]
        for ok, m, b in zip(complete, first_month, out["bits"].to_numpy(), strict=True)
    ]
    return out.drop(columns=["have", "bits", "nfiles"]).reset_index()


def _missing_note(first_month: int, bits: int, length: int) -> str:
    wanted = range(first_month, first_month + length)
    missing = [MONTHS[m - 1] for m in wanted if not (int(bits) >> (m - 1)) & 1]
    if len(missing) == length:
        return "saknar alla månader"
    return "saknar månader: " + ", ".join(missing)


def bra_yearly(frame: pd.DataFrame) -> pd.DataFrame:
    """One yearly figure per area (or unmapped region), category and year.

    Args:
        frame: BRÅ observations in the canonical long shape (one or several files).

    Returns:
        Canonical rows with ``period_kind='year'`` plus ``months`` (months summed; 0 when
        BRÅ's own ``Helår`` row is used; the months available when incomplete) and ``note``
        (e.g. ``"saknar månader: Nov, Dec"``). The value is the ``Helår`` row when present,
        else the sum of the twelve months when all are present and not ``..``, else NaN.
        ``preliminary`` is true when any month summed is preliminary.
    """
    return _aggregate(frame, "year")


def bra_quarterly(frame: pd.DataFrame) -> pd.DataFrame:
    """Quarterly figures like ``bra_yearly``: ``Kvartal N`` row, else its three months.

    Args:
        frame: BRÅ observations in the canonical long shape.

    Returns:
        Canonical rows with ``period_kind='quarter'`` plus ``months`` and ``note``.
    """
    return _aggregate(frame, "quarter")
