"""Survey shares (Stockholmsenkäten, trygghetsmätningen): latest wave vs the previous one.

Statistics v2 (d): the producer's own significance flag when it publishes one (it includes
the survey weights; no interval of ours is printed beside it, since that would not be the
model that decided); otherwise the change in percentage points with Newcombe's interval
on the effective sample size n/deff and the rounding-robust rule for rounded shares. Every
share also carries its own Wilson interval (``rate_ci_low``/``rate_ci_high``, in %) and,
where the city's share of the same wave exists, ``city_value`` and ``vs_city``.
Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from tasks.indicators._rows import blank_row, is_missing, vs_city, year_of
from tasks.statistics import proportion_interval, rounding_unit, share_change

__all__ = ["DEFAULT_DEFF", "SurveySettings", "survey_rows"]

#: Design effect of a survey that configures none (report.yaml ``surveys``).
DEFAULT_DEFF = 1.5


class SurveySettings:
    """Design effect and rounding per survey, from ``surveys:`` in report.yaml.

    ``{"default_deff": 1.5, "stockholmsenkaten": {"deff": 1.5, "rounding": 1}}``;
    without ``rounding`` the unit is read off the published shares (whole percent when
    every share of the survey is a whole number).
    """

    def __init__(self, config: Mapping | None = None) -> None:
        config = dict(config or {})
        self.default_deff = float(config.pop("default_deff", DEFAULT_DEFF))
        self.per_survey = {k: dict(v or {}) for k, v in config.items()}
        for name, values in self.per_survey.items():
            unknown = sorted(set(values) - {"deff", "rounding"})
            if unknown:
                raise ValueError(f"surveys.{name}: unknown setting(s) {', '.join(unknown)}")
            if float(values.get("deff", 1.0)) < 1.0:
                raise ValueError(f"surveys.{name}.deff must be ≥ 1")

    def deff(self, source: str) -> float:
        return float(self.per_survey.get(source, {}).get("deff", self.default_deff))

    def rounding(self, source: str, shares: pd.Series) -> float:
        configured = self.per_survey.get(source, {}).get("rounding")
        return float(configured) if configured is not None else rounding_unit(shares.to_numpy())


def _n(value: object) -> float:
    return 0.0 if is_missing(value) else float(value)


def _wilson_pct(share: float, n: float, deff: float) -> tuple[float | None, float | None]:
    if is_missing(share) or not n > 0:
        return None, None
    n_eff = n / deff
    low, high = proportion_interval(share / 100.0 * n_eff, n_eff)
    return 100.0 * low, 100.0 * high


def survey_rows(
    surveys: pd.DataFrame, area: str, year: int, alpha: float, *,
    settings: SurveySettings | None = None, city: str | None = None,
) -> list[dict]:  # fmt: skip
    """One row per survey, indicator and group: the latest wave up to ``year``."""
    if surveys.empty:
        return []
    settings = settings or SurveySettings()
    all_years = surveys.assign(year=year_of(surveys))
    data = all_years[(all_years["area"] == area) & (all_years["year"] <= year)]
    city_rows = all_years[all_years["area"] == city] if city else all_years.iloc[0:0]
    city_share = {(r.source, r.category, r.group, int(r.year)): r.value
                  for r in city_rows.itertuples()}  # fmt: skip
    rounding = {s: settings.rounding(s, part["value"]) for s, part in
                all_years.groupby("source")}  # fmt: skip
    rows = []
    for (source, indicator, group_name), group in data.groupby(
        ["source", "category", "group"], sort=True
    ):
        waves = group.sort_values("year")
        now = waves.iloc[-1]
        deff = settings.deff(source)
        row = blank_row(
            source=source, area=area, indicator=indicator, group=group_name,
            year=int(now["year"]), value=now["value"], unit="procent",
        )  # fmt: skip
        row["rate_ci_low"], row["rate_ci_high"] = _wilson_pct(now["value"], _n(now["n"]), deff)
        city_value = city_share.get((source, indicator, group_name, int(now["year"])))
        row["city_value"] = None if is_missing(city_value) else float(city_value)
        row["vs_city"] = vs_city(row["rate_ci_low"], row["rate_ci_high"], row["city_value"])
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
        flag = now.get("producer_significant")
        if flag is not None and flag is not pd.NA and not is_missing(flag):
            row.update(method="producer-flag", significant=bool(flag))
            row["note"] = "signifikans enligt producentens redovisning (med undersökningens vikter)"
            rows.append(row)
            continue
        unit = rounding.get(source, 0.0)
        test = share_change(now["value"], _n(now["n"]), prev["value"], _n(prev["n"]),
                            deff=deff, rounding=unit, alpha=alpha)  # fmt: skip
        if test is not None:
            row.update(method=test.method, p_value=test.p_value, ci_low=test.ci_low,
                       ci_high=test.ci_high, significant=test.significant)  # fmt: skip
            notes = [f"designeffekt {deff:g}"]
            if unit:
                notes.append(f"andelar avrundade till {unit:g} procentenhet: prövat i båda "
                             "ändar av avrundningsintervallet")  # fmt: skip
            row["note"] = "; ".join(notes)
        rows.append(row)
    return rows
