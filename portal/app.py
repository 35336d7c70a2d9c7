"""The portal application: FastAPI with server-rendered Jinja2 pages in Swedish."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from approval.accounts.users import ROLE_LABELS, get_user
from approval.audit.keys import load_secret_key
from approval.drafts.files import NotFound
from approval.review.notifications import SmtpSettings, notify_listener
from approval.review.rules import AccessDenied
from approval.review.stamp import stamp_listener
from approval.review.states import ACTION_LABELS, STATE_LABELS
from approval.review.workflow import ApprovalService
from lagesbild.errors import IllegalApproval
from portal import auth
from portal.pages import admin, reading, routes, todo
from portal.security import SecurityHeadersMiddleware

__all__ = ["SESSION_HOURS", "create_app", "load_secret_key"]

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
SESSION_HOURS = 8
_TZ = "Europe/Stockholm"


class _Portal(FastAPI):
    """FastAPI whose outermost layer sets the security headers, so that every response has
    them: pages, redirects, error pages and even the 500 of an unexpected exception."""

    def build_middleware_stack(self):  # type: ignore[no-untyped-def]  # noqa: ANN201
        """Starlette's stack wrapped in :class:`SecurityHeadersMiddleware`."""
        return SecurityHeadersMiddleware(super().build_middleware_stack())


def _areas_config():  # type: ignore[no-untyped-def]  # noqa: ANN202
    try:
        from lagesbild.areas.load import load_areas

        return load_areas()
    except Exception as exc:  # the portal still works with bare ids
        log.warning("areas configuration not loaded: %s", exc)
        return None


def _diarienummer(config) -> Callable[[str, int], str]:  # type: ignore[no-untyped-def]  # noqa: ANN001
    """The district administration's diarienummer of an area-year from areas.yaml ('' if none)."""

    def lookup(area: str, year: int) -> str:
        found = config.areas.get(area) if config is not None else None
        numbers = found.diarienummer_for(year) if found is not None else {}
        return numbers.get("sdf") or next(iter(numbers.values()), "")

    return lookup


def _local_time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite returns naive UTC
        value = value.replace(tzinfo=dt.UTC)
    try:
        value = value.astimezone(ZoneInfo(_TZ))
    except Exception:  # no tz database: show UTC
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%d %H:%M")


def create_app(
    engine: Engine,
    *,
    draft_root: Path,
    secret_key: str,
    https_only: bool = False,
    smtp: SmtpSettings | None = None,
) -> FastAPI:
    """Build the portal.

    Args:
        engine: a migrated database (``approval.db.engine.init_db``).
        draft_root: the draft store; only files below it are ever served.
        secret_key: the key that signs session cookies.
        https_only: mark the session cookie Secure (behind HTTPS).
        smtp: where e-mail notices go; from ``LAGESBILD_SMTP_*`` when None (none if unset).

    Returns:
        The ASGI application.
    """
    app = _Portal(
        title="Lokal lägesbild – granskning", docs_url=None, redoc_url=None, openapi_url=None
    )
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["tid"] = _local_time
    templates.env.globals.update(
        STATE_LABELS=STATE_LABELS,
        ACTION_LABELS=ACTION_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        CSRF_FIELD=auth.CSRF_FIELD,
    )
    config = _areas_config()
    names = {a: area.name for a, area in config.areas.items()} if config is not None else {}

    def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        context.setdefault("user", None)
        flash = request.session.pop("flash", None)
        return templates.TemplateResponse(
            request,
            name,
            {
                "csrf": auth.csrf_token(request),
                "flash": flash,
                "area_name": lambda a: names.get(a, a),
                **context,
            },
            status_code=status_code,
        )

    app.state.engine = engine
    app.state.service = ApprovalService(engine, draft_root)
    app.state.service.listeners.append(stamp_listener(engine, app.state.service.draft_root))
    app.state.diarienummer = _diarienummer(config)
    smtp = SmtpSettings.from_env() if smtp is None else smtp
    if smtp is not None:
        app.state.service.listeners.append(
            notify_listener(engine, smtp, lambda a: names.get(a, a))
        )
    app.state.render = render
    app.state.area_names = names

    def error(request: Request, status: int, message: str) -> Response:
        """The error page inside the layout: the user's navigation, area names not ids."""
        user = None
        try:
            uid = request.session.get("uid")
            user = get_user(engine, int(uid)) if uid else None
        except Exception:  # an error page must never fail itself
            user = None
        for area_id, name in names.items():
            message = re.sub(rf"\b{re.escape(area_id)}\b", name, message)
        return render(request, "error.html", status_code=status, status=status,
                      message=message, user=user)  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, _exc: Exception) -> Response:
        return error(request, 404, "Sidan finns inte.")  # e.g. /rapporter/sodermalm/abc

    @app.exception_handler(auth.LoginRequired)
    async def _login_required(request: Request, _exc: Exception) -> Response:
        return auth.login_redirect(request)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: Exception) -> Response:
        return error(request, 404, str(exc))

    @app.exception_handler(AccessDenied)
    async def _denied(request: Request, exc: Exception) -> Response:
        return error(request, 403, str(exc))

    @app.exception_handler(IllegalApproval)
    async def _illegal(request: Request, exc: Exception) -> Response:
        return error(request, 409, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "Sidan finns inte.", 405: "Metoden är inte tillåten."}
        return error(
            request,
            exc.status_code,
            str(exc.detail)
            if exc.status_code == 403
            else messages.get(exc.status_code, str(exc.detail)),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error(request, 500, "Ett oväntat fel inträffade. Försök igen eller kontakta "
                     "förvaltaren; felet är loggat.")  # fmt: skip

    @app.get("/", response_class=HTMLResponse)
    def index() -> Response:
        return RedirectResponse("/rapporter", status_code=303)

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(auth.router)
    app.include_router(routes.router)
    app.include_router(reading.router)
    app.include_router(todo.router)
    app.include_router(admin.router)
    # Added last = outermost: the session must exist before the login check reads it.
    app.add_middleware(auth.LoginRequiredMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie="lagesbild",
        max_age=SESSION_HOURS * 3600,
        same_site="strict",
        https_only=https_only,
    )
    return app
