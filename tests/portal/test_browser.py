"""The portal in a real browser (Debian's Chromium driven by Playwright): log in, download
the draft, submit it for review, record the steering group's decision, take screenshots.

Screenshots go to the pytest tmp dir; with ``LAGESBILD_UPDATE_SCREENSHOT=1`` the report page
(state godkänd, the fastställ form and the history) is copied to ``docs/portal-screenshot.png``
and the status grid to ``docs/portal-status.png``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from approval.workflow import local_today

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS = Path(__file__).resolve().parents[2] / "docs"
PASSWORD = "rätt-lösenord"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The portal on 127.0.0.1 (free port, uvicorn in a thread) with seeded data."""
    import uvicorn

    from approval.db import init_db
    from approval.testing import record_version
    from approval.users import add_user
    from portal.app import create_app

    store = tmp_path / "reports"
    engine = init_db(f"sqlite:///{tmp_path / 'lagesbild.db'}")
    add_user(engine, username="fia", password=PASSWORD, role="forvaltare", areas=["sodermalm"])
    add_user(
        engine,
        username="sara",
        password=PASSWORD,
        role="sekreterare",
        areas=["sodermalm", "kungsholmen"],
    )
    ok = '{"success": true, "blocking_failures": 0, "warnings": 0}'
    record_version(engine, store, "sodermalm", 2023, 1, quality=ok)
    record_version(
        engine,
        store,
        "kungsholmen",
        2024,
        1,
        quality='{"success": true, "blocking_failures": 0, "warnings": 3}',
    )
    record_version(engine, store, "sodermalm", 2024, 1, quality=ok)
    app = create_app(engine, draft_root=store, secret_key="browser-test")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", store
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
        engine.dispose()


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/rapporter")
    assert page.url.startswith(f"{base}/login")  # anonymous: sent to the login page
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/rapporter")


def test_review_in_a_browser(site, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, store = site
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_context(
            accept_downloads=True, locale="sv-SE", viewport={"width": 1280, "height": 900}
        ).new_page()
        page.goto(f"{base}/login")
        page.screenshot(path=str(shots / "1-login.png"))

        _login(page, base, "fia")
        assert "Södermalm" in page.content()
        page.click("text=Södermalm >> nth=0")
        page.wait_for_url("**/rapporter/sodermalm/*")
        with page.expect_download() as info:
            page.click("text=Ladda ned utkastet (Word)")
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        original = next((store / "sodermalm").rglob(saved.name))
        assert (
            hashlib.sha256(saved.read_bytes()).digest()
            == hashlib.sha256(original.read_bytes()).digest()
        )
        page.screenshot(path=str(shots / "2-skicka.png"), full_page=True)
        page.click("text=Skicka version 1 till granskning")
        page.wait_for_selector(".flash")
        assert "skickad till granskning" in page.inner_text(".flash")
        page.click("header button")  # logga ut
        page.wait_for_url(f"{base}/login")

        _login(page, base, "sara")
        page.goto(f"{base}/rapporter/sodermalm/2024")
        page.check("input[name=beslut][value=godkann]")
        page.fill("#kommentar", "Godkänd vid styrgruppens möte.")
        page.click("text=Registrera beslut")
        page.wait_for_selector(".flash")
        assert "godkänd av styrgrupp" in page.inner_text(".flash")
        page.screenshot(path=str(shots / "3-beslut.png"), full_page=True)
        page.check("input[name=beslut][value=faststall]")
        page.fill("#diarienummer", "SÖ 2025/42")
        page.fill("#beslutsdatum", local_today().isoformat())
        page.click("text=Registrera beslut")
        page.wait_for_selector(".flash")
        assert "fastställd" in page.inner_text(".flash")
        assert "SÖ 2025/42" in page.content()
        page.screenshot(path=str(shots / "4-faststalld.png"), full_page=True)
        page.goto(f"{base}/status")
        page.screenshot(path=str(shots / "5-status.png"), full_page=True)
        assert "Kungsholmen" in page.content()
        browser.close()
    for name in ("1-login.png", "2-skicka.png", "3-beslut.png", "4-faststalld.png", "5-status.png"):
        assert (shots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("LAGESBILD_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shots / "3-beslut.png", DOCS / "portal-screenshot.png")
        shutil.copyfile(shots / "5-status.png", DOCS / "portal-status.png")
