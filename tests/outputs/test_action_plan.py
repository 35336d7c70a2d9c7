"""Tests for the åtgärdsplan: YAML and xlsx input, errors, and the appendix layout."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from openpyxl import Workbook

from lagesbild.errors import InputError
from outputs.draft.content.action_plan import (
    COLUMNS,
    Action,
    ActionPlan,
    ProblemArea,
    load_action_plan,
)
from outputs.draft.word.action_plan import APPENDIX_HEADING, GUIDANCE, add_action_plan

SAMPLE_TEXT = Path(__file__).resolve().parents[2] / "lagesbild" / "sample_data" / "text"
HEADER = ["Problemområde", *COLUMNS]


def _xlsx(tmp_path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    folder = tmp_path / "sodermalm"
    folder.mkdir()
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(folder / "2024-atgardsplan.xlsx")
    return tmp_path


def test_none_without_a_plan(tmp_path: Path) -> None:
    assert load_action_plan(tmp_path, "sodermalm", 2024) is None


@pytest.mark.parametrize("year", [2023, 2024])
def test_sample_plans_load(year: int) -> None:
    plan = load_action_plan(SAMPLE_TEXT, "sodermalm", year)
    assert plan is not None
    names = [a.name for a in plan.areas]
    assert names[0] == "Unga i riskzon för kriminalitet"
    assert all(a.actions for a in plan.areas)
    first = plan.areas[0].actions[0]
    assert first.orsak.startswith("Staten har gett kommunerna")
    assert "\n" not in first.orsak  # YAML line wrapping is undone
    followed = any(a.uppfoljning for area in plan.areas for a in area.actions)
    assert followed == (year == 2024)  # 2023 is the plan before its uppföljning


def test_xlsx_groups_rows_by_problem_area(tmp_path: Path) -> None:
    root = _xlsx(
        tmp_path,
        [
            ["Otrygga platser", "Klotter", "Sanera", "Inom 24 h", "Löpande", "SDF", ""],
            ["Unga", "Rekrytering", "BOB-råd", "Beslut", "Dec", "Polisen", "Klart"],
            [None, None, None, None, None, None, None],
            ["Otrygga platser", "Mörker", "Belysning", "", "", "TK", ""],
        ],
    )
    plan = load_action_plan(root, "sodermalm", 2024)
    assert plan is not None
    assert [a.name for a in plan.areas] == ["Otrygga platser", "Unga"]
    assert [a.atgard for a in plan.areas[0].actions] == ["Sanera", "Belysning"]
    assert plan.areas[1].actions[0].uppfoljning == "Klart"


def test_xlsx_missing_column(tmp_path: Path) -> None:
    root = _xlsx(tmp_path, [], header=[h for h in HEADER if h != "Vem"])
    with pytest.raises(InputError, match="missing column 'Vem'") as caught:
        load_action_plan(root, "sodermalm", 2024)
    assert caught.value.column == "Vem"
    assert caught.value.row == 1


def test_xlsx_empty_problem_area_names_row(tmp_path: Path) -> None:
    root = _xlsx(tmp_path, [["A", "o", "å", "", "", "", ""], ["", "o", "å", "", "", "", ""]])
    with pytest.raises(InputError, match="empty Problemområde") as caught:
        load_action_plan(root, "sodermalm", 2024)
    assert (caught.value.row, caught.value.column) == (3, "Problemområde")


def test_yaml_unknown_key_names_line(tmp_path: Path) -> None:
    folder = tmp_path / "sodermalm"
    folder.mkdir()
    (folder / "2024-atgardsplan.yaml").write_text(
        "problemomraden:\n  - namn: A\n    atgarder:\n      - orsak: x\n        atgard: y\n"
        "      - orsak: x\n        atgärd: y\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="unknown key") as caught:
        load_action_plan(tmp_path, "sodermalm", 2024)
    assert (caught.value.row, caught.value.column) == (6, "atgärd")


def test_appendix_one_landscape_table_per_problem_area(tmp_path: Path) -> None:
    plan = ActionPlan(
        areas=(
            ProblemArea("Unga", (Action("Orsak A", "Åtgärd A", "Mål", "Dec", "Vem", "Gjort"),)),
            ProblemArea("Platser", (Action("Orsak B", "Åtgärd B\n\nAndra stycket"),)),
        )
    )
    document = docx.Document()
    add_action_plan(document, plan, table_style="Table Grid", cell_style=None)
    document.save(str(tmp_path / "a.docx"))
    reread = docx.Document(str(tmp_path / "a.docx"))
    headings = [p.text for p in reread.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [APPENDIX_HEADING, "Unga", "Platser"]
    assert reread.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    assert reread.sections[-1].page_width > reread.sections[-1].page_height
    tables = reread.tables
    assert len(tables) == 2
    # 004's layout: the problem area heads its column, then a guidance row, then the åtgärder
    assert [c.text for c in tables[0].rows[0].cells] == ["Unga", *COLUMNS]
    assert tables[0].rows[1].cells[0].text == GUIDANCE[0]
    assert [c.text for c in tables[0].rows[2].cells] == [
        "", "Orsak A", "Åtgärd A", "Mål", "Dec", "Vem", "Gjort",
    ]  # fmt: skip
    assert [p.text for p in tables[1].rows[2].cells[2].paragraphs] == [
        "Åtgärd B",
        "Andra stycket",
    ]
