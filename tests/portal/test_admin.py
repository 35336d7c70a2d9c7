"""The administrator's pages over HTTP (issue 13, item 10): accounts and the audit log."""

from __future__ import annotations

import datetime as dt
import re

from approval.accounts.users import add_user
from approval.audit import query as audit_query
from approval.audit.check import verify_all
from approval.audit.query import AuditFilter
from approval.review.rules import local_today
from tests.portal.conftest import PASSWORD, Portal, csrf_of


def _admin(portal: Portal):  # type: ignore[no-untyped-def]  # noqa: ANN202
    add_user(portal.engine, username="adam", password=PASSWORD, role="administrator",
             areas=["*"])  # fmt: skip
    return portal.client("adam")


def _post(client, path: str, **data: str | list[str]):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    token = csrf_of(client.get(path.rsplit("/", 1)[0]).text)
    return client.post(path, data={"csrf_token": token, **data})


def test_admin_manages_accounts_and_reads_the_log(portal: Portal) -> None:
    admin = _admin(portal)
    users = admin.get("/admin/anvandare")
    assert users.status_code == 200
    assert "<caption>Konton (5)</caption>" in users.text
    row = re.search(r"<tr>\s*<th scope=\"row\"><a href=\"/admin/anvandare/olle\">olle</a></th>"
                    r"(.*?)</tr>", users.text, re.S)  # fmt: skip
    assert row and "granskare" in row.group(1) and "ja" in row.group(1)

    # Disabling greta ends the session she already has.
    greta = portal.client("greta")
    assert greta.get("/rapporter").status_code == 200
    r = _post(admin, "/admin/anvandare/greta/aktiv", aktiv="nej")
    assert r.status_code == 303
    assert greta.get("/rapporter").headers["location"].startswith("/login")
    assert "nej, avstängd" in admin.get("/admin/anvandare").text
    assert _post(admin, "/admin/anvandare/greta/aktiv", aktiv="ja").status_code == 303
    # The administrator cannot lock themselves out.
    r = _post(admin, "/admin/anvandare/adam/aktiv", aktiv="nej")
    assert r.status_code == 400 and 'id="fel-aktiv"' in r.text

    # A weak password is refused beside the field; a good one replaces the old and is shown.
    sara = portal.client("sara")
    r = _post(admin, "/admin/anvandare/sara/losenord", nytt="kort")
    assert r.status_code == 400
    assert re.search(r'id="nytt"[^>]*aria-invalid="true"[^>]*>\s*<p class="field-error" '
                     r'id="fel-nytt">Lösenordet måste ha minst 12 tecken', r.text)  # fmt: skip
    page = admin.get("/admin/anvandare/sara").text
    suggestion = re.search(r'id="nytt" name="nytt" value="([^"]+)"', page).group(1)
    r = _post(admin, "/admin/anvandare/sara/losenord", nytt=suggestion)
    assert r.status_code == 200 and f'<code id="nytt-losenord">{suggestion}</code>' in r.text
    assert sara.get("/rapporter").status_code == 303  # her session ended
    login = portal.client()
    token = csrf_of(login.get("/login").text)
    assert login.post("/login", data={"username": "sara", "password": suggestion,
                                      "csrf_token": token}).status_code == 303  # fmt: skip

    # Olle moves from Kungsholmen to Södermalm: he then sees Södermalm's reports only.
    olle = portal.client("olle")
    assert "/rapporter/kungsholmen/2024" in olle.get("/rapporter").text
    r = _post(admin, "/admin/anvandare/olle/omraden", omrade=["sodermalm"])
    assert r.status_code == 303
    reports = olle.get("/rapporter").text
    assert "/rapporter/sodermalm/2024" in reports and "kungsholmen" not in reports
    assert olle.get("/rapporter/kungsholmen/2024").status_code == 404  # not his area
    r = _post(admin, "/admin/anvandare/olle/omraden")
    assert r.status_code == 400 and "Ange minst ett område." in r.text

    # The log: newest first, filtered by actor, action, subject, area and date.
    log = admin.get("/admin/logg", params={"aktor": "adam"}).text
    seqs = [int(s) for s in re.findall(r'<th scope="row">(\d+)</th>', log)]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) >= 5
    actions = re.findall(r"<td>adam</td>\s*<td>([^<]+)</td>", log)
    assert actions[:3] == ["user:areas", "user:reset-password", "user:enable"]
    only = admin.get("/admin/logg", params={"handling": "user:disable", "objekt": "greta"}).text
    assert "<caption>1 post</caption>" in only and "user:greta" in only
    area = admin.get("/admin/logg", params={"omrade": "kungsholmen"}).text
    rows = re.findall(r'<tr>\s*<th scope="row">\d+</th>(.*?)</tr>', area, re.S)
    subjects = {re.findall(r"<td>(.*?)</td>", row, re.S)[3] for row in rows}
    assert subjects == {f"version:{portal.versions['kun_v1']}"}
    today = local_today()  # the log filters by Europe/Stockholm days
    future = (today + dt.timedelta(days=2)).isoformat()
    assert "0 poster" in admin.get("/admin/logg", params={"fran": future}).text
    r = admin.get("/admin/logg", params={"till": "igår"})
    assert r.status_code == 400 and 'id="fel-till"' in r.text
    everything = admin.get("/admin/logg").text
    total = int(re.search(r"<caption>(\d+) poster", everything).group(1))
    same_day = admin.get("/admin/logg", params={"fran": today.isoformat(),
                                                "till": today.isoformat()}).text  # fmt: skip
    assert f"<caption>{total} poster" in same_day  # both bounds are inclusive local days
    first, second = (audit_query.search(portal.engine, AuditFilter(), page, per_page=3)
                     for page in (1, 2))  # fmt: skip
    assert first.total == total and first.pages == -(-total // 3)
    seqs = [r.seq for r in first.rows + second.rows]
    assert seqs == list(range(seqs[0], seqs[0] - 6, -1))  # page 2 continues page 1
    paged = admin.get("/admin/logg", params={"sida": "999"}).text
    assert "poster" in paged  # clamped to the last page
    # Every account change is in the chain: the tables agree with it (the fixture's own
    # shortcuts with versions are not this test's business).
    assert [p for p in verify_all(portal.engine).problems if "användaren" in p] == []


def test_only_the_administrator_reaches_the_admin_pages(portal: Portal) -> None:
    fia = portal.client("fia")
    for path in ("/admin/anvandare", "/admin/anvandare/greta", "/admin/logg"):
        r = fia.get(path)
        assert r.status_code == 403 and "bara för administratörer" in r.text
        assert '<main id="innehall"' in r.text and "Användare</a>" not in r.text
    token = csrf_of(fia.get("/rapporter").text)
    r = fia.post("/admin/anvandare/greta/aktiv", data={"csrf_token": token, "aktiv": "nej"})
    assert r.status_code == 403
    assert portal.client("greta").get("/rapporter").status_code == 200  # greta still active
    admin = _admin(portal)
    r = admin.post("/admin/anvandare/greta/aktiv", data={"aktiv": "nej"})  # no CSRF token
    assert r.status_code == 403 and "CSRF" in r.text
