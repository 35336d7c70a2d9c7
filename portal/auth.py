"""Login, sessions and CSRF: the one module a single sign-on would replace.

Sessions are signed cookies (Starlette's ``SessionMiddleware``, itsdangerous) holding the
user id, the account's *session generation* and a CSRF token. The generation is revocation
on the server: logout, a password change or reset and disabling the account raise it in the
database, and every cookie carrying an older one stops working at once. Failed logins are
throttled per account and per address (``approval.accounts.throttle``, in the database).

Every path except ``/login`` needs a logged-in user: an anonymous
visitor is redirected to ``/login``. Every POST form carries the session's CSRF token; a
POST without a valid one is refused with 403.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from approval.accounts import throttle
from approval.accounts.passwords import password_problem
from approval.accounts.users import (
    UserError,
    UserInfo,
    authenticate,
    change_password,
    get_user,
    revoke_sessions,
)

__all__ = [
    "CSRF_FIELD",
    "CurrentUser",
    "LoginRequired",
    "LoginRequiredMiddleware",
    "csrf_token",
    "current_user",
    "require_csrf",
    "router",
]

log = logging.getLogger(__name__)

CSRF_FIELD = "csrf_token"
_USER = "uid"
_GENERATION = "gen"
_CSRF = "csrf"
PUBLIC_PATHS = frozenset({"/login"})

router = APIRouter()


class LoginRequired(Exception):
    """Raised when a request needs a logged-in user and has none (redirect to /login)."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use.

    Args:
        request: the current request.

    Returns:
        The token to put in every POST form.
    """
    token = request.session.get(_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


async def require_csrf(request: Request) -> None:
    """Dependency of every POST route: the form's token must equal the session's.

    Raises:
        HTTPException: 403 when the token is missing or wrong.
    """
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(_CSRF)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        log.warning("POST %s without a valid CSRF token refused", request.url.path)
        raise HTTPException(status_code=403, detail="Formuläret saknar giltig CSRF-token.")


def current_user(request: Request) -> UserInfo:
    """Dependency: the logged-in, still active user.

    Raises:
        LoginRequired: no session, or the account was removed or deactivated.
    """
    user_id = request.session.get(_USER)
    user = get_user(request.app.state.engine, int(user_id)) if user_id else None
    if user is None or request.session.get(_GENERATION) != user.session_generation:
        request.session.clear()
        raise LoginRequired()
    return user


CurrentUser = Annotated[UserInfo, Depends(current_user)]


def _safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def login_redirect(request: Request) -> RedirectResponse:
    """A 303 to /login that comes back to the requested page afterwards."""
    path = request.url.path
    suffix = f"?next={quote(path)}" if path not in ("/", "/login") else ""
    return RedirectResponse(f"/login{suffix}", status_code=303)


class LoginRequiredMiddleware(BaseHTTPMiddleware):
    """Redirects anonymous visitors of any path but /login to /login."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Let the request through only with a user id in the session."""
        if request.url.path not in PUBLIC_PATHS and not request.session.get(_USER):
            return login_redirect(request)
        return await call_next(request)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:  # noqa: A002 - query name
    """The login form."""
    return request.app.state.render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", dependencies=[Depends(require_csrf)])
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",  # noqa: A002 - form field name
) -> Response:
    """Check the password; on success start a fresh session (new CSRF token).

    A locked account or address gets 429 without its password being checked.
    """
    engine = request.app.state.engine
    keys = [throttle.account_key(username), throttle.address_key(_address(request))]
    wait = throttle.locked_for(engine, keys)
    if wait:
        request.app.state.service.record_login(username, success=False, throttled=True)
        response = request.app.state.render(
            request, "login.html", next=_safe_next(next), status_code=429,
            error=f"För många misslyckade inloggningar. Försök igen om {_seconds(wait)}.",
        )  # fmt: skip
        response.headers["Retry-After"] = str(wait)
        return response
    user = authenticate(engine, username, password)
    request.app.state.service.record_login(username, success=user is not None)
    if user is None:
        throttle.register_failure(engine, keys)
        return request.app.state.render(
            request,
            "login.html",
            next=_safe_next(next),
            status_code=401,
            error="Fel användarnamn eller lösenord.",
        )
    throttle.clear(engine, keys[0])
    request.session.clear()  # no session fixation: everything from before login goes
    request.session[_USER] = user.id
    request.session[_GENERATION] = user.session_generation
    csrf_token(request)
    return RedirectResponse(_safe_next(next), status_code=303)


def _address(request: Request) -> str | None:
    """The client's address as the server sees it (behind a proxy: the proxy's, unless
    uvicorn runs with ``--forwarded-allow-ips`` for it)."""
    return request.client.host if request.client else None


def _seconds(wait: int) -> str:
    if wait < 90:
        return f"{wait} sekunder"
    return f"{(wait + 59) // 60} minuter"


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request, user: CurrentUser) -> Response:
    """End the session, and every other session of the account (server-side revocation)."""
    revoke_sessions(request.app.state.engine, user.username, actor=user.username)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/konto/losenord", response_class=HTMLResponse)
def password_page(request: Request, user: CurrentUser) -> Response:
    """The form to change one's own password."""
    return request.app.state.render(request, "password.html", user=user, errors={})


@router.post("/konto/losenord", dependencies=[Depends(require_csrf)])
def password_change(
    request: Request,
    user: CurrentUser,
    nuvarande: Annotated[str, Form()] = "",
    nytt: Annotated[str, Form()] = "",
    igen: Annotated[str, Form()] = "",
) -> Response:
    """Change the password; every session of the account ends (this one too)."""
    errors: dict[str, str] = {}
    if problem := password_problem(nytt, user.username):
        errors["nytt"] = problem[:1].upper() + problem[1:] + "."
    elif nytt != igen:
        errors["igen"] = "De två nya lösenorden är inte lika."
    engine, key = request.app.state.engine, [throttle.account_key(user.username)]
    if not errors and (wait := throttle.locked_for(engine, key)):
        errors["nuvarande"] = f"För många felaktiga försök. Försök igen om {_seconds(wait)}."
    if not errors:
        try:
            change_password(engine, user.username, nuvarande, nytt)
        except UserError:  # guessing the password through a borrowed session is throttled
            throttle.register_failure(engine, key)
            errors["nuvarande"] = "Det nuvarande lösenordet stämmer inte."
    if errors:
        return request.app.state.render(request, "password.html", user=user, errors=errors,
                                        status_code=400)  # fmt: skip
    request.session.clear()
    request.session["flash"] = "Lösenordet är bytt. Logga in med det nya."
    return RedirectResponse("/login", status_code=303)
