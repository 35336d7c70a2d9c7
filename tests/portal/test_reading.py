"""Reading, commenting in place, Word comments, comparing versions and the adopted stamp,
over HTTP against the real app and database (SQLite; PostgreSQL when configured)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from docx import Document

from approval.audit.chain import verify
from approval.review.rules import local_today
from approval.testing import record_version
from tests.portal.conftest import csrf_of

TODAY = local_today().isoformat()
SECTIONS_V1 = {
    "Sammanfattning": ["Oron för brott har minskat på Södermalm."],
    "Befolkningsfakta": ["Inom området bodde 130 189 invånare."],
    "Rån": ["Rånen ökade något under året."],
}
SECTIONS_V2 = {
    **SECTIONS_V1,
    "Rån": ["Rånen minskade tydligt under året, främst kring Medborgarplatsen."],
}
CHANGES = {
    "previous_version": 1,
    "figures": [
        {"source": "bra", "indicator": "Rån", "group": "", "year": 2024, "field": "value",
         "old": 120.0, "new": 96.0},
        {"source": "bra", "indicator": "Rån", "group": "", "year": 2024, "field": "significant",
         "old": False, "new": True},
    ],
    "sources": [{"name": "Databasfil_sodermalm_2024.txt", "change": "uppdaterad",
                 "old_sha256": "a" * 64, "new_sha256": "b" * 64}],
    "editorial": [],
}  # fmt: skip


@pytest.fixture
def site(portal):
    """Södermalm 2023: v1 and v2 with real sections, v2 with its changes.json."""
    v1 = record_version(portal.engine, portal.store, "sodermalm", 2023, 1, sections=SECTIONS_V1)
    return portal, v1


def post(client, url: str, data: dict, page: str, files=None):  # noqa: ANN001
    token = csrf_of(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token}, files=files)


def _send(portal, vid: int) -> None:
    r = post(portal.client("fia"), f"/versioner/{vid}/skicka", {"mottagare": "intern"},
             "/rapporter/sodermalm/2023")  # fmt: skip
    assert r.status_code == 303


def test_read_comment_reply_resolve_and_word_import(site, tmp_path: Path) -> None:
    portal, v1 = site
    _send(portal, v1)
    greta = portal.client("greta")
    page = greta.get(f"/versioner/{v1}/las")
    assert page.status_code == 200
    assert 'id="befolkningsfakta"' in page.text and "130 189 invånare" in page.text
    r = post(greta, f"/versioner/{v1}/kommentar",
             {"text": "Ange källan för invånarantalet.", "avsnitt": "befolkningsfakta",
              "avsnittsrubrik": "Befolkningsfakta", "tillbaka": "las"},
             f"/versioner/{v1}/las")  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith("/las#befolkningsfakta")
    page = greta.get(f"/versioner/{v1}/las").text
    comment_id = int(re.search(r'id="kommentar-(\d+)"', page).group(1))
    assert "Ange källan för invånarantalet." in page
    r = post(portal.client("fia"), f"/versioner/{v1}/kommentar",
             {"text": "Källa: SCB.", "svar_pa": str(comment_id), "tillbaka": "las"},
             f"/versioner/{v1}/las")  # fmt: skip
    assert r.status_code == 303
    assert post(greta, f"/kommentarer/{comment_id}/los", {"tillbaka": str(v1)},
                f"/versioner/{v1}/las").status_code == 303  # fmt: skip
    page = greta.get(f"/versioner/{v1}/las").text
    assert "Källa: SCB." in page and "löst av greta" in page and "Öppna igen" in page

    # Word: download, comment in "Word" (python-docx writes real Word comments), upload
    original = greta.get(f"/versioner/{v1}/fil/docx").content
    copy = tmp_path / "granskad.docx"
    copy.write_bytes(original)
    document = Document(str(copy))
    target = next(p for p in document.paragraphs if p.text.startswith("Rånen"))
    document.add_comment(target.runs, text="Jämför med staden.", author="Greta Granskare")
    document.save(str(copy))
    upload = {"fil": ("granskad.docx", copy.read_bytes(), "application/octet-stream")}
    r = post(greta, f"/versioner/{v1}/word", {}, f"/versioner/{v1}/las", files=upload)
    assert r.status_code == 303
    page = greta.get(f"/versioner/{v1}/las").text
    assert "Jämför med staden." in page and "från Word-fil" in page
    section = page[page.index('id="ran"'):]
    assert "Jämför med staden." in section.split("</section>")[0]  # anchored to "Rån"
    r = post(greta, f"/versioner/{v1}/word", {}, f"/versioner/{v1}/las", files=upload)
    assert "1 fanns redan" in greta.get(f"/versioner/{v1}/las").text

    # another version's file is refused
    other = record_version(portal.engine, portal.store, "sodermalm", 2023, 2, sections=SECTIONS_V2)
    wrong = portal.client("fia").get(f"/versioner/{other}/fil/docx").content
    r = post(greta, f"/versioner/{v1}/word", {}, f"/versioner/{v1}/las",
             files={"fil": ("v2.docx", wrong, "application/octet-stream")})  # fmt: skip
    assert r.status_code == 409 and "inte den här versionen" in r.text
    assert verify(portal.engine).ok


def test_compare_shows_moved_figures_changed_words_and_sources(site) -> None:
    portal, v1 = site
    _send(portal, v1)
    sara = portal.client("sara")
    r = post(sara, f"/versioner/{v1}/beslut",
             {"beslut": "aterremittera", "kommentar": "Förklara rånen."},
             "/rapporter/sodermalm/2023")  # fmt: skip
    assert r.status_code == 303
    record_version(portal.engine, portal.store, "sodermalm", 2023, 2, sections=SECTIONS_V2,
                   changes=json.dumps(CHANGES))  # fmt: skip
    history = sara.get("/rapporter/sodermalm/2023").text
    assert "/rapporter/sodermalm/2023/jamfor?fran=1&amp;till=2" in history
    assert "Se vad version 2 ändrade" in history  # from the återremiss it answers
    page = sara.get("/rapporter/sodermalm/2023/jamfor?fran=1&till=2").text
    assert "Jämför version 2 med 1" in page
    assert "120" in page and "<strong>96</strong>" in page
    assert "ingen säker förändring → signifikant förändring" in page
    assert "<del>ökade något</del>" in page and "<ins>minskade tydligt</ins>" in page
    assert "Databasfil_sodermalm_2024.txt: uppdaterad" in page
    assert "Förklara rånen." in page  # the återremiss this version answers


def test_adopted_version_is_stamped_and_closed_for_comments(site) -> None:
    portal, v1 = site
    _send(portal, v1)
    sara = portal.client("sara")
    post(sara, f"/versioner/{v1}/beslut", {"beslut": "godkann"}, "/rapporter/sodermalm/2023")
    page = sara.get("/rapporter/sodermalm/2023").text
    assert 'value="SÖD 2023/1177"' in page  # prefilled from areas.yaml
    r = post(sara, f"/versioner/{v1}/beslut",
             {"beslut": "faststall", "diarienummer": "SÖD 2023/1177",
              "beslutsdatum": TODAY}, "/rapporter/sodermalm/2023")  # fmt: skip
    assert r.status_code == 303
    page = sara.get("/rapporter/sodermalm/2023").text
    assert "Ladda ned den fastställda versionen (Word)" in page
    stamped = sara.get(f"/versioner/{v1}/fil/faststalld")
    assert stamped.status_code == 200
    path = Path(portal.store) / "stamped.docx"
    path.write_bytes(stamped.content)
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert f"Fastställd {TODAY}, dnr SÖD 2023/1177" in texts
    assert "Version 1 – fastställd" in texts
    original = sara.get(f"/versioner/{v1}/fil/docx").content  # still the decided bytes
    assert "Version 1 – utkast" in [p.text for p in Document(__import__("io").BytesIO(
        original)).paragraphs]  # fmt: skip
    assert hashlib.sha256(original).hexdigest() != hashlib.sha256(stamped.content).hexdigest()
    r = post(portal.client("greta"), f"/versioner/{v1}/kommentar", {"text": "Sent påpekande"},
             "/rapporter/sodermalm/2023")  # fmt: skip
    assert r.status_code == 409 and "fastställd" in r.text
    assert verify(portal.engine).ok


def test_pdf_is_shown_inline(site) -> None:
    portal, _ = site
    v1 = record_version(portal.engine, portal.store, "sodermalm", 2022, 1, pdf=True)
    fia = portal.client("fia")
    viewer = fia.get(f"/versioner/{v1}/pdf")
    assert viewer.status_code == 200 and f'src="/versioner/{v1}/visa/pdf"' in viewer.text
    inline = fia.get(f"/versioner/{v1}/visa/pdf")
    assert inline.headers["content-disposition"].startswith("inline")
    assert inline.headers["x-frame-options"] == "SAMEORIGIN"
    assert fia.get(f"/versioner/{v1}/fil/pdf").headers["content-disposition"].startswith(
        "attachment")  # fmt: skip


GX_PAGE = """<html><head><link rel="stylesheet" href="https://cdn.example.org/bootstrap.css">
<script src="https://code.example.org/jquery.js"></script><script>$(function(){})</script></head>
<body><img src="https://assets.example.org/logo.png"><a href="https://greatexpectations.io">GX</a>
<table><tr><td>bra_clean</td></tr></table><a href="validations/x.html">x</a></body></html>"""


def test_no_page_the_portal_serves_refers_to_an_external_url(site) -> None:
    portal, v1 = site
    directory = next((Path(portal.store) / "sodermalm" / "2023").glob("v001"))
    (directory / "data_docs").mkdir()
    (directory / "data_docs" / "index.html").write_text(GX_PAGE, encoding="utf-8")
    (directory / "quality.json").write_text(json.dumps({
        "success": True, "blocking_failures": 0, "warnings": 1, "data_docs": "data_docs/index.html",
        "results": [
            {"source": "bra", "check": "expect_column_to_exist", "severity": "blocking",
             "success": True, "column": "area", "message": "", "examples": []},
            {"source": "ia", "check": "expect_column_values_to_be_in_set", "severity": "warning",
             "success": False, "column": "kategori", "message": "2 rader med okänd kategori",
             "examples": [{"file": "ia/export.xlsx", "row": 7, "column": "Kategori"}]},
        ]}), encoding="utf-8")  # fmt: skip
    record_version(portal.engine, portal.store, "sodermalm", 2023, 2, sections=SECTIONS_V2,
                   changes=json.dumps(CHANGES))  # fmt: skip
    client = portal.client("fia")
    quality = client.get(f"/versioner/{v1}/kvalitet").text
    assert quality.index("Varningar") < quality.index("Kontroller utan anmärkning")
    assert "ia/export.xlsx, rad 7, kolumn Kategori" in quality
    docs = client.get(f"/versioner/{v1}/datadocs/index.html").text
    assert "bra_clean" in docs and "/static/datadocs.css" in docs
    assert client.get(f"/versioner/{v1}/datadocs/../quality.json").status_code == 404
    seen: set[str] = set()
    queue = ["/att-gora", "/rapporter", "/status", "/rapporter/sodermalm/2023",
             f"/versioner/{v1}/kvalitet"]
    while queue and len(seen) < 60:
        url = queue.pop(0)
        if url in seen or "/fil/" in url or "/visa/" in url or "/logout" in url:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 303), url
        text = response.text
        assert not re.search(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", text), url
        assert "http://" not in text and "https://" not in text, url
        queue += [h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"#]*)', text)]
    assert {f"/versioner/{v1}/kvalitet", f"/versioner/{v1}/datadocs/index.html"} <= seen


def test_error_pages_keep_the_layout_and_name_the_area(site) -> None:
    portal, _ = site
    client = portal.client("fia")
    bad = client.get("/rapporter/sodermalm/abc")
    assert bad.status_code == 404 and "Sidan finns inte." in bad.text
    assert 'aria-label="Huvudmeny"' in bad.text and "{" not in bad.text.split("<main")[1]
    missing = client.get("/rapporter/sodermalm/1999")
    assert missing.status_code == 404 and "Södermalm 1999" in missing.text
    assert 'aria-label="Huvudmeny"' in missing.text
