"""The review portal over HTTP: pages, workflow, and the security rules."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from approval.audit.chain import verify
from approval.db.models import AuditEntry, ReportVersion
from approval.review.rules import local_today


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def post(client, url: str, data: dict, page: str = "/rapporter/sodermalm/2024"):
    token = csrf(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token})


def _state(engine, vid: int) -> str:
    with Session(engine) as session:
        return session.get(ReportVersion, vid).state


def _actions(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def _routes(routes) -> list:
    """Every route, also those of included routers (FastAPI keeps them nested)."""
    found = []
    for route in routes:
        nested = getattr(route, "original_router", None)
        found += _routes(nested.routes) if nested is not None else [route]
    return found


# -- security -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/rapporter",
        "/status",
        "/rapporter/sodermalm/2024",
        "/versioner/1/fil/docx",
        "/finns-inte",
    ],
)
def test_anonymous_visitors_are_sent_to_login(portal, path) -> None:
    response = portal.client(None).get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_anonymous_post_is_sent_to_login_and_changes_nothing(portal) -> None:
    vid = portal.versions["sod_v2"]
    response = portal.client(None).post(f"/versioner/{vid}/beslut", data={"beslut": "godkann"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert _state(portal.engine, vid) == "utkast"


def test_wrong_password_is_refused_and_logged(portal) -> None:
    client = portal.client(None)
    token = csrf(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "greta", "password": "fel", "csrf_token": token}
    )
    assert response.status_code == 401 and "Fel användarnamn eller lösenord" in response.text
    assert client.get("/rapporter").status_code == 303
    assert _actions(portal.engine)[-1] == "login:failed"


def test_login_redirect_stays_on_the_site(portal) -> None:
    client = portal.client(None)
    token = csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": "greta",
            "password": "rätt-lösenord",
            "next": "//evil.example/",
            "csrf_token": token,
        },
    )
    assert response.headers["location"] == "/"


def test_every_post_form_without_csrf_token_is_refused(portal) -> None:
    client = portal.client("sara")
    vid = portal.versions["sod_v2"]
    routes = [
        "/login",
        "/logout",
        f"/versioner/{vid}/kommentar",
        f"/versioner/{vid}/skicka",
        f"/versioner/{vid}/beslut",
        f"/versioner/{vid}/word",
        "/kommentarer/1/los",
        "/kommentarer/1/oppna",
        "/konto/losenord",
        "/admin/anvandare/greta/aktiv",
        "/admin/anvandare/greta/losenord",
        "/admin/anvandare/greta/omraden",
    ]
    posted = {
        r.path for r in _routes(portal.app.routes) if "POST" in (getattr(r, "methods", None) or ())
    }
    assert len(posted) == len(routes)  # a new POST route must be added here
    for url in routes:
        for token in (None, "forged"):
            data = {"text": "x", "beslut": "godkann", "username": "sara", "password": "x"}
            if token:
                data["csrf_token"] = token
            response = client.post(url, data=data)
            assert response.status_code == 403, url
            assert "CSRF" in response.text
    assert _state(portal.engine, vid) == "utkast"
    assert client.get("/rapporter").status_code == 200  # still logged in


def test_reviewer_cannot_record_a_decision(portal) -> None:
    vid = portal.versions["sod_v2"]
    post(portal.client("fia"), f"/versioner/{vid}/skicka", {"mottagare": "intern"})
    reviewer = portal.client("greta")
    response = post(reviewer, f"/versioner/{vid}/beslut", {"beslut": "godkann"})
    assert response.status_code == 403
    assert _state(portal.engine, vid) == "for_granskning"
    assert "Styrgruppens beslut" not in reviewer.get("/rapporter/sodermalm/2024").text


def test_reviewer_of_another_area_sees_nothing(portal) -> None:
    client = portal.client("olle")
    listing = client.get("/rapporter").text
    assert "Kungsholmen" in listing and "Södermalm" not in listing
    assert "Södermalm" not in client.get("/status").text
    sod = portal.versions["sod_v2"]
    assert client.get("/rapporter/sodermalm/2024").status_code == 404
    assert client.get(f"/versioner/{sod}/fil/docx").status_code == 404
    response = post(client, f"/versioner/{sod}/kommentar", {"text": "hej"}, page="/rapporter")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/versioner/{v}/fil/..%2F..%2F..%2Fetc%2Fpasswd",
        "/versioner/{v}/fil/../../etc/passwd",
        "/versioner/{v}/fil/%2e%2e",
        "/versioner/9999/fil/docx",
        "/versioner/{v}/fil/csv",
    ],
)
def test_download_paths_cannot_escape_the_draft_store(portal, path) -> None:
    client = portal.client("fia")
    response = client.get(path.format(v=portal.versions["sod_v2"]))
    assert response.status_code in (404, 303)
    assert b"root:" not in response.content


def test_a_version_recorded_outside_the_store_is_not_served(portal) -> None:
    vid = portal.versions["sod_v2"]
    with Session(portal.engine) as session, session.begin():
        session.execute(
            update(ReportVersion).where(ReportVersion.id == vid).values(directory="/etc")
        )
    response = portal.client("fia").get(f"/versioner/{vid}/fil/docx")
    assert response.status_code == 404 and "utanför utkastarkivet" in response.text


def test_approving_a_stale_version_is_refused(portal) -> None:
    v1 = portal.versions["sod_v1"]
    with Session(portal.engine) as session, session.begin():  # v1 was in review before v2
        session.execute(
            update(ReportVersion).where(ReportVersion.id == v1).values(state="for_granskning")
        )
    response = post(portal.client("sara"), f"/versioner/{v1}/beslut", {"beslut": "godkann"})
    assert response.status_code == 409 and "ersatt av version 2" in response.text
    assert _state(portal.engine, v1) == "for_granskning"


def test_an_edited_audit_entry_is_detected(portal) -> None:
    portal.client("fia").get(f"/versioner/{portal.versions['sod_v2']}/fil/docx")
    assert verify(portal.engine).ok
    with Session(portal.engine) as session, session.begin():
        session.execute(
            update(AuditEntry).where(AuditEntry.action == "download").values(actor="någon annan")
        )
    assert not verify(portal.engine).ok


# -- pages and workflow ---------------------------------------------------------------------
def test_list_history_and_status_grid(portal) -> None:
    client = portal.client("fia")
    listing = client.get("/rapporter")
    assert listing.status_code == 200
    assert "Södermalm" in listing.text and "v002" in listing.text and "utkast" in listing.text
    history = client.get("/rapporter/sodermalm/2024").text
    assert "återremitterad (ersatt)" in history
    grid = client.get("/status").text
    assert "Statusöversikt" in grid and "godkänd" in grid  # quality of v2
    assert client.get("/").headers["location"] == "/rapporter"


def test_download_is_the_recorded_draft_and_is_audited(portal) -> None:
    vid = portal.versions["sod_v2"]
    response = portal.client("fia").get(f"/versioner/{vid}/fil/docx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "lagesbild_sodermalm_2024_v002.docx" in response.headers["content-disposition"]
    assert _actions(portal.engine)[-1] == "download"


def test_whole_review_through_the_portal(portal) -> None:
    vid = portal.versions["sod_v2"]
    steward, reviewer, secretary = (portal.client(n) for n in ("fia", "greta", "sara"))
    r = post(steward, f"/versioner/{vid}/skicka", {"mottagare": "intern"})
    assert r.status_code == 303
    assert "skickad till granskning" in steward.get(r.headers["location"]).text
    r = post(reviewer, f"/versioner/{vid}/kommentar", {"text": "Figur 2 saknar enhet."})
    assert r.status_code == 303
    assert post(secretary, f"/versioner/{vid}/beslut", {"beslut": "godkann"}).status_code == 303
    r = post(
        secretary,
        f"/versioner/{vid}/beslut",
        {"beslut": "faststall", "diarienummer": "SÖ 2025/42",
         "beslutsdatum": local_today().isoformat()},
    )
    assert r.status_code == 303
    page = reviewer.get("/rapporter/sodermalm/2024").text
    assert "fastställd" in page and "SÖ 2025/42" in page and "Figur 2 saknar enhet." in page
    assert _state(portal.engine, vid) == "faststalld"
    actions = _actions(portal.engine)
    assert {"state:skicka", "comment", "state:godkann", "state:faststall"} <= set(actions)
    assert actions.count("login") == 3
    assert verify(portal.engine).ok


def test_sending_outside_the_forvaltning_warns_first(portal) -> None:
    vid = portal.versions["sod_v2"]
    steward = portal.client("fia")
    page = steward.get("/rapporter/sodermalm/2024").text
    assert "kan bli en allmän handling" in page
    r = post(
        steward, f"/versioner/{vid}/skicka", {"mottagare": "extern", "mottagarnamn": "Polisen City"}
    )
    assert r.status_code == 200 and "expedierat" in r.text and "allmän handling" in r.text
    assert _state(portal.engine, vid) == "utkast"  # nothing happened yet
    r = steward.post(
        f"/versioner/{vid}/skicka",
        data={
            "mottagare": "extern",
            "mottagarnamn": "Polisen City",
            "bekraftat": "ja",
            "csrf_token": csrf(r.text),
        },
    )
    assert r.status_code == 303 and _state(portal.engine, vid) == "for_granskning"
    assert "expedierad till Polisen City" in steward.get("/rapporter/sodermalm/2024").text


def test_returning_without_a_comment_is_refused(portal) -> None:
    vid = portal.versions["sod_v2"]
    post(portal.client("fia"), f"/versioner/{vid}/skicka", {"mottagare": "intern"})
    r = post(portal.client("sara"), f"/versioner/{vid}/beslut",
             {"beslut": "aterremittera", "kommentar": "  "})  # fmt: skip
    assert r.status_code == 400
    assert 'id="fel-kommentar"' in r.text and "behöver en kommentar" in r.text  # beside the field
    assert 'value="aterremittera" checked' in r.text  # what was chosen is kept
    assert _state(portal.engine, vid) == "for_granskning"


def test_the_decision_form_has_no_default_and_keeps_the_input(portal) -> None:
    vid = portal.versions["sod_v2"]
    post(portal.client("fia"), f"/versioner/{vid}/skicka", {"mottagare": "intern"})
    secretary = portal.client("sara")
    page = secretary.get("/rapporter/sodermalm/2024").text
    assert 'name="beslut"' in page and "checked" not in page
    r = post(secretary, f"/versioner/{vid}/beslut", {"kommentar": "Bra underlag."})
    assert r.status_code == 400 and "Välj ett beslut." in r.text
    assert "Bra underlag.</textarea>" in r.text


def test_logout_ends_the_session(portal) -> None:
    client = portal.client("greta")
    assert post(client, "/logout", {}, page="/rapporter").status_code == 303
    assert client.get("/rapporter").status_code == 303
    assert _actions(portal.engine)[-1] == "logout"
