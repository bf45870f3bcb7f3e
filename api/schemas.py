"""The shapes the API takes and gives. Request bodies reuse the domain's Create models and add
only what HTTP needs (the expected version, bounds that keep nonsense away from the database);
responses are Public shapes that leave out what a caller has no need to see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from api.input_types import (
    STRICT_BODY,
    WHOLE_NUMBER,
    AppointmentTime,
    BirthDate,
    CalendarDate,
    SentenceDate,
    StrictBool,
    strict_body,
)
from resettlement.caseload import CaseloadRow
from resettlement.forty_eight_hours import AppointmentChange, ContactChange
from resettlement.lifecycle import EVENT_LABELS
from resettlement.models import (
    AppointmentCreate,
    AppointmentKind,
    AuditEvent,
    Author,
    CancelReason,
    ChecklistStatus,
    ContactKind,
    GoalArea,
    GoalBase,
    Language,
    PersonCreate,
    PlanEvent,
    PlanState,
    PublishedPlan,
    RequestState,
    ResettlementNeed,
    SupportContactCreate,
)
from resettlement.people import PersonChanges
from resettlement.plan_view import PlanView
from resettlement.plans import FollowUp, NightOne, PlanCreate, assessment_for
from rules.checklists import ChecklistCategory, Need, Owner
from rules.nations import Nation
from rules.release_dates import SentenceType

MAX_ID = 2**31 - 1
# A century: longer than any determinate term, small enough for every integer column.
MAX_TERM_DAYS = 36_600

Version = Annotated[
    int,
    Field(ge=1, le=MAX_ID, description="The version you loaded; a stale one is refused (409)."),
    WHOLE_NUMBER,
]


def _known_event(value: str) -> str:
    if value not in EVENT_LABELS:
        raise ValueError("unknown step; expected one of: " + ", ".join(EVENT_LABELS))
    return value


LifecycleEvent = Annotated[
    str, AfterValidator(_known_event), Field(json_schema_extra={"enum": list(EVENT_LABELS)})
]

RELEASE_DATE = (
    "The release date from the sentence calculation: 1991 to 2059, inside the years the "
    "working calendars hold, and not before the sentence date."
)


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- requests -----------------------------------------------------------------------------


class PersonIn(PersonCreate):
    # Protected characteristics only with consent (PersonCreate), stated for the schema too.
    model_config = strict_body(
        {
            "if": {
                "properties": {"monitoring_consent": {"const": True}},
                "required": ["monitoring_consent"],
            },
            "else": {
                "properties": {
                    name: {"type": "null"}
                    for name in ("ethnic_group", "sex", "disability", "religion")
                }
            },
        }
    )

    prison_number: str = Field(
        min_length=7,
        max_length=7,
        json_schema_extra={"pattern": "^[A-Za-z][0-9]{4}[A-Za-z]{2}$"},
        description="HMPPS prison number: a letter, four digits, two letters (A1234BC).",
    )
    crn: str = Field(
        min_length=7,
        max_length=7,
        json_schema_extra={"pattern": "^[A-Za-z][0-9]{6}$"},
        description="nDelius case reference number: a letter and six digits (X123456).",
    )
    prison_code: str = Field(
        min_length=3,
        max_length=3,
        json_schema_extra={"pattern": "^[A-Za-z]{3}$"},
        description="The prison's three-letter code (MDI).",
    )
    date_of_birth: BirthDate = Field(description="From 1 January 1900 to yesterday.")
    monitoring_consent: StrictBool = False


class PlanOpen(PlanCreate):
    """A new release plan. The officer who opens it is the plan's probation officer."""

    model_config = STRICT_BODY

    person: PersonIn
    probation_officer_id: str | None = Field(  # type: ignore[assignment]
        default=None,
        max_length=100,
        description="Optional; if given it must be your own user id.",
    )
    sentence_date: SentenceDate = Field(
        description="The day of sentence: from 1 January 1900 to today."
    )
    requested_release_date: CalendarDate | None = Field(default=None, description=RELEASE_DATE)
    term_days: Annotated[int, Field(ge=1, le=MAX_TERM_DAYS), WHOLE_NUMBER] | None = None


class TransitionIn(BaseModel):
    model_config = STRICT_BODY

    event: LifecycleEvent
    expected_version: Version
    reason: str | None = Field(default=None, max_length=4000)
    cancel_reason: CancelReason | None = None


class ChecklistChange(BaseModel):
    model_config = STRICT_BODY

    status: ChecklistStatus
    reason: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=2000)
    expected_version: Version


class AppointmentIn(AppointmentCreate):
    model_config = STRICT_BODY

    starts_at: AppointmentTime = Field(
        description="When it starts, with its offset: from today to the end of the year two "
        "years ahead."
    )
    expected_version: Version

    def create(self) -> AppointmentCreate:
        return AppointmentCreate.model_validate(self.model_dump(exclude={"expected_version"}))


class ContactIn(SupportContactCreate):
    model_config = STRICT_BODY

    phone: str = Field(
        min_length=3,
        max_length=40,
        json_schema_extra={"pattern": "^[+]?[0-9][0-9 ()-]*$"},
        description="A UK number someone can call, with its area code (020 7946 0123, "
        "07700 900123), or a helpline short code (111, 116 123). Stored in E.164; a number the "
        "UK numbering plan does not hold is refused (422).",
    )
    expected_version: Version

    def create(self) -> SupportContactCreate:
        return SupportContactCreate.model_validate(self.model_dump(exclude={"expected_version"}))


class ContactChangeIn(ContactIn):
    def change(self) -> ContactChange:
        return ContactChange.model_validate(self.model_dump(exclude={"expected_version"}))


class AppointmentChangeIn(AppointmentIn):
    def change(self) -> AppointmentChange:
        return AppointmentChange.model_validate(self.model_dump(exclude={"expected_version"}))


class ReassignIn(BaseModel):
    model_config = STRICT_BODY

    probation_officer_id: str = Field(
        min_length=1, max_length=100, description="The user id of the officer taking the plan on."
    )
    reason: str = Field(min_length=1, max_length=4000)
    expected_version: Version


# A goal's words hold something besides spaces: the service keeps them trimmed, and a goal of
# nothing but spaces is no goal (the schema says so, so clients are told before they send it).
# Its own pattern, so it says no NUL itself (api/main.py adds that only to unpatterned text).
GoalWords = Annotated[
    str, Field(min_length=1, max_length=2000, pattern=r"^[^\u0000]*[^\s\u0000][^\u0000]*$")
]


class GoalIn(GoalBase):
    model_config = STRICT_BODY

    in_their_words: GoalWords

    id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The goal on the plan this one keeps (from the plan's goals): it keeps its "
        "author. Without an id a goal with exactly the same area and words is kept; any other "
        "is new, written by you.",
    )


class MyGoalIn(GoalBase):
    """One goal the person writes themselves."""

    model_config = STRICT_BODY

    in_their_words: GoalWords


class MyGoalChange(MyGoalIn):
    expected_version: Version = Field(description="The goal's version you loaded.")


class GoalsIn(BaseModel):
    model_config = STRICT_BODY

    goals: list[GoalIn] = Field(max_length=20)
    expected_version: Version


class NightOneIn(NightOne):
    model_config = STRICT_BODY

    expected_version: Version

    def night_one(self) -> NightOne:
        return NightOne.model_validate(
            self.model_dump(exclude={"expected_version"}, exclude_unset=True)
        )


class PersonChangeIn(PersonChanges):
    """Corrections to a person's details; fields left out stay as they are."""

    model_config = STRICT_BODY

    prison_code: str | None = Field(
        default=None,
        min_length=3,
        max_length=3,
        json_schema_extra={"pattern": "^[A-Za-z]{3}$"},
        description="The prison's three-letter code (MDI).",
    )
    date_of_birth: BirthDate | None = Field(
        default=None, description="From 1 January 1900 to yesterday."
    )
    reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Why the details are corrected: required from an admin (rectification).",
    )
    expected_version: Version

    def changes(self) -> PersonChanges:
        return PersonChanges.model_validate(
            self.model_dump(exclude={"expected_version", "reason"}, exclude_unset=True)
        )


class ReleaseDateIn(BaseModel):
    model_config = STRICT_BODY

    requested_release_date: CalendarDate = Field(description=RELEASE_DATE)
    reason: str = Field(min_length=1, max_length=4000)
    expected_version: Version


class FollowUpIn(FollowUp):
    model_config = STRICT_BODY

    first_appointment_attended: StrictBool
    night_in_planned_accommodation: StrictBool
    gp_registered: StrictBool
    universal_credit_claim_made: StrictBool
    id_in_hand: StrictBool
    bank_account_in_hand: StrictBool
    expected_version: Version

    def followup(self) -> FollowUp:
        return FollowUp.model_validate(self.model_dump(exclude={"expected_version"}))


class PublishIn(BaseModel):
    model_config = STRICT_BODY

    expected_version: Version
    accept_warnings_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Why the plan is published despite its warnings (GET .../checks lists "
        "them); kept in the plan's history. Blocking findings cannot be accepted.",
    )


class PlanCheckPublic(BaseModel):
    check: str = Field(description="The rule id, e.g. PC-SERVICE-CLOSED.")
    severity: Literal["blocking", "warning"]
    message: str
    summary: str


class AssessmentIn(BaseModel):
    """The officer's assessment of the plan's open early-release request."""

    # Only an assessment that finds harm may be submitted, stated so the schema says so too.
    model_config = strict_body(
        {
            "if": {
                "properties": {"harms_resettlement": {"const": False}},
                "required": ["harms_resettlement"],
            },
            "then": {"properties": {"submit": {"const": False}}},
        }
    )

    harms_resettlement: StrictBool
    needs: list[ResettlementNeed] = Field(default_factory=list, max_length=len(ResettlementNeed))
    assessment: str | None = Field(default=None, max_length=4000)
    expected_version: Version = Field(description="The early-release request's version.")
    submit: StrictBool = Field(default=False, description="Also submit it to the governor.")

    @model_validator(mode="after")
    def _submit_only_harm(self) -> AssessmentIn:
        if self.submit and not self.harms_resettlement:
            raise ValueError("only an assessment that finds harm goes to the governor")
        return self


class DecisionIn(BaseModel):
    model_config = STRICT_BODY

    decision: Literal["approve", "refuse"]
    release_date: CalendarDate | None = Field(
        default=None,
        description="The new release date, when approving: a day in the request's permitted "
        "window.",
    )
    reasons: str = Field(max_length=4000)
    expected_version: Version = Field(description="The early-release request's version.")


# --- responses ----------------------------------------------------------------------------


class PersonPublic(_Public):
    # Protected characteristics are left out: they are held for outcome monitoring only.
    id: int
    version: int
    prison_number: str
    crn: str
    given_name: str
    family_name: str
    date_of_birth: date
    nation: Nation
    prison_code: str
    preferred_language: Language
    needs: list[Need]
    reasonable_adjustments: str | None


class ReleaseAssessmentPublic(_Public):
    """The rules' release-date assessment (the rules contract)."""

    requested_date: date
    nation: Nation
    release_date: date
    moved: bool
    flagged: bool
    flag_reason: str | None
    scheme: str | None
    presumptive_date: date | None
    earliest_date: date | None
    ineligible_reason: str | None
    rules: list[str]


class ChecklistItemPublic(_Public):
    key: str
    title: str
    category: ChecklistCategory
    owner: Owner
    partner: str | None
    status: ChecklistStatus
    reason: str | None
    note: str | None
    due_date: date | None
    rule_id: str
    updated_at: datetime


class EarlyReleaseRequestPublic(_Public):
    id: int
    plan_id: int
    state: RequestState
    version: int
    prison_code: str
    release_date: date
    flag_reason: str
    presumptive_date: date | None
    earliest_date: date
    latest_date: date
    decision_deadline: date
    harms_resettlement: bool | None
    needs: list[ResettlementNeed]
    assessment: str | None
    assessed_by: str | None
    submitted_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    decision_reasons: str | None
    approved_date: date | None
    closed_reason: str | None


class GoalPublic(_Public):
    area: GoalArea
    in_their_words: str


class GoalOnPlan(GoalPublic):
    """A goal with who wrote it and who last changed it (GET .../goals). The plan's own
    `goals` keep their first shape, area and words, so existing clients read them as before."""

    id: int
    version: int
    written_by_kind: Author = Field(description="person: the person wrote it; staff: staff did.")
    written_by: str | None = Field(
        description="Who wrote it (a user id; the person's sign-in link for the person). "
        "Empty for goals recorded by staff before authors were kept."
    )
    changed_by_kind: Author
    changed_by: str | None
    created_at: datetime
    updated_at: datetime


class AppointmentPublic(_Public):
    id: int
    kind: AppointmentKind
    starts_at: datetime
    location: str
    with_whom: str
    what_to_bring: str | None
    sequence: int


class SupportContactPublic(_Public):
    id: int
    kind: ContactKind
    name: str
    phone: str
    hours: str | None
    notes: str | None


class PlanPublic(_Public):
    id: int
    version: int
    state: PlanState
    probation_officer_id: str
    person: PersonPublic
    sentence_type: SentenceType
    sentence_date: date
    requested_release_date: date | None
    term_days: int | None
    release_date: date | None
    walk_out_date: date | None
    flagged: bool
    flag_reason: str | None
    cancel_reason: CancelReason | None
    accommodation_address: str | None
    accommodation_contact: str | None
    accommodation_from: str | None
    travel_arrangements: str | None
    published_out_of_date: bool = Field(
        description="The published 48-hour plan no longer shows the plan as it is: publish "
        "again (release is refused until then)."
    )
    followup: dict[str, bool] | None
    followup_recorded_at: datetime | None
    created_at: datetime
    updated_at: datetime
    assessment: ReleaseAssessmentPublic | None
    checklist: list[ChecklistItemPublic]
    requests: list[EarlyReleaseRequestPublic]
    goals: list[GoalPublic]
    appointments: list[AppointmentPublic]
    contacts: list[SupportContactPublic]

    @classmethod
    def of(cls, view: PlanView) -> PlanPublic:
        plan = view.plan
        fields: dict[str, Any] = {
            name: getattr(plan, name)
            for name in cls.model_fields
            if name
            not in {
                "person",
                "assessment",
                "checklist",
                "requests",
                "goals",
                "appointments",
                "contacts",
            }
        }
        return cls.model_validate(
            {
                **fields,
                "person": view.person,
                "assessment": assessment_for(plan, view.person),
                "checklist": view.checklist,
                "requests": view.requests,
                "goals": view.goals,
                "appointments": view.appointments,
                "contacts": view.contacts,
            }
        )


class CaseloadRowPublic(_Public):
    plan_id: int
    version: int
    person_name: str
    prison_number: str
    prison_code: str
    probation_officer_id: str
    state: PlanState
    walk_out_date: date | None
    days_to_walk_out: int | None
    done: int
    total: int
    overdue: int
    flags: list[str]

    @classmethod
    def of(cls, row: CaseloadRow) -> CaseloadRowPublic:
        return cls.model_validate(row)


class PlanPage(BaseModel):
    items: list[CaseloadRowPublic]
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page, if there may be one.")


class ReassignedPublic(BaseModel):
    """A passed-on plan is no longer the caller's to read: only what changed is given back."""

    plan_id: int
    version: int
    probation_officer_id: str


class PlanEventPublic(_Public):
    id: int
    at: datetime
    actor: str
    actor_role: str
    kind: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    detail: dict[str, Any] | None

    @classmethod
    def of(cls, event: PlanEvent) -> PlanEventPublic:
        return cls.model_validate(event)


class PersonEventPublic(_Public):
    id: int
    at: datetime
    actor: str
    actor_role: str
    kind: str
    detail: dict[str, Any] | None


class AuditEventPublic(_Public):
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str
    request_id: str

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventPublic:
        return cls.model_validate(event)


class AuditPage(BaseModel):
    items: list[AuditEventPublic]
    limit: int
    offset: int
    next_offset: int | None


class AppointmentShown(BaseModel):
    id: int | None = None
    kind: AppointmentKind | str
    starts_at: datetime
    location: str
    with_whom: str
    what_to_bring: str | None = None
    sequence: int = 0


class ContactShown(BaseModel):
    kind: ContactKind | str
    name: str
    phone: str
    hours: str | None = None


class ChecklistShown(BaseModel):
    key: str
    title: str
    status: str
    category: str


class AccommodationShown(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    address: str | None = None
    ask_for: str | None = None
    from_: str | None = Field(default=None, alias="from")


class FortyEightHourPlan(BaseModel):
    """What the prison leaver was shown, exactly as published."""

    given_name: str
    preferred_language: str = "en"
    walk_out_date: date | None = None
    walk_out_date_was: date | None = Field(
        default=None,
        description="Set when the release date has changed: the date the person held before.",
    )
    accommodation: AccommodationShown = Field(default_factory=AccommodationShown)
    travel: str | None = None
    appointments: list[AppointmentShown] = []
    contacts: list[ContactShown] = []
    checklist: list[ChecklistShown] = []
    goals: list[GoalPublic] = []


class PublishedPlanPublic(BaseModel):
    plan_id: int
    number: int
    published_at: datetime
    plan: FortyEightHourPlan

    @classmethod
    def of(cls, published: PublishedPlan) -> PublishedPlanPublic:
        return cls(
            plan_id=published.plan_id,
            number=published.number,
            published_at=published.published_at.astimezone(UTC),
            plan=FortyEightHourPlan.model_validate(published.snapshot),
        )


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    revision: str | None
