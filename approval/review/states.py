"""The approval state machine of one report version: states, actions and the allowed moves.

The database stores a version's state; only :func:`advance` decides the next one. Each
version moves forward only (the graph has no cycle), so a conditional ``UPDATE ... WHERE
state = <old>`` is enough to detect a concurrent move. A report sent back
(``aterremitterad``) is continued by a *new version*, which starts at ``utkast``::

    utkast ──skicka──▶ for_granskning ──godkann──▶ godkand ──faststall──▶ faststalld
                             │
                             └──aterremittera──▶ aterremitterad   (next version: utkast)
"""

from __future__ import annotations

from enum import StrEnum

from lagesbild.errors import IllegalApproval

__all__ = [
    "ACTION_LABELS",
    "STATE_LABELS",
    "TRANSITIONS",
    "Action",
    "State",
    "advance",
    "allowed_actions",
]


class State(StrEnum):
    """Where a report version stands in the styrgrupp's process."""

    UTKAST = "utkast"
    FOR_GRANSKNING = "for_granskning"
    ATERREMITTERAD = "aterremitterad"
    GODKAND = "godkand"
    FASTSTALLD = "faststalld"


class Action(StrEnum):
    """What a user does to a version: submit it, or record a styrgrupp decision."""

    SKICKA = "skicka"
    ATERREMITTERA = "aterremittera"
    GODKANN = "godkann"
    FASTSTALL = "faststall"


STATE_LABELS: dict[State, str] = {
    State.UTKAST: "utkast",
    State.FOR_GRANSKNING: "för granskning",
    State.ATERREMITTERAD: "återremitterad",
    State.GODKAND: "godkänd av styrgrupp",
    State.FASTSTALLD: "fastställd",
}

ACTION_LABELS: dict[Action, str] = {
    Action.SKICKA: "skicka till granskning",
    Action.ATERREMITTERA: "återremittera",
    Action.GODKANN: "godkänna",
    Action.FASTSTALL: "fastställa",
}

#: The one table of allowed moves: (state, action) -> next state.
TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.UTKAST, Action.SKICKA): State.FOR_GRANSKNING,
    (State.FOR_GRANSKNING, Action.ATERREMITTERA): State.ATERREMITTERAD,
    (State.FOR_GRANSKNING, Action.GODKANN): State.GODKAND,
    (State.GODKAND, Action.FASTSTALL): State.FASTSTALLD,
}


def allowed_actions(state: State | str) -> list[Action]:
    """The actions the table allows from ``state``, in table order.

    Args:
        state: a state or its stored value.

    Returns:
        The allowed actions (empty for a final state).
    """
    current = State(state)
    return [action for (source, action) in TRANSITIONS if source is current]


def advance(state: State | str, action: Action | str) -> State:
    """The state after ``action``, or IllegalApproval when the table has no such move.

    Args:
        state: the current state (enum or stored value).
        action: the action (enum or its value).

    Returns:
        The next state.

    Raises:
        IllegalApproval: the move is not in :data:`TRANSITIONS` or a name is unknown.
    """
    try:
        current = State(state)
    except ValueError:
        raise IllegalApproval(f"okänt läge {state!r} / unknown state {state!r}") from None
    try:
        act = Action(action)
    except ValueError:
        raise IllegalApproval(f"okänd åtgärd {action!r} / unknown action {action!r}") from None
    try:
        return TRANSITIONS[(current, act)]
    except KeyError:
        allowed = ", ".join(ACTION_LABELS[a] for a in allowed_actions(current)) or "inga"
        raise IllegalApproval(
            f"det går inte att {ACTION_LABELS[act]} en rapport som är "
            f"{STATE_LABELS[current]} (tillåtet: {allowed}) / "
            f"cannot {act.value} a report in state {current.value}"
        ) from None
