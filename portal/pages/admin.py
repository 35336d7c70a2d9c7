"""The administrator's pages: accounts (disable/enable, reset password, area grants) and the
audit log, read-only and filterable.

Every change goes through ``approval.accounts.users`` (one transaction with its audit entry, the
chain locked first); disabling and a password reset end the account's sessions there.
Only the ``administrator`` role reaches these pages; anyone else gets 403 in the layout.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from approval.accounts.passwords import password_problem
from approval.accounts.users import (
    ALL_AREAS,
    Role,
    UserError,
    UserInfo,
    find_user,
    list_users,
    set_active,
    set_areas,
)
from approval.accounts.users import reset_password as reset_user_password
from approval.audit import query as audit_query
from approval.drafts.files import NotFound
from approval.review.rules import AccessDenied
from portal.auth import CurrentUser, require_csrf

__all__ = ["router"]

router = APIRouter(prefix="/admin")


def administrator(user: CurrentUser) -> UserInfo:
    """Dependency: the logged-in user, who must be an administrator (403 otherwise)."""
    if user.role is not Role.ADMINISTRATOR:
        raise AccessDenied("sidan är bara för administratörer")
    return user


Admin = Annotated[UserInfo, Depends(administrator)]


def _suggestion() -> str:
    """A random password (96 bits) that meets the policy, offered in the reset form."""
    while password_problem(candidate := secrets.token_urlsafe(12)):
        pass  # practically never: 16 random characters pass the policy
    return candidate


def _account(request: Request, username: str):  # type: ignore[no-untyped-def]  # noqa: ANN202
    account = find_user(request.app.state.engine, username)
    if account is None:
        raise NotFound(f"det finns ingen användare {username!r}")
    return account


def _known_areas(request: Request) -> list[str]:
    names = request.app.state.area_names
    granted = {a for u in list_users(request.app.state.engine) for a in u.areas}
    return sorted((set(names) | granted) - {ALL_AREAS})


def _user_page(request: Request, admin: UserInfo, username: str, *, errors: dict | None = None,
               new_password: str | None = None, status_code: int = 200) -> Response:  # fmt: skip
    return request.app.state.render(
        request, "admin_user.html", status_code=status_code, user=admin,
        account=_account(request, username), known_areas=_known_areas(request),
        errors=errors or {}, new_password=new_password, suggestion=_suggestion(),
        ALL_AREAS=ALL_AREAS,
    )  # fmt: skip


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + "."


def _back(request: Request, username: str, message: str) -> Response:
    request.session["flash"] = message
    return RedirectResponse(f"/admin/anvandare/{quote(username)}", status_code=303)


@router.get("/anvandare", response_class=HTMLResponse)
def users(request: Request, admin: Admin) -> Response:
    """Every account: name, role, areas, active, e-mail."""
    accounts = list_users(request.app.state.engine)
    return request.app.state.render(request, "admin_users.html", user=admin, accounts=accounts,
                                    ALL_AREAS=ALL_AREAS)  # fmt: skip


@router.get("/anvandare/{username}", response_class=HTMLResponse)
def user(request: Request, username: str, admin: Admin) -> Response:
    """One account with the forms to disable/enable it, reset its password, edit its areas."""
    return _user_page(request, admin, username)


@router.post("/anvandare/{username}/aktiv", dependencies=[Depends(require_csrf)])
def activate(request: Request, username: str, admin: Admin,
             aktiv: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """Disable (every session of the account ends) or enable an account."""
    account = _account(request, username)
    active = aktiv == "ja"
    if not active and account.username.lower() == admin.username.lower():
        return _user_page(request, admin, username, status_code=400,
                          errors={"aktiv": "Du kan inte stänga av ditt eget konto."})  # fmt: skip
    set_active(request.app.state.engine, account.username, active, actor=admin.username)
    state = "aktivt igen" if active else "avstängt; alla dess inloggningar är avslutade"
    return _back(request, account.username, f"Kontot {account.username} är {state}.")


@router.post("/anvandare/{username}/losenord", dependencies=[Depends(require_csrf)])
def reset_password(request: Request, username: str, admin: Admin,
                   nytt: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    """Set a new password (the policy of ``approval.accounts.passwords``); every session ends.

    The new password is shown once on the page that answers the form, never put in the
    session cookie or the log.
    """
    account = _account(request, username)
    if problem := password_problem(nytt, account.username):
        return _user_page(request, admin, username, status_code=400,
                          errors={"nytt": _sentence(problem)})  # fmt: skip
    try:
        reset_user_password(request.app.state.engine, account.username, nytt,
                            actor=admin.username)  # fmt: skip
    except UserError as exc:
        return _user_page(request, admin, username, status_code=400,
                          errors={"nytt": _sentence(str(exc))})  # fmt: skip
    return _user_page(request, admin, username, new_password=nytt)


@router.post("/anvandare/{username}/omraden", dependencies=[Depends(require_csrf)])
async def areas(request: Request, username: str, admin: Admin) -> Response:
    """Replace the account's area grants (checked areas, ``*`` for all, and typed ids)."""
    form = await request.form()
    chosen = [str(a) for a in form.getlist("omrade")]
    chosen += [a for a in str(form.get("andra", "")).replace(" ", ",").split(",") if a]
    account = _account(request, username)
    try:
        grants = set_areas(request.app.state.engine, account.username, chosen,
                           actor=admin.username)  # fmt: skip
    except UserError as exc:
        return _user_page(request, admin, username, status_code=400,
                          errors={"omraden": _sentence(str(exc))})  # fmt: skip
    names = request.app.state.area_names
    shown = ", ".join("alla områden" if a == ALL_AREAS else names.get(a, a) for a in grants)
    return _back(request, account.username, f"{account.username} har nu tillgång till {shown}.")


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


@router.get("/logg", response_class=HTMLResponse)
def audit_log(request: Request, admin: Admin, aktor: str = "", handling: str = "",
              objekt: str = "", omrade: str = "", fran: str = "", till: str = "",
              sida: int = 1) -> Response:  # fmt: skip
    """The audit log, newest first, filtered by actor, action, subject, area and dates."""
    errors = {k: "Ange datumet som ÅÅÅÅ-MM-DD." for k, v in (("fran", fran), ("till", till))
              if v.strip() and _date(v) is None}  # fmt: skip
    where = audit_query.AuditFilter(actor=aktor, action=handling, subject=objekt, area=omrade,
                                    date_from=_date(fran), date_to=_date(till))  # fmt: skip
    engine = request.app.state.engine
    page = audit_query.search(engine, where, sida)
    form = {"aktor": aktor, "handling": handling, "objekt": objekt, "omrade": omrade,
            "fran": fran, "till": till}  # fmt: skip
    query = urlencode({k: v for k, v in form.items() if v})
    return request.app.state.render(
        request, "admin_audit.html", status_code=400 if errors else 200, user=admin,
        page=page, form=form, errors=errors, query=query,
        actions=audit_query.actions(engine), known_areas=_known_areas(request),
    )  # fmt: skip
