"""Tests for outputs.draft.content.compose: which section each generated sentence lands in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pandas as pd
import pytest

from lagesbild.areas.load import load_areas
from lagesbild.errors import InputError
from outputs.draft.content.compose import compose_context
from outputs.draft.content.report_config import REPORT_CONFIG, load_section_routing
from outputs.draft.word.writer import write_draft
from outputs.text.sentences import configured_sentences_file

SAFETY = ("Känner sig trygg ute ensam sent en kväll",)


def _row(source: str, indicator: str, group: str = "", unit: str = "antal") -> dict:
    return dict(
        area="sodermalm", source=source, indicator=indicator, group=group, year=2023,
        value=60.0 if unit == "antal" else 20.0, unit=unit, rate_per_100k=float("nan"),
        prev_year=2022, prev_value=50.0 if unit == "antal" else 25.0, change_abs=10.0,
        change_rel=0.2, method="poisson-exact-cond", significant=False, p_value=0.4,
        preliminary=False, window_start=None, window_end=None, suppressed=False,
    )  # fmt: skip


def _indicators() -> pd.DataFrame:
    return pd.DataFrame([
        _row("bra", "Samtliga brott"),
        _row("bra", "därav rån inkl. grovt"),
        _row("bra", "Narkotikabrott"),
        _row("ia", "Otillåten påverkan"),
        _row("ia", "Hot"),
        _row("stockholmsenkaten", "Snattat", "Åk 9 pojkar", "procent"),
        _row("stockholmsenkaten", SAFETY[0], "Åk 9 pojkar", "procent"),
    ])  # fmt: skip


def _compose(**extra: object):
    headline = {
        "bra": ["Samtliga brott", "därav rån inkl. grovt", "Narkotikabrott"],
        "ia": ["Otillåten påverkan", "Hot"],
        "stockholmsenkaten": ["Snattat", SAFETY[0]],
    }
    return compose_context(
        area=load_areas().get("sodermalm"), year=2023, version=1, created=dt.date(2024, 1, 1),
        indicators=_indicators(), crime_series=pd.DataFrame(columns=["year", "indicator",
        "value", "rate_per_100k", "preliminary"]), population=pd.DataFrame(), raw_files=[],
        present_kinds=["bra", "ia", "enkater", "befolkning"], headline=headline,
        safety_indicators=SAFETY, priority_areas=(), editorial={}, quality_warnings=[],
        is_sample_data=True, **extra,
    )  # fmt: skip


def _where(ctx, words: str) -> list[str]:  # noqa: ANN001 - DraftContext
    return [key for key, texts in ctx.sentences.items()
            if any(words.lower() in t.lower() for t in texts)]  # fmt: skip


def test_default_routing_follows_report_yaml() -> None:
    ctx = _compose()
    assert _where(ctx, "rån inkl. grovt") == ["ran"]
    assert _where(ctx, "kategorin narkotikabrott") == ["narkotika"]
    # IA is one block (scope, window, series, caveats, significance) in its own section.
    assert _where(ctx, "av otillåten påverkan") == ["ia"]
    assert _where(ctx, "av hot") == ["ia"]
    assert _where(ctx, "”Snattat”") == ["stockholmsenkaten"]
    assert _where(ctx, "Känner sig trygg") == ["trygghet"]
    assert _where(ctx, "totala antalet anmälda brott") == ["sammanfattning", "brottslighet"]
    sections = ctx.indicators.set_index("indicator")["table_section"]
    assert sections[SAFETY[0]] == "trygghet" and sections["Snattat"] == ""


def test_explicit_routing_and_unrouted_fallback() -> None:
    ctx = _compose(sections={"vald_offentlig_miljo": {"bra": ["Narkotikabrott"]}})
    assert _where(ctx, "kategorin narkotikabrott") == ["vald_offentlig_miljo"]
    assert _where(ctx, "rån inkl. grovt") == ["brottslighet"]  # routed nowhere: overview
    assert _where(ctx, "av otillåten påverkan") == ["ia"]
    assert _where(ctx, "Känner sig trygg") == ["trygghet"]  # safety wins over routing


def test_report_yaml_routing_names_the_seed_sections() -> None:
    routing = load_section_routing(REPORT_CONFIG)
    assert routing["vald_offentlig_miljo"]["bra"] == (
        "3 kap. Brott mot liv och hälsa", "därav misshandel inkl. grov",
    )  # fmt: skip
    assert routing["ran"]["bra"] == ("därav rån inkl. grovt",)
    assert routing["stockholmsenkaten"]["stockholmsenkaten"] == ("*",)


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("sections:\n  valdet:\n    bra: [Rån]\n", "sections.valdet", "unknown section key"),
        ("sections:\n  ran:\n    brå: [Rån]\n", "sections.ran.brå", "unknown source"),
        ("sections:\n  ran:\n    bra: Rån\n", "sections.ran.bra", "list of indicator labels"),
    ],
)
def test_bad_routing_names_file_and_key(
    tmp_path: Path, text: str, column: str, message: str
) -> None:
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_section_routing(path)
    assert caught.value.file == str(path) and caught.value.column == column


def test_a_district_sentence_file_named_in_report_yaml_changes_the_draft(tmp_path) -> None:
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "sodermalm.yaml").write_text(
        'count_up:\n  - "Fler anmälda brott än förra året: {{ value|num }} år {{ year }}."\n',
        encoding="utf-8",
    )
    report = conf / "report.yaml"
    config = {"sentences_file": {"sodermalm": "sodermalm.yaml"}}
    own = configured_sentences_file(config, "sodermalm", base=report)
    assert own == conf / "sodermalm.yaml"
    assert configured_sentences_file(config, "norra_innerstaden", base=report) is None
    assert configured_sentences_file({}, "sodermalm", base=report) is None
    changed = "Fler anmälda brott än förra året: 60 år 2023."
    default = _compose()
    assert not _where(default, changed)
    district = _compose(sentences_file=own)
    assert _where(district, changed)  # the one snippet it overrides …
    assert _where(district, "statistiskt signifikant") == _where(default, "statistiskt signifikant")
    draft = write_draft(district, tmp_path / "utkast.docx", charts=False)
    assert any(changed in p.text for p in docx.Document(str(draft)).paragraphs)
    with pytest.raises(InputError, match="report.yaml") as info:
        configured_sentences_file({"sentences_file": "saknas.yaml"}, "sodermalm", base=report)
    assert "sentences_file" in str(info.value)
