"""The review portal in a real browser (Debian's Chromium driven by Playwright), one walk:

förvaltare sends v1; granskare reads it (HTML and the PDF inline), comments on a section
and uploads a Word copy with a comment; sekreterare returns it; v2 is compared with v1
(a moved figure, a changed sentence); v2 is approved and adopted; the stamped rendition
downloads. A real SMTP server (aiosmtpd) receives the notices. Every page is checked for
horizontal scroll at 390 px and with axe-core (no serious or critical violations).

Screenshots (1280×800 and 390×844) go to the pytest tmp dir; with
``LAGESBILD_UPDATE_SCREENSHOT=1`` the useful ones are copied to ``docs/``.
"""

from __future__ import annotations

import email
import email.policy
import importlib.resources
import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from approval.review.rules import local_today
from tests.portal.test_reading import CHANGES, SECTIONS_V1, SECTIONS_V2

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
DOCS = Path(__file__).resolve().parents[2] / "docs"
PASSWORD = "rätt-lösenord-för-test"

TODAY = local_today().isoformat()
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
)


class _Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict]:
    """The portal on 127.0.0.1 (uvicorn in a thread) with a real local SMTP server."""
    import uvicorn
    from aiosmtpd.controller import Controller

    from approval.accounts.users import add_user
    from approval.db.engine import init_db
    from approval.review.notifications import SmtpSettings, set_email
    from approval.testing import record_version
    from portal.app import create_app

    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    store = tmp_path / "reports"
    engine = init_db(f"sqlite:///{tmp_path / 'lagesbild.db'}")
    for name, role in (("fia", "forvaltare"), ("greta", "granskare"), ("sara", "sekreterare")):
        add_user(engine, username=name, password=PASSWORD, role=role, areas=["sodermalm"])
        set_email(engine, name, f"{name}@example.se")
    add_user(engine, username="adam", password=PASSWORD, role="administrator", areas=["*"])
    ok = json.dumps({"success": True, "warnings": 0, "results": []})
    v1 = record_version(engine, store, "sodermalm", 2023, 1, sections=SECTIONS_V1, quality=ok,
                        pdf=True)  # fmt: skip
    app = create_app(engine, draft_root=store, secret_key="browser-test",
                     smtp=SmtpSettings(host="127.0.0.1", port=smtp_port))  # fmt: skip
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.05)
    try:
        yield {"base": f"http://127.0.0.1:{sock.getsockname()[1]}", "store": store,
               "engine": engine, "inbox": inbox, "v1": v1}  # fmt: skip
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
        controller.stop()
        engine.dispose()


def _text(page, selector: str) -> str:  # noqa: ANN001
    """The rendered text of the first element matching ``selector``."""
    page.wait_for_load_state()
    try:
        return page.eval_on_selector(selector, "e => e.innerText")
    except Exception:
        print("DEBUG", page.url, page.evaluate("document.body.innerHTML.slice(0, 3000)"))
        raise


def _login(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/att-gora")
    assert page.url.startswith(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/att-gora")


AXE = importlib.resources.files("axe_playwright_python").joinpath("axe.min.js").read_text()


def _check_page(page, shots: Path, name: str, phone) -> None:  # noqa: ANN001
    """Screenshot at 1280×800; axe-core; the same page at 390×844 without horizontal scroll."""
    page.screenshot(path=str(shots / f"{name}-1280.png"))
    page.add_script_tag(content=AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert serious == [], f"{name}: {serious}"
    phone.goto(page.url)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} is {width} px wide at 390 px"
    phone.screenshot(path=str(shots / f"{name}-390.png"))


def test_review_walk_in_a_browser(site, tmp_path: Path) -> None:
    from docx import Document
    from playwright.sync_api import sync_playwright

    from approval.testing import record_version

    base, v1 = site["base"], site["v1"]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(accept_downloads=True, locale="sv-SE", bypass_csp=True,
                                      viewport={"width": 1280, "height": 800})  # fmt: skip
        page = context.new_page()
        phone = context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})

        # förvaltare sends v1
        _login(page, base, "fia")
        assert "Skicka utkastet till granskning" in page.content()
        _check_page(page, shots, "1-att-gora", phone)
        page.click("text=Skicka utkastet till granskning")
        _check_page(page, shots, "2-rapport-utkast", phone)
        page.click("text=Skicka version 1 till granskning")
        assert "skickad till granskning" in _text(page, ".flash")

        # granskare reads it inline, comments on a section, uploads a Word copy
        _login(page, base, "greta")
        page.click("text=Granska och kommentera")
        page.wait_for_url(f"**/versioner/{v1}/las")
        assert "130 189 invånare" in _text(page, "#befolkningsfakta")
        page.click("#befolkningsfakta summary:has-text('Kommentera avsnittet')")
        page.fill("#ny-befolkningsfakta", "Ange källan för invånarantalet.")
        page.click("#befolkningsfakta button:has-text('Spara kommentaren')")
        assert "Ange källan för invånarantalet." in _text(page, "#befolkningsfakta")
        with page.expect_download() as info:
            page.click("text=Ladda ned Word-filen")
        copy = tmp_path / "granskad.docx"
        info.value.save_as(copy)
        document = Document(str(copy))  # what Word does when a reviewer comments
        target = next(p for p in document.paragraphs if p.text.startswith("Rånen"))
        document.add_comment(target.runs, text="Jämför med staden.", author="Greta Granskare")
        document.save(str(copy))
        page.set_input_files("#fil", str(copy))
        page.click("text=Hämta kommentarerna")
        assert "1 kommentar från Word-filen är sparade" in _text(page, ".flash")
        assert "Jämför med staden." in _text(page, "#ran")
        _check_page(page, shots, "3-las-och-kommentera", phone)
        page.goto(f"{base}/versioner/{v1}/pdf")
        inline = page.request.get(f"{base}/versioner/{v1}/visa/pdf")
        assert inline.headers["content-disposition"].startswith("inline")
        assert inline.body()[:5] == b"%PDF-"
        page.wait_for_timeout(500)
        _check_page(page, shots, "4-pdf", phone)

        # sekreterare returns it
        _login(page, base, "sara")
        page.goto(f"{base}/rapporter/sodermalm/2023")
        page.click("text=Registrera beslut")  # nothing chosen: error beside the field
        assert "Välj ett beslut." in _text(page, "#fel-beslut")
        page.check("input[name=beslut][value=aterremittera]")
        page.fill("#kommentar", "Förklara rånen.")
        page.click("text=Registrera beslut")
        assert "återremitterad" in _text(page, ".flash")

        # the pipeline makes v2 (with its changes.json); compared with v1
        record_version(site["engine"], site["store"], "sodermalm", 2023, 2, sections=SECTIONS_V2,
                       changes=json.dumps(CHANGES))  # fmt: skip
        _login(page, base, "fia")
        page.goto(f"{base}/rapporter/sodermalm/2023")
        page.click("text=Se vad version 2 ändrade")
        page.wait_for_url("**/jamfor?fran=1&till=2")
        text = _text(page, "main")
        assert "Jämför version 2 med 1" in text and "96" in text
        assert "ingen säker förändring → signifikant förändring" in text
        assert "ökade något" in page.locator("del").all_inner_texts()
        assert any("minskade tydligt" in t for t in page.locator("ins").all_inner_texts())
        _check_page(page, shots, "5-jamfor", phone)
        page.goto(f"{base}/rapporter/sodermalm/2023")
        page.click("text=Skicka version 2 till granskning")

        # sekreterare approves and adopts; the stamped rendition downloads
        _login(page, base, "sara")
        page.goto(f"{base}/rapporter/sodermalm/2023")
        page.check("input[name=beslut][value=godkann]")
        page.click("text=Registrera beslut")
        assert "godkänd av styrgrupp" in _text(page, ".flash")
        assert page.input_value("#diarienummer") == "SÖD 2023/1177"  # from areas.yaml
        _check_page(page, shots, "6-beslut", phone)
        page.check("input[name=beslut][value=faststall]")
        page.fill("#beslutsdatum", TODAY)
        page.click("text=Registrera beslut")
        assert "fastställd" in _text(page, ".flash")
        with page.expect_download() as info:
            page.click("text=Ladda ned med fastställelsestämpel (Word)")
        stamped = tmp_path / info.value.suggested_filename
        info.value.save_as(stamped)
        paragraphs = [p.text for p in Document(str(stamped)).paragraphs]
        assert f"Fastställd {TODAY}, dnr SÖD 2023/1177" in paragraphs
        _check_page(page, shots, "7-faststalld", phone)
        page.goto(f"{base}/versioner/{v1 + 1}/kvalitet")
        _check_page(page, shots, "8-kvalitet", phone)
        page.goto(f"{base}/status")
        _check_page(page, shots, "9-status", phone)

        # administrator: accounts, one account's forms, the audit log filtered
        _login(page, base, "adam")
        page.goto(f"{base}/admin/anvandare")
        assert "fia@example.se" in _text(page, "main table")
        _check_page(page, shots, "10-anvandare", phone)
        page.goto(f"{base}/admin/anvandare/greta")
        _check_page(page, shots, "11-anvandare-greta", phone)
        page.goto(f"{base}/admin/logg?handling=state:faststall")
        assert "state:faststall" in _text(page, "main table tbody")
        _check_page(page, shots, "12-granskningslogg", phone)
        browser.close()

    subjects = [m["Subject"] for m in site["inbox"].messages]
    for word in ("skickad till granskning", "återremitterad", "godkänd av styrgruppen",
                 "fastställd"):  # fmt: skip
        assert any(word in s for s in subjects), (word, subjects)
    returned = [m for m in site["inbox"].messages if "återremitterad" in m["Subject"]]
    assert [m["To"] for m in returned] == ["fia@example.se"]
    assert "Förklara rånen." in returned[0].get_content()
    if os.environ.get("LAGESBILD_UPDATE_SCREENSHOT") == "1":
        for name in ("3-las-och-kommentera-1280", "5-jamfor-1280", "6-beslut-1280",
                     "3-las-och-kommentera-390", "9-status-1280", "10-anvandare-1280",
                     "12-granskningslogg-1280"):  # fmt: skip
            shutil.copyfile(shots / f"{name}.png", DOCS / f"portal-{name}.png")
        shutil.copyfile(shots / "6-beslut-1280.png", DOCS / "portal-screenshot.png")
        shutil.copyfile(shots / "9-status-1280.png", DOCS / "portal-status.png")
    print(f"screenshots in {shots}")
