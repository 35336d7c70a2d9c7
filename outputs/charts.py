"""The draft's figures, drawn from finished frames with matplotlib (Agg), as PNG bytes.

Charts format; they don't compute: every bar and point is a value of the frame passed in.
The PNG bytes are reproducible (fixed size, dpi, font and no "Software" metadata), so a
rerun on the same input gives a byte-identical .docx.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from outputs.draft_tables import is_true  # noqa: E402
from outputs.swedish import format_int  # noqa: E402

__all__ = [
    "Chart",
    "DPI",
    "TOTAL_LABEL",
    "crime_chart",
    "survey_chart",
]

logger = logging.getLogger(__name__)

DPI = 150
TOTAL_LABEL = "Samtliga brott"
_WIDTH_IN, _HEIGHT_IN = 6.3, 3.0
_MAX_LINES = 6
_BLUE, _LIGHT, _GREY = "#004B87", "#8FB8DE", "#555555"
_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "lagesbild",
}


@dataclass(frozen=True)
class Chart:
    """One figure for the draft.

    Attributes:
        png: the image.
        caption: the text after "Figur N. ".
        alt_text: a description for screen readers (``wp:docPr/@descr``).
        width_cm: the printed width.
    """

    png: bytes
    caption: str
    alt_text: str
    width_cm: float = 16.0


# pyplot keeps global state (rcParams in ``rc_context``, the figure manager): one drawing at
# a time per process, so threads of the nightly refresh can publish in parallel otherwise.
_PYPLOT = threading.Lock()


def crime_chart(series: pd.DataFrame, area_name: str, *, total: str = TOTAL_LABEL) -> Chart | None:
    """Reported crimes per year; see :func:`_crime_chart` (drawn under the pyplot lock)."""
    with _PYPLOT:
        return _crime_chart(series, area_name, total=total)


def survey_chart(rows: pd.DataFrame, survey_label: str) -> Chart | None:
    """Survey shares, previous vs latest wave; see :func:`_survey_chart` (under the lock)."""
    with _PYPLOT:
        return _survey_chart(rows, survey_label)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _thousands(value: float, _pos: object = None) -> str:
    return format_int(value).replace("\u00a0", " ")


def _crime_chart(series: pd.DataFrame, area_name: str, *, total: str = TOTAL_LABEL) -> Chart | None:
    """Reported crimes per year: all crimes as bars, up to six categories as lines.

    Args:
        series: ``crime_series`` (year, indicator, value, preliminary).
        area_name: the area, for caption and alt text.
        total: the indicator drawn as bars.

    Returns:
        The chart, or None when the series has fewer than two years with values.
    """
    if series.empty:
        return None
    frame = series.dropna(subset=["value"])
    years = sorted({int(y) for y in frame["year"]})
    if len(years) < 2:
        return None
    prel = {int(y) for y, p in zip(series["year"], series["preliminary"], strict=True)
            if is_true(p)}  # fmt: skip
    totals = frame[frame["indicator"] == total]
    others = [i for i in dict.fromkeys(frame["indicator"]) if i != total][:_MAX_LINES]
    short = [f"{y}*" if y in prel else str(y) for y in years]
    with plt.rc_context(_RC):
        panels = 2 if (not totals.empty and others) else 1
        figure, axes = plt.subplots(
            1, panels, figsize=(_WIDTH_IN, _HEIGHT_IN + (0.6 if others else 0)),
            gridspec_kw={"width_ratios": [1, 1.45]} if panels == 2 else None,
        )  # fmt: skip
        axes = list(axes) if panels == 2 else [axes]
        panel = 0
        if not totals.empty:
            ax = axes[panel]
            by_year = dict(zip(totals["year"].astype(int), totals["value"], strict=True))
            values = [by_year.get(y, float("nan")) for y in years]
            bars = ax.bar(range(len(years)), values, color=_BLUE, width=0.65)
            for index, year in enumerate(years):
                if year in prel:
                    bars[index].set_facecolor(_LIGHT)
                    bars[index].set_edgecolor(_BLUE)
                    bars[index].set_hatch("///")
            ax.set_xticks(range(len(years)), short)
            if panels == 2 and len(years) > 4:
                ax.tick_params(axis="x", labelrotation=45, labelsize=7)
            ax.set_title(f"{total} (antal)", fontsize=9)
            ax.yaxis.set_major_formatter(_thousands)
            panel += 1
        if others:
            ax = axes[panel]
            for indicator in others:
                rows = frame[frame["indicator"] == indicator]
                by_year = dict(zip(rows["year"].astype(int), rows["value"], strict=True))
                xs = [i for i, y in enumerate(years) if y in by_year]
                ax.plot(xs, [by_year[years[i]] for i in xs], marker="o", markersize=3,
                        label=_short(str(indicator), 40))  # fmt: skip
            ax.set_xticks(range(len(years)), short)
            ax.set_title("Utvalda brottskategorier (antal)", fontsize=9)
            ax.yaxis.set_major_formatter(_thousands)
            ax.legend(fontsize=6.5, frameon=False, loc="upper center", ncol=2,
                      bbox_to_anchor=(0.5, -0.1))  # fmt: skip
        figure.tight_layout()
        png = _png(figure)
    first, last = years[0], years[-1]
    caption = f"Anmälda brott i {area_name} {first}–{last} enligt BRÅ."
    if prel:
        marked = ", ".join(map(str, sorted(prel)))
        caption += f" * Preliminära siffror ({marked}); ljus, streckad stapel."
    alt = _crime_alt(totals, years, others, area_name, total)
    return Chart(png=png, caption=caption, alt_text=alt)


def _short(label: str, width: int = 34) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _crime_alt(
    totals: pd.DataFrame, years: Sequence[int], others: Sequence[str], area: str, total: str
) -> str:
    parts = [f"Diagram över anmälda brott i {area} per år {years[0]}–{years[-1]}."]
    if not totals.empty:
        values = ", ".join(
            f"{int(r.year)}: {_thousands(r.value)}"
            for r in totals.itertuples()
            if r.value == r.value
        )
        parts.append(f"{total}: {values}.")
    if others:
        parts.append("Linjer för " + ", ".join(others) + ".")
    return " ".join(parts)


def _survey_chart(rows: pd.DataFrame, survey_label: str) -> Chart | None:
    """Previous against latest wave: one small panel per indicator, groups as paired bars.

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
    columns = 1 if len(indicators) == 1 else 2
    grid_rows = -(-len(indicators) // columns)
    groups = max(frame.groupby("indicator").size())
    panel_height = 0.55 + 0.22 * groups
    top = float(max(frame["value"].max(), frame["prev_value"].max()))
    with plt.rc_context(_RC):
        figure, axes = plt.subplots(
            grid_rows, columns, figsize=(_WIDTH_IN, 0.5 + panel_height * grid_rows),
            squeeze=False, sharex=True,
        )  # fmt: skip
        for ax, indicator in zip(axes.flat, indicators, strict=False):
            part = frame[frame["indicator"] == indicator]
            names = [str(g) if str(g or "").strip() else "Alla" for g in part["group"]]
            pos = list(range(len(part)))[::-1]
            ax.barh([p + 0.2 for p in pos], part["prev_value"], height=0.38, color=_LIGHT,
                    label=str(prev) if prev else "Föregående mätning")  # fmt: skip
            ax.barh([p - 0.2 for p in pos], part["value"], height=0.38, color=_BLUE,
                    label=str(year))  # fmt: skip
            ax.set_yticks(pos, names)
            ax.set_title(_short(str(indicator), 44), fontsize=8, loc="left")
            ax.set_xlim(0, top * 1.08 if top > 0 else 1)
            ax.xaxis.set_major_formatter(lambda v, _p: f"{v:.0f}")
            ax.tick_params(labelsize=7)
        for ax in list(axes.flat)[len(indicators) :]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("Andel (%)")
            ax.xaxis.set_tick_params(labelbottom=True)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        figure.legend(handles, labels, loc="upper right", ncol=2, frameon=False, fontsize=7)
        figure.tight_layout(rect=(0, 0, 1, 1 - 0.3 / (0.5 + panel_height * grid_rows)))
        png = _png(figure)
    since = f"{prev} och {year}" if prev else str(year)
    caption = f"{survey_label}: andel (%) per indikator och grupp, {since}."
    alt = f"Stapeldiagram, {survey_label} {since}, andel i procent. " + "; ".join(
        f"{r.indicator}"
        + (f", {r.group}" if str(r.group or "").strip() else "")
        + f": {_pct(r.prev_value)} → {_pct(r.value)}"
        for r in frame.itertuples()
    )
    return Chart(png=png, caption=caption, alt_text=alt + ".")


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")
