"""The tables. Each entity has a family: a Base with shared fields, the table, and the
Create/Public shapes the services and the API exchange."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import ValidationInfo, field_validator, model_validator
from sqlalchemy import JSON, Column, DateTime, Integer, String, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

from resettlement import clock
from rules import identifiers, phone_numbers
from rules.checklists import ChecklistCategory, Need, Owner
from rules.entered_dates import (
    BIRTH_NOT_PLAUSIBLE,
    appointment_day_problem,
    plausible_birth,
)
from rules.nations import Nation
from rules.release_dates import SentenceType


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants as UTC and hands back aware datetimes, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _instant(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


def _choice(length: int, **kwargs: Any) -> Any:
    # Enums are stored as their plain values: readable in SQL and migrations need no enum types.
    return Field(sa_type=String(length), max_length=length, **kwargs)


# The identifiers' formats live with the rules, where the intake's row checks use them too.
PRISON_NUMBER = identifiers.PRISON_NUMBER
CRN = identifiers.CRN
PRISON_CODE = identifiers.PRISON_CODE


class Language(StrEnum):
    EN = "en"
    CY = "cy"


class EthnicGroup(StrEnum):
    """ONS 2021 Census ethnic groups (England and Wales), the 19 tick-box categories."""

    ASIAN_BANGLADESHI = "asian_bangladeshi"
    ASIAN_CHINESE = "asian_chinese"
    ASIAN_INDIAN = "asian_indian"
    ASIAN_PAKISTANI = "asian_pakistani"
    ASIAN_OTHER = "asian_other"
    BLACK_AFRICAN = "black_african"
    BLACK_CARIBBEAN = "black_caribbean"
    BLACK_OTHER = "black_other"
    MIXED_WHITE_AND_ASIAN = "mixed_white_and_asian"
    MIXED_WHITE_AND_BLACK_AFRICAN = "mixed_white_and_black_african"
    MIXED_WHITE_AND_BLACK_CARIBBEAN = "mixed_white_and_black_caribbean"
    MIXED_OTHER = "mixed_other"
    WHITE_BRITISH = "white_british"
    WHITE_IRISH = "white_irish"
    WHITE_GYPSY_OR_IRISH_TRAVELLER = "white_gypsy_or_irish_traveller"
    WHITE_ROMA = "white_roma"
    WHITE_OTHER = "white_other"
    OTHER_ARAB = "other_arab"
    OTHER_ANY = "other_any"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Disability(StrEnum):
    YES = "yes"
    NO = "no"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class Religion(StrEnum):
    """ONS 2021 Census religion question."""

    NO_RELIGION = "no_religion"
    CHRISTIAN = "christian"
    BUDDHIST = "buddhist"
    HINDU = "hindu"
    JEWISH = "jewish"
    MUSLIM = "muslim"
    SIKH = "sikh"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


# --- person -------------------------------------------------------------------------------


class PersonBase(SQLModel):
    prison_number: str = Field(index=True, unique=True, max_length=7)
    crn: str = Field(index=True, unique=True, max_length=7)
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    nation: Nation = _choice(32)
    prison_code: str = Field(index=True, max_length=3)
    preferred_language: Language = _choice(2, default=Language.EN)
    needs: list[Need] = Field(default_factory=list, sa_type=JSON)
    reasonable_adjustments: str | None = Field(default=None, max_length=2000)
    # Protected characteristics are held only with a live consent in the consent record
    # (resettlement/privacy/consents.py), for monitoring outcomes; withdrawing it clears them.
    ethnic_group: EthnicGroup | None = _choice(40, default=None)
    sex: Sex | None = _choice(20, default=None)
    disability: Disability | None = _choice(20, default=None)
    religion: Religion | None = _choice(20, default=None)


class PersonCreate(PersonBase):
    # The person's answer when the plan is opened: a yes is recorded as a consent (given in
    # person, to the officer opening the plan). The record, not this field, is what is kept.
    monitoring_consent: bool = False

    @field_validator("prison_number")
    @classmethod
    def _prison_number(cls, value: str) -> str:
        value = value.strip().upper()
        if not PRISON_NUMBER.match(value):
            raise ValueError("prison number must look like A1234BC")
        return value

    @field_validator("crn")
    @classmethod
    def _crn(cls, value: str) -> str:
        value = value.strip().upper()
        if not CRN.match(value):
            raise ValueError("case reference number (CRN) must look like X123456")
        return value

    @field_validator("prison_code")
    @classmethod
    def _prison_code(cls, value: str) -> str:
        value = value.strip().upper()
        if not PRISON_CODE.match(value):
            raise ValueError("prison code must be three letters, like MDI")
        return value

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, value: date) -> date:
        if not plausible_birth(value, clock.today()):
            raise ValueError(BIRTH_NOT_PLAUSIBLE)
        return value

    @model_validator(mode="after")
    def _consent(self) -> PersonCreate:
        given = [self.ethnic_group, self.sex, self.disability, self.religion]
        if not self.monitoring_consent and any(v is not None for v in given):
            raise ValueError(
                "protected characteristics can only be recorded with the person's consent"
            )
        return self


_person_version = Column("version", Integer, nullable=False, server_default="1")


class Person(PersonBase, table=True):
    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    # A person's details change only through their own service, which checks this version:
    # a new plan never rewrites the person (see plans.open_plan and people.update_person).
    version: int = Field(default=1, sa_column=_person_version)
    created_at: datetime = _instant(default_factory=clock.now)
    # The person's own mobile, for texting them their sign-in link: E.164, held only while they
    # agree to it (withdrawing consent removes the number). Changed only by person_mobile.
    mobile_number: str | None = Field(default=None, max_length=20)
    mobile_consent_at: datetime | None = _instant(default=None)
    mobile_consent_by: str | None = Field(default=None, max_length=100)
    # Set when the person was anonymised (resettlement/privacy/retention.py): the record then
    # holds no name, number or date of birth, only what reports count and this age band.
    anonymised_at: datetime | None = _instant(default=None)
    age_band: str | None = Field(default=None, max_length=10)

    __mapper_args__ = {"version_id_col": _person_version}


class PersonEvent(SQLModel, table=True):
    """A person's history: each change to their details, who made it, and from what to what."""

    __tablename__ = "person_event"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    at: datetime = _instant(default_factory=clock.now)
    actor: str = Field(max_length=100)
    actor_role: str = Field(max_length=30)
    kind: str = Field(max_length=40)
    detail: dict[str, Any] | None = Field(default=None, sa_type=JSON)


# --- release plan -------------------------------------------------------------------------


class PlanState(StrEnum):
    SENTENCE_PLANNING = "sentence_planning"
    RESETTLEMENT_PLANNING = "resettlement_planning"
    PRE_RELEASE = "pre_release"
    RELEASED = "released"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


OPEN_STATES = (
    PlanState.SENTENCE_PLANNING,
    PlanState.RESETTLEMENT_PLANNING,
    PlanState.PRE_RELEASE,
    PlanState.RELEASED,
)


class CancelReason(StrEnum):
    RECALL = "recall"
    TRANSFER = "transfer"
    RELEASE_DATE_WITHDRAWN = "release_date_withdrawn"


class SentenceFacts(SQLModel):
    sentence_type: SentenceType = _choice(20, default=SentenceType.DETERMINATE)
    sentence_date: date
    # The release date from the sentence calculation, before any weekend or holiday move.
    requested_release_date: date | None = None
    # A term is at most a lifetime: 100 years in days (life sentences are indeterminate).
    term_days: int | None = Field(default=None, ge=1, le=36_600)


_plan_version = Column("version", Integer, nullable=False)


class ReleasePlan(SentenceFacts, table=True):
    __tablename__ = "release_plan"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    state: str = Field(default=PlanState.SENTENCE_PLANNING.value, index=True, max_length=32)
    version: int = Field(default=1, sa_column=_plan_version)
    # The named probation officer accountable for this plan.
    probation_officer_id: str = Field(index=True, max_length=100)
    # After R2 (the weekend and bank-holiday move): the legal release date.
    release_date: date | None = Field(default=None, index=True)
    # The day the person actually walks out: the release date, or an approved earlier date.
    walk_out_date: date | None = Field(default=None, index=True)
    flagged: bool = False
    flag_reason: str | None = Field(default=None, max_length=40)
    cancel_reason: CancelReason | None = _choice(40, default=None)
    # Night-one essentials for the 48-hour plan.
    accommodation_address: str | None = Field(default=None, max_length=500)
    accommodation_contact: str | None = Field(default=None, max_length=200)
    accommodation_from: str | None = Field(default=None, max_length=50)
    travel_arrangements: str | None = Field(default=None, max_length=2000)
    # The published 48-hour plan no longer shows the plan as it now is: the officer must publish
    # again before release (resettlement/plan_snapshot.py keeps it true).
    published_out_of_date: bool = False
    followup: dict[str, bool] | None = Field(default=None, sa_type=JSON)
    followup_recorded_at: datetime | None = _instant(default=None)
    created_at: datetime = _instant(default_factory=clock.now)
    updated_at: datetime = _instant(default_factory=clock.now)

    __mapper_args__ = {"version_id_col": _plan_version}


class ChecklistStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_NEEDED = "not_needed"
    BLOCKED = "blocked"


class ChecklistItem(SQLModel, table=True):
    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the unique (plan_id, key) index leads with plan_id and serves every
    # lookup by plan, and a second index made each of a plan's eleven new rows cost more.
    plan_id: int = Field(foreign_key="release_plan.id")
    key: str = Field(max_length=60)
    title: str = Field(max_length=200)
    category: ChecklistCategory = _choice(20)
    owner: Owner = _choice(20)
    partner: str | None = Field(default=None, max_length=200)
    status: ChecklistStatus = _choice(20, default=ChecklistStatus.NOT_STARTED)
    reason: str | None = Field(default=None, max_length=1000)
    note: str | None = Field(default=None, max_length=2000)
    due_date: date | None = None
    rule_id: str = Field(max_length=60)
    updated_at: datetime = _instant(default_factory=clock.now)


class AppointmentKind(StrEnum):
    PROBATION = "probation"
    GP = "gp"
    JOBCENTRE = "jobcentre"
    HOUSING = "housing"
    DRUG_AND_ALCOHOL = "drug_and_alcohol"
    MENTAL_HEALTH = "mental_health"
    OTHER = "other"


class AppointmentBase(SQLModel):
    kind: AppointmentKind = _choice(30)
    starts_at: datetime = _instant()
    location: str = Field(min_length=1, max_length=500)
    with_whom: str = Field(min_length=1, max_length=200)
    what_to_bring: str | None = Field(default=None, max_length=1000)

    @field_validator("starts_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("give the time with its offset, e.g. 2026-12-18T10:00:00+00:00")
        return value


class AppointmentCreate(AppointmentBase):
    @field_validator("starts_at")
    @classmethod
    def _in_range(cls, value: datetime, info: ValidationInfo) -> datetime:
        # The demo data replays the past: it passes the day it pretends it is as context.
        today = (info.context or {}).get("today") or clock.today()
        problem = appointment_problem(value, today)
        if problem:
            raise ValueError(problem)
        return value


def appointment_problem(starts_at: datetime, today: date) -> str | None:
    """The one check of an appointment's time (rules.entered_dates), for the models, the forms
    and the services alike."""
    try:
        day = clock.london(starts_at).date()
    except OverflowError:
        # Year 1 or 9999 with an offset cannot move to London time; its own date says enough.
        day = starts_at.date()
    return appointment_day_problem(day, today)


class Appointment(AppointmentBase, table=True):
    __tablename__ = "appointment"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="release_plan.id", index=True)
    # Raised on every change so calendar apps replace, not duplicate, the event.
    sequence: int = 0
    created_at: datetime = _instant(default_factory=clock.now)


class ContactKind(StrEnum):
    PROBATION_OFFICER = "probation_officer"
    OUT_OF_HOURS = "out_of_hours"
    SUPPORT_ORGANISATION = "support_organisation"
    HELPLINE = "helpline"


class SupportContactBase(SQLModel):
    kind: ContactKind = _choice(30)
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=3, max_length=40)
    hours: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=1000)


class SupportContactCreate(SupportContactBase):
    @field_validator("phone")
    @classmethod
    def _uk_number(cls, value: str) -> str:
        # Stored in E.164 (PHONE-UK); pages show it in national format.
        return phone_numbers.parse(value).e164


class SupportContact(SupportContactBase, table=True):
    __tablename__ = "support_contact"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="release_plan.id", index=True)


class GoalArea(StrEnum):
    FAMILY = "family"
    WORK = "work"
    LEARNING = "learning"
    HEALTH = "health"
    FAITH = "faith"
    ARTS = "arts"
    SPORT = "sport"
    HOME = "home"
    OTHER = "other"


class GoalBase(SQLModel):
    area: GoalArea = _choice(20)
    # In the person's own words: never rewritten by staff, kept apart from practitioner notes.
    in_their_words: str = Field(min_length=1, max_length=2000)


class Author(StrEnum):
    """Who wrote or last changed a goal: the person themselves, through their own link, or a
    member of staff recording it with them."""

    PERSON = "person"
    STAFF = "staff"


_goal_version = Column("version", Integer, nullable=False, server_default="1")


class Goal(GoalBase, table=True):
    __tablename__ = "goal"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="release_plan.id", index=True)
    position: int = 0
    # Each goal is changed one at a time by the person or the officer: its version is what the
    # editor's form had, so two edits that cross are told apart (resettlement/goals.py).
    version: int = Field(default=1, sa_column=_goal_version)
    # Who wrote it and who last changed it: the actor's user id (the person's is their link,
    # "leaver-link:<id>"). None for goals recorded before this was kept: staff recorded those.
    written_by_kind: Author = _choice(10, default=Author.STAFF)
    written_by: str | None = Field(default=None, max_length=100)
    changed_by_kind: Author = _choice(10, default=Author.STAFF)
    changed_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = _instant(default_factory=clock.now)
    updated_at: datetime = _instant(default_factory=clock.now)

    __mapper_args__ = {"version_id_col": _goal_version}


class PublishedPlan(SQLModel, table=True):
    """A published 48-hour plan is a versioned snapshot: what the person was shown, kept."""

    __tablename__ = "published_plan"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="release_plan.id", index=True)
    number: int
    snapshot: dict[str, Any] = Field(sa_type=JSON)
    published_by: str = Field(max_length=100)
    published_at: datetime = _instant(default_factory=clock.now)


# --- early-release request ----------------------------------------------------------------


class RequestState(StrEnum):
    FLAGGED = "flagged"
    ASSESSED = "assessed"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NOT_NEEDED = "not_needed"


AWAITING_DECISION = (RequestState.FLAGGED, RequestState.ASSESSED, RequestState.SUBMITTED)


class ResettlementNeed(StrEnum):
    """Needs that can justify releasing someone earlier than a Friday or pre-holiday date."""

    ACCOMMODATION = "accommodation"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_MISUSE = "substance_misuse"
    LONG_JOURNEY_HOME = "long_journey_home"
    MOBILITY = "mobility"
    CARING_RESPONSIBILITIES = "caring_responsibilities"
    MEDICATION = "medication"
    FINANCE_AND_BENEFITS = "finance_and_benefits"
    OTHER = "other"


_request_version = Column("version", Integer, nullable=False)


class EarlyReleaseRequest(SQLModel, table=True):
    __tablename__ = "early_release_request"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="release_plan.id", index=True)
    state: str = Field(default=RequestState.FLAGGED.value, index=True, max_length=20)
    version: int = Field(default=1, sa_column=_request_version)
    prison_code: str = Field(index=True, max_length=3)
    # The R2 release date this request is about; a new date means a new request.
    release_date: date
    flag_reason: str = Field(max_length=40)
    presumptive_date: date | None = None
    earliest_date: date
    latest_date: date
    decision_deadline: date = Field(index=True)
    harms_resettlement: bool | None = None
    needs: list[ResettlementNeed] = Field(default_factory=list, sa_type=JSON)
    assessment: str | None = Field(default=None, max_length=4000)
    assessed_by: str | None = Field(default=None, max_length=100)
    submitted_at: datetime | None = _instant(default=None)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = _instant(default=None)
    decision_reasons: str | None = Field(default=None, max_length=4000)
    approved_date: date | None = None
    closed_reason: str | None = Field(default=None, max_length=1000)
    escalated_at: datetime | None = _instant(default=None)
    created_at: datetime = _instant(default_factory=clock.now)

    __mapper_args__ = {"version_id_col": _request_version}


# --- history and audit --------------------------------------------------------------------


class PlanEvent(SQLModel, table=True):
    """The plan's history: every transition and every change, who, when, from, to, why."""

    __tablename__ = "plan_event"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="release_plan.id", index=True)
    at: datetime = _instant(default_factory=clock.now)
    actor: str = Field(max_length=100)
    actor_role: str = Field(max_length=30)
    kind: str = Field(max_length=40)
    from_state: str | None = Field(default=None, max_length=32)
    to_state: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=4000)
    detail: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class AuditEvent(SQLModel, table=True):
    """Append-only: who read or changed whose record. On PostgreSQL a trigger refuses edits."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _instant(default_factory=clock.now)
    actor: str = Field(index=True, max_length=100)
    role: str = Field(max_length=30)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: str = Field(index=True, max_length=40)
    request_id: str = Field(max_length=64)
