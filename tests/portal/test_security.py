"""Portal details (issue 10, finding 10): what is served, headers on every response,
ids out of range, decision dates, and file modes of the drafts."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from approval.db.models import ReportVersion
from approval.review.rules import local_today
from approval.testing import record_version
from portal.security import SECURITY_HEADERS
from tests.portal.conftest import csrf_of


def _has_security_headers(response) -> None:  # noqa: ANN001
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                 "Referrer-Policy"):  # fmt: skip
        assert response.headers.get(name) == SECURITY_HEADERS[name], (name, response.url)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_security_headers_on_pages_redirects_errors_and_500(portal) -> None:
    @portal.app.get("/test-boom")
    def boom() -> None:
        raise RuntimeError("simulated bug")

    anonymous = portal.client(None)
    reviewer = portal.client("greta")
    from fastapi.testclient import TestClient

    no_raise = TestClient(portal.app, follow_redirects=False, raise_server_exceptions=False)
    cookies = reviewer.cookies
    responses = {
        "login page": anonymous.get("/login"),
        "redirect to login": anonymous.get("/rapporter"),
        "redirect after POST": anonymous.post("/logout"),
        "page": reviewer.get("/rapporter"),
        "404": reviewer.get("/rapporter/sodermalm/1999"),
        "405": reviewer.delete("/rapporter"),
        "403 csrf": reviewer.post(f"/versioner/{portal.versions['sod_v2']}/kommentar"),
        "500": no_raise.get("/test-boom", cookies=cookies),
        "download": reviewer.get(f"/versioner/{portal.versions['sod_v2']}/fil/docx"),
    }
    assert responses["redirect to login"].status_code == 303
    assert responses["500"].status_code == 500
    assert "oväntat fel" in responses["500"].text and "simulated bug" not in responses["500"].text
    for response in responses.values():
        _has_security_headers(response)


@pytest.mark.parametrize("path", [
    "/versioner/99999999999999999999/fil/docx",
    "/versioner/2147483648/fil/pdf",
    "/versioner/-1/fil/docx",
    "/rapporter/sodermalm/99999999999999999999",
])  # fmt: skip
def test_ids_out_of_range_are_404_not_500(portal, path) -> None:
    response = portal.client("greta").get(path)
    assert response.status_code == 404, response.text
    _has_security_headers(response)


def test_pdf_served_only_when_its_recorded_sha256_matches(portal) -> None:
    vid = record_version(portal.engine, portal.store, "sodermalm", 2024, 3, pdf=True)
    reviewer = portal.client("fia")  # a granskare sees only versions sent for review
    response = reviewer.get(f"/versioner/{vid}/fil/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = next((portal.store / "sodermalm" / "2024" / "v003").glob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"% a changed PDF\n")
    response = reviewer.get(f"/versioner/{vid}/fil/pdf")
    assert response.status_code == 404 and "ändrats" in response.text
    # A version whose PDF's sha256 was never recorded: nothing vouches for it.
    with Session(portal.engine) as session, session.begin():
        session.execute(update(ReportVersion).where(ReportVersion.id == vid)
                        .values(pdf_sha256=None))  # fmt: skip
    pdf.write_bytes(pdf.read_bytes())
    response = reviewer.get(f"/versioner/{vid}/fil/pdf")
    assert response.status_code == 404 and "kontrollsumma" in response.text


def test_a_row_pointing_at_another_area_year_is_not_served(portal) -> None:
    """A Södermalm row rewritten to Kungsholmen's directory (inside the store) is refused."""
    other = portal.store / "kungsholmen" / "2024" / "v001"
    sod = portal.versions["sod_v2"]
    with Session(portal.engine) as session, session.begin():
        kun = session.get(ReportVersion, portal.versions["kun_v1"])
        session.execute(update(ReportVersion).where(ReportVersion.id == sod)
                        .values(directory=str(other.resolve()),
                                docx_sha256=kun.docx_sha256))  # fmt: skip
    response = portal.client("fia").get(f"/versioner/{sod}/fil/docx")
    assert response.status_code == 404 and "utanför" in response.text


@pytest.mark.parametrize(("day", "message"), [
    ("1900-01-01", "före versionens tillkomst"),
    ((local_today() + dt.timedelta(days=3)).isoformat(), "i framtiden"),
    ("3.2.2025", "ÅÅÅÅ-MM-DD"),
])  # fmt: skip
def test_decision_date_is_refused_beside_the_field(portal, day, message) -> None:
    vid = portal.versions["sod_v2"]
    steward, secretary = portal.client("fia"), portal.client("sara")
    page = steward.get("/rapporter/sodermalm/2024").text
    steward.post(f"/versioner/{vid}/skicka", data={"csrf_token": csrf_of(page)})
    page = secretary.get("/rapporter/sodermalm/2024").text
    secretary.post(f"/versioner/{vid}/beslut",
                   data={"beslut": "godkann", "csrf_token": csrf_of(page)})  # fmt: skip
    page = secretary.get("/rapporter/sodermalm/2024").text
    response = secretary.post(f"/versioner/{vid}/beslut", data={
        "beslut": "faststall", "diarienummer": "SÖD 2023/1177", "beslutsdatum": day,
        "csrf_token": csrf_of(page)})  # fmt: skip
    assert response.status_code == 400
    html = response.text
    assert 'id="fel-beslutsdatum"' in html and message in html
    assert 'aria-describedby="fel-beslutsdatum"' in html
    assert 'value="SÖD 2023/1177"' in html  # what was typed is kept
    with Session(portal.engine) as session:
        assert session.get(ReportVersion, vid).state == "godkand"


def test_drafts_and_pdfs_follow_the_umask(tmp_path) -> None:
    """mkstemp writes 0600; a draft must be readable by the group sharing the directory."""
    from outputs.publish.versions import make_shareable

    old = os.umask(0o027)
    try:
        path = tmp_path / "x.docx"
        path.write_bytes(b"x")
        os.chmod(path, 0o600)
        make_shareable(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(old)
