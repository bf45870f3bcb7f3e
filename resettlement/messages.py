"""What the workflows' messages say: plain English for staff, English or Welsh for the person.

Each function returns a notifications.Message with its idempotency key; the key names what the
message is about and the day it is for, so a re-run of the same day sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from resettlement.actors import Role
from resettlement.config import get_settings
from resettlement.leaver_access import FIRST_DAYS_PATH, SIGN_IN_LINK
from resettlement.models import Language
from resettlement.notifications import Message, NotificationKind

WELSH_DAYS = ["dydd Llun", "dydd Mawrth", "dydd Mercher", "dydd Iau", "dydd Gwener"]
WELSH_DAYS += ["dydd Sadwrn", "dydd Sul"]
WELSH_MONTHS = [
    "Ionawr",
    "Chwefror",
    "Mawrth",
    "Ebrill",
    "Mai",
    "Mehefin",
    "Gorffennaf",
    "Awst",
    "Medi",
    "Hydref",
    "Tachwedd",
    "Rhagfyr",
]


def long_date(day: date, language: str = Language.EN.value) -> str:
    """GOV.UK style: 'Friday 18 December 2026', 'dydd Gwener 18 Rhagfyr 2026'."""
    if language == Language.CY.value:
        return f"{WELSH_DAYS[day.weekday()]} {day.day} {WELSH_MONTHS[day.month - 1]} {day.year}"
    return f"{day:%A} {day.day} {day:%B %Y}"


@dataclass(frozen=True)
class PlanLine:
    """The few facts about a plan a message needs, loaded for a whole batch in one query."""

    plan_id: int
    officer_id: str
    person_name: str
    prison_number: str
    prison_code: str
    walk_out_date: date | None
    language: str = Language.EN.value

    @property
    def who(self) -> str:
        return f"{self.person_name} ({self.prison_number})"

    @property
    def walk_out(self) -> str:
        return long_date(self.walk_out_date) if self.walk_out_date else "no walk-out date yet"


STAGE_NAMES = {
    "start_resettlement_planning": "resettlement planning",
    "start_pre_release": "pre-release",
    "release": "released",
}


def _to_officer(
    line: PlanLine, kind: NotificationKind, key: str, subject: str, body: str
) -> Message:
    return Message(
        recipient_role=Role.PROBATION_OFFICER,
        recipient_id=line.officer_id,
        kind=kind,
        subject=subject,
        body=body,
        idempotency_key=key,
        plan_id=line.plan_id,
    )


def stage_blocked(line: PlanLine, event: str, missing: Sequence[str], as_of: date) -> Message:
    stage = STAGE_NAMES.get(event, event)
    body = (
        f"{line.who} walks out on {line.walk_out}. Their plan is due to move to {stage}, "
        "but it cannot move yet.\n\nWhat is missing:\n"
        + "\n".join(f"- {m}" for m in missing)
        + f"\n\nPlan {line.plan_id}."
    )
    return _to_officer(
        line,
        NotificationKind.STAGE_BLOCKED,
        f"stage_blocked:{event}:{line.plan_id}:{as_of}",
        f"{line.who}: the plan cannot move to {stage} yet",
        body,
    )


@dataclass(frozen=True)
class DueItem:
    title: str
    due_date: date


def checklist_due_key(plan_id: object, as_of: date) -> str:
    return f"checklist_due:{plan_id}:{as_of}"


def checklist_due(line: PlanLine, items: Sequence[DueItem], as_of: date) -> Message:
    overdue = [i for i in items if i.due_date < as_of]
    today = [i for i in items if i.due_date == as_of]
    parts = [f"{line.who} walks out on {line.walk_out}."]
    if overdue:
        parts.append(
            "Overdue:\n"
            + "\n".join(f"- {i.title} (was due {long_date(i.due_date)})" for i in overdue)
        )
    if today:
        parts.append("Due today:\n" + "\n".join(f"- {i.title}" for i in today))
    parts.append(f"Plan {line.plan_id}.")
    count = len(items)
    noun = "item is" if count == 1 else "items are"
    return _to_officer(
        line,
        NotificationKind.CHECKLIST_DUE,
        checklist_due_key(line.plan_id, as_of),
        f"{line.who}: {count} checklist {noun} due or overdue",
        "\n\n".join(parts),
    )


def no_accommodation_key(plan_id: object, as_of: date) -> str:
    return f"no_accommodation:{plan_id}:{as_of}"


def no_accommodation(line: PlanLine, as_of: date) -> Message:
    days = (line.walk_out_date - as_of).days if line.walk_out_date else None
    when = "today" if days == 0 else f"in {days} days" if days is not None else "soon"
    return _to_officer(
        line,
        NotificationKind.NO_ACCOMMODATION,
        no_accommodation_key(line.plan_id, as_of),
        f"{line.who} has no accommodation and walks out {when}",
        f"{line.who} walks out on {line.walk_out} and has nowhere confirmed to stay on the "
        "first night. Confirm accommodation, or refer them to the local housing authority."
        f"\n\nPlan {line.plan_id}.",
    )


def early_release_assessment_key(request_id: object) -> str:
    return f"early_release_assessment:{request_id}"


def early_release_assessment(line: PlanLine, request_id: int, flag_reason: str) -> Message:
    why = "a Friday" if flag_reason == "friday" else "the day before a bank holiday"
    return _to_officer(
        line,
        NotificationKind.EARLY_RELEASE_ASSESSMENT,
        early_release_assessment_key(request_id),
        f"{line.who}: assess the early-release request",
        f"{line.who} is due to be released on {line.walk_out}, which is {why}. Assess "
        "whether a release on that day would harm their resettlement, so the governor can "
        f"decide on an earlier day.\n\nPlan {line.plan_id}, request {request_id}.",
    )


def not_ready(line: PlanLine, missing: Sequence[str], as_of: date) -> Message:
    # Keyed by the walk-out date: a release day caught up later tells the officer once.
    walk_out = line.walk_out_date or as_of
    if walk_out < as_of:
        subject = f"{line.who} walked out on {long_date(walk_out)} and the plan is not ready"
        opening = f"{line.who} walked out on {long_date(walk_out)}"
    else:
        subject = f"{line.who} walks out today and the plan is not ready"
        opening = f"{line.who} walks out today, {long_date(walk_out)},"
    return _to_officer(
        line,
        NotificationKind.NOT_READY,
        f"not_ready:{line.plan_id}:{walk_out}",
        subject,
        f"{opening} and the release plan is not ready."
        "\n\nWhat is missing:\n"
        + "\n".join(f"- {m}" for m in missing)
        + f"\n\nPlan {line.plan_id}.",
    )


def followup_due(line: PlanLine, as_of: date) -> Message:
    return _to_officer(
        line,
        NotificationKind.FOLLOWUP_DUE,
        f"followup_due:{line.plan_id}:{as_of}",
        f"{line.who}: record the 48-hour follow-up",
        f"{line.who} walked out on {line.walk_out}. Record how the first 48 hours went:\n"
        "- first probation appointment attended\n"
        "- night spent in the planned accommodation\n"
        "- registered with a GP\n"
        "- Universal Credit claim made\n"
        "- ID and bank account in hand\n\n"
        "If they cannot answer the questions about their first days on their phone, ask them "
        "and record their answers on the plan page.\n\n"
        f"Recording them completes the plan. Plan {line.plan_id}.",
    )


def decision_due(
    line: PlanLine, request_id: int, deadline: date, release_date: date, as_of: date
) -> Message:
    passed = deadline < as_of
    when = f"was due on {long_date(deadline)}" if passed else f"is due by {long_date(deadline)}"
    return Message(
        recipient_role=Role.GOVERNOR,
        recipient_id=line.prison_code,
        kind=NotificationKind.DECISION_DUE,
        subject=f"Early-release decision {'overdue' if passed else 'due'}: {line.who}",
        body=f"An early-release request for {line.who} needs your decision. The decision "
        f"{when}. Without one they will be released on {long_date(release_date)}, a Friday "
        f"or the day before a bank holiday.\n\nPlan {line.plan_id}, request {request_id}.",
        idempotency_key=f"decision_due:{request_id}",
        plan_id=line.plan_id,
        request_id=request_id,
    )


def plan_ready_key(plan_id: int, walk_out: date) -> str:
    return f"plan_ready:{plan_id}:{walk_out}"


def plan_ready(line: PlanLine, given_name: str, as_of: date) -> Message:
    """To the person, with the link to their plan: English, or Welsh when they prefer it.
    It asks the questions about their first days out (the issue's "48-hour message"), with a
    link straight to where they answer them. Once per walk-out date, however late release day
    caught it up."""
    # The link is issued and put in the placeholder's place only when the message is sent.
    link = SIGN_IN_LINK
    # The questions' own address holds no secret (it asks for the sign-in link's session), so
    # it is written into the message as it is, stored and sent alike. Only the first question
    # is in the message: with the rest, the Welsh text as sent passed Notify's 918 characters
    # for a text message; the page asks them all.
    questions = get_settings().link_base_url + FIRST_DAYS_PATH
    walk_out = line.walk_out_date or as_of
    if line.language == Language.CY.value:
        subject = "Mae eich cynllun ar gyfer eich 48 awr gyntaf yn barod"
        body = (
            f"Helo {given_name},\n\n"
            "Mae eich cynllun ar gyfer y 48 awr gyntaf ar ôl i chi adael y carchar yn barod. "
            "Mae'n dangos ble byddwch chi'n aros heno, eich apwyntiadau, a phwy i'w ffonio "
            "os oes angen help arnoch chi.\n\n"
            f"Rydych chi'n gadael ar {long_date(walk_out, Language.CY.value)}. Ewch i'ch "
            "apwyntiad prawf cyntaf ar yr amser sydd yn eich cynllun.\n\n"
            f"Agorwch eich cynllun: {link}\n"
            "Bydd angen i chi roi eich dyddiad geni. Mae'r ddolen yn gweithio am 7 diwrnod.\n\n"
            "Ar ôl eich diwrnodau cyntaf allan, atebwch ychydig o gwestiynau. Y cyntaf yw: "
            "ble wnaethoch chi gysgu ar eich noson gyntaf?\n"
            f"Atebwch yma: {questions}\n"
            "Mae eich atebion yn helpu pobl eraill sy'n gadael carchar.\n\n"
            "Os oes unrhyw beth yn aneglur, gofynnwch i'ch swyddog prawf."
        )
    else:
        subject = "Your plan for your first 48 hours is ready"
        body = (
            f"Hello {given_name},\n\n"
            "Your plan for the first 48 hours after you leave prison is ready. It shows where "
            "you will stay tonight, your appointments, and who to call if you need help.\n\n"
            f"You leave on {long_date(walk_out)}. Go to your first probation appointment at the "
            "time in your plan.\n\n"
            f"Open your plan: {link}\n"
            "You will be asked for your date of birth. The link works for 7 days.\n\n"
            "After your first days out, please answer a few questions. The first is: where "
            "did you sleep on your first night?\n"
            f"Answer here: {questions}\n"
            "Your answers help other people leaving prison.\n\n"
            "If anything is unclear, ask your probation officer."
        )
    return Message(
        recipient_role=Role.PRISON_LEAVER,
        recipient_id=str(line.plan_id),
        kind=NotificationKind.PLAN_READY,
        subject=subject,
        body=body,
        idempotency_key=plan_ready_key(line.plan_id, walk_out),
        plan_id=line.plan_id,
        language=line.language,
    )


def message_failed_key(notification_id: object) -> str:
    return f"message_failed:{notification_id}"


def message_failed(
    line: PlanLine, notification_id: object, to_whom: str, subject: str, reason: str
) -> Message:
    """To the officer: a message about their plan will not arrive, so they can tell the
    person (or whoever it was for) another way."""
    body = (
        f'{to_whom} about {line.who} could not be sent: "{subject}".\n\n'
        f"Why: {reason}.\n\nPass on what it said another way, and check the address or number "
        f"the service holds.\n\nPlan {line.plan_id}."
    )
    return _to_officer(
        line,
        NotificationKind.MESSAGE_FAILED,
        message_failed_key(notification_id),
        f"{line.who}: a message could not be sent",
        body,
    )


def referral_unanswered_key(referral_id: object, as_of: date) -> str:
    return f"referral_unanswered:{referral_id}:{as_of}"


def referral_unanswered(
    line: PlanLine, referral_id: int, service: str, due: date, as_of: date
) -> Message:
    return _to_officer(
        line,
        NotificationKind.REFERRAL_UNANSWERED,
        referral_unanswered_key(referral_id, as_of),
        f"{line.who}: a referral has not been answered",
        f"The referral of {line.who} to {service} was due an answer by {long_date(due)} and "
        f"has none yet. {line.who} walks out on {line.walk_out}. Chase the organisation, or "
        f"close the referral and refer elsewhere.\n\nPlan {line.plan_id}, referral {referral_id}.",
    )
