"""E-mail notices: told when a version is sent for review, returned, approved or adopted.

Settings come from the environment (nothing is sent without ``LAGESBILD_SMTP_HOST``):

=============================  ===================================================
``LAGESBILD_SMTP_HOST``        the SMTP server
``LAGESBILD_SMTP_PORT``        its port (default 25; 587 with STARTTLS)
``LAGESBILD_SMTP_FROM``        the sender (default ``lagesbild@localhost``)
``LAGESBILD_SMTP_USER``        login name, with ``LAGESBILD_SMTP_PASSWORD`` (optional)
``LAGESBILD_SMTP_STARTTLS``    ``1`` to upgrade the connection with STARTTLS
``LAGESBILD_PORTAL_URL``       the portal's address, for the link in the notice
=============================  ===================================================

Who is told: *skickad till granskning* → the area's granskare and sekreterare;
*återremitterad* → its förvaltare; *godkänd* → förvaltare and granskare; *fastställd* →
everyone with the area. Only active users with an e-mail address; one message each (no
one sees the other recipients). A failed delivery is logged and does not undo the decision.
The texts are in ``approval/templates/notices.txt``.
"""

from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from approval.accounts.users import ALL_AREAS, Role, UserError, UserInfo
from approval.audit import chain
from approval.db.models import User, UserArea
from approval.review.states import Action
from approval.review.views import VersionView

__all__ = ["RECIPIENTS", "SmtpSettings", "notice", "notify_listener", "recipients", "set_email"]

log = logging.getLogger(__name__)

RECIPIENTS: dict[Action, frozenset[Role]] = {
    Action.SKICKA: frozenset({Role.GRANSKARE, Role.SEKRETERARE}),
    Action.ATERREMITTERA: frozenset({Role.FORVALTARE}),
    Action.GODKANN: frozenset({Role.FORVALTARE, Role.GRANSKARE}),
    Action.FASTSTALL: frozenset(Role),
}
_TEMPLATES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    undefined=StrictUndefined,
    autoescape=False,  # plain-text e-mail
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how notices are sent."""

    host: str
    port: int = 25
    sender: str = "lagesbild@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    portal_url: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """The settings from ``LAGESBILD_SMTP_*`` (None when no host is configured)."""
        env = os.environ if env is None else env
        host = env.get("LAGESBILD_SMTP_HOST", "").strip()
        if not host:
            return None
        return cls(
            host=host,
            port=int(env.get("LAGESBILD_SMTP_PORT", "25") or 25),
            sender=env.get("LAGESBILD_SMTP_FROM", "").strip() or "lagesbild@localhost",
            user=env.get("LAGESBILD_SMTP_USER") or None,
            password=env.get("LAGESBILD_SMTP_PASSWORD") or None,
            starttls=env.get("LAGESBILD_SMTP_STARTTLS", "0") == "1",
            portal_url=env.get("LAGESBILD_PORTAL_URL", "").rstrip("/"),
        )


def set_email(engine: Engine, username: str, email: str | None) -> None:
    """Set (or clear) a user's e-mail address for notices; recorded in the audit log.

    Raises:
        UserError: unknown user or an address without ``@``.
    """
    email = (email or "").strip() or None
    if email is not None and ("@" not in email or len(email) > 255 or "\n" in email):
        raise UserError(f"{email!r} är ingen e-postadress")
    with Session(engine) as session, session.begin():
        chain.lock_chain(session)
        changed = session.execute(
            update(User).where(User.username == username).values(email=email)
        ).rowcount
        if changed != 1:
            raise UserError(f"användaren {username!r} finns inte")
        chain.append(session, actor=None, action="user:email", subject=f"user:{username}",
                     details={"email": email})  # fmt: skip


def recipients(engine: Engine, area: str, roles: frozenset[Role]) -> list[str]:
    """The addresses of active users with ``roles`` and access to ``area``."""
    with Session(engine) as session:
        rows = session.execute(
            select(User.email, User.role, UserArea.area)
            .join(UserArea, UserArea.user_id == User.id)
            .where(User.active.is_(True), User.email.is_not(None))
        ).all()
    found = {email for email, role, granted in rows
             if Role(role) in roles and granted in (area, ALL_AREAS)}  # fmt: skip
    return sorted(found)


def notice(action: Action, values: Mapping[str, object]) -> tuple[str, str]:
    """The subject and body of a notice, from ``notices.txt``."""
    module = _TEMPLATES.get_template("notices.txt").make_module(dict(values))
    return str(module.subject(action.value)).strip(), str(module.body(action.value)).strip() + "\n"


def notify_listener(
    engine: Engine, settings: SmtpSettings, area_name: Callable[[str], str]
) -> Callable[[UserInfo, VersionView, Action, dict], None]:
    """A workflow listener that e-mails the notice of each move (see the module docstring)."""

    def listener(user: UserInfo, version: VersionView, action: Action, event: dict) -> None:
        to = [a for a in recipients(engine, version.area, RECIPIENTS[action])]
        if not to:
            return
        link = (f"{settings.portal_url}/rapporter/{version.area}/{version.year}"
                if settings.portal_url else "")  # fmt: skip
        subject, body = notice(action, {
            "area_name": area_name(version.area), "year": version.year,
            "version": version.version, "actor": user.username,
            "comment": event.get("comment") or "", "diarienummer": event.get("diarienummer") or "",
            "decision_date": event.get("decision_date") or "", "link": link,
        })  # fmt: skip
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=10) as smtp:
                if settings.starttls:
                    smtp.starttls()
                if settings.user:
                    smtp.login(settings.user, settings.password or "")
                for address in to:
                    message = EmailMessage()
                    message["From"] = settings.sender
                    message["To"] = address
                    message["Subject"] = subject
                    message.set_content(body)
                    smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("notice of %s for %s %s not sent: %s", action.value, version.area,
                        version.year, exc)  # fmt: skip
            return
        log.info("notice of %s sent to %d recipient(s)", action.value, len(to))

    return listener
