"""The pandas evaluation of the GX expectations gives what GX's own validator gives.

Each case validates one frame twice, with ``quality.gx_pandas`` (the default) and with GX's
validator (``LAGESBILD_GX_VALIDATE=1``), and compares every check's result as the draft and
the quality page see it (``CheckResult.to_dict``). The broken variants hit each expectation
type: missing values, bounds, sets, order of two columns, duplicates, a row condition.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from quality_frames import bra_frame, ia_frame, population_frame, survey_frame

from quality.validate import validate, validate_inputs

AS_OF = dt.date(2024, 3, 1)


def _broken_bra() -> pd.DataFrame:
    frame = bra_frame()
    frame.loc[3, "value"] = -5.0
    frame.loc[4, "region"] = None
    frame.loc[5, "unit"] = "procent"
    frame.loc[6, "period_kind"] = "vecka"
    frame.loc[7, "period_start"] = pd.Timestamp("2030-01-01")  # after its end and as_of
    frame.loc[8, "published_rate"] = -1.0
    frame.loc[9, "row"] = 0
    frame.loc[[10, 11, 12, 13, 14, 15, 16], "period_start"] = frame.loc[2, "period_start"]
    frame.loc[[10, 11, 12, 13, 14, 15, 16], "period_end"] = frame.loc[2, "period_end"]
    frame.loc[17, "area"] = None
    return frame


def _broken_population() -> pd.DataFrame:
    frame = pd.concat([population_frame()] * 2, ignore_index=True)  # repeated keys
    frame.loc[0, "value"] = 0.0
    frame.loc[1, "value"] = np.nan
    frame.loc[2, "period_kind"] = "month"
    return frame


def _broken_survey() -> pd.DataFrame:
    frame = survey_frame()
    frame.loc[0, "value"] = 130.0
    frame.loc[1, "n"] = 0.0
    frame.loc[2, "n"] = np.nan  # a share without respondents (the row condition)
    frame.loc[3, "group"] = None
    return frame


def _broken_ia() -> pd.DataFrame:
    frame = ia_frame()
    frame.loc[1, "incident_id"] = "IA-1"
    frame.loc[2, "occurred_on"] = pd.Timestamp("2024-04-01")
    frame.loc[3, "occurred_on"] = pd.Timestamp("1999-12-31")
    frame.loc[0, "organisation"] = None
    frame.loc[0, "area"] = None
    return frame


CASES = [
    ("bra_clean", bra_frame),
    ("bra_clean", _broken_bra),
    ("befolkning_clean", population_frame),
    ("befolkning_clean", _broken_population),
    ("enkater_clean", survey_frame),
    ("enkater_clean", _broken_survey),
    ("ia_clean", ia_frame),
    ("ia_clean", _broken_ia),
]


def _results(report) -> list[dict]:  # noqa: ANN001 - a ValidationReport
    return [r.to_dict() for r in report.results]


@pytest.mark.parametrize(("suite", "make"), CASES)
def test_pandas_and_gx_give_the_same_results(suite, make, monkeypatch) -> None:  # noqa: ANN001
    frame = make()
    ours = validate(frame.copy(), suite, report_years=(2022, 2023), as_of=AS_OF)
    monkeypatch.setenv("LAGESBILD_GX_VALIDATE", "1")
    theirs = validate(frame.copy(), suite, report_years=(2022, 2023), as_of=AS_OF)
    assert _results(ours) == _results(theirs)
    if make in (_broken_bra, _broken_population, _broken_survey, _broken_ia):
        assert not ours.success


def test_data_docs_render_the_pandas_results(tmp_path) -> None:  # noqa: ANN001
    frames = {"bra": _broken_bra(), "befolkning": population_frame(), "ia": _broken_ia(),
              "enkater": survey_frame()}  # fmt: skip
    report = validate_inputs(frames, area="sodermalm", year=2023, as_of=AS_OF,
                             data_docs_dir=tmp_path / "docs",
                             members_for_year=lambda y: ("sodermalm",))  # fmt: skip
    pages = {p.parent.parent.parent.name: p.read_text(encoding="utf-8")
             for p in (tmp_path / "docs" / "validations").rglob("*.html")}  # fmt: skip
    assert set(pages) == {"bra_clean", "befolkning_clean", "enkater_clean"}  # IA: never
    assert "values must be greater than or equal to" in pages["bra_clean"]
    assert "-5.0" in pages["bra_clean"] and "vecka" in pages["bra_clean"]  # unexpected values
    index = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "bra_clean" in index and report.data_docs == tmp_path / "docs" / "index.html"
    assert list((tmp_path / "docs" / "expectations").glob("bra_clean.html"))
