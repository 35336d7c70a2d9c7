"""The yearly run end to end on the bundled sample data, through the plain steps.

One module-scoped run of Södermalm 2022 (IA cut-off 2022-11-15, as in the published
lägesbild) feeds most assertions; broken inputs each get their own small inbox copy.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest
from scipy import stats

from lagesbild.errors import DataQualityError, InputError, PipelineError
from lagesbild.settings import load_settings
from outputs.swedish import format_percent
from tasks.pipeline import publishing, stages
from tasks.pipeline.spec import SAMPLE_INBOX, RunSpec

CUTOFF = dt.date(2022, 11, 15)


def _run(spec: RunSpec, env: dict[str, str]):
    settings = load_settings(env)
    inputs = stages.ingest(spec, settings)
    report = stages.check(spec, inputs, None)
    computed = stages.compute(spec, inputs)
    return publishing.publish(spec, settings, inputs, computed, report, flow_run_id="test-run")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def env(home: Path) -> dict[str, str]:
    return {"LAGESBILD_HOME": str(home)}


@pytest.fixture(scope="module")
def spec(home: Path) -> RunSpec:
    return RunSpec(area="sodermalm", year=2022, inbox=SAMPLE_INBOX, out=home / "out",
                   ia_cutoff=CUTOFF)  # fmt: skip


@pytest.fixture(scope="module")
def first(spec: RunSpec, env: dict[str, str]):
    return _run(spec, env)


@pytest.fixture(scope="module")
def indicators(first) -> pd.DataFrame:
    frame = pd.read_csv(first.version.directory + "/indicators.csv", keep_default_na=False)
    for column in ("value", "prev_value"):
        frame[column] = pd.to_numeric(frame[column])
    return frame


def test_a_version_directory_with_draft_indicators_and_quality(first, spec):
    assert first.created and first.version.version == 1 and first.version.state == "utkast"
    names = [p.name for p in first.files]
    assert names[-1] == "lagesbild_sodermalm_2022_v001.docx"
    assert {"indicators.csv", "quality.json"} <= set(names)
    assert Path(first.version.directory) == (spec.out / "sodermalm" / "2022" / "v001").resolve()
    assert first.version.flow_run_id == "test-run"
    assert len(first.version.docx_sha256) == 64
    assert {i["kind"] for i in first.version.inputs} == {"bra", "befolkning", "ia", "enkater",
                                                          "polis", "omradesfakta"}


def test_drafts_are_group_readable_and_the_pdf_checksum_recorded(first):
    """The reports directory is shared: files get 0666 less the umask, not mkstemp's 0600."""
    from outputs.publish.versions import current_umask, sha256_file

    expected = 0o666 & ~current_umask()
    directory = Path(first.version.directory)
    for path in [p for p in directory.iterdir() if p.is_file()]:
        assert stat.S_IMODE(path.stat().st_mode) == expected, path.name
    pdfs = list(directory.glob("*.pdf"))
    if pdfs:  # LibreOffice present
        assert first.version.pdf_sha256 == sha256_file(pdfs[0])


def test_rerun_with_identical_inputs_creates_no_new_version(first, spec, env):
    again = _run(spec, env)
    assert not again.created and again.version.version == 1
    assert sorted((spec.out / "sodermalm" / "2022").iterdir()) == [Path(first.version.directory)]


def test_ia_counts_reproduce_the_published_lagesbild(indicators):
    ia = indicators[indicators["source"] == "ia"].set_index("indicator")
    assert (ia.loc["Otillåten påverkan", "value"], ia.loc["Otillåten påverkan", "prev_value"]) == (
        47.0, 6.0)  # fmt: skip
    assert (ia.loc["Hot", "value"], ia.loc["Hot", "prev_value"]) == (50.0, 51.0)
    assert ia.loc["Hot", "window_start"] == "2022-01-01"
    assert ia.loc["Hot", "window_end"] == "2022-11-15"
    hot = ia.loc["Hot"]
    # φ from the five earlier windows 2017–2021 (trend fit: 3 df), floored at 1
    assert float(hot["dispersion_df"]) == 3 and float(hot["dispersion"]) >= 1
    _assert_count_test(hot, 50, 1.0, 51, 1.0)


def _assert_count_test(row, x_new, e_new, x_old, e_old):
    """The file's p and interval recomputed from its own φ by the v2 formulas (scipy)."""
    phi, df = float(row["dispersion"]), float(row["dispersion_df"])
    p, low, high = float(row["p_value"]), float(row["ci_low"]), float(row["ci_high"])
    if phi > 1:
        assert row["method"] == "quasi-poisson-wald"
        log_rr = math.log((x_new / e_new) / (x_old / e_old))
        se = math.sqrt(phi * (1 / x_new + 1 / x_old))
        assert p == pytest.approx(2 * stats.t.sf(abs(log_rr) / se, df), rel=1e-9)
        assert low == pytest.approx(math.exp(log_rr - stats.t.ppf(0.975, df) * se), rel=1e-9)
    else:
        assert row["method"] == "poisson-exact-cond"
        n, p0 = x_new + x_old, e_new / (e_new + e_old)
        tails = stats.binom.cdf(x_new, n, p0), stats.binom.sf(x_new - 1, n, p0)
        central = min(1.0, 2 * min(tails))
        assert p == pytest.approx(central, rel=1e-9)
    assert row["significant"] == ("true" if (low > 1 or high < 1) else "false")


def test_bra_tests_follow_statistics_v2(indicators):
    bra = indicators[indicators["source"] == "bra"].set_index("indicator")
    pop = indicators[(indicators["source"] == "befolkning")
                     & (indicators["indicator"] == "Folkmängd")].iloc[0]
    assert (pop["value"], pop["prev_value"]) == (130_420.0, 130_189.0)
    for label in ("därav rån inkl. grovt", "Samtliga brott", "Narkotikabrott"):
        row = bra.loc[label]
        # 2017–2021 before 2022: the city's other districts have too few years to pool, so
        # φ is Södermalm's own (5 years − 2 df)
        assert float(row["dispersion_df"]) == 3
        _assert_count_test(row, int(row["value"]), pop["value"], int(row["prev_value"]),
                           pop["prev_value"])  # fmt: skip
        assert row["vs_city"] in ("högre", "lägre", "i nivå")
        assert float(row["rate_ci_low"]) < float(row["rate_per_100k"]) < float(row["rate_ci_high"])
    assert bra.loc["Samtliga brott", "value"] == 38_900.0


def test_draft_trend_sentence_follows_the_five_year_interval(first, indicators):
    total = indicators[(indicators["source"] == "bra")
                       & (indicators["indicator"] == "Samtliga brott")].iloc[0]  # fmt: skip
    low, high = float(total["trend_ci_low"]), float(total["trend_ci_high"])
    body = [p.text for p in docx.Document(str(first.draft)).paragraphs]
    sentence = next(t for t in body if "de senaste fem åren (2018–2022)" in t)
    words = ("ökande trend" if low > 0 else "minskande trend" if high < 0
             else "i stort sett oförändrad")  # fmt: skip
    assert words in sentence
    assert sum(w in sentence for w in ("ökande trend", "minskande trend", "oförändrad")) == 1
    interval = f"{format_percent(low, 1)} till {format_percent(high, 1)}"
    assert interval in sentence, (interval, sentence)


def test_draft_has_the_sections_a_formatted_figure_and_a_significance_sentence(first):
    document = docx.Document(str(first.draft))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for title in ("Sammanfattning lokal lägesbild", "Inledning", "Syfte", "Källor",
                  "Befolkningsfakta", "Beskrivning av brottsligheten",
                  "Underlag från IA, säkerhetssamordnare",
                  "Beskrivning av tryggheten", "Prioriterade samverkansområden",
                  "Sammantagen bedömning av lokal lägesbild"):  # fmt: skip
        assert title in headings, title
    cells = [c.text.replace("\u00a0", " ") for t in document.tables for r in t.rows
             for c in r.cells]  # fmt: skip
    assert "130 189" in cells
    body = "\n".join(p.text.replace("\u00a0", " ") for p in document.paragraphs)
    assert "Ökningen är statistiskt signifikant (p < 0,001)." in body
    assert "47 under 2022, jämfört med 6 år 2021 och 0 både 2020 och 2019" in body
    assert "Exempeldata – inte officiell statistik" in body
    assert "Brottsstatistik BRÅ, anmälda brott, hämtad" in body


def _copy_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    return inbox


def _spec(tmp_path: Path, inbox: Path) -> RunSpec:
    return RunSpec(area="sodermalm", year=2022, inbox=inbox, out=tmp_path / "out")


def test_bra_file_with_a_missing_column_stops_before_any_draft(tmp_path):
    inbox = _copy_inbox(tmp_path)
    path = inbox / "bra" / "Databasfil_sodermalm_2022.txt"
    text = path.read_bytes().decode("latin-1").replace("Region;Brott;År;Period;Antal;",
                                                        "Region;Brott;År;Period;")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError) as error:
        _run(_spec(tmp_path, inbox), {"LAGESBILD_HOME": str(tmp_path / "home")})
    assert "Databasfil_sodermalm_2022.txt" in str(error.value)
    assert "Antal" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_ia_export_with_a_duplicate_case_number_stops_before_any_draft(tmp_path):
    import openpyxl

    inbox = _copy_inbox(tmp_path)
    path = next((inbox / "ia").glob("*.xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.cell(row=3, column=1).value = sheet.cell(row=2, column=1).value
    book.save(path)
    with pytest.raises(PipelineError) as error:
        _run(_spec(tmp_path, inbox), {"LAGESBILD_HOME": str(tmp_path / "home")})
    assert "IA_export" in str(error.value) and "Ärendenummer" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_missing_previous_bra_year_is_blocking(tmp_path):
    inbox = _copy_inbox(tmp_path)
    (inbox / "bra" / "Databasfil_sodermalm_2021.txt").unlink()
    with pytest.raises(DataQualityError) as error:
        _run(_spec(tmp_path, inbox), {"LAGESBILD_HOME": str(tmp_path / "home")})
    assert "2021" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_a_changed_input_gives_a_new_version_and_keeps_the_old(tmp_path):
    env = {"LAGESBILD_HOME": str(tmp_path / "home")}
    inbox = _copy_inbox(tmp_path)
    spec = _spec(tmp_path, inbox)
    first = _run(spec, env)
    survey = inbox / "enkater" / "trygghetsmatningen.csv"
    line = "Trygghetsmätningen;2020;Södermalm;Alla;Oro att utsättas för brott;"
    text = survey.read_text(encoding="utf-8-sig")
    assert line + "6,0;" in text
    survey.write_text(text.replace(line + "6,0;", line + "6,5;"), encoding="utf-8-sig")
    old_bytes = first.draft.read_bytes()
    second = _run(spec, env)
    assert second.created and second.version.version == 2
    assert first.draft.read_bytes() == old_bytes
    changes = json.loads((Path(second.version.directory) / "changes.json").read_text("utf-8"))
    assert [c["name"] for c in changes["sources"]] == ["trygghetsmatningen.csv"]
    moved = [f for f in changes["figures"] if f["indicator"] == "Oro att utsättas för brott"]
    assert moved and moved[0]["new"] == 6.5
    assert spec.is_sample_data  # the copied inbox keeps its EXEMPELDATA marker


def test_edited_editorial_text_gives_a_new_version(tmp_path):
    env = {"LAGESBILD_HOME": str(tmp_path / "home")}
    inbox = _copy_inbox(tmp_path)
    shutil.copytree(SAMPLE_INBOX.parent / "text", tmp_path / "text")
    spec = _spec(tmp_path, inbox)
    first = _run(spec, env)
    assert "Trygghetsmätningen visar att oron" in docx_text(first.draft)
    text = tmp_path / "text" / "sodermalm" / "2022.yaml"
    text.write_text(text.read_text("utf-8") + "\n# granskad\n", encoding="utf-8")
    assert _run(spec, env).version.version == 2


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_pdf_rendition_has_page_numbers_and_toc(first):
    pdf = Path(first.version.directory) / first.draft.with_suffix(".pdf").name
    assert pdf in first.files
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "Sid 1 av" in text
    assert re.search(r"Beskrivning av brottsligheten\s*\.*\s*\d+", text)


def test_reorganised_district_is_compared_with_its_predecessors(tmp_path):
    spec = RunSpec(area="norra-innerstaden", year=2024, inbox=SAMPLE_INBOX,
                   out=tmp_path / "out", pdf=False)  # fmt: skip
    result = _run(spec, {"LAGESBILD_HOME": str(tmp_path / "home")})
    frame = pd.read_csv(Path(result.version.directory) / "indicators.csv")
    total = frame[(frame["source"] == "bra") & (frame["indicator"] == "Samtliga brott")].iloc[0]
    assert bool(total["comparable_series"]) and bool(total["preliminary"])
    assert total["prev_year"] == 2023
    text = docx_text(result.draft)
    assert "jämförbar serie" in text and "preliminära siffror" in text


#: The table of contents of the published lägesbild (seed 003), as (level, heading).
SEED_003_CONTENTS = (
    (1, "Sammanfattning lokal lägesbild"), (1, "Inledning"), (1, "Syfte"), (1, "Källor"),
    (1, "Beskrivning av stadsdelsområdet"),
    (2, "Geografiskt ansvarsområde stadsdelsförvaltning"), (2, "Befolkningsfakta"),
    (2, "Stadsdelsförvaltningens uppdrag och organisation"),
    (1, "Beskrivning av utbildningsförvaltningen"),
    (2, "Grundskoleavdelningens uppdrag och organisation"),
    (1, "Beskrivning av lokalpolisområdet"), (2, "Geografiskt ansvarsområde"),
    (2, "Medborgarlöften"),
    (1, "Beskrivning av brottsligheten"), (2, "Trygghetsmätningar"),
    (2, "Våld i offentlig miljö"), (2, "Narkotikabrottslighet"), (2, "Brott i nära relation"),
    (2, "Rån"), (2, "Egenrapporterad brottslighet och riskbeteenden bland ungdomar"),
    (2, "Otillåten påverkan"), (2, "Underlag från IA, säkerhetssamordnare"),
    (2, "Underlag från polisen"), (2, "Avhopparverksamhet för kriminella"),
    (1, "Beskrivning av tryggheten"),
    (1, "Prioriterade samverkansområden"),
    (2, "Stadsövergripande prioriterade samverkansområden"),
    (3, "Riktat arbete mot avgränsade platser och utsatta områden"),
    (3, "Unga i risk för kriminalitet"), (3, "Avhopparverksamhet för kriminella"),
    (3, "Arbetet mot våldsbejakande extremism"),
    (3, "Särskilt utsatta och sårbara brottsoffer"), (3, "Otillåten påverkan"),
    (3, "Skolan som brottsplats"), (3, "Otillåtna bosättningar"), (3, "Ordningsvakter"),
    (3, "Kamerabevakning"),
    (1, "Sammantagen bedömning av lokal lägesbild"),
)  # fmt: skip


@pytest.fixture(scope="module")
def draft_2023(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("y2023")
    spec = RunSpec(area="sodermalm", year=2023, inbox=SAMPLE_INBOX, out=root / "out", pdf=False)
    return docx.Document(str(_run(spec, {"LAGESBILD_HOME": str(root / "home")}).draft))


def _is_subsequence(wanted, found) -> bool:
    rest = iter(found)
    return all(any(item == seen for seen in rest) for item in wanted)


def test_sample_2023_draft_has_every_section_of_the_seed_in_order(draft_2023):
    found = [(int(p.style.name.split()[-1]), p.text) for p in draft_2023.paragraphs
             if p.style.name.startswith("Heading ")]  # fmt: skip
    assert _is_subsequence(SEED_003_CONTENTS, found), found
    titles = [text for _, text in found]
    assert titles.index("Anmälda brott enligt BRÅ") < titles.index("Trygghetsmätningar")
    tail = [t for t in titles[titles.index("Sammantagen bedömning av lokal lägesbild"):]
            if t != "Datakvalitet"]  # present when the åtgärdsplan misses a priority area
    assert tail[:4] == ["Sammantagen bedömning av lokal lägesbild", "Om statistiken",
                        "Bilaga: Metod och statistisk prövning",
                        "Bilaga: Åtgärdsplan"]  # fmt: skip


def test_sample_2023_draft_routes_sentences_and_shows_status_and_charts(draft_2023):
    paragraphs = draft_2023.paragraphs
    titles = [(i, p.text) for i, p in enumerate(paragraphs) if p.style.name.startswith("Heading")]

    def under(title: str, level: int = 2) -> list[str]:
        start = next(i for i, (_, t) in enumerate(titles) if t == title
                     and paragraphs[titles[i][0]].style.name == f"Heading {level}")  # fmt: skip
        end = titles[start + 1][0] if start + 1 < len(titles) else len(paragraphs)
        return [p.text for p in paragraphs[titles[start][0] + 1:end]]

    assert any("kategorin rån inkl. grovt" in t for t in under("Rån"))
    assert any("kategorin narkotikabrott" in t for t in under("Narkotikabrottslighet"))
    assert any("misshandel inkl. grov" in t for t in under("Våld i offentlig miljö"))
    violence = under("Våld i offentlig miljö")
    assert violence[0].startswith("Misshandel är det vanligaste")  # people's text first
    ia = under("Underlag från IA, säkerhetssamordnare")
    assert any("av otillåten påverkan" in t for t in ia) and any(" hot " in t for t in ia)
    youth = [t.lower() for t in under("Egenrapporterad brottslighet och riskbeteenden bland "
                                       "ungdomar")]  # fmt: skip
    assert any("använt narkotika någon gång" in t for t in youth)
    assert not any("känner sig trygg" in t for t in youth)
    assert any("känner sig trygg" in t.lower() for t in under("Beskrivning av tryggheten", 1))
    assert any("Utsatt för sexuella trakasserier" in t for t in under("Trygghetsmätningar"))
    for name in SEED_003_CONTENTS[-11:-1]:
        boxes = [t for t in under(name[1], 3) if t[:1] in "☒☐"]
        assert len(boxes) == 3 and sum(t.startswith("☒") for t in boxes) == 1, name
    shapes = draft_2023.inline_shapes
    assert len(shapes) >= 2
    assert all(s._inline.docPr.get("descr") for s in shapes)


def test_sample_2023_draft_has_no_missing_text(draft_2023):
    texts = [p.text for p in draft_2023.paragraphs]
    texts += [c.text for t in draft_2023.tables for r in t.rows for c in r.cells]
    for section in draft_2023.sections:
        texts += [p.text for p in section.header.paragraphs]
        texts += [c.text for t in section.header.tables for r in t.rows for c in r.cells]
    assert not [t for t in texts if "[Text saknas" in t]


def test_police_and_omradesfakta_rows_reach_indicators_csv(indicators):
    police = indicators[indicators["source"] == "polis"].set_index("indicator")
    assert set(police.index) == {"Totalt antal brott", "Våld i nära relation",
                                 "Våld i offentlig miljö", "Rån inkl. grovt", "Narkotikabrott"}
    total = police.loc["Totalt antal brott"]
    assert (total["year"], total["value"], total["prev_value"]) == (2022, 40_810.0, 39_990.0)
    pop = indicators[(indicators["source"] == "befolkning")
                     & (indicators["indicator"] == "Folkmängd")].iloc[0]
    _assert_count_test(total, 40_810, pop["value"], 39_990, pop["prev_value"])  # as BRÅ's
    assert float(total["rate_per_100k"]) == pytest.approx(40_810 / 130_420 * 100_000)
    facts = indicators[(indicators["source"] == "befolkning")
                       & (indicators["indicator"] != "Folkmängd")].set_index("indicator")
    assert (facts.loc["Utländsk bakgrund", "value"], facts.loc["Utländsk bakgrund", "year"]) == (
        20.9, 2021)  # 003's 2022 lägesbild: 31 December 2021
    assert facts.loc["Utländsk bakgrund", "unit"] == "procent"
    assert facts.loc["Befolkningsprognos", ["year", "value"]].tolist() == [2026, 131_013.0]
    if "city_value" in facts.columns:  # once indicators.csv carries the city column
        assert float(facts.loc["Utländsk bakgrund", "city_value"]) == 33.4


# --- issue 12: the draft an analyst would write (Södermalm 2022, IA cut-off 2022-11-15) ----


def _all_text(document) -> list[str]:  # noqa: ANN001 - python-docx Document
    texts = [p.text for p in document.paragraphs]
    return texts + [c.text for t in document.tables for r in t.rows for c in r.cells]


def test_sample_2022_ia_is_the_four_year_series_with_the_caveat_before_significance(first):
    document = docx.Document(str(first.draft))
    series = next(t for t in document.tables if t.rows[0].cells[0].text == "Kategori")
    rows = {r.cells[0].text: [c.text for c in r.cells][1:] for r in series.rows}
    assert rows["Kategori"] == ["2019", "2020", "2021", "2022"]
    assert rows["Otillåten påverkan"] == ["0", "0", "6", "47"]
    assert rows["Hot"] == ["100", "62", "51", "50"]
    body = [p.text for p in document.paragraphs]
    scope = next(t for t in body if t.startswith("Uppgifterna från IA gäller"))
    assert "medarbetare inom Södermalms stadsdelsförvaltning" in scope
    assert scope.count("1\u00a0januari–15\u00a0november") == 1
    paragraph = next(t for t in body if "incidenter" in t.lower() and "47" in t
                     and "rutin" in t)  # fmt: skip
    assert paragraph.index("rutin") < paragraph.index("statistiskt signifikant")
    assert not any("för Södermalm" in t for t in body if "IA" in t)


def test_sample_2022_typography_captions_and_prose(first):
    document = docx.Document(str(first.draft))
    texts = _all_text(document)
    joined = "\n".join(texts)
    assert not re.search(r"\d %", joined), re.findall(r".{20}\d %.{5}", joined)[:3]
    assert not re.search(r"p [=<>] ", joined) and "p\u00a0=\u00a01)" not in joined
    assert "3-7 kap." not in joined and "3–7 kap." in joined
    survey = next(t for t in document.tables if t.rows[0].cells[0].text == "Indikator"
                  and t.rows[0].cells[1].text == "Grupp")  # fmt: skip
    assert not [c.text for r in survey.rows for c in r.cells if c.text.endswith(",0")]
    assert "683,3" not in joined and "Åk 9" not in joined.replace("Åk\u00a09", "")
    captions = [p.text for p in document.paragraphs if p.text.startswith("Tabell ")]
    assert [c.split(".")[0] for c in captions] == [f"Tabell {n}" for n in
                                                    range(1, len(captions) + 1)]  # fmt: skip
    assert len(captions) >= 6
    assert "på Södermalm" in joined and "i Södermalm" not in joined
    youth = next(t for t in texts if "Utsatt för misshandel senaste 12 mån" in t
                 and "årskurs" in t)  # fmt: skip
    assert "för både pojkar och flickor i årskurs\u00a09" in youth


def test_sample_2022_no_sentence_template_is_used_more_than_five_times(spec, env):
    from outputs.text.sentences import MAX_USES

    settings = load_settings(env)
    inputs = stages.ingest(spec, settings)
    report = stages.check(spec, inputs, None)
    computed = stages.compute(spec, inputs)
    from outputs.draft.content.editorial import load_editorial

    text = load_editorial(spec.texts, spec.area, spec.year, spec.areas().priority_areas).text
    context = publishing.draft_context(spec, inputs, computed, report, version=1, editorial=text)
    assert context.template_uses, "no generated sentence came from the templates"
    over = {k: n for k, n in context.template_uses.items() if n > MAX_USES}
    assert not over, over
    summary = context.sentences["sammanfattning"]
    assert 3 <= len(summary) <= 5


def test_an_empty_text_directory_keeps_every_heading_with_visible_placeholders(tmp_path):
    empty = tmp_path / "text"
    empty.mkdir()
    spec = RunSpec(area="sodermalm", year=2022, inbox=SAMPLE_INBOX, out=tmp_path / "out",
                   ia_cutoff=CUTOFF, text_dir=empty, pdf=False)  # fmt: skip
    document = docx.Document(str(_run(spec, {"LAGESBILD_HOME": str(tmp_path / "h")}).draft))
    found = [(int(p.style.name.split()[-1]), p.text) for p in document.paragraphs
             if p.style.name.startswith("Heading ")]  # fmt: skip
    assert _is_subsequence(SEED_003_CONTENTS, found), found
    texts = [p.text for p in document.paragraphs]
    for what in ("beskrivning av utbildningsförvaltningen", "våld i offentlig miljö",
                 "narkotikabrottslighet", "rån", "otillåten påverkan",
                 "underlag från IA, säkerhetssamordnare", "beskrivning av tryggheten"):
        assert any(t.startswith(f"[Text saknas: {what}") for t in texts), what


def test_sample_2022_befolkningsfakta_and_status_texts(first):
    document = docx.Document(str(first.draft))
    body = [p.text for p in document.paragraphs]
    assert any("utländsk bakgrund var 20,9\u00a0%" in t for t in body)
    assert any(t == "Prognosen för 2026 är 131\u00a0013 invånare." for t in body)
    for text in ("Lägesbild finns och arbete pågår – se Åtgärdsplan",
                 "Arbete sker i linjeverksamhet", "Prioriteras ej i nuläget"):
        assert sum(t in (f"☒ {text}", f"☐ {text}") for t in body) == 10, text
    # 2022 has no åtgärdsplan: each "se Åtgärdsplan" area is flagged under Datakvalitet
    assert any("hänvisar till åtgärdsplanen, men åtgärdsplanen saknas" in t for t in body)


def _drop_one_ia_incident(inbox: Path, category: str, year: int) -> None:
    """Remove one Södermalm incident of ``category`` in mid-``year`` (a count moves by 1)."""
    import openpyxl

    path = next((inbox / "ia").glob("*.xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for index, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        when, kind, office = row[1], row[4], str(row[5])
        if kind == category and office.startswith("Södermalm") and when.year == year \
                and 3 <= when.month <= 9:  # fmt: skip
            sheet.delete_rows(index)
            book.save(path)
            return
    raise AssertionError(f"no {category} incident {year} in the sample IA export")


def test_the_drafts_changes_section_shows_what_the_portal_shows(tmp_path):
    """v002's "Ändringar sedan version 1": figures old → new, changed sentences, sources;
    an IA count that moved by 1 says "ändrad" and no numbers."""
    env = {"LAGESBILD_HOME": str(tmp_path / "home")}
    inbox = _copy_inbox(tmp_path)
    shutil.copytree(SAMPLE_INBOX.parent / "text", tmp_path / "text")
    spec = _spec(tmp_path, inbox)
    _run(spec, env)
    survey = inbox / "enkater" / "trygghetsmatningen.csv"
    line = "Trygghetsmätningen;2020;Södermalm;Alla;Oro att utsättas för brott;"
    survey.write_text(survey.read_text("utf-8-sig").replace(line + "6,0;", line + "6,5;"),
                      encoding="utf-8-sig")  # fmt: skip
    _drop_one_ia_incident(inbox, "Hot", 2022)
    text = tmp_path / "text" / "sodermalm" / "2022.yaml"
    added = "Oron har i år granskats en gång till av analysgruppen."
    text.write_text(text.read_text("utf-8").replace(
        "sammanfattning: |\n", f"sammanfattning: |\n  {added}\n", 1), encoding="utf-8")
    second = _run(spec, env)
    assert second.version.version == 2
    changes = json.loads((Path(second.version.directory) / "changes.json").read_text("utf-8"))
    hot = [f for f in changes["figures"] if f["source"] == "ia" and f["indicator"] == "Hot"
           and f["year"] == 2022]  # fmt: skip
    assert hot and all(f["withheld"] and f["old"] is None for f in hot)

    document = docx.Document(str(second.draft))
    paragraphs = [p.text.replace("\u00a0", " ") for p in document.paragraphs]
    start = paragraphs.index("Ändringar sedan version 1")
    section = paragraphs[start:]
    assert "Sammanfattning (ändrad)" in section
    assert f"Ny lydelse: ”{added}”" in section
    assert "trygghetsmatningen.csv: uppdaterad (nya uppgifter)" in section
    assert any("IA_export" in p and "uppdaterad" in p for p in section)
    assert "Sammanfattning: ändrad" not in section
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Indikator"
                 and t.rows[0].cells[3].text == "Version 2")  # fmt: skip
    rows = [[c.text.replace("\u00a0", " ") for c in r.cells] for r in table.rows]
    assert rows[0] == ["Indikator", "År", "Version 1", "Version 2", "Bedömning"]
    oro = [r for r in rows if r[0].startswith("Oro att utsättas för brott") and r[1] == "2020"]
    assert oro and oro[0][2:4] == ["6", "6,5"]
    hot_rows = [r for r in rows if r[0] == "Hot" and r[1] == "2022"]
    assert hot_rows == [["Hot", "2022", "ändrad", "ändrad", "ändrad"]]
    heading = next(p for p in document.paragraphs if p.text == "Ändringar sedan version 1")
    assert heading.paragraph_format.keep_with_next


def _section(document, start: str, stop: str) -> list[str]:  # noqa: ANN001 - Document
    """The paragraph texts between two headings."""
    texts, inside = [], False
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading") and paragraph.text in (start, stop):
            inside = paragraph.text == start
            continue
        if inside:
            texts.append(paragraph.text)
    return texts


def test_sample_2022_compares_crime_and_safety_with_the_city(first):
    document = docx.Document(str(first.draft))
    body = _section(document, "Beskrivning av brottsligheten", "Prioriterade samverkansområden")
    sentences = [s for t in body for s in re.split(r"(?<=[.)])\s+(?=[A-ZÅÄÖ])", t)]
    compared = [s for s in sentences if "staden som helhet" in s and re.search(r"\d", s)]
    assert len(compared) >= 5, compared
    joined = "\n".join(_all_text(document))
    assert not re.search(r"\d \d{3}\b", joined), re.findall(r".{0,15}\d \d{3}\b.{0,5}", joined)[:3]


def test_sample_2022_trends_of_the_other_categories_by_theme(first):
    document = docx.Document(str(first.draft))
    crime = _section(document, "Anmälda brott enligt BRÅ", "Anmälda brott enligt polisen")
    assert any(t.startswith("Sett över fem år (2018–2022) visar anmälda brott inom kategorierna "
                            "brott mot person (3–7\u00a0kap.)".replace("\u00a0", " "))
               for t in crime)  # fmt: skip
    violence = _section(document, "Våld i offentlig miljö", "Narkotikabrottslighet")
    assert sum("trend" in t for t in violence) == 1  # 3 kap. and misshandel in one sentence
    police = _section(document, "Anmälda brott enligt polisen", "Trygghetsmätningar")
    assert any("enligt polisens statistik" in t and "ökande trend" in t for t in police)


def test_sample_2022_cites_each_source_in_a_real_footnote(first):
    with zipfile.ZipFile(first.draft) as archive:
        notes = archive.read("word/footnotes.xml").decode()
        body = archive.read("word/document.xml").decode()
    found = {n: "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)) for n, xml in
             re.findall(r'<w:footnote w:id="(\d+)">(.*?)</w:footnote>', notes)}  # fmt: skip
    assert sorted(re.findall(r'<w:footnoteReference w:id="(\d+)"/>', body)) == sorted(found)
    joined = " ".join(found.values())
    for source in ("Brottsförebyggande rådet (BRÅ)", "Polismyndigheten", "Stockholmsenkäten 2022",
                   "Stockholms stads trygghetsmätning 2020", "IA, incidentrapporteringssystem",
                   "Områdesfakta, befolkning", "Områdesfakta, nyckeltal"):  # fmt: skip
        assert joined.count(source) == 1, source
    document = docx.Document(str(first.draft))
    kallor = _section(document, "Källor", "Beskrivning av stadsdelsområdet")
    dates = {d for t in kallor for d in re.findall(r"hämtad (\d{4}-\d\d-\d\d)", t)}
    assert dates and dates == set(re.findall(r"hämtad (\d{4}-\d\d-\d\d)", joined))
    pdf = Path(first.version.directory) / first.draft.with_suffix(".pdf").name
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    flat = re.sub(r"\s+", " ", text)
    assert "Brottsförebyggande rådet (BRÅ), Statistik över anmälda brott" in flat
    assert "Stockholms stad, Stockholmsenkäten 2022, resultat per stadsdelsområde" in flat


def test_sample_2022_pdf_has_no_stray_page_and_no_word_broken_in_a_cell(first):
    pdf = Path(first.version.directory) / first.draft.with_suffix(".pdf").name
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    pages = [p for p in text.split("\f") if p.strip()]
    assert "Bilaga: Metod och statistisk prövning" in pages[1]  # the whole Innehåll, page 2
    assert "Sammanfattning lokal lägesbild" in pages[2].split("Innehåll")[-1]
    for number, page in enumerate(pages[1:-1], start=2):  # the title page stands alone
        lines = [line for line in page.splitlines() if line.strip()]
        # A page of text is not mostly blank (a page with a figure holds its image instead).
        assert "Figur " in page or len(lines) >= 25, (number, lines[4:8])
        # A table's or figure's "Källa:" line stays on its page: the body (below the
        # running header's five lines) never begins with it.
        top = [line.strip() for line in lines[:6]]
        assert not any(line.startswith("Källa:") for line in top), (number, top)
    assert not re.search(r"Trygghetsmätninge *\n", text)  # Källa cells fit the word
