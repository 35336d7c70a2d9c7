"""Tests for outputs.draft.word.writer: the Word draft writer, read back with python-docx."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest

from outputs.draft.content.context import DraftContext, SourceUsed
from outputs.draft.word.writer import (
    HEADINGS,
    QUALITY_NOTICE,
    SAMPLE_MARK,
    TOC_PLACEHOLDER,
    write_draft,
)

PRIORITY = ("Unga i risk för kriminalitet", "Otillåten påverkan", "Kamerabevakning")
SIG_SENTENCE = "Ökningen är statistiskt signifikant (p = 0,036)."


def _indicators() -> pd.DataFrame:
    base = {"area": "sodermalm", "p_value": 0.036, "note": ""}
    rows = [
        dict(
            source="bra",
            indicator="Samtliga brott",
            group="",
            year=2024,
            value=41234.0,
            unit="antal",
            rate_per_100k=31674.0,
            city_value=28512.0,
            prev_year=2023,
            prev_value=39876.0,
            change_abs=1358.0,
            change_rel=0.03406,
            method="poisson-exact-cond",
            significant="true",
            preliminary=True,
        ),
        dict(
            source="bra",
            indicator="därav misshandel inkl. grov",
            group="",
            year=2024,
            value=0.0,
            unit="antal",
            rate_per_100k=0.0,
            prev_year=2023,
            prev_value=0.0,
            change_abs=0.0,
            change_rel=float("nan"),
            method="none",
            significant=None,
            preliminary=True,
        ),
        dict(
            source="ia",
            indicator="Otillåten påverkan",
            group="",
            year=2024,
            value=47.0,
            unit="antal",
            rate_per_100k=float("nan"),
            prev_year=2023,
            prev_value=6.0,
            change_abs=41.0,
            change_rel=6.8333,
            method="poisson-exact-cond",
            significant=True,
            preliminary=False,
        ),
        dict(
            source="stockholmsenkaten",
            indicator="Utsatt för misshandel",
            group="Åk 9 pojkar",
            year=2024,
            value=3.0,
            unit="procent",
            rate_per_100k=float("nan"),
            city_value=4.0,
            prev_year=2022,
            prev_value=7.0,
            change_abs=-4.0,
            change_rel=-0.5714,
            method="chi2",
            significant=False,
            preliminary=False,
        ),
    ]
    return pd.DataFrame([{**base, **r} for r in rows])


def _population() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2023, 2023, 2024, 2024],
            "category": ["Folkmängd", "0–15 år", "Folkmängd", "0–15 år"],
            "value": [130189.0, 18487.0, 130500.0, 18300.0],
            "share_pct": [float("nan"), 14.2, float("nan"), 14.0],
        }
    )


def _series() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2022, 2023, 2024],
            "indicator": ["Samtliga brott"] * 3,
            "value": [38000.0, 39876.0, 41234.0],
            "rate_per_100k": [29000.0, 30600.0, 31674.0],
            "preliminary": [False, False, True],
        }
    )


def _context(**changes: object) -> DraftContext:
    fields: dict[str, object] = dict(
        area_id="sodermalm",
        area_name="Södermalm",
        year=2024,
        parties=(
            ("Lokalpolisområde Södermalm", "A690.924/2021"),
            ("Södermalms stadsdelsförvaltning", "SÖD 2022/1303"),
            ("Utbildningsförvaltningens grundskoleavdelning", ""),
        ),
        lokalpolisomrade="Lokalpolisområde Södermalm",
        created=dt.date(2024, 11, 20),
        version=2,
        is_sample_data=True,
        indicators=_indicators(),
        population=_population(),
        crime_series=_series(),
        sentences={"brottslighet": [SIG_SENTENCE]},
        sources=(
            SourceUsed(
                "Brottsstatistik BRÅ (anmälda brott)",
                "inbox/bra/x.txt",
                dt.datetime(2024, 11, 20, 9, 30),
                "ab" * 32,
                ("x.txt",),
                key="bra",
            ),
        ),
        missing_notes={"ia": "Underlag från IA saknas för 2023."},
        ia_window=(dt.date(2024, 1, 1), dt.date(2024, 11, 15)),
        priority_areas=PRIORITY,
        editorial={
            "inledning": "Stockholms stad och polisregion Stockholm tecknade ...",
            "status:Otillåten påverkan": "linjeverksamhet",
            "kommentar:Otillåten påverkan": "Arbetet fortlöper.",
        },
        quality_warnings=("BRÅ: december saknas för Rån.",),
        methods_note="Tvåsidiga test på 5 procents nivå.",
    )
    fields.update(changes)
    return DraftContext(**fields)  # type: ignore[arg-type]


def _text(value: str) -> str:
    return value.replace("\u00a0", " ")


@pytest.fixture
def written(tmp_path: Path) -> Path:
    return write_draft(_context(), tmp_path / "draft.docx")


def _body_text(path: Path) -> list[str]:
    return [_text(p.text) for p in docx.Document(str(path)).paragraphs]


def _table_cells(path: Path) -> list[list[list[str]]]:
    return [
        [[_text(c.text) for c in row.cells] for row in table.rows]
        for table in docx.Document(str(path)).tables
    ]


def _part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def test_headings_present_in_order(written: Path) -> None:
    document = docx.Document(str(written))
    found = [
        (int(p.style.name.split()[-1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading")
    ]
    fixed = [h for h in found if h in set(HEADINGS)]
    assert fixed == list(HEADINGS)
    assert (3, "Otillåten påverkan") in found and (2, "Otillåten påverkan") in found


def test_datakvalitet_only_with_warnings(tmp_path: Path) -> None:
    path = write_draft(_context(quality_warnings=()), tmp_path / "d.docx")
    text = _body_text(path)
    assert "Datakvalitet" not in text
    assert QUALITY_NOTICE not in text
    assert QUALITY_NOTICE in _body_text(write_draft(_context(), tmp_path / "e.docx"))


def test_population_count_printed_with_grouping(written: Path) -> None:
    tables = _table_cells(written)
    population = next(t for t in tables if t[0][:2] == ["År", "Folkmängd"])
    assert population[1] == ["2023", "130 189", "14,2 %"]
    assert population[0][2] == "0–15 år (%)"


def test_bra_table_formats_and_marks_preliminary(written: Path) -> None:
    bra = next(
        t for t in _table_cells(written) if t[0][0] == "Brottskategori" and "Signifikant" in t[0]
    )
    assert bra[0][1:3] == ["2023", "2024 (prel.)"]
    assert bra[0][5:7] == ["Per 100 000 inv.", "Staden per 100 000"]
    assert bra[1] == ["Samtliga brott", "39 876", "41 234", "+1 358", "+3 %", "31 674",
                      "28 512", "Ja"]  # fmt: skip
    assert bra[2][-1] == "Kan inte prövas"
    assert bra[2][4] == "–"
    assert "Siffrorna för 2024 är preliminära." in _body_text(written)


def test_series_and_survey_and_ia_tables(written: Path) -> None:
    tables = _table_cells(written)
    series = next(t for t in tables if t[0] == ["Brottskategori", "2022", "2023", "2024 (prel.)"])
    assert series[1] == ["Samtliga brott", "38 000", "39 876", "41 234"]
    survey = next(t for t in tables if t[0][0] == "Indikator")
    assert survey[0][2:6] == ["2022 (%)", "2024 (%)", "Förändring (procentenheter)",
                              "Staden (%)"]  # fmt: skip
    assert survey[1] == ["Utsatt för misshandel", "Åk 9 pojkar", "7", "3", "−4", "4", "Nej"]
    ia = next(t for t in tables if t[0][0] == "Kategori")
    assert ia[1][:4] == ["Otillåten påverkan", "6", "47", "+41"]
    body = _body_text(written)
    assert "Jämförelseperiod: 1 januari–15 november (samma period respektive år)." in body


def test_sample_mark_in_header_and_body(written: Path) -> None:
    document = docx.Document(str(written))
    assert SAMPLE_MARK in [p.text for p in document.paragraphs]
    header = document.sections[0].header
    assert SAMPLE_MARK in [p.text for p in header.paragraphs]
    run = next(r for p in document.paragraphs for r in p.runs if r.text == SAMPLE_MARK)
    assert run.bold and str(run.font.color.rgb) == "C00000"


def test_no_sample_mark_for_real_data(tmp_path: Path) -> None:
    path = write_draft(_context(is_sample_data=False), tmp_path / "d.docx")
    assert SAMPLE_MARK not in _part(path, "word/document.xml")
    assert SAMPLE_MARK not in _part(path, "word/header1.xml")


def test_header_has_diarienummer_block(written: Path) -> None:
    header = docx.Document(str(written)).sections[0].header
    rows = [[c.text for c in row.cells] for row in header.tables[0].rows]
    assert "Diarienummer:" in [p.text for p in header.paragraphs]
    assert rows[0] == ["Lokalpolisområde Södermalm:", "A690.924/2021"]
    assert rows[2][1] == "[Text saknas: diarienummer]"


def test_footer_has_page_fields(written: Path) -> None:
    footer = docx.Document(str(written)).sections[0].footer
    xml = footer._element.xml
    assert xml.count('w:fldCharType="begin"') == 2
    assert xml.count('w:fldCharType="separate"') == 2
    assert xml.count('w:fldCharType="end"') == 2
    assert "> PAGE <" in xml and "> NUMPAGES <" in xml
    text = footer.paragraphs[0].text
    assert text.startswith("Sid ") and " av " in text


def test_settings_update_fields_and_toc(written: Path) -> None:
    settings = _part(written, "word/settings.xml")
    assert '<w:updateFields w:val="true"/>' in settings
    assert settings.index("w:updateFields") < settings.index("<w:compat>")
    document_xml = _part(written, "word/document.xml")
    assert 'TOC \\o "1-3" \\h \\z \\u' in document_xml
    assert TOC_PLACEHOLDER in document_xml


def test_title_block(written: Path) -> None:
    body = _body_text(written)
    assert "Lokal lägesbild 2024" in body
    assert "Version 2 – utkast" in body
    block = next(p for p in body if p.startswith("Södermalms stadsdelsförvaltning"))
    assert block == (
        "Södermalms stadsdelsförvaltning, Utbildningsförvaltningens grundskoleavdelning"
        " & Lokalpolisområde Södermalm\n2024-11-20"
    )


def test_placeholders_and_status_boxes(written: Path) -> None:
    body = _body_text(written)
    assert "[Text saknas: sammanfattning]" in body
    assert "[Text saknas: status för Kamerabevakning]" in body
    assert "[Text saknas: status för Otillåten påverkan]" not in body
    assert "☒ Arbete sker i linjeverksamhet" in body  # seed 003's three texts
    assert "☐ Prioriteras ej i nuläget" in body
    assert "☐ Lägesbild finns och arbete pågår – se Åtgärdsplan" in body
    assert body.count("☒ Arbete sker i linjeverksamhet") == 1
    assert "Kommentar: Arbetet fortlöper." in body
    assert "Beskrivning av området: [Text saknas: beskrivning för Otillåten påverkan]" in body


def test_sentences_notes_and_sources(written: Path) -> None:
    body = _body_text(written)
    assert SIG_SENTENCE in body
    assert "Underlag från IA saknas för 2023." in body
    assert "✓ Brottsstatistik BRÅ (anmälda brott), hämtad 2024-11-20" in body
    assert "Tvåsidiga test på 5 procents nivå." in body
    assert any("indicators.csv" in p for p in body)
    note = next(
        p
        for p in docx.Document(str(written)).paragraphs
        if p.text == "Underlag från IA saknas för 2023."
    )
    assert note.runs[0].italic


def test_core_properties_fixed(written: Path) -> None:
    props = docx.Document(str(written)).core_properties
    assert props.author == "lagesbild"
    midnight = dt.datetime(2024, 11, 20, tzinfo=dt.UTC)
    assert props.created == props.modified == props.last_printed == midnight
    assert props.title == "Lokal lägesbild 2024 – Södermalm"


def test_rerun_is_byte_identical(tmp_path: Path) -> None:
    first = write_draft(_context(), tmp_path / "a.docx")
    second = write_draft(_context(), tmp_path / "b.docx")
    assert _part(first, "word/document.xml") == _part(second, "word/document.xml")
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "b.docx"]


def test_overwrite_is_atomic_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "draft.docx"
    target.write_bytes(b"old")
    write_draft(_context(), target)
    assert zipfile.is_zipfile(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.docx"]


def test_empty_optional_frames(tmp_path: Path) -> None:
    path = write_draft(
        _context(
            indicators=pd.DataFrame(),
            population=pd.DataFrame(),
            crime_series=pd.DataFrame(),
            sources=(),
        ),
        tmp_path / "d.docx",
    )
    assert docx.Document(str(path)).tables == []
    assert "[Text saknas: källor]" in _body_text(path)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"editorial": {"status:Kamerabevakning": "klar"}}, "expected one of"),
        ({"editorial": {"status:Okänt område": "atgardsplan"}}, "not a priority area"),
        ({"sentences": {"brott": ["x"]}}, "unknown section key"),
        ({"editorial": {"inledningen": "x"}}, "unknown key 'inledningen'"),
        ({"population": pd.DataFrame({"year": [2024]})}, "population lacks column"),
    ],
)
def test_bad_context_is_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _context(**changes)


def test_figures_have_captions_and_alt_text(written: Path) -> None:
    document = docx.Document(str(written))
    captions = [p.text for p in document.paragraphs if p.text.startswith("Figur ")]
    assert captions[0].startswith("Figur 1. Anmälda brott i Södermalm 2022–2024 enligt BRÅ, "
                                  "per 100\u00a0000 invånare.")
    assert captions[1].startswith("Figur 2. Stockholmsenkäten: andel (%)")
    shapes = document.inline_shapes
    assert len(shapes) == 2
    descr = [s._inline.docPr.get("descr") for s in shapes]
    assert descr[0].startswith("Diagram över anmälda brott i Södermalm")
    assert "Utsatt för misshandel, Åk 9 pojkar: 7,0 → 3,0" in descr[1]
    assert "SEQ Figur" in _part(written, "word/document.xml")
    with zipfile.ZipFile(written) as archive:
        assert sum(n.startswith("word/media/") for n in archive.namelist()) == 2


def test_charts_can_be_left_out(tmp_path: Path) -> None:
    path = write_draft(_context(), tmp_path / "d.docx", charts=False)
    document = docx.Document(str(path))
    assert len(document.inline_shapes) == 0
    assert not any(p.text.startswith("Figur ") for p in document.paragraphs)


def test_action_plan_appendix_and_changes_section(tmp_path: Path) -> None:
    from outputs.draft.content.action_plan import Action, ActionPlan, ProblemArea
    from outputs.publish.changes import diff_versions

    plan = ActionPlan((ProblemArea("Otrygga platser", (Action("Klotter", "Sanera"),)),))
    changes = diff_versions(
        None, _indicators().iloc[:1], [], [], {}, {"inledning": "x"}, previous_version=1
    )
    path = write_draft(_context(action_plan=plan, changes=changes), tmp_path / "d.docx")
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[-5:] == [
        "Datakvalitet", "Ändringar sedan version 1", "Bilaga: Metod och statistisk prövning",
        "Bilaga: Åtgärdsplan", "Otrygga platser",
    ]  # fmt: skip
    header = [c.text for c in document.tables[-1].rows[0].cells]
    assert header[:2] == ["Otrygga platser", "Orsak"]  # 004: the problem area heads its table
    assert document.tables[-1].rows[1].cells[0].text.startswith("Ange identifierat")  # guidance
    assert [c.text for c in document.tables[-1].rows[2].cells][:3] == ["", "Klotter", "Sanera"]
    assert len(document.sections) == 2
    body = _body_text(path)
    assert "Inledning (ny)" in body and "Ny lydelse: ”x”" in body  # the changes section
    first = write_draft(_context(action_plan=plan, changes=changes), tmp_path / "e.docx")
    assert first.read_bytes() == path.read_bytes()


def _under(path: Path, title: str) -> list[str]:
    """The paragraph texts between heading ``title`` and the next heading."""
    paragraphs = docx.Document(str(path)).paragraphs
    start = next(i for i, p in enumerate(paragraphs)
                 if p.text == title and p.style.name.startswith("Heading"))  # fmt: skip
    texts = []
    for p in paragraphs[start + 1:]:
        if p.style.name.startswith("Heading"):
            break
        texts.append(_text(p.text))
    return texts


def test_people_text_first_then_sentences_and_placeholders(tmp_path: Path) -> None:
    path = write_draft(
        _context(
            sentences={"vald_offentlig_miljo": ["Genererad mening."],
                       "sammanfattning": ["Av 3 jämförelser ..."]},
            editorial={"vald_offentlig_miljo": "Skriven text.", "medborgarloften": "Vi lovar."},
        ),
        tmp_path / "d.docx",
    )  # fmt: skip
    assert _under(path, "Våld i offentlig miljö") == ["Skriven text.", "Genererad mening."]
    # a section only people write shows the placeholder even when sentences follow
    assert _under(path, "Sammanfattning lokal lägesbild") == [
        "[Text saknas: sammanfattning]", "Av 3 jämförelser ...",
    ]  # fmt: skip
    assert _under(path, "Medborgarlöften") == ["Vi lovar."]
    assert _under(path, "Brott i nära relation") == ["[Text saknas: brott i nära relation]"]
    assert _under(path, "Rån") == ["[Text saknas: rån]"]  # data-backed, but nothing given
    assert _under(path, "Beskrivning av stadsdelsområdet") == []  # a bare parent heading


def test_table_section_moves_a_survey_table(tmp_path: Path) -> None:
    indicators = _indicators().assign(table_section=["", "", "", "trygghet"])
    path = write_draft(_context(indicators=indicators), tmp_path / "d.docx")
    assert "Tabell 5. Stockholmsenkäten 2024: andel (%) per indikator och grupp" in _under(
        path, "Beskrivning av tryggheten")
    youth = _under(path, "Egenrapporterad brottslighet och riskbeteenden bland ungdomar")
    assert youth == ["[Text saknas: egenrapporterad brottslighet och riskbeteenden bland ungdomar]"]
    with pytest.raises(ValueError, match="unknown table_section"):
        _context(indicators=_indicators().assign(table_section="tryggheten"))


def test_plan_warning_matches_priority_areas_by_configured_key() -> None:
    from outputs.draft.content.action_plan import Action, ActionPlan, ProblemArea, plan_warnings
    from outputs.text.sentences import load_sentences

    areas = ("Unga i risk för kriminalitet", "Otillåten påverkan", "Ordningsvakter")
    editorial = {f"status:{a}": "atgardsplan" for a in areas[:2]}
    editorial["status:Ordningsvakter"] = "linjeverksamhet"
    # the plan's name differs from the priority area's ("riskzon"): only the key matches
    plan = ActionPlan((ProblemArea("Unga i riskzon för kriminalitet", (Action("o", "a"),),
                                   priority_areas=("Unga i risk för kriminalitet",)),))
    warnings = plan_warnings(plan, editorial, areas, load_sentences())
    assert len(warnings) == 1 and "”Otillåten påverkan”" in warnings[0]
    assert "prioriterade_omraden" not in warnings[0]  # the styrgrupp reads it: no YAML key
    assert "inget problemområde i åtgärdsplanen är kopplat till det" in warnings[0]
    unkeyed = ActionPlan((ProblemArea("Unga i risk för kriminalitet", (Action("o", "a"),)),))
    # free text is not a match
    assert len(plan_warnings(unkeyed, editorial, areas, load_sentences())) == 2
    assert "åtgärdsplanen saknas" in plan_warnings(None, editorial, areas, load_sentences())[0]


def test_the_first_sentence_citing_a_source_carries_its_footnote(written: Path) -> None:
    with zipfile.ZipFile(written) as archive:
        notes = archive.read("word/footnotes.xml").decode()
        body = archive.read("word/document.xml").decode()
    texts = re.findall(r'<w:footnote w:id="(\d+)">(.*?)</w:footnote>', notes)
    assert [n for n, _ in texts] == ["1"]  # one source, one footnote
    text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", texts[0][1]))
    assert "Brottsförebyggande rådet (BRÅ), Statistik över anmälda brott" in text
    assert text.endswith("hämtad 2024-11-20.")  # the raw file's date, as Källor prints it
    assert body.count('<w:footnoteReference w:id="1"/>') == 1
    cited = next(p for p in docx.Document(str(written)).paragraphs
                 if "footnoteReference" in p._p.xml)  # fmt: skip
    assert _text(cited.text) == SIG_SENTENCE  # the first generated BRÅ sentence


def test_summary_puts_the_areas_rate_next_to_the_citys_rate(tmp_path: Path) -> None:
    headline = (("bra", "Samtliga brott"), ("stockholmsenkaten", "Utsatt för misshandel"))
    path = write_draft(_context(headline=headline), tmp_path / "draft.docx")
    summary = next(t for t in _table_cells(path) if t[0][:2] == ["Indikator", "Källa"])
    assert summary[0][2:6] == ["Värde", "Per 100 000", "Förändring", "Staden"]
    assert summary[1][:3] == ["Samtliga brott", "BRÅ", "41 234"]
    assert summary[1][3] == "31 674" and summary[1][5] == "28 512"
    assert summary[2][3] == "–"
    assert any("Staden: anmälda brott per 100 000 invånare" in p for p in _body_text(path))
    survey = next(t for t in _table_cells(path) if t[0][:2] == ["Indikator", "Grupp"])
    assert survey[0][-2] == "Staden (%)"


def test_survey_table_without_groups_has_no_grupp_column() -> None:
    from outputs.draft.word.tables import add_survey_table

    rows = pd.DataFrame({"indicator": ["Oro att utsättas för brott", "Otrygg"],
                         "group": ["Alla", "Alla"], "year": [2020, 2020],
                         "prev_year": [2017, 2017], "value": [6.0, 5.0],
                         "prev_value": [10.0, 6.0], "change_abs": [-4.0, -1.0],
                         "city_value": [10.0, None], "significant": [True, False],
                         "method": ["chi2", "chi2"], "note": ["", ""]})  # fmt: skip
    document = docx.Document()
    add_survey_table(document, rows)
    table = [[_text(c.text) for c in r.cells] for r in document.tables[0].rows]
    assert table[0][:2] == ["Indikator", "2017 (%)"] and "Grupp" not in table[0]
    assert table[0][-2] == "Staden (%)"
    assert [r[-2] for r in table[1:]] == ["10", "–"]
