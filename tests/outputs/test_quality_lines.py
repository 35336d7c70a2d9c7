"""Tests for outputs/text/quality_lines.py: the Datakvalitet lines, Swedish, from templates."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path

from outputs.text.quality_lines import GENERIC, quality_lines, template_for
from outputs.text.sentences import load_sentences
from quality import checks
from quality.report import CheckResult, Severity
from quality.suites import SUITES
from sources.store.inbox import StaleSource

NAMES = {"sodermalm": "Södermalm", "norrmalm": "Norrmalm"}


def _name(area_id: str) -> str:
    return NAMES.get(area_id, area_id)


def _warning(source: str, check: str, column: str | None = None, examples: tuple = (),
             **facts: object) -> CheckResult:  # fmt: skip
    return CheckResult(source, check, Severity.WARNING, False, column, "an English message",
                       examples, dict(facts))  # fmt: skip


def test_checks_are_worded_in_swedish_with_area_names() -> None:
    results = [
        _warning("befolkning", "expect_compared_years_present", "area", area="sodermalm",
                 years=[2021, 2022]),
        _warning("bra", "expect_complete_years", "Period",
                 gaps=[{"area": "norrmalm", "year": 2019, "files": "bra/a.txt", "months": [5, 6]},
                       {"area": "sodermalm", "year": 2018, "files": "bra/b.txt", "months": []}]),
        _warning("bra", "expect_known_categories", "category",
                 ({"file": "bra/c.txt", "row": 12, "column": "Brott", "value": "Rånn"},
                  {"file": "bra/c.txt", "row": 40, "column": "Brott", "value": "Stöld"}),
                 categories=["Rånn", "Stöld"]),
    ]
    lines = quality_lines(results, [], load_sentences(), area_name=_name)
    assert lines == [
        "Befolkningsstatistiken saknar uppgifter för Södermalm för 2021 och 2022.",
        "BRÅ-året 2019 saknas i serien för Norrmalm: bra/a.txt saknar månaderna maj och juni, "
        "och ett år räknas bara när alla tolv månader finns. BRÅ-året 2018 saknas i serien för "
        "Södermalm: bra/b.txt har inte alla tolv månader, och ett år räknas bara när alla tolv "
        "månader finns.",
        "Underlaget från BRÅ har 2 brottskategorier som inte finns i rapportens lista över "
        "brottskategorier: ”Rånn”, ”Stöld” (bra/c.txt, rad 12, kolumn Brott; bra/c.txt, rad 40, "
        "kolumn Brott). Kontrollera om det är en felstavning eller en ny kategori.",
    ]


def test_a_stale_source_is_worded_from_the_template() -> None:
    stale = StaleSource(kind="bra", label="BRÅ:s statistikdatabas", fetched_on=dt.date(2023, 1, 10))
    assert quality_lines([], [stale], load_sentences(), area_name=_name) == [
        "Uppgifter från BRÅ:s statistikdatabas hämtade 2023-01-10, senaste lyckade hämtning."]


def test_an_ia_cell_is_never_printed_only_file_row_and_column() -> None:
    secret = "Anna Andersson, Hornsgatan 1"
    results = [
        _warning("ia", "expect_column_values_to_not_be_null", "organisation",
                 ({"file": "ia/export.xlsx", "row": 7, "column": "Förvaltning", "value": secret},),
                 unexpected=1, rows=40),
        _warning("ia", "a_check_without_a_template", "Beskrivning",
                 ({"file": "ia/export.xlsx", "row": 9, "column": "Beskrivning", "value": secret},)),
    ]
    lines = quality_lines(results, [], load_sentences(), area_name=_name)
    assert lines[0] == ("I underlaget från IA saknar 1 rad värde i kolumnen Förvaltning "
                        "(ia/export.xlsx, rad 7, kolumn Förvaltning).")  # fmt: skip
    assert lines[1] == ("Kontrollen a_check_without_a_template av underlaget från IA gav en "
                        "varning (kolumn Beskrivning): ia/export.xlsx, rad 9, kolumn Beskrivning; "
                        "se kvalitetsrapporten.")  # fmt: skip
    assert all(secret not in line and "Anna" not in line for line in lines)


def test_a_districts_edited_templates_show_up(tmp_path: Path) -> None:
    own = tmp_path / "meningar.yaml"
    own.write_text(
        'datakvalitet_stale:\n  - "Obs: {{ label }} kunde inte hämtas; vi använder data från '
        '{{ date }}."\n'
        'datakvalitet_expect_compared_years_present:\n  - "{{ area }}: {{ source }} saknar '
        '{{ years|och }}."\n', encoding="utf-8")
    stale = StaleSource(kind="befolkning", label="SCB", fetched_on=dt.date(2024, 3, 1))
    result = _warning("befolkning", "expect_compared_years_present", "area", area="sodermalm",
                      years=[2022])
    assert quality_lines([result], [stale], load_sentences(own), area_name=_name) == [
        "Obs: SCB kunde inte hämtas; vi använder data från 2024-03-01.",
        "Södermalm: befolkningsstatistiken saknar 2022.",
    ]


def test_every_warning_check_has_its_own_template() -> None:
    sentences = load_sentences()
    warning_checks = {spec.check for build in SUITES.values()
                      for spec in build([2021, 2022]) if spec.severity is Severity.WARNING}
    # quality.checks' own checks, found in its source, so a new one is held here too; the
    # one blocking check stops the run, so it never reaches the draft.
    own = set(re.findall(r'"(expect_\w+)"', inspect.getsource(checks)))
    assert {"expect_complete_years", "expect_known_categories", "expect_months_to_sum_to_year",
            "expect_compared_years_present", "expect_required_years_present"} <= own
    warning_checks |= own - {"expect_required_years_present"}
    assert {"expect_column_values_to_not_be_null", "expect_report_years_present"} <= warning_checks
    assert {c: template_for(c, sentences) for c in warning_checks
            if template_for(c, sentences) == GENERIC} == {}
