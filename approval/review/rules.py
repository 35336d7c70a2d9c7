"""Plain rules of the approval service: who may see a version, which ids exist, which
decision dates are possible, and the errors a form shows. No database session here."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from approval.accounts.users import Role, UserInfo
from approval.db.models import ReportVersion
from approval.review.states import State
from lagesbild.errors import IllegalApproval, PipelineError

__all__ = ["MAX_ID", "AccessDenied", "InvalidField", "check_decision_date", "local_today",
           "visible"]  # fmt: skip


class AccessDenied(PipelineError):
    """Raised when a user's role does not allow the action (HTTP 403)."""


class InvalidField(IllegalApproval):
    """Raised when one form field is wrong; the portal shows ``message`` beside ``field``."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


#: Database ids are 32-bit on PostgreSQL; anything outside is simply not there (404).
MAX_ID = 2**31 - 1
_LOCAL_TZ = ZoneInfo("Europe/Stockholm")


def local_today() -> dt.date:
    """Today's date in Stockholm, where the styrgrupp meets."""
    return dt.datetime.now(_LOCAL_TZ).date()


def check_decision_date(day: dt.date, created_at: dt.datetime,
                        today: dt.date | None = None) -> None:  # fmt: skip
    """A styrgrupp decision cannot predate the version it is about, nor lie in the future.

    Args:
        day: the decision date typed.
        created_at: when the version was recorded (UTC; naive means UTC).
        today: today in Stockholm (default: now).

    Raises:
        InvalidField: ``beslutsdatum`` outside [the version's creation date, today].
    """
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=dt.UTC)
    created = created_at.astimezone(_LOCAL_TZ).date()
    today = today or local_today()
    if day < created:
        raise InvalidField("beslutsdatum", f"Beslutsdatum {day.isoformat()} är före "
                           f"versionens tillkomst ({created.isoformat()}).")  # fmt: skip
    if day > today:
        raise InvalidField("beslutsdatum", f"Beslutsdatum {day.isoformat()} ligger i "
                           f"framtiden (i dag är det {today.isoformat()}).")  # fmt: skip


def visible(user: UserInfo, row: ReportVersion) -> bool:
    """Whether ``user`` may see the version: its area granted, and for a granskare only
    once it was sent for review (a draft still being prepared is the förvaltare's)."""
    if not user.can_see(row.area):
        return False
    return not (user.role is Role.GRANSKARE and row.state == State.UTKAST.value)
