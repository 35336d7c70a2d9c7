"""Tests for outputs.changes: what moved between two versions."""

from __future__ import annotations

import json

import docx
import pandas as pd

from outputs.changes import Changes, add_changes_section, changes_heading, diff_versions


def _indicators(value: float, significant: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["bra", "stockholmsenkaten"],
            "indicator": ["Samtliga brott", "Utsatt för misshandel"],
            "group": ["", "Åk 9 pojkar"],
            "year": [2024, 2024],
            "value": [value, 3.0],
            "significant": [significant, "false"],
        }
    )


def test_diff_lists_moved_figures_files_and_text() -> None:
    changes = diff_versions(
        _indicators(41234.0, "true"),
        _indicators(41300.0, "false"),
        [{"name": "bra/a.txt", "sha256": "1"}, {"name": "ia/x.xlsx", "sha256": "2"}],
        [{"name": "bra/a.txt", "sha256": "9"}, {"name": "enkater/s.csv", "sha256": "3"}],
        {"inledning": "Gammal", "kommentar:Ordningsvakter": "Text"},
        {"inledning": "Ny", "bedomning": "Tillagd"},
        previous_version=1,
    )
    assert [(f.indicator, f.field, f.old, f.new) for f in changes.figures] == [
        ("Samtliga brott", "value", 41234.0, 41300.0),
        ("Samtliga brott", "significant", True, False),
    ]
    assert [(s.name, s.change) for s in changes.sources] == [
        ("bra/a.txt", "uppdaterad"),
        ("enkater/s.csv", "ny"),
        ("ia/x.xlsx", "borttagen"),
    ]
    assert [(e.key, e.change) for e in changes.editorial] == [
        ("bedomning", "ny"),
        ("inledning", "ändrad"),
        ("kommentar:Ordningsvakter", "borttagen"),
    ]
    data = json.loads(changes.to_json())
    assert data["previous_version"] == 1
    assert data["figures"][0]["old"] == 41234.0
    assert data["sources"][0] == {
        "name": "bra/a.txt", "change": "uppdaterad", "old_sha256": "1", "new_sha256": "9",
    }  # fmt: skip


def test_nothing_changed_and_no_previous_version() -> None:
    same = diff_versions(_indicators(1.0, True), _indicators(1.0, "true"), [], [], {}, {})
    assert same.empty
    assert changes_heading(same) == "Ändringar sedan föregående version"
    first = diff_versions(None, _indicators(1.0, True), [], [], {}, {"inledning": "x"})
    assert len(first.figures) == 4  # every figure is new
    assert all(f.old is None for f in first.figures)


def test_section_is_printed() -> None:
    document = docx.Document()
    changes = diff_versions(
        _indicators(10.0, None), _indicators(12.0, None), [], [],
        {}, {"kommentar:Otillåten påverkan": "Ny"}, previous_version=3,
    )  # fmt: skip
    add_changes_section(document, changes)
    texts = [p.text.replace("\u00a0", " ") for p in document.paragraphs]
    assert texts[0] == "Ändringar sedan version 3"
    assert "Samtliga brott, 2024, värde: 10 → 12" in texts
    assert "Otillåten påverkan – kommentar: ny" in texts
    empty = docx.Document()
    add_changes_section(empty, Changes(previous_version=2))
    assert "Inga ändringar i siffror, källor eller text." in [p.text for p in empty.paragraphs]
