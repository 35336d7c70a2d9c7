"""The draft's figures, drawn from finished frames with matplotlib's object API, as PNG bytes.

Charts format; they don't compute: every bar and point is a value of the frame passed in.
Each figure is a ``matplotlib.figure.Figure`` on its own ``FigureCanvasAgg`` — no pyplot,
so no global figure manager or rcParams are touched and threads (the nightly refresh) can
draw in parallel without a lock. The PNG bytes are reproducible (fixed size, dpi, font and
no "Software" metadata), so a rerun on the same input gives a byte-identical .docx.

Design (issue 12): small multiples — one panel per crime category with its own scale, so a
small category is not squashed under "Samtliga brott" — with the city's rate per 100 000 as
a dashed reference line where ``crime_series`` has ``city_rate_per_100k``; survey waves as
paired bars per group, or per indicator when a survey has one group only (never a panel of
one bar labelled "Alla"); legends placed under the panels so they are never cut.
"""

from __future__ import annotations

import io
import logging
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine

from outputs.draft.word.table_helpers import is_true
from outputs.swedish import NBSP, format_int

__all__ = ["Chart", "DPI", "TOTAL_LABEL", "crime_chart", "survey_chart", "wrap_label"]

logger = logging.getLogger(__name__)

DPI = 150
TOTAL_LABEL = "Samtliga brott"
_WIDTH_IN = 6.3
_MAX_PANELS = 9
_BLUE, _LIGHT, _GREY, _CITY = "#004B87", "#8FB8DE", "#555555", "#C05000"
#: Characters per title line of a crime panel, by number of panel columns (7 pt DejaVu).
_TITLE_CHARS = {1: 70, 2: 40, 3: 25}


def _font(size: float) -> font_manager.FontProperties:
    """The chart font at ``size`` pt: ``fontproperties`` overrides a separate ``fontsize``."""
    return font_manager.FontProperties(family="DejaVu Sans", size=size)


@dataclass(frozen=True)
class Chart:
    """One figure for the draft.

    Attributes:
        png: the image.
        caption: the text after "Figur N. ".
        alt_text: a description for screen readers (``wp:docPr/@descr``).
        width_cm: the printed width.
        labels: the panel titles and bar labels as drawn (wrapped), to check none is cut.
    """

    png: bytes
    caption: str
    alt_text: str
    width_cm: float = 16.0
    labels: tuple[str, ...] = ()


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _style(ax) -> None:  # noqa: ANN001 - matplotlib Axes
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    # Through tick_params, not per label: asking for the tick labels builds every tick.
    ax.tick_params(labelsize=7, labelfontfamily="DejaVu Sans")


def _tight(figure: Figure, **params: object) -> None:
    """``figure.tight_layout(**params)`` without leaving a layout engine on the figure.

    ``Figure.tight_layout`` leaves a placeholder engine behind, and ``savefig`` then draws
    the whole figure once more, with rendering disabled, before the real draw: about a
    third of a chart's time. The layout computed here is the same, so are the bytes.
    """
    TightLayoutEngine(**params).execute(figure)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _thousands(value: float, _pos: object = None) -> str:
    return format_int(value).replace("\u00a0", " ")


def _panel_title(label: str) -> str:
    """Panel title: "3-7 kap. Brott mot person" → "Brott mot person (3–7 kap.)"."""
    text = " ".join(label.split())
    text = text[len("därav "):] if text.lower().startswith("därav ") else text
    match = re.match(r"^(\d+(?:\s*[-–]\s*\d+)?)\s*kap\.?\s+(.+)$", text)
    if match:
        chapters = re.sub(r"\s*[-–]\s*", "–", match.group(1))
        text = f"{match.group(2)} ({chapters}{NBSP}kap.)"
    return text[:1].upper() + text[1:]


def wrap_label(label: str, width: int) -> str:
    """``label`` on lines of about ``width`` characters, broken between words, never cut.

    A "(3–7 kap.)" stays on one line (no-break space); a word longer than ``width`` keeps
    its own line rather than being split or truncated.
    """
    text = re.sub(r"[ \t\r\n]+", " ", str(label)).strip()  # str.split() would eat NBSP
    return "\n".join(textwrap.wrap(text, width, break_long_words=False,
                                    break_on_hyphens=False)) or text  # fmt: skip


def crime_chart(series: pd.DataFrame, area_name: str, *, total: str = TOTAL_LABEL,
                place: str | None = None) -> Chart | None:  # fmt: skip
    """Reported crimes per year, one small panel per category (own scale each).

    Panels show the rate per 100 000 invånare where the series has one (the city's rate as
    a dashed line when ``city_rate_per_100k`` is given), else the count.

    Args:
        series: ``crime_series`` (year, indicator, value, rate_per_100k, preliminary[,
            city_rate_per_100k]).
        area_name: the area, for caption and alt text.
        total: the indicator drawn first (all crimes).
        place: the area with its preposition ("på Södermalm"); default "i <area>".

    Returns:
        The chart, or None when the series has fewer than two years with values.
    """
    if series.empty:
        return None
    frame = series.dropna(subset=["value"])
    years = sorted({int(y) for y in frame["year"]})
    if len(years) < 2:
        return None
    where = place or f"i {area_name}"
    legend = where[:1].upper() + where[1:]  # "På Södermalm": str.capitalize would lower the name
    prel = {int(y) for y, p in zip(series["year"], series["preliminary"], strict=True)
            if is_true(p)}  # fmt: skip
    indicators = list(dict.fromkeys(frame["indicator"]))
    indicators = ([total] if total in indicators else []) + [i for i in indicators if i != total]
    indicators = indicators[:_MAX_PANELS]
    use_rate = "rate_per_100k" in frame.columns and frame["rate_per_100k"].notna().any()
    has_city = use_rate and "city_rate_per_100k" in frame.columns and \
        frame["city_rate_per_100k"].notna().any()  # fmt: skip
    columns = 3 if len(indicators) > 4 else min(2, len(indicators)) or 1
    rows = math.ceil(len(indicators) / columns)
    figure = _figure(_WIDTH_IN, 0.45 + 1.55 * rows)
    axes = figure.subplots(rows, columns, squeeze=False)
    short = [f"{str(y)[2:]}*" if y in prel else str(y)[2:] for y in years]
    titles = []
    for ax, indicator in zip(axes.flat, indicators, strict=False):
        part = frame[frame["indicator"] == indicator]
        column = "rate_per_100k" if use_rate else "value"
        by_year = dict(zip(part["year"].astype(int), part[column], strict=True))
        xs = [i for i, y in enumerate(years) if y in by_year and by_year[y] == by_year[y]]
        ax.plot(xs, [by_year[years[i]] for i in xs], color=_BLUE, marker="o", markersize=3,
                linewidth=1.4, label=legend if has_city else None)  # fmt: skip
        for i in xs:
            if years[i] in prel:
                ax.plot([i], [by_year[years[i]]], marker="o", markersize=5, color="white",
                        markeredgecolor=_BLUE)  # fmt: skip
        if has_city:
            city = dict(zip(part["year"].astype(int), part["city_rate_per_100k"], strict=True))
            cx = [i for i, y in enumerate(years) if city.get(y) == city.get(y) and y in city]
            ax.plot(cx, [city[years[i]] for i in cx], color=_CITY, linestyle="--",
                    linewidth=1.1, label="Staden")  # fmt: skip
        ax.set_ylim(bottom=0)
        ax.set_xticks(range(len(years)), short)
        ax.yaxis.set_major_formatter(_thousands)
        title = wrap_label(_panel_title(str(indicator)), _TITLE_CHARS.get(columns, 25))
        ax.set_title(title, loc="left", fontproperties=_font(7), linespacing=1.1)
        titles.append(title)
        _style(ax)
    for ax in list(axes.flat)[len(indicators):]:
        ax.set_visible(False)
    if has_city:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="lower center", ncol=2, frameon=False,
                      prop=_font(7))  # fmt: skip
    _tight(figure, rect=(0, 0.06 if has_city else 0, 1, 1), h_pad=0.8)
    png = _png(figure)
    unit = f"per 100{NBSP}000 invånare" if use_rate else "antal"
    caption = f"Anmälda brott {where} {years[0]}–{years[-1]} enligt BRÅ, {unit}"
    caption += (", med staden som jämförelse (streckad linje)." if has_city else ".")
    caption += " Varje kategori har egen skala."
    if prel:
        caption += f" * Preliminära siffror ({', '.join(map(str, sorted(prel)))}); ofylld punkt."
    alt = _crime_alt(frame, years, indicators, area_name, total, use_rate)
    return Chart(png=png, caption=caption, alt_text=alt, labels=tuple(titles))


def _crime_alt(frame: pd.DataFrame, years: Sequence[int], indicators: Sequence[str],
               area: str, total: str, use_rate: bool) -> str:  # fmt: skip
    parts = [f"Diagram över anmälda brott i {area} per år {years[0]}–{years[-1]}, "
             f"en panel per brottskategori."]  # fmt: skip
    column = "rate_per_100k" if use_rate else "value"
    for indicator in indicators:
        rows = frame[frame["indicator"] == indicator]
        points = [(int(r.year), getattr(r, column)) for r in rows.itertuples()]
        values = ", ".join(f"{y}: {_thousands(v)}" for y, v in points if v == v)
        parts.append(f"{indicator}: {values}.")
    if use_rate:
        parts.append("Värden per 100 000 invånare.")
    return " ".join(parts)


def survey_chart(rows: pd.DataFrame, survey_label: str) -> Chart | None:
    """Previous against latest wave as paired bars.

    One panel per indicator with a bar pair per group; a survey whose indicators have one
    group only ("Alla") is drawn as one panel with a bar pair per indicator instead.

    Args:
        rows: indicators rows of one survey (``indicator, group, value, prev_value,
            year, prev_year``); shares in %.
        survey_label: the survey's name for caption and alt text, e.g. "Stockholmsenkäten".

    Returns:
        The chart, or None when no row has both waves.
    """
    frame = rows.dropna(subset=["value", "prev_value"])
    if frame.empty:
        return None
    year = int(frame["year"].max())
    prev = int(frame["prev_year"].dropna().max()) if frame["prev_year"].notna().any() else None
    indicators = list(dict.fromkeys(frame["indicator"]))
    single = all(len(frame[frame["indicator"] == i]) == 1 for i in indicators)
    panels = [("", frame)] if single else [(i, frame[frame["indicator"] == i])
                                           for i in indicators]  # fmt: skip
    columns = 1 if len(panels) == 1 else 2
    grid_rows = math.ceil(len(panels) / columns)
    bars = max(len(p) for _, p in panels)
    # Indicator names wrap over two lines (never truncated), so each bar pair gets room.
    wrapped = single and any(len(str(i)) > 30 for i in frame["indicator"])
    panel_height = 0.55 + (0.32 if wrapped else 0.24) * bars
    top = float(max(frame["value"].max(), frame["prev_value"].max()))
    figure = _figure(_WIDTH_IN, 0.55 + panel_height * grid_rows)
    axes = figure.subplots(grid_rows, columns, squeeze=False, sharex=True)
    drawn: list[str] = []
    for ax, (indicator, part) in zip(axes.flat, panels, strict=False):
        if single:
            names = [wrap_label(str(i), 30) for i in part["indicator"]]
        else:
            names = [str(g) if str(g or "").strip() else "Alla" for g in part["group"]]
        pos = list(range(len(part)))[::-1]
        ax.barh([p + 0.2 for p in pos], part["prev_value"], height=0.38, color=_LIGHT,
                label=str(prev) if prev else "Föregående mätning")  # fmt: skip
        ax.barh([p - 0.2 for p in pos], part["value"], height=0.38, color=_BLUE,
                label=str(year))  # fmt: skip
        ax.set_yticks(pos, names)
        drawn += names
        if indicator:
            title = wrap_label(str(indicator), 38 if columns == 2 else 80)
            ax.set_title(title, loc="left", fontproperties=_font(8))
            drawn.append(title)
        ax.set_xlim(0, top * 1.08 if top > 0 else 1)
        ax.xaxis.set_major_formatter(lambda v, _p: f"{v:.0f}")
        _style(ax)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("Andel (%)", fontproperties=_font(7))
        ax.xaxis.set_tick_params(labelbottom=True)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="upper right", ncol=2, frameon=False,
                  prop=_font(7))  # fmt: skip
    _tight(figure, rect=(0, 0, 1, 1 - 0.3 / (0.55 + panel_height * grid_rows)))
    png = _png(figure)
    since = f"{prev} och {year}" if prev else str(year)
    what = "per indikator" if single else "per indikator och grupp"
    caption = f"{survey_label}: andel (%) {what}, {since}."
    alt = f"Stapeldiagram, {survey_label} {since}, andel i procent. " + "; ".join(
        f"{r.indicator}"
        + (f", {r.group}" if str(r.group or "").strip() else "")
        + f": {_pct(r.prev_value)} → {_pct(r.value)}"
        for r in frame.itertuples()
    )
    return Chart(png=png, caption=caption, alt_text=alt + ".", labels=tuple(drawn))


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")
