"""Recording the person's answers about their first days out: theirs to give and to change for
a week; the officer may record them at the follow-up for someone without a phone, but never
over the person's own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from resettlement import audit, clock, history
from resettlement.actors import Actor, Role
from resettlement.errors import ConflictsWithRecord, Forbidden, TransitionNotAllowed
from resettlement.models import PlanState, ReleasePlan
from resettlement.transactions import commit, get_or_404, service
from resettlement.voice.models import VoiceAnswer, VoiceAnswers, WentWrong, WouldHaveHelped

# How long the person may change what they said, from when they first answered.
EDITABLE_FOR = timedelta(days=7)
AFTER_RELEASE = (PlanState.RELEASED.value, PlanState.COMPLETED.value)


def answers_for(session: Session, plan_id: int) -> VoiceAnswer | None:
    return session.exec(select(VoiceAnswer).where(VoiceAnswer.plan_id == plan_id)).first()


def can_answer(plan: ReleasePlan) -> bool:
    return plan.state in AFTER_RELEASE


def editable(answer: VoiceAnswer | None) -> bool:
    """The person may still change their answers (or has not given any)."""
    return answer is None or clock.now() < answer.first_answered_at + EDITABLE_FOR


def _closed(data: VoiceAnswers) -> VoiceAnswers:
    # "Nothing" beside something else says two things at once: the something else wins.
    wrong = [w for w in dict.fromkeys(data.went_wrong) if w != WentWrong.NOTHING]
    helped = [h for h in dict.fromkeys(data.would_have_helped) if h != WouldHaveHelped.NOTHING]
    return data.model_copy(
        update={
            "went_wrong": wrong or ([WentWrong.NOTHING] if data.went_wrong else []),
            "would_have_helped": helped
            or ([WouldHaveHelped.NOTHING] if data.would_have_helped else []),
        }
    )


@service
def record_answers(
    *, session: Session, actor: Actor, plan_id: int, data: VoiceAnswers
) -> VoiceAnswer:
    """The person's answers (or the officer's record of them), in one transaction, with a
    history line and an audit event."""
    plan = get_or_404(session, ReleasePlan, plan_id, "plan")
    if actor.role == Role.PRISON_LEAVER and actor.plan_id != plan_id:
        raise Forbidden("These are not your plan's questions.")
    if not can_answer(plan):
        raise TransitionNotAllowed("The questions about the first days are asked after release.")
    existing = answers_for(session, plan_id)
    by_person = actor.role == Role.PRISON_LEAVER
    if existing is not None:
        if existing.recorded_by_role == Role.PRISON_LEAVER.value and not by_person:
            raise ConflictsWithRecord("The person has answered themselves: their answers stand.")
        if by_person and not editable(existing):
            raise ConflictsWithRecord("Answers can be changed for a week after first giving them.")
    data = _closed(data)
    now = clock.now()
    values: dict[str, Any] = {
        "first_night": str(data.first_night),
        "appointments": str(data.appointments),
        "had_id": str(data.had_id),
        "had_money": str(data.had_money),
        "had_medication": str(data.had_medication),
        "went_wrong": [str(w) for w in data.went_wrong],
        "would_have_helped": [str(h) for h in data.would_have_helped],
        "recorded_by": actor.user_id,
        "recorded_by_role": actor.role.value,
        "updated_at": now,
    }
    if existing is None:
        answer = VoiceAnswer(plan_id=plan_id, first_answered_at=now, **values)
    else:
        answer = existing
        for name, value in values.items():
            setattr(answer, name, value)
    session.add(answer)
    history.record(
        session,
        plan,
        actor,
        "first_days_answered" if existing is None else "first_days_answers_changed",
        detail={"by": "person" if by_person else "officer at follow-up"},
    )
    audit.record(session, actor, "record_first_days_answers", "plan", plan_id)
    commit(session, "answers")
    session.refresh(answer)
    return answer
