"""The daily scan chases referrals left unanswered after their due date, once a day, and
never one that was answered. The scan's own action, run as its tasks run it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlmodel import Session

from resettlement import clock, scheduling
from resettlement.models import ReleasePlan
from resettlement.notifications import list_notifications
from resettlement.partners import referrals
from tests.partners.conftest import Directory, partner

CHASE = scheduling.ACTIONS["referral_chases"]


def _scan(session: Session, as_of: date) -> tuple[int, int]:
    due = CHASE.due(session, as_of)
    result = CHASE.run(session, due, as_of) if due else scheduling.BatchResult()
    return len(due), result.counts["referrals_chased"]


def test_an_unanswered_referral_is_chased_once_a_day_after_its_due_date(
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    refer: Callable[..., referrals.Referral],
    directory: Directory,
) -> None:
    assert "referral_chases" in scheduling.DAILY_RELEASE_SCAN
    waiting = refer(new_plan())
    answered = refer(new_plan())
    refer(new_plan(), send=False)  # a draft is the officer's own: nothing to chase
    referrals.accept_referral(
        session=session,
        actor=partner(directory.housing_org),
        referral_id=answered.id,
        expected_version=answered.version,
    )
    due = waiting.due_date
    assert due == clock.today() + timedelta(days=referrals.ANSWER_WITHIN_DAYS)

    assert _scan(session, due) == (0, 0)
    day_after = due + timedelta(days=1)
    assert _scan(session, day_after) == (1, 1)
    # A re-run of the same day finds nothing more to do.
    assert _scan(session, day_after) == (0, 0)
    told = [n for n in list_notifications(session, limit=100) if n.kind == "referral_unanswered"]
    assert len(told) == 1
    assert told[0].recipient_id == "po-test"
    assert told[0].plan_id == waiting.plan_id
    assert "Night shelter referrals (Made Up Housing Trust)" in told[0].body
    assert f"referral {waiting.id}" in told[0].body
    # Still unanswered the next day: chased again.
    assert _scan(session, day_after + timedelta(days=1)) == (1, 1)
