"""The referral machine on its own: every allowed step, every refused one, and the guards."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from resettlement.errors import GuardRefused, TransitionNotAllowed
from resettlement.partners.referral_lifecycle import (
    LIVE_STATES,
    ReferralState,
    allowed_events,
    run,
)

CONSENTED = {"consent_live": True, "reason": "the person moved away"}
ALLOWED = {
    ("draft", "refer"): "sent",
    ("draft", "close"): "closed",
    ("sent", "accept"): "accepted",
    ("sent", "decline"): "declined",
    ("sent", "close"): "closed",
    ("accepted", "start"): "in_progress",
    ("accepted", "close"): "closed",
    ("in_progress", "complete"): "completed",
    ("in_progress", "close"): "closed",
}
EVENTS = ("refer", "accept", "decline", "start", "complete", "close")


@pytest.mark.parametrize(("state", "event"), sorted(ALLOWED))
def test_each_allowed_step_lands_where_the_machine_says(state: str, event: str) -> None:
    referral = SimpleNamespace(state=state)
    assert run(referral, event, **CONSENTED) == (state, ALLOWED[(state, event)])
    assert referral.state == ALLOWED[(state, event)]


REFUSED = [
    (state.value, event)
    for state in ReferralState
    for event in EVENTS
    if (state.value, event) not in ALLOWED
]


@pytest.mark.parametrize(("state", "event"), REFUSED)
def test_a_step_the_state_does_not_allow_raises_and_changes_nothing(state: str, event: str) -> None:
    referral = SimpleNamespace(state=state)
    with pytest.raises(TransitionNotAllowed):
        run(referral, event, **CONSENTED)
    assert referral.state == state


@pytest.mark.parametrize(
    ("state", "event"), [("draft", "refer"), ("sent", "accept"), ("accepted", "start")]
)
def test_without_live_consent_nothing_is_sent_or_taken_up(state: str, event: str) -> None:
    referral = SimpleNamespace(state=state)
    with pytest.raises(GuardRefused) as refused:
        run(referral, event, consent_live=False)
    assert refused.value.unmet[0].guard == "consent_is_live"
    assert referral.state == state


@pytest.mark.parametrize(("state", "event"), [("sent", "decline"), ("accepted", "close")])
def test_declining_or_closing_needs_a_reason(state: str, event: str) -> None:
    referral = SimpleNamespace(state=state)
    with pytest.raises(GuardRefused, match="Give the reason"):
        run(referral, event, consent_live=True, reason="   ")
    assert referral.state == state


def test_final_states_allow_nothing_and_live_states_allow_closing() -> None:
    for state in ("declined", "completed", "closed"):
        assert allowed_events(state) == []
    for live in LIVE_STATES:
        assert "close" in allowed_events(live.value)
