"""Hand-built frames in the canonical shapes of docs/architecture.md, for the quality tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTHS = range(1, 13)


def canonical(rows: list[dict]) -> pd.DataFrame:
    """A long-shape frame with the canonical columns, dtypes and column order."""
    frame = pd.DataFrame(rows)
    defaults = {
        "area": None, "preliminary": False, "group": "", "n": np.nan,
        "published_rate": np.nan, "producer_significant": pd.NA,
    }  # fmt: skip
    for column, default in defaults.items():
        if column not in frame.columns:
            frame[column] = default
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    frame["producer_significant"] = frame["producer_significant"].astype("boolean")
    frame["value"] = (
        frame["value"].astype("float64")
        if frame["value"].map(lambda v: isinstance(v, (int, float))).all()
        else frame["value"]
    )
    frame["n"] = frame["n"].astype("float64")
    frame["published_rate"] = frame["published_rate"].astype("float64")
    frame["preliminary"] = frame["preliminary"].astype(bool)
    columns = [
        "source", "area", "region", "period_start", "period_end", "period_kind", "category",
        "value", "unit", "preliminary", "group", "n", "published_rate", "producer_significant",
        "file", "row",
    ]  # fmt: skip
    return frame[columns]


def bra_frame(area: str = "sodermalm", years: tuple[int, ...] = (2022, 2023)) -> pd.DataFrame:
    """BRÅ yearly rows plus twelve months for one category, that agree with each other."""
    region = "Stadsdelsområde Södermalm (Sthlm)"
    file = "bra/Databasfil_2022.txt"
    rows, line = [], 2
    for year in years:
        for category, count in (("3-7 kap. Brott mot person", 1200), ("6 kap. Sexualbrott", 130)):
            rows.append(dict(
                source="bra", area=area, region=region, period_start=f"{year}-01-01",
                period_end=f"{year}-12-31", period_kind="year", category=category,
                value=count, unit="antal", published_rate=round(count / 131_000 * 1e5),
                file=file, row=line,
            ))  # fmt: skip
            line += 1
        for month in MONTHS:
            start = pd.Timestamp(year, month, 1)
            rows.append(dict(
                source="bra", area=area, region=region, period_start=start,
                period_end=start + pd.offsets.MonthEnd(0), period_kind="month",
                category="3-7 kap. Brott mot person", value=100, unit="antal",
                file=file, row=line,
            ))  # fmt: skip
            line += 1
    return canonical(rows)


def population_frame(area: str = "sodermalm", years: tuple[int, ...] = (2022, 2023)):
    """Total population at 31 December."""
    rows = [
        dict(source="befolkning", area=area, region="Södermalm", period_start=f"{y}-12-31",
             period_end=f"{y}-12-31", period_kind="year", category="Folkmängd",
             value=131_000.0, unit="antal", file="befolkning/omradesfakta.csv", row=i + 2)
        for i, y in enumerate(years)
    ]  # fmt: skip
    return canonical(rows)


def survey_frame() -> pd.DataFrame:
    """Two Stockholmsenkäten waves for two groups."""
    rows, line = [], 2
    for year in (2022, 2024):
        for group in ("Åk 9 pojkar", "Åk 9 flickor"):
            rows.append(dict(
                source="stockholmsenkaten", area="sodermalm", region="Södermalm",
                period_start=f"{year}-01-01", period_end=f"{year}-12-31", period_kind="year",
                category="Känner sig trygg i området", value=13.0, unit="procent",
                group=group, n=420.0, file="enkater/stockholmsenkaten.csv", row=line,
            ))  # fmt: skip
            line += 1
    return canonical(rows)


def ia_frame() -> pd.DataFrame:
    """IA incident records (never the description)."""
    return pd.DataFrame({
        "incident_id": pd.Series(["IA-1", "IA-2", "IA-3", "IA-4"], dtype="str"),
        "occurred_on": pd.to_datetime(["2023-02-01", "2023-05-03", "2024-03-04", "2024-06-01"]),
        "reported_on": pd.to_datetime(["2023-02-02", "2023-05-03", "2024-03-05", "2024-06-03"]),
        "event_type": ["Tillbud", "Olycksfall", "Tillbud", "Riskobservation"],
        "category": ["Hot", "Våld", "Hot", "Otillåten påverkan"],
        "organisation": ["Södermalms stadsdelsförvaltning"] * 4,
        "unit": ["Avd 1", "Avd 1", "Avd 2", "Avd 2"],
        "area": ["sodermalm"] * 4,
        "file": ["ia/export.xlsx"] * 4,
        "row": [2, 3, 4, 5],
    })  # fmt: skip
