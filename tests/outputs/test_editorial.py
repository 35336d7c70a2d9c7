"""Tests for outputs.draft.content.editorial: people's text in YAML, warnings and clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import InputError
from outputs.draft.content.context import DraftContext
from outputs.draft.content.editorial import REQUIRED_SECTIONS, load_editorial, unfold

SAMPLE_TEXT = Path(__file__).resolve().parents[2] / "lagesbild" / "sample_data" / "text"
AREAS = ("Unga i risk för kriminalitet", "Otillåten påverkan")


def _write(tmp_path: Path, text: str, year: int = 2024) -> Path:
    folder = tmp_path / "sodermalm"
    folder.mkdir(exist_ok=True)
    (folder / f"{year}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_reads_sections_and_priority_areas(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "inledning: |\n  Första raden\n  fortsätter här.\n\n  Nytt stycke.\n"
        "prioriterade_omraden:\n"
        "  Otillåten påverkan:\n    status: linjeverksamhet\n    kommentar: Pågår.\n",
    )
    result = load_editorial(root, "sodermalm", 2024, AREAS)
    assert result.text["inledning"] == "Första raden fortsätter här.\n\nNytt stycke."
    assert result.text["status:Otillåten påverkan"] == "linjeverksamhet"
    assert result.text["kommentar:Otillåten påverkan"] == "Pågår."
    assert "Text saknas: inledning" not in result.warnings
    assert "Text saknas: beskrivning av området för Otillåten påverkan" in result.warnings
    assert "Text saknas: status för Unga i risk för kriminalitet" in result.warnings
    assert result.file == root / "sodermalm" / "2024.yaml"


def test_missing_file_warns_for_every_piece(tmp_path: Path) -> None:
    result = load_editorial(tmp_path, "sodermalm", 2024, AREAS)
    assert result.text == {}
    assert result.file is None
    assert len(result.warnings) == len(REQUIRED_SECTIONS) + 3 * len(AREAS)
    assert "Text saknas: brott i nära relation" in result.warnings
    assert "Text saknas: medborgarlöften" in result.warnings


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        (
            "inledning: x\nprioriterade_omraden:\n  Otillåten påverkan:\n    status: klar\n",
            4,
            "prioriterade_omraden.Otillåten påverkan.status",
            "invalid status 'klar'",
        ),
        (
            "prioriterade_omraden:\n  Okänt område:\n    status: atgardsplan\n",
            2,
            "prioriterade_omraden.Okänt område",
            "unknown priority area",
        ),
        ("inledning: x\ninledningen: y\n", 2, "inledningen", "unknown key 'inledningen'"),
        (
            "prioriterade_omraden:\n  Otillåten påverkan:\n    kommentarer: x\n",
            3,
            "prioriterade_omraden.Otillåten påverkan.kommentarer",
            "unknown key",
        ),
    ],
)
def test_bad_input_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, column: str, message: str
) -> None:
    root = _write(tmp_path, text)
    with pytest.raises(InputError, match=message) as caught:
        load_editorial(root, "sodermalm", 2024, AREAS)
    assert caught.value.file == str(root / "sodermalm" / "2024.yaml")
    assert caught.value.row == line
    assert caught.value.column == column


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    root = _write(tmp_path, "inledning: x\n  : : [\n")
    with pytest.raises(InputError, match="not valid YAML") as caught:
        load_editorial(root, "sodermalm", 2024, AREAS)
    assert caught.value.row is not None


def test_unfold_keeps_paragraphs() -> None:
    assert unfold("  a\n b \n\n\n c\n") == "a b\n\nc"


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_sample_text_loads_and_fits_the_draft_context(year: int) -> None:
    priority = load_areas().priority_areas
    result = load_editorial(SAMPLE_TEXT, "sodermalm", year, priority)
    assert result.text["inledning"].startswith("Stockholms stad och Polisregion Stockholm")
    statuses = [result.text.get(f"status:{name}") for name in priority]
    assert all(statuses), statuses
    DraftContext(  # the text is accepted as DraftContext.editorial
        area_id="sodermalm", area_name="Södermalm", year=year, parties=(),
        lokalpolisomrade="", created=dt.date(2024, 1, 1), version=1,
        is_sample_data=True, indicators=pd.DataFrame(), population=pd.DataFrame(),
        crime_series=pd.DataFrame(), priority_areas=priority, editorial=result.text,
    )  # fmt: skip
    if year == 2024:  # deliberately incomplete, so the placeholders show
        assert result.warnings == (
            "Text saknas: medborgarlöften",
            "Text saknas: kommentar för Kamerabevakning",
        )
    else:
        assert result.warnings == ()
