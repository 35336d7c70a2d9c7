"""Tests for outputs.publish.changes: what moved between two versions."""

from __future__ import annotations

import json

import docx
import docx.document
import pandas as pd

from outputs.draft.word.changes_section import add_changes_section, changes_heading
from outputs.publish.changes import Changes, diff_versions


def _rows(document: docx.document.Document) -> list[list[str]]:
    """The changes table's rows, no-break spaces as plain spaces."""
    table = document.tables[-1]
    return [[c.text.replace("\u00a0", " ") for c in row.cells] for row in table.rows]


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
    assert ["Samtliga brott", "2024", "10", "12", "oförändrad"] in _rows(document)
    assert "Otillåten påverkan – kommentar (ny)" in texts
    assert "Ny lydelse: ”Ny”" in texts
    empty = docx.Document()
    add_changes_section(empty, Changes(previous_version=2))
    assert "Inga ändringar i siffror, källor eller text." in [p.text for p in empty.paragraphs]


# --- disclosure: a difference between versions is a count too -------------------------------


def _ia(rows: dict[str, tuple[float, bool]], year: int = 2022) -> pd.DataFrame:
    return pd.DataFrame(
        [{"source": "ia", "indicator": k, "group": "", "year": year, "value": v,
          "significant": "false", "suppressed": s} for k, (v, s) in rows.items()]
    )  # fmt: skip


def test_a_small_ia_difference_is_listed_without_numbers() -> None:
    """8 → 7 would give back a withheld count of 1 (one incident corrected or added)."""
    nan = float("nan")
    before = _ia({"Hot": (8.0, False), "Våld": (33.0, False), "Trakasserier": (nan, True),
                  "Otillåten påverkan": (47.0, False), "Övrigt": (12.0, False)})
    after = _ia({"Hot": (7.0, False), "Våld": (40.0, False), "Trakasserier": (6.0, False),
                 "Otillåten påverkan": (nan, True), "Övrigt": (16.0, False)})
    changes = diff_versions(before, after, [], [], {}, {}, previous_version=1)
    shown = {f.indicator: (f.old, f.new, f.withheld) for f in changes.figures}
    assert shown == {
        "Hot": (None, None, True),                  # |7 − 8| = 1 < 5
        "Våld": (33.0, 40.0, False),                # a difference of 7 reveals nobody
        "Trakasserier": (None, None, True),         # withheld before: not "– → 6" either
        "Otillåten påverkan": (None, None, True),   # withheld now
        "Övrigt": (None, None, True),               # 4 incidents more
    }
    data = json.loads(changes.to_json())
    assert {f["indicator"]: f["withheld"] for f in data["figures"]}["Hot"] is True
    document = docx.Document()
    add_changes_section(document, changes)
    texts = [p.text.replace("\u00a0", " ") for p in document.paragraphs]
    rows = _rows(document)
    assert ["Hot", "2022", "ändrad", "ändrad", "ändrad"] in rows
    assert ["Våld", "2022", "33", "40", "oförändrad"] in rows
    body = "\n".join(texts + [" | ".join(r) for r in rows])
    for leak in ("8 →", "→ 7", "→ 6", "47", "12 →", "→ 16"):
        assert leak not in body, leak


def test_a_moved_survey_share_is_shown_unless_withheld() -> None:
    def survey(value: float, suppressed: bool) -> pd.DataFrame:
        return pd.DataFrame([{"source": "trygghetsmatningen", "indicator": "Oro", "group": "Alla",
                              "year": 2023, "value": value, "significant": "false",
                              "suppressed": suppressed}])  # fmt: skip

    public = diff_versions(survey(6.0, False), survey(6.5, False), [], [], {}, {})
    assert [(f.old, f.new, f.withheld) for f in public.figures] == [(6.0, 6.5, False)]
    thin = diff_versions(survey(6.0, False), survey(float("nan"), True), [], [], {}, {})
    assert [(f.old, f.new, f.withheld) for f in thin.figures] == [(None, None, True)]


def test_the_threshold_follows_the_rules_and_bra_counts_are_public() -> None:
    from tasks.indicators.disclosure import DisclosureRules

    before, after = _ia({"Hot": (50.0, False)}), _ia({"Hot": (57.0, False)})
    strict = diff_versions(before, after, [], [], {}, {}, rules=DisclosureRules(min_count=10))
    assert strict.figures[0].withheld
    bra = diff_versions(_indicators(41234.0, "true"), _indicators(41235.0, "true"), [], [],
                        {}, {})  # fmt: skip
    assert [(f.old, f.new, f.withheld) for f in bra.figures] == [(41234.0, 41235.0, False)]
