"""A referral's life, as a state machine bound to the referral row.

draft -> sent -> accepted | declined; accepted -> in_progress -> completed | closed.
A referral can be closed at any live stage (the person withdraws consent, the plan is
cancelled, the officer changes their mind); completed, declined and closed are final.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed as MachineRefused

from resettlement.errors import GuardRefused, TransitionNotAllowed, UnmetCondition


class ReferralState(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CLOSED = "closed"


LIVE_STATES = (
    ReferralState.DRAFT,
    ReferralState.SENT,
    ReferralState.ACCEPTED,
    ReferralState.IN_PROGRESS,
)
# The organisation has taken the person on: its appointments belong in the 48-hour plan.
TAKEN_ON = (ReferralState.ACCEPTED, ReferralState.IN_PROGRESS, ReferralState.COMPLETED)


def _refuse(event: Any, guard: str, message: str) -> None:
    raise GuardRefused(event.id, [UnmetCondition(guard=guard, message=message)])


class ReferralLifecycle(StateMachine):
    """The classic StateMachine base: a refused event raises, and the state field is set
    before the `on_` callbacks run (see PITFALLS.md on StateChart's defaults)."""

    draft = State(initial=True, value=ReferralState.DRAFT.value)
    sent = State(value=ReferralState.SENT.value)
    accepted = State(value=ReferralState.ACCEPTED.value)
    declined = State(final=True, value=ReferralState.DECLINED.value)
    in_progress = State(value=ReferralState.IN_PROGRESS.value)
    completed = State(final=True, value=ReferralState.COMPLETED.value)
    closed = State(final=True, value=ReferralState.CLOSED.value)

    # Not `send`: that is the machine's own method for sending any event.
    refer = draft.to(sent, validators="consent_is_live")
    accept = sent.to(accepted, validators="consent_is_live")
    decline = sent.to(declined, validators="reason_given")
    start = accepted.to(in_progress, validators="consent_is_live")
    complete = in_progress.to(completed)
    close = closed.from_(draft, sent, accepted, in_progress, validators="reason_given")

    def consent_is_live(self, event: Any, consent_live: bool = False, **_: Any) -> None:
        # Nothing about the person goes to, or is taken up by, an organisation without the
        # person's consent to share with it, as it stands now.
        if not consent_live:
            _refuse(
                event,
                "consent_is_live",
                "The person has not consented to sharing with this organisation, or has "
                "withdrawn their consent, or it has run out.",
            )

    def reason_given(self, event: Any, reason: str | None = None, **_: Any) -> None:
        if not (reason and reason.strip()):
            _refuse(event, "reason_given", "Give the reason.")


EVENT_WORDS = {
    "refer": "sent",
    "accept": "accepted",
    "decline": "declined",
    "start": "started",
    "complete": "completed",
    "close": "closed",
}


def run(referral: Any, event: str, **facts: Any) -> tuple[str, str]:
    """Sends one event to the referral's machine; returns the states before and after.
    An event the state does not allow is the domain's TransitionNotAllowed (409)."""
    before = referral.state
    machine = ReferralLifecycle(model=referral, state_field="state")
    try:
        machine.send(event, **facts)
    except MachineRefused as exc:
        raise TransitionNotAllowed(
            f"A referral that is {before.replace('_', ' ')} cannot be "
            f"{EVENT_WORDS.get(event, event)}."
        ) from exc
    return before, referral.state


def allowed_events(state: str) -> list[str]:
    """The events the state allows, for pages that never show an action the state refuses."""
    machine = ReferralLifecycle(start_value=state)
    return [event.id for event in machine.allowed_events]
