"""Disclosure control: small IA counts and thin survey cells never reach a public output.

Unit tests on tiny hand-built indicator frames and the draft's wording of withheld cells.
The whole run (withheld cells as dashes, IA cells in no output) is
``tests/test_personal_data.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

import docx
import numpy as np
import pandas as pd
import pytest

from outputs.draft.content.headlines import headline_sentence, suppressed_sentence
from outputs.draft.word.tables import add_ia_table, add_survey_table, suppression_footnote
from tasks.indicators.build import INDICATOR_COLUMNS
from tasks.indicators.disclosure import (
    DERIVED_COLUMNS,
    SUPPRESSION_LOG_COLUMNS,
    DisclosureRules,
    apply_disclosure_control,
    suppression_records,
)
from tasks.pipeline.spec import load_report_config

MARKER = "FRITEXTMARKOR-7Q3Z"
FOOTNOTE = "– = uppgiften redovisas inte (färre än 5 händelser) för att skydda enskildas identitet."


def _row(source: str, indicator: str, value: float, prev: float, **extra: object) -> dict:
    row = dict.fromkeys(INDICATOR_COLUMNS)
    row.update(
        source=source, area="sodermalm", indicator=indicator, group="", year=2022,
        value=value, unit="procent" if source != "ia" and source != "bra" else "antal",
        prev_year=2021, prev_value=prev, change_abs=value - prev,
        change_rel=(value - prev) / prev if prev else np.nan, method="poisson-exact-cond",
        p_value=0.5, p_value_bh=0.6, rate_ratio=1.1, ci_low=0.5, ci_high=2.0,
        significant=False, comparable_series=False, preliminary=False,
        note="jämförelse av samma period: 01-01–11-15 i båda åren" if source == "ia" else "",
    )  # fmt: skip
    row.update(extra)
    return row


def _ia(counts: dict[str, tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame([_row("ia", k, v, p) for k, (v, p) in counts.items()],
                        columns=INDICATOR_COLUMNS)  # fmt: skip


def _by(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index(["source", "indicator", "group"]).sort_index()


# --- rules -----------------------------------------------------------------------------


def test_rules_come_from_the_report_configuration():
    config = load_report_config()
    assert config["disclosure"] == {"min_count": 5, "min_respondents": 30}
    assert DisclosureRules.from_config(config["disclosure"]) == DisclosureRules()
    assert DisclosureRules.from_config({"min_count": 3}).min_count == 3
    with pytest.raises(ValueError, match="min_cuont"):
        DisclosureRules.from_config({"min_cuont": 3})
    with pytest.raises(ValueError):
        DisclosureRules(min_count=0)


# --- primary suppression ---------------------------------------------------------------


def test_ia_counts_one_to_four_are_withheld_zero_and_five_are_not():
    frame = _ia({"A": (1, 50), "B": (4, 40), "C": (0, 300), "D": (5, 60), "E": (200, 3)})
    public, _ = apply_disclosure_control(frame)
    by = public.set_index("indicator")
    assert by["value"].isna().tolist() == [True, True, False, False, False]
    assert (by.loc["C", "value"], by.loc["D", "value"], by.loc["E", "value"]) == (0, 5, 200)
    assert np.isnan(by.loc["E", "prev_value"])  # the previous year is protected too
    assert by.loc["E", "suppressed"] and not by.loc["C", "suppressed"]
    for column in DERIVED_COLUMNS:
        assert pd.isna(by.loc["E", column]), column
        assert pd.isna(by.loc["A", column]), column
    assert by.loc["D", "change_abs"] == -55 and by.loc["D", "p_value"] == 0.5
    assert by.loc["A", "method"] == "poisson-exact-cond"
    assert by.loc["A", "note"].endswith("; undertryckt: färre än 5 händelser")
    assert by.loc["A", "note"].startswith("jämförelse av samma period")
    assert public["suppressed"].dtype == bool


def test_input_frame_is_not_changed_and_the_columns_are_kept():
    frame = _ia({"A": (2, 50), "B": (30, 40), "C": (20, 10)})
    before = frame.copy()
    public, _ = apply_disclosure_control(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert list(public.columns) == [*INDICATOR_COLUMNS, "suppressed"]


def test_bra_counts_are_not_withheld():
    frame = pd.DataFrame([_row("bra", "därav rån inkl. grovt", 2, 3, rate_per_100k=1.5)],
                         columns=INDICATOR_COLUMNS)  # fmt: skip
    public, log = apply_disclosure_control(frame)
    assert public["value"].tolist() == [2] and not public["suppressed"].any()
    assert log.empty and list(log.columns) == list(SUPPRESSION_LOG_COLUMNS)


def test_thresholds_are_parameters():
    frame = _ia({"A": (4, 50), "B": (10, 40), "C": (12, 30), "D": (40, 40)})
    public, _ = apply_disclosure_control(frame, DisclosureRules(min_count=4))
    assert not public["suppressed"].any()
    public, _ = apply_disclosure_control(frame)
    assert public["value"].isna().tolist() == [True, True, False, False]


def _surveys(rows: list[tuple[str, str, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": [r[0] for r in rows], "area": "sodermalm",
            "category": [r[1] for r in rows], "group": "Åk 9 flickor",
            "period_end": [pd.Timestamp(r[2], 12, 31) for r in rows],
            "value": [r[3] for r in rows], "n": [r[4] for r in rows],
        }
    )  # fmt: skip


def test_survey_shares_with_fewer_than_30_respondents_are_withheld():
    rows = [
        _row("stockholmsenkaten", "Rånad", 6.0, 4.0, group="Åk 9 flickor", year=2022,
             prev_year=2020, method="chi2", note="antal beräknade ur andel × svar: 1 av 17"),
        _row("stockholmsenkaten", "Snattat", 36.0, 32.0, group="Åk 9 flickor", year=2022,
             prev_year=2020, method="chi2"),
        _row("stockholmsenkaten", "Hotad", 11.0, 7.0, group="Åk 9 flickor", year=2022,
             prev_year=2020, method="producer-flag", significant=True),
    ]  # fmt: skip
    survey = "stockholmsenkaten"
    respondents = _surveys([
        (survey, "Rånad", 2022, 6.0, 17), (survey, "Rånad", 2020, 4.0, 300),
        (survey, "Snattat", 2022, 36.0, 30), (survey, "Snattat", 2020, 32.0, 310),
        (survey, "Hotad", 2022, 11.0, 320), (survey, "Hotad", 2020, 7.0, 29),
    ])  # fmt: skip
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    public, log = apply_disclosure_control(frame, respondents=respondents)
    by = public.set_index("indicator")
    assert np.isnan(by.loc["Rånad", "value"]) and by.loc["Rånad", "prev_value"] == 4.0
    assert by.loc["Rånad", "note"] == "undertryckt: färre än 30 svar"  # n and counts gone
    assert by.loc["Snattat", "value"] == 36.0 and not by.loc["Snattat", "suppressed"]
    assert by.loc["Hotad", "value"] == 11.0 and np.isnan(by.loc["Hotad", "prev_value"])
    assert by.loc["Hotad", "significant"] is None  # the producer's flag is derived too
    assert set(zip(log["indicator"], log["column"], log["year"], strict=True)) == {
        ("Rånad", "value", 2022), ("Hotad", "prev_value", 2020)}
    assert set(log["kind"]) == {"primary"}
    # Without respondents nothing can be judged, and nothing is withheld.
    assert not apply_disclosure_control(frame)[0]["suppressed"].any()


# --- secondary suppression -------------------------------------------------------------


def test_one_small_ia_count_takes_the_next_smallest_positive_count_with_it():
    frame = _ia({"Hot": (50, 51), "Otillåten påverkan": (47, 6), "Trakasserier": (18, 16),
                 "Våld": (33, 29), "Våldsbejakande extremism": (1, 0), "Övrigt": (0, 2)})
    public, log = apply_disclosure_control(frame)
    by = public.set_index("indicator")
    withheld = set(by.index[by["value"].isna()])
    assert withheld == {"Våldsbejakande extremism", "Trakasserier"}  # not the zero "Övrigt"
    # The prev column has its own primary (2), so its next-smallest positive (6) goes too.
    assert set(by.index[by["prev_value"].isna()]) == {"Övrigt", "Otillåten påverkan"}
    kinds = {(r.indicator, r.column): r.kind for r in log.itertuples()}
    assert kinds == {
        ("Våldsbejakande extremism", "value"): "primary",
        ("Trakasserier", "value"): "secondary",
        ("Övrigt", "prev_value"): "primary",
        ("Otillåten påverkan", "prev_value"): "secondary",
    }
    # Nothing in the public column gives a withheld count back from the total.
    total = frame["value"].sum()
    shown = public["value"].sum()
    assert total - shown == 19  # two unknowns sharing 19: neither can be derived


def test_two_small_counts_whose_sum_is_small_take_a_third_cell():
    frame = _ia({"A": (1, 10), "B": (2, 10), "C": (9, 10), "D": (7, 10), "E": (40, 10)})
    public, log = apply_disclosure_control(frame)
    assert set(public.loc[public["value"].isna(), "indicator"]) == {"A", "B", "D"}
    assert log.loc[log["indicator"] == "D", "kind"].tolist() == ["secondary"]


def test_ties_are_broken_by_name_and_a_lone_cell_is_reported(caplog):
    frame = _ia({"B": (8, 10), "A": (8, 10), "C": (2, 10)})
    public, _ = apply_disclosure_control(frame)
    assert set(public.loc[public["value"].isna(), "indicator"]) == {"A", "C"}
    with caplog.at_level(logging.WARNING, logger="tasks.indicators.disclosure"):
        public, _ = apply_disclosure_control(_ia({"A": (3, 10), "B": (0, 10)}))
    assert public["value"].isna().tolist() == [True, False]
    assert "do not publish the total" in caplog.text


def test_the_log_names_every_withheld_cell_but_never_its_value(caplog):
    frame = _ia({"A": (3, 77), "B": (61, 10), "C": (58, 10)})
    with caplog.at_level(logging.INFO, logger="tasks.indicators.disclosure"):
        _, log = apply_disclosure_control(frame)
    assert log[["indicator", "column", "kind"]].values.tolist() == [
        ["A", "value", "primary"], ["C", "value", "secondary"]]
    assert "undertryckt ia/A" in caplog.text and "undertryckt ia/C" in caplog.text
    records = suppression_records(log, DisclosureRules())
    assert records["rules"] == {"min_count": 5, "min_respondents": 30}
    assert records["suppressed"][0] == {
        "source": "ia", "indicator": "A", "group": "", "year": 2022, "column": "value",
        "reason": "färre än 5 händelser", "kind": "primary"}
    text = json.dumps(records, ensure_ascii=False) + caplog.text
    assert not re.search(r"\b(3|58)\b", text.replace("2022", ""))


# --- the draft's wording -----------------------------------------------------------------


def test_headline_sentences_print_no_withheld_figure():
    public, _ = apply_disclosure_control(_ia({"Hot": (3, 51), "X": (40, 40), "Y": (50, 50)}))
    hot = headline_sentence(public.set_index("indicator").loc["Hot"].to_dict()
                            | {"indicator": "Hot"}, area_name="Södermalm")  # fmt: skip
    public, _ = apply_disclosure_control(_ia({"Våld": (33, 2), "X": (40, 40), "Y": (50, 50)}))
    rows = public.set_index("indicator")
    assert hot == ("Antalet incidenter i kategorin hot rapporterade i IA för Södermalm "
                   "redovisas inte för 2022, för att skydda enskildas identitet.")  # fmt: skip
    vald = suppressed_sentence(rows.loc["Våld"].to_dict() | {"indicator": "Våld",
                               "window_start": "2022-01-01", "window_end": "2022-11-15"},
                               area_name="Södermalm")  # fmt: skip
    assert "var 33 under perioden 1\u00a0januari–15\u00a0november 2022" in vald
    assert "Jämförelsen med 2021 redovisas inte" in vald
    for text in (hot, vald):
        digits = set(re.findall(r"\d+", text)) - {"2021", "2022", "1", "15", "33"}
        assert not digits, text
    assert "3" not in re.findall(r"\d+", hot)


def test_tables_print_a_dash_and_the_footnote():
    public, _ = apply_disclosure_control(_ia({"Hot": (3, 51), "Våld": (33, 29), "X": (40, 40)}))
    document = docx.Document()
    add_ia_table(document, public, 2022, (dt.date(2022, 1, 1), dt.date(2022, 11, 15)))
    cells = [[c.text for c in r.cells] for r in document.tables[0].rows]
    hot = next(r for r in cells if r[0] == "Hot")
    assert hot[2:] == ["–", "–", "–", "–"] and hot[1] == "51"
    notes = [p.text for p in document.paragraphs]
    assert any(n.startswith(FOOTNOTE) for n in notes), notes
    assert suppression_footnote(public.iloc[[2]]) is None


def test_survey_table_footnote_names_respondents():
    rows = pd.DataFrame([_row("trygghetsmatningen", "Oro", 6.0, 8.0, group="Alla")],
                        columns=INDICATOR_COLUMNS)  # fmt: skip
    respondents = _surveys([("trygghetsmatningen", "Oro", 2022, 6.0, 12)]).assign(group="Alla")
    public, _ = apply_disclosure_control(rows, respondents=respondents)
    document = docx.Document()
    add_survey_table(document, public)
    assert [c.text for c in document.tables[0].rows[1].cells][3:] == ["–", "–", "–"]
    assert document.paragraphs[-1].text == (
        "– = uppgiften redovisas inte (färre än 30 svar) för att skydda enskildas identitet.")


def test_applying_the_rules_to_public_figures_again_changes_nothing():
    """The previous version's indicators.csv is protected again before "what changed"."""
    frame = _ia({"Hot": (50, 51), "Trakasserier": (18, 16), "Våld": (33, 29),
                 "Våldsbejakande extremism": (1, 0)})  # fmt: skip
    public, _ = apply_disclosure_control(frame)
    again, log = apply_disclosure_control(public)
    assert log.empty
    pd.testing.assert_frame_equal(again.drop(columns="suppressed"),
                                  public.drop(columns="suppressed"))  # fmt: skip
    # A version written before disclosure control (no `suppressed`, notes read as NaN).
    old = frame.assign(note=np.nan)
    protected, _ = apply_disclosure_control(old)
    extremism = protected.set_index("indicator").loc["Våldsbejakande extremism"]
    assert np.isnan(extremism["value"]) and extremism["note"] == "undertryckt: färre än 5 händelser"
