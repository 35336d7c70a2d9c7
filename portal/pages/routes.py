"""The portal's pages: reports, history, downloads, comments, submission and decisions."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from approval.accounts.users import Role
from approval.drafts.files import NotFound
from approval.review.rules import InvalidField
from approval.review.states import STATE_LABELS, Action, State
from approval.review.workflow import ApprovalService
from lagesbild.errors import IllegalApproval
from portal.auth import CurrentUser, require_csrf

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter()
_MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _service(request: Request) -> ApprovalService:
    return request.app.state.service


def _back(request: Request, area: str, year: int, message: str) -> Response:
    request.session["flash"] = message
    return RedirectResponse(f"/rapporter/{quote(area)}/{year}", status_code=303)


@router.get("/rapporter", response_class=HTMLResponse)
def reports(request: Request, user: CurrentUser) -> Response:
    """Every area-year the user may see, with the newest version and its state."""
    summaries = _service(request).reports(user)
    return request.app.state.render(request, "reports.html", user=user, reports=summaries)


@router.get("/status", response_class=HTMLResponse)
def status(request: Request, user: CurrentUser) -> Response:
    """Area × year grid: data freshness, quality result, newest version, approval state."""
    summaries = _service(request).reports(user)
    areas = sorted({s.area for s in summaries})
    years = sorted({s.year for s in summaries}, reverse=True)
    cells = {(s.area, s.year): s for s in summaries}
    return request.app.state.render(
        request, "status.html", user=user, areas=areas, years=years, cells=cells
    )


def _history_page(
    request: Request, user, area: str, year: int, *, form: dict | None = None,  # type: ignore[no-untyped-def]
    errors: dict | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    service = _service(request)
    report = service.history(user, area, year)
    pdfs = {v.id for v in report.versions if service.has_file(v, "pdf")}
    stamped = {v.id for v in report.versions if v.state is State.FASTSTALLD
               and service.stamped_file(v) is not None}  # fmt: skip
    numbers = sorted(v.version for v in report.versions)
    answered = {n: later for n, later in zip(numbers, numbers[1:], strict=False)}
    return request.app.state.render(
        request,
        "report.html",
        status_code=status_code,
        user=user,
        report=report,
        pdfs=pdfs,
        stamped=stamped,
        answered=answered,
        latest=report.versions[0],
        Role=Role,
        Action=Action,
        State=State,
        today=dt.date.today().isoformat(),
        dnr=request.app.state.diarienummer(area, year),
        form=form or {"beslut": None, "kommentar": "", "diarienummer": None, "beslutsdatum": ""},
        errors=errors or {},
    )


@router.get("/rapporter/{area}/{year}", response_class=HTMLResponse)
def history(request: Request, area: str, year: int, user: CurrentUser) -> Response:
    """A report's versions, comments and decisions, with the forms the user may use."""
    return _history_page(request, user, area, year)


@router.get("/versioner/{version_id}/fil/{kind}")
def download(request: Request, version_id: int, kind: str, user: CurrentUser) -> Response:
    """The draft (docx), its PDF, or the stamped rendition of an adopted version."""
    service = _service(request)
    if kind == "faststalld":
        path = service.stamped_file(service.version(user, version_id))
        if path is None:
            raise NotFound("versionen har ingen fastställd stämplad fil")
        service.draft_file(user, version_id, "docx")  # checks and audits the access
        return FileResponse(path, media_type=_MEDIA["docx"], filename=path.name)
    path = service.draft_file(user, version_id, kind)
    return FileResponse(path, media_type=_MEDIA[kind], filename=path.name)


@router.post("/versioner/{version_id}/skicka", dependencies=[Depends(require_csrf)])
def submit(
    request: Request,
    version_id: int,
    user: CurrentUser,
    mottagare: Annotated[str, Form()] = "intern",
    mottagarnamn: Annotated[str, Form()] = "",
    bekraftat: Annotated[str, Form()] = "",
) -> Response:
    """Send for review; outside the förvaltning only after the expedierad warning."""
    service = _service(request)
    version = service.version(user, version_id)
    external = mottagare == "extern"
    if user.role is Role.FORVALTARE and external and bekraftat != "ja":
        if not mottagarnamn.strip():
            raise IllegalApproval("ange mottagaren när utkastet skickas utanför förvaltningen")
        return request.app.state.render(
            request,
            "confirm_expedierad.html",
            user=user,
            version=version,
            mottagarnamn=mottagarnamn,
        )
    service.submit(user, version_id, external=external, recipient=mottagarnamn)
    message = f"Version {version.version} är skickad till granskning."
    if external:
        message += f" Utkastet är expedierat till {mottagarnamn.strip()}."
    return _back(request, version.area, version.year, message)


@router.post("/versioner/{version_id}/beslut", dependencies=[Depends(require_csrf)])
def decide(
    request: Request,
    version_id: int,
    user: CurrentUser,
    beslut: Annotated[str, Form()] = "",
    kommentar: Annotated[str, Form()] = "",
    diarienummer: Annotated[str, Form()] = "",
    beslutsdatum: Annotated[str, Form()] = "",
) -> Response:
    """Record the steering group's decision on a version; a wrong field shows the form
    again with the message beside that field and what was typed kept."""
    service = _service(request)
    version = service.version(user, version_id)
    form = {"beslut": beslut, "kommentar": kommentar, "diarienummer": diarienummer,
            "beslutsdatum": beslutsdatum}  # fmt: skip
    errors = _decision_errors(beslut, kommentar, diarienummer, beslutsdatum)
    if not errors:
        try:
            day = dt.date.fromisoformat(beslutsdatum) if beslutsdatum.strip() else None
            new = service.decide(user, version_id, beslut, comment=kommentar,
                                 diarienummer=diarienummer, decision_date=day)  # fmt: skip
        except InvalidField as exc:  # e.g. a decision date before the version was made
            errors = {exc.field: str(exc)}
        except IllegalApproval as exc:
            if "ersatt" in str(exc) or "samtidigt" in str(exc) or "det går inte" in str(exc):
                raise
            errors = {"beslut": str(exc)[:1].upper() + str(exc)[1:] + "."}
    if errors:
        return _history_page(request, user, version.area, version.year, form=form,
                             errors=errors, status_code=400)  # fmt: skip
    return _back(
        request,
        version.area,
        version.year,
        f"Beslutet är registrerat: version {version.version} är {STATE_LABELS[new]}.",
    )


def _decision_errors(beslut: str, kommentar: str, dnr: str, datum: str) -> dict[str, str]:
    """The decision form's mistakes, per field, before anything is recorded."""
    errors: dict[str, str] = {}
    if beslut not in {a.value for a in Action} - {Action.SKICKA.value}:
        errors["beslut"] = "Välj ett beslut."
    if beslut == Action.ATERREMITTERA.value and not kommentar.strip():
        errors["kommentar"] = "Skriv vad som ska ändras: en återremiss behöver en kommentar."
    if beslut == Action.FASTSTALL.value:
        if not dnr.strip():
            errors["diarienummer"] = "Ange diarienumret."
        try:  # the range (not before the version, not after today) is the service's check
            dt.date.fromisoformat(datum.strip())
        except ValueError:
            errors["beslutsdatum"] = "Ange beslutsdatumet som ÅÅÅÅ-MM-DD."
    return errors
