"""Survey shares (Stockholmsenkäten, trygghetsmätningen): latest wave vs the previous one.

Method (b) of the statistics contract: the producer's own significance flag when given,
else χ² or Fisher's exact test on counts derived from share × respondents (the rounded
counts are written in the note). Pure functions, no I/O.
"""

from __future__ import annotations

import pandas as pd

from tasks._rows import blank_row, is_missing, significance, year_of
from tasks.statistics import share_test

__all__ = ["survey_rows"]

def survey_rows(surveys: pd.DataFrame, area: str, year: int, alpha: float) -> list[dict]:
    if surveys.empty:
        return []
    data = surveys[surveys["area"] == area].assign(year=year_of(surveys))
    data = data[data["year"] <= year]
    rows = []
    for (source, indicator, group_name), group in data.groupby(
        ["source", "category", "group"], sort=True
    ):
        waves = group.sort_values("year")
        now = waves.iloc[-1]
        row = blank_row(
            source=source, area=area, indicator=indicator, group=group_name,
            year=int(now["year"]), value=now["value"], unit="procent",
        )  # fmt: skip
        if len(waves) < 2:
            row["note"] = "föregående mätning saknas"
            rows.append(row)
            continue
        prev = waves.iloc[-2]
        row.update(prev_year=int(prev["year"]), prev_value=prev["value"])
        if is_missing(now["value"]) or is_missing(prev["value"]):
            row["note"] = "andel ej redovisad (..)"
            rows.append(row)
            continue
        row["change_abs"] = now["value"] - prev["value"]
        row["change_rel"] = row["change_abs"] / prev["value"] if prev["value"] else None
        test = share_test(now["value"], _int(now["n"]), prev["value"], _int(prev["n"]))
        if test is not None:
            row.update(ci_low=test.ci_low, ci_high=test.ci_high, rate_ratio=None)
        flag = now.get("producer_significant")
        if flag is not None and flag is not pd.NA and not is_missing(flag):
            row.update(method="producer-flag", significant=bool(flag))
            row["note"] = "signifikans enligt producentens redovisning"
        elif test is not None:
            row.update(method=test.method, p_value=test.p_value)
            row["note"] = (
                f"antal beräknade ur andel × svar och avrundade: {test.x_new} av "
                f"{_int(now['n'])} mot {test.x_old} av {_int(prev['n'])}"
            )
        row["significant"] = significance(row, alpha)
        rows.append(row)
    return rows


def _int(value: object) -> int:
    return 0 if is_missing(value) else int(value)
