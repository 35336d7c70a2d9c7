"""The per-user "Att göra" page: what waits for this user's role, newest version first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from approval.accounts.users import Role
from approval.review.comments import threads
from approval.review.states import State
from portal.auth import CurrentUser

__all__ = ["router"]

router = APIRouter()

#: role → (state of the newest version, what the user should do)
TASKS: dict[Role, list[tuple[State, str]]] = {
    Role.FORVALTARE: [
        (State.UTKAST, "Skicka utkastet till granskning"),
        (State.ATERREMITTERAD, "Återremitterad: ta fram en ny version med ändringarna"),
    ],
    Role.GRANSKARE: [(State.FOR_GRANSKNING, "Granska och kommentera")],
    Role.SEKRETERARE: [
        (State.FOR_GRANSKNING, "Registrera styrgruppens beslut"),
        (State.GODKAND, "Registrera fastställandet (diarienummer och datum)"),
    ],
}


@router.get("/att-gora", response_class=HTMLResponse)
def todo(request: Request, user: CurrentUser) -> Response:
    """The reports whose newest version waits for something this user's role does."""
    service = request.app.state.service
    wanted = dict(TASKS.get(user.role, []))
    items = []
    for summary in service.reports(user):
        task = wanted.get(summary.latest.state)
        if task is None or not summary.latest.latest:
            continue
        open_threads = [t for t in threads(service, user, summary.latest.id) if t.open]
        items.append((summary, task, len(open_threads)))
    return request.app.state.render(request, "todo.html", user=user, items=items)
