"""What the person said of their first days, as the officer sees it on the plan page: each
answer in the words the person was asked, who gave it, and where it differs from the officer's
own follow-up."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from api.pages.first_days import questions
from api.pages.i18n import language_scope
from api.staff import labels
from resettlement.models import ReleasePlan
from resettlement.voice import answers as voice
from resettlement.voice.models import Appointments, FirstNight, Had

# The person's answer and the officer's follow-up question it can be compared with.
COMPARED = {
    "first_night": (
        "night_in_planned_accommodation",
        lambda value: value == FirstNight.PLANNED_ADDRESS.value,
    ),
    "appointments": (
        "first_appointment_attended",
        lambda value: value in (Appointments.ALL.value, Appointments.HAD_NONE.value),
    ),
    "had_id": ("id_in_hand", lambda value: value == Had.YES.value),
}


def english_questions() -> list[dict[str, Any]]:
    with language_scope("en"):
        return questions()


def first_days_summary(session: Session, plan: ReleasePlan) -> dict[str, Any] | None:
    """None until the plan is released; then the answers (if any) as summary-list rows."""
    if not voice.can_answer(plan):
        return None
    answer = voice.answers_for(session, plan.id)  # type: ignore[arg-type]
    summary: dict[str, Any] = {"answer": answer, "rows": [], "differences": []}
    if answer is None:
        return summary
    for question in english_questions():
        words = dict(question["choices"])
        value = getattr(answer, question["name"])
        text = (
            ", ".join(str(words.get(v, v)) for v in value)
            if isinstance(value, list)
            else str(words[value])
        )
        summary["rows"].append({"key": {"text": question["question"]}, "value": {"text": text}})
    followup = plan.followup or {}
    for name, (officer_key, said_yes) in COMPARED.items():
        if officer_key in followup and said_yes(getattr(answer, name)) != followup[officer_key]:
            summary["differences"].append(name.replace("_", " "))
    summary["by_person"] = answer.recorded_by_role == "prison_leaver"
    summary["when"] = labels.when(answer.updated_at)
    summary["editable_by_person"] = summary["by_person"] and voice.editable(answer)
    return summary
