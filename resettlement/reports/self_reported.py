"""What people said of their first days, beside what the officer recorded at the follow-up,
and how often the two agree. Only closed answers are counted; nothing typed reaches a report.

Counted: people released in the period who answered (themselves, or with the officer at the
follow-up) and whose follow-up is recorded, so every figure has both sides to compare.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from resettlement import clock
from resettlement.actors import Actor
from resettlement.reports import breakdowns, figures
from resettlement.reports.breakdowns import Breakdown, plan
from resettlement.reports.outcomes import followup_flag
from resettlement.reports.period import audited, released_rows, released_to
from resettlement.reports.tables import Report
from resettlement.voice.models import Appointments, FirstNight, Had, VoiceAnswer

SELF_REPORTED: dict[str, str] = {
    "answered_by_person": "Answered by the person themselves",
    "said_planned_address": "Said: slept at the planned address",
    "recorded_night": "Officer recorded: accommodation on release night",
    "night_agrees": "Agree on the first night",
    "said_all_appointments": "Said: got to all their appointments",
    "recorded_appointment": "Officer recorded: first probation appointment attended",
    "appointments_agree": "Agree on appointments",
    "said_had_id": "Said: had ID",
    "recorded_id": "Officer recorded: ID in hand",
    "id_agrees": "Agree on ID",
    "said_had_money": "Said: had money",
    "said_had_medication": "Said: had their medication (or needed none)",
    "said_nothing_went_wrong": "Said: nothing went wrong",
    "earlier_release_would_help": "Said: release earlier in the week would have helped",
}

voice_table = VoiceAnswer.__table__  # type: ignore[attr-defined]
voice = voice_table.c


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _agree(said: ColumnElement[int], recorded: ColumnElement[int]) -> ColumnElement[int]:
    return _flag(said == recorded)


def self_reported(
    *,
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    prison_code: str | None = None,
    breakdown: Breakdown = Breakdown.NONE,
    today: date | None = None,
) -> Report:
    end = released_to(end, today or clock.today())
    rows = (
        released_rows(start, end, prison_code)
        .where(plan.followup_recorded_at.is_not(None))
        .join(voice_table, voice.plan_id == plan.id)
    )
    said_night = _flag(voice.first_night == FirstNight.PLANNED_ADDRESS.value)
    said_appointments = _flag(
        voice.appointments.in_([Appointments.ALL.value, Appointments.HAD_NONE.value])
    )
    said_id = _flag(voice.had_id == Had.YES.value)
    recorded_night = followup_flag("night_in_planned_accommodation")
    recorded_appointment = followup_flag("first_appointment_attended")
    recorded_id = followup_flag("id_in_hand")
    wrong, helped = (
        breakdowns.json_text(voice.went_wrong),
        breakdowns.json_text(voice.would_have_helped),
    )
    measures = {
        "answered_by_person": _flag(voice.recorded_by_role == "prison_leaver"),
        "said_planned_address": said_night,
        "recorded_night": recorded_night,
        "night_agrees": _agree(said_night, recorded_night),
        "said_all_appointments": said_appointments,
        "recorded_appointment": recorded_appointment,
        "appointments_agree": _agree(said_appointments, recorded_appointment),
        "said_had_id": said_id,
        "recorded_id": recorded_id,
        "id_agrees": _agree(said_id, recorded_id),
        "said_had_money": _flag(voice.had_money == Had.YES.value),
        "said_had_medication": _flag(
            voice.had_medication.in_([Had.YES.value, Had.NOT_NEEDED.value])
        ),
        "said_nothing_went_wrong": _flag(wrong.like('%"nothing"%')),
        "earlier_release_would_help": _flag(helped.like('%"released_earlier_in_the_week"%')),
    }
    counted = figures.count_rows(session, rows, breakdown, breakdowns.parts(breakdown), measures)
    audited(session, actor, "self_reported", prison_code)
    return Report(
        "What people said of their first days, beside the officer's record",
        start,
        end,
        prison_code,
        breakdown,
        SELF_REPORTED,
        counted,
    )
