"""The state machine: the one table of moves and advance()."""

from __future__ import annotations

import pytest

from approval.review.states import TRANSITIONS, Action, State, advance, allowed_actions
from lagesbild.errors import IllegalApproval


def test_the_whole_path_to_faststalld() -> None:
    state = State.UTKAST
    for action, expected in [
        (Action.SKICKA, State.FOR_GRANSKNING),
        (Action.GODKANN, State.GODKAND),
        (Action.FASTSTALL, State.FASTSTALLD),
    ]:
        state = advance(state, action)
        assert state is expected


def test_review_can_send_back() -> None:
    assert advance("for_granskning", "aterremittera") is State.ATERREMITTERAD


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_every_move_outside_the_table_is_refused(state: State, action: Action) -> None:
    if (state, action) in TRANSITIONS:
        assert advance(state, action) is TRANSITIONS[(state, action)]
    else:
        with pytest.raises(IllegalApproval, match="det går inte att"):
            advance(state, action)


def test_approving_a_draft_names_states_in_swedish_and_english() -> None:
    with pytest.raises(IllegalApproval) as info:
        advance(State.UTKAST, Action.GODKANN)
    message = str(info.value)
    assert "godkänna en rapport som är utkast" in message
    assert "cannot godkann a report in state utkast" in message
    assert "skicka till granskning" in message  # what is allowed instead


def test_final_and_returned_states_allow_nothing() -> None:
    assert allowed_actions(State.FASTSTALLD) == []
    assert allowed_actions(State.ATERREMITTERAD) == []


def test_unknown_names_are_refused() -> None:
    with pytest.raises(IllegalApproval, match="okänt läge"):
        advance("publicerad", Action.SKICKA)
    with pytest.raises(IllegalApproval, match="okänd åtgärd"):
        advance(State.UTKAST, "radera")
