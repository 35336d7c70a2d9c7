"""Reading and commenting in the browser: the draft per section, the PDF inline, comments
in place (replies, resolve/reopen), comments from a Word file, and comparing versions."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from approval.drafts.files import NotFound
from approval.review.comments import set_resolved, threads
from approval.review.states import State
from approval.review.workflow import ApprovalService
from lagesbild.errors import IllegalApproval
from portal.auth import CurrentUser, require_csrf
from portal.documents.compare import diff_sections, figure_rows, read_changes
from portal.documents.datadocs import local_html, resolve_doc
from portal.documents.quality_page import read_quality_page
from portal.documents.rendition import read_sections
from portal.documents.word_comments import MAX_UPLOAD, check_same_version, read_comments

__all__ = ["router"]

log = logging.getLogger(__name__)
router = APIRouter()


def _service(request: Request) -> ApprovalService:
    return request.app.state.service


def _to_read_page(request: Request, version_id: int, message: str, anchor: str = "") -> Response:
    request.session["flash"] = message
    suffix = f"#{quote(anchor)}" if anchor else ""
    return RedirectResponse(f"/versioner/{version_id}/las{suffix}", status_code=303)


@router.get("/versioner/{version_id}/las", response_class=HTMLResponse)
def read(request: Request, version_id: int, user: CurrentUser) -> Response:
    """The draft as HTML, section by section, with the comments of each section."""
    service = _service(request)
    version = service.version(user, version_id)
    sections = read_sections(service.draft_file(user, version_id, "docx"))
    all_threads = threads(service, user, version_id)
    by_section: dict[str, list] = {}
    for thread in all_threads:
        if thread.version == version.version:
            by_section.setdefault(thread.section or "", []).append(thread)
    carried = [t for t in all_threads if t.version != version.version]
    history = service.history(user, version.area, version.year)
    older = [v for v in history.versions if v.version < version.version]
    return request.app.state.render(
        request,
        "read.html",
        user=user,
        version=version,
        sections=sections,
        by_section=by_section,
        general=by_section.get("", []),
        carried=carried,
        open_count=sum(1 for t in all_threads if t.open),
        has_pdf=service.has_file(version, "pdf"),
        previous=older[0] if older else None,
        can_comment=version.state is not State.FASTSTALLD,
    )


@router.get("/versioner/{version_id}/pdf", response_class=HTMLResponse)
def pdf_viewer(request: Request, version_id: int, user: CurrentUser) -> Response:
    """A page with the PDF shown inline (the browser's own PDF viewer)."""
    service = _service(request)
    version = service.version(user, version_id)
    if not service.has_file(version, "pdf"):
        raise NotFound(f"version {version.version} har ingen PDF")
    return request.app.state.render(request, "pdf.html", user=user, version=version)


@router.get("/versioner/{version_id}/visa/pdf")
def pdf_inline(request: Request, version_id: int, user: CurrentUser) -> Response:
    """The PDF with ``Content-Disposition: inline``, framable by the portal's own pages."""
    path = _service(request).draft_file(user, version_id, "pdf")
    response = FileResponse(
        path, media_type="application/pdf", filename=path.name, content_disposition_type="inline"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'self'"
    return response


@router.post("/versioner/{version_id}/kommentar", dependencies=[Depends(require_csrf)])
def comment(
    request: Request,
    version_id: int,
    user: CurrentUser,
    text: Annotated[str, Form()] = "",
    avsnitt: Annotated[str, Form()] = "",
    avsnittsrubrik: Annotated[str, Form()] = "",
    svar_pa: Annotated[str, Form()] = "",
    tillbaka: Annotated[str, Form()] = "",
) -> Response:
    """Add a comment on the version, on one of its sections, or a reply to a thread."""
    service = _service(request)
    version = service.version(user, version_id)
    parent = int(svar_pa) if svar_pa.strip().isdigit() else None
    service.comment(
        user, version_id, text, section=avsnitt, section_title=avsnittsrubrik, parent_id=parent
    )
    message = "Svaret är sparat." if parent else "Kommentaren är sparad."
    if tillbaka == "las":
        return _to_read_page(request, version_id, message, avsnitt)
    request.session["flash"] = message
    return RedirectResponse(f"/rapporter/{quote(version.area)}/{version.year}", status_code=303)


def _resolve(request: Request, comment_id: int, user, resolved: bool, back: str) -> Response:  # type: ignore[no-untyped-def]
    service = _service(request)
    version_id = set_resolved(service, user, comment_id, resolved)
    target = int(back) if back.strip().isdigit() else version_id
    message = "Tråden är markerad som löst." if resolved else "Tråden är öppnad igen."
    return _to_read_page(request, target, message, f"kommentar-{comment_id}")


@router.post("/kommentarer/{comment_id}/los", dependencies=[Depends(require_csrf)])
def resolve(
    request: Request, comment_id: int, user: CurrentUser, tillbaka: Annotated[str, Form()] = ""
) -> Response:
    """Mark a thread resolved."""
    return _resolve(request, comment_id, user, True, tillbaka)


@router.post("/kommentarer/{comment_id}/oppna", dependencies=[Depends(require_csrf)])
def reopen(
    request: Request, comment_id: int, user: CurrentUser, tillbaka: Annotated[str, Form()] = ""
) -> Response:
    """Open a resolved thread again."""
    return _resolve(request, comment_id, user, False, tillbaka)


@router.post("/versioner/{version_id}/word", dependencies=[Depends(require_csrf)])
async def upload_word(
    request: Request, version_id: int, user: CurrentUser, fil: Annotated[UploadFile, File()]
) -> Response:
    """Import the comments of a Word copy of this version as portal comments."""
    service = _service(request)
    version = service.version(user, version_id)
    if version.state is State.FASTSTALLD:
        raise IllegalApproval(f"version {version.version} är fastställd och tar inte emot fler "
                              "kommentarer")  # fmt: skip
    data = await fil.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise IllegalApproval(f"filen är större än {MAX_UPLOAD // (1024 * 1024)} MB")
    original = service.draft_file(user, version_id, "docx")
    with tempfile.TemporaryDirectory(prefix="lagesbild-upload-") as tmp:
        upload = Path(tmp) / "upload.docx"
        upload.write_bytes(data)
        check_same_version(upload, original, version.docx_sha256)
        found = read_comments(upload)
    existing = {
        (t.section, t.text) for t in threads(service, user, version_id) if t.origin == "word"
    }
    added = 0
    for item in found:
        if (item.section, item.text) in existing:
            continue  # the same file uploaded twice
        text = item.text if not item.author else f"{item.text}\n— {item.author} (i Word)"
        if (item.section, text) in existing:
            continue
        service.comment(user, version_id, text, section=item.section,
                        section_title=item.section_title, origin="word")  # fmt: skip
        added += 1
    skipped = len(found) - added
    message = f"{added} kommentar{'er' if added != 1 else ''} från Word-filen är sparade"
    message += f" ({skipped} fanns redan)." if skipped else "."
    return _to_read_page(request, version_id, message)


@router.get("/rapporter/{area}/{year}/jamfor", response_class=HTMLResponse)
def compare(
    request: Request, area: str, year: int, user: CurrentUser, fran: int = 0, till: int = 0
) -> Response:
    """Jämför version N med M: figures that moved, text per section, sources refreshed."""
    service = _service(request)
    history = service.history(user, area, year)
    by_number = {v.version: v for v in history.versions}
    new = by_number.get(till) or history.versions[0]
    older = [v for v in history.versions if v.version < new.version]
    old = by_number.get(fran) if fran else (older[0] if older else None)
    if old is None or old.version >= new.version:
        raise NotFound(f"det finns ingen tidigare version att jämföra version {new.version} med")
    old_sections = read_sections(service.draft_file(user, old.id, "docx"))
    new_sections = read_sections(service.draft_file(user, new.id, "docx"))
    inside = Path(new.directory).resolve().is_relative_to(service.draft_root)
    changes = read_changes(Path(new.directory)) if inside else None
    if changes and changes.get("previous_version") not in (old.version, None):
        changes = None  # changes.json compares with another version
    answers = [
        e for e in history.entries if e.version == old.version and e.kind == "återremitterad"
    ]
    return request.app.state.render(
        request,
        "compare.html",
        user=user,
        area=area,
        year=year,
        old=old,
        new=new,
        versions=history.versions,
        diffs=diff_sections(old_sections, new_sections),
        changes=changes,
        figures=figure_rows(changes),
        returned=answers,
    )


@router.get("/versioner/{version_id}/kvalitet", response_class=HTMLResponse)
def quality(request: Request, version_id: int, user: CurrentUser) -> Response:
    """The version's data-quality checks in Swedish: failures and warnings first."""
    service = _service(request)
    version = service.version(user, version_id)
    directory = Path(version.directory).resolve()
    inside = directory.is_relative_to(service.draft_root)
    return request.app.state.render(
        request,
        "quality.html",
        user=user,
        version=version,
        page=read_quality_page(directory) if inside else None,
        has_docs=inside and (directory / "data_docs" / "index.html").is_file(),
    )


@router.get("/versioner/{version_id}/datadocs/{relative:path}")
def data_docs(request: Request, version_id: int, relative: str, user: CurrentUser) -> Response:
    """A file of the version's Data Docs; HTML pages with their external references removed."""
    service = _service(request)
    version = service.version(user, version_id)
    directory = Path(version.directory).resolve()
    path = resolve_doc(directory, relative) if directory.is_relative_to(service.draft_root) \
        else None  # fmt: skip
    if path is None:
        raise NotFound("filen finns inte bland versionens Data Docs")
    if path.suffix.lower() in (".html", ".htm"):
        return HTMLResponse(local_html(path.read_text(encoding="utf-8", errors="replace")))
    return FileResponse(path)


@router.get("/rapporter/{area}/{year}/version/{number}/kvalitet")
def quality_by_number(
    request: Request, area: str, year: int, number: int, user: CurrentUser
) -> Response:
    """The quality page of version ``number`` (the address the Prefect artifact links to)."""
    history = _service(request).history(user, area, year)
    found = next((v for v in history.versions if v.version == number), None)
    if found is None:
        raise NotFound(f"version {number} av {area} {year} finns inte")
    return RedirectResponse(f"/versioner/{found.id}/kvalitet", status_code=303)
