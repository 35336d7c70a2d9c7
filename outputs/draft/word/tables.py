"""The draft's tables: frames in, formatted Word tables out; nothing is computed here.

Every cell is a value of the input frame passed through ``outputs.swedish``; the only
arithmetic is unit conversion for printing (a relative change 0.125 printed as "+12,5 %").

The shared pieces (styles, flags, cell texts, footnotes, the styled table itself) are in
``outputs.draft.word.table_helpers``; their public names are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from docx.document import Document as DocumentObject

from outputs.draft.word.table_helpers import (
    CELL_STYLE,
    NOTE_STYLE,
    TABLE_STYLE,
    add_footnote,
    add_note,
    add_table,
    any_true,
    as_number,
    cell_style,
    is_suppressed,
    is_true,
    relative_text,
    significance_cell,
    significance_text,
    single_year,
    suppression_footnote,
    table_style,
)
from outputs.swedish import (
    NBSP,
    format_decimal,
    format_int,
    format_percent,
    format_signed,
    format_window,
    share_decimals,
)

__all__ = [
    "CELL_STYLE",
    "NOTE_STYLE",
    "TABLE_STYLE",
    "add_count_table",
    "add_ia_table",
    "add_population_table",
    "add_series_table",
    "add_survey_table",
    "has_groups",
    "cell_style",
    "is_suppressed",
    "is_true",
    "significance_text",
    "suppression_footnote",
    "table_style",
]


def add_population_table(document: DocumentObject, population: pd.DataFrame) -> None:
    """År, Folkmängd and each age group's share of Folkmängd, one row per year.

    Args:
        document: where the table goes.
        population: columns year, category, value, share_pct.
    """
    if population.empty:
        return
    groups = [c for c in dict.fromkeys(population["category"]) if c != "Folkmängd"]
    header = ["År", "Folkmängd", *[f"{g} (%)" for g in groups]]
    rows = []
    for year, frame in population.groupby("year", sort=True):
        by_cat = frame.set_index("category")
        total = by_cat["value"].get("Folkmängd")
        shares = [format_percent(as_number(by_cat["share_pct"].get(g))) for g in groups]
        rows.append([str(int(year)), format_int(as_number(total)), *shares])
    add_table(document, header, rows, numeric_from=1, first_width_cm=2.5)


def add_count_table(
    document: DocumentObject, rows: pd.DataFrame, year: int, *, with_rate: bool
) -> None:
    """Counts of the report year against the year before, with change and significance.

    Args:
        document: where the table goes.
        rows: indicators rows of one count source (BRÅ, polisen).
        year: the report year.
        with_rate: add the "Per 100 000 inv." column, and "Staden per 100 000" (the
            comparison level's rate, ``city_value`` of a rate row) where a row has one.
    """
    if rows.empty:
        return
    preliminary = any_true(rows["preliminary"])
    prev = single_year(rows["prev_year"])
    this_label = f"{year} (prel.)" if preliminary else str(year)
    header = [
        "Brottskategori",
        str(prev) if prev is not None else "Föregående år",
        this_label,
        "Förändring",
        "Förändring %",
    ]
    with_city = with_rate and "city_value" in rows.columns and rows["city_value"].notna().any()
    if with_rate:
        header.append(f"Per 100{NBSP}000 inv.")
    if with_city:
        header.append(f"Staden per 100{NBSP}000")
    header.append("Signifikant")
    body = []
    for _, row in rows.iterrows():
        cells = [
            label_text(row["indicator"]),
            format_int(as_number(row["prev_value"])),
            format_int(as_number(row["value"])),
            format_signed(as_number(row["change_abs"])),
            relative_text(row["change_rel"]),
        ]
        if with_rate:
            cells.append(format_int(as_number(row["rate_per_100k"])))
        if with_city:
            rate = as_number(row["rate_per_100k"])
            cells.append(format_int(as_number(row["city_value"]) if rate is not None else None))
        cells.append(significance_cell(row))
        body.append(cells)
    if with_city:
        widths: tuple[float, ...] = (3.4, 1.3, 1.3, 1.9, 1.9, 1.9, 2.0, 2.3)
    elif with_rate:
        widths = (4.0, 1.6, 1.9, 1.9, 2.3, 2.1, 2.2)
    else:
        widths = (5.0, 2.0, 2.2, 2.1, 2.4, 2.3)
    add_table(document, header, body, numeric_from=1, widths_cm=widths)
    add_footnote(document, rows)
    if preliminary:
        add_note(document, f"Siffrorna för {year} är preliminära.")


def add_series_table(document: DocumentObject, series: pd.DataFrame) -> None:
    """Counts per crime category (rows) and year (columns).

    Args:
        document: where the table goes.
        series: columns year, indicator, value, rate_per_100k, preliminary.
    """
    if series.empty:
        return
    years = sorted(int(y) for y in series["year"].dropna().unique())
    prel_years = {
        int(y) for y, p in zip(series["year"], series["preliminary"], strict=True) if is_true(p)
    }
    header = ["Brottskategori", *[f"{y} (prel.)" if y in prel_years else str(y) for y in years]]
    body = []
    for indicator in dict.fromkeys(series["indicator"]):
        frame = series[series["indicator"] == indicator]
        by_year = dict(zip(frame["year"].astype(int), frame["value"], strict=True))
        body.append([label_text(indicator),
                     *[format_int(as_number(by_year.get(y))) for y in years]])
    add_table(document, header, body, numeric_from=1, first_width_cm=4.3)


def add_ia_table(
    document: DocumentObject,
    rows: pd.DataFrame,
    year: int,
    window: tuple[dt.date, dt.date] | None,
) -> None:
    """IA incidents per category in the same calendar window of two years.

    Args:
        document: where the table goes.
        rows: indicators rows of source ``ia``.
        year: the report year.
        window: the compared window, or None for whole years.
    """
    if rows.empty:
        return
    prev = single_year(rows["prev_year"])
    header = [
        "Kategori",
        str(prev) if prev is not None else "Föregående år",
        str(year),
        "Förändring",
        "Förändring %",
        "Signifikant",
    ]
    body = [
        [
            str(row["indicator"]),
            format_int(as_number(row["prev_value"])),
            format_int(as_number(row["value"])),
            format_signed(as_number(row["change_abs"])),
            relative_text(row["change_rel"]),
            significance_cell(row),
        ]
        for _, row in rows.iterrows()
    ]
    add_table(document, header, body, numeric_from=1, widths_cm=(5.0, 2.0, 2.2, 2.1, 2.4, 2.3))
    period = format_window(window) if window is not None else "hela året"
    add_note(document, f"Jämförelseperiod: {period} (samma period respektive år).")
    add_footnote(document, rows)


def add_survey_table(document: DocumentObject, rows: pd.DataFrame) -> None:
    """Survey shares of this and the previous wave, change in percentage points, the city.

    "Staden (%)" is the comparison level's share (``city_value``), "–" where the inputs
    have none; the Grupp column is left out when every row is the whole population.

    Args:
        document: where the table goes.
        rows: indicators rows of one survey (one wave pair).
    """
    if rows.empty:
        return
    prev = single_year(rows["prev_year"])
    this = single_year(rows["year"])
    groups = ["" if pd.isna(g) else str(g).strip() for g in rows["group"]]
    with_group = has_groups(rows)
    city = rows["city_value"] if "city_value" in rows.columns else pd.Series(None, rows.index)
    header = [
        "Indikator",
        *(["Grupp"] if with_group else []),
        f"{prev} (%)" if prev is not None else "Föregående mätning (%)",
        f"{this} (%)" if this is not None else "Senaste mätning (%)",
        "Förändring (procentenheter)",
        "Staden (%)",
        "Signifikant",
    ]
    body = [
        [
            str(row["indicator"]),
            *([group.replace(" ", NBSP)] if with_group else []),
            _share(row["prev_value"]),
            _share(row["value"]),
            _points(row["change_abs"]),
            _share(city_value),
            significance_cell(row),
        ]
        for (_, row), group, city_value in zip(rows.iterrows(), groups, city, strict=True)
    ]
    widths = (4.4, 2.0, 1.5, 1.5, 2.7, 1.7, 2.2) if with_group else (6.2, 1.7, 1.7, 2.6, 1.7, 2.1)
    add_table(document, header, body, numeric_from=2 if with_group else 1, widths_cm=widths)
    add_footnote(document, rows)


def has_groups(rows: pd.DataFrame) -> bool:
    """Whether a survey's rows name a group other than the whole population ("Alla")."""
    return any(str(g).strip() and str(g).strip().lower() != "alla"
               for g in rows["group"] if not pd.isna(g))  # fmt: skip


def _share(value: object) -> str:
    """A share without false precision: "71", "2,4" (the column header says %)."""
    number = as_number(value)
    return format_decimal(number, share_decimals(number) if number is not None else 0)


def _points(value: object) -> str:
    number = as_number(value)
    if number is None:
        return format_decimal(None)
    return format_signed(number, share_decimals(number))


def label_text(label: str) -> str:
    """A source label for a table cell: "3-7 kap." printed with an en dash."""
    return re.sub(r"(\d)\s*-\s*(\d)", "\\1–\\2", str(label))
