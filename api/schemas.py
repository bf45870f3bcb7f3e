"""The shapes the API takes and gives. Request bodies reuse the domain's Create models and add
only what HTTP needs (the expected version, bounds that keep nonsense away from the database);
responses are Public shapes that leave out what a caller has no need to see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from resettlement.caseload import CaseloadRow
from resettlement.forty_eight_hours import AppointmentChange, ContactChange
from resettlement.lifecycle import EVENT_LABELS
from resettlement.models import (
    AppointmentCreate,
    AppointmentKind,
    AuditEvent,
    CancelReason,
    ChecklistStatus,
    ContactKind,
    GoalArea,
    GoalBase,
    Language,
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
]


def _known_event(value: str) -> str:
    if value not in EVENT_LABELS:
        raise ValueError("unknown step; expected one of: " + ", ".join(EVENT_LABELS))
    return value


LifecycleEvent = Annotated[
    str, AfterValidator(_known_event), Field(json_schema_extra={"enum": list(EVENT_LABELS)})
]


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- requests -----------------------------------------------------------------------------


class PlanOpen(PlanCreate):
    """A new release plan. The officer who opens it is the plan's probation officer."""

    probation_officer_id: str | None = Field(  # type: ignore[assignment]
        default=None,
        max_length=100,
        description="Optional; if given it must be your own user id.",
    )
    term_days: int | None = Field(default=None, ge=1, le=MAX_TERM_DAYS)


class TransitionIn(BaseModel):
    event: LifecycleEvent
    expected_version: Version
    reason: str | None = Field(default=None, max_length=4000)
    cancel_reason: CancelReason | None = None


class ChecklistChange(BaseModel):
    status: ChecklistStatus
    reason: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=2000)
    expected_version: Version


class AppointmentIn(AppointmentCreate):
    expected_version: Version

    def create(self) -> AppointmentCreate:
        return AppointmentCreate.model_validate(self.model_dump(exclude={"expected_version"}))


class ContactIn(SupportContactCreate):
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
    probation_officer_id: str = Field(
        min_length=1, max_length=100, description="The user id of the officer taking the plan on."
    )
    reason: str = Field(min_length=1, max_length=4000)
    expected_version: Version


class GoalsIn(BaseModel):
    goals: list[GoalBase] = Field(max_length=20)
    expected_version: Version


class NightOneIn(NightOne):
    expected_version: Version

    def night_one(self) -> NightOne:
        return NightOne.model_validate(
            self.model_dump(exclude={"expected_version"}, exclude_unset=True)
        )


class PersonChangeIn(PersonChanges):
    """Corrections to a person's details; fields left out stay as they are."""

    expected_version: Version

    def changes(self) -> PersonChanges:
        return PersonChanges.model_validate(
            self.model_dump(exclude={"expected_version"}, exclude_unset=True)
        )


class ReleaseDateIn(BaseModel):
    requested_release_date: date = Field(
        description="The release date from the new sentence calculation."
    )
    reason: str = Field(min_length=1, max_length=4000)
    expected_version: Version


class FollowUpIn(FollowUp):
    expected_version: Version

    def followup(self) -> FollowUp:
        return FollowUp.model_validate(self.model_dump(exclude={"expected_version"}))


class PublishIn(BaseModel):
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

    harms_resettlement: bool
    needs: list[ResettlementNeed] = Field(default_factory=list, max_length=len(ResettlementNeed))
    assessment: str | None = Field(default=None, max_length=4000)
    expected_version: Version = Field(description="The early-release request's version.")
    submit: bool = Field(default=False, description="Also submit it to the governor.")

    @model_validator(mode="after")
    def _submit_only_harm(self) -> AssessmentIn:
        if self.submit and not self.harms_resettlement:
            raise ValueError("only an assessment that finds harm goes to the governor")
        return self


class DecisionIn(BaseModel):
    decision: Literal["approve", "refuse"]
    release_date: date | None = Field(
        default=None, description="The new release date, when approving."
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
