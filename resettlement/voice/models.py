"""The person's answers about their first days after release: closed choices only, so every
answer can be counted in a report and nothing typed by anyone reaches one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from resettlement import clock
from resettlement.models import UTCDateTime


class FirstNight(StrEnum):
    PLANNED_ADDRESS = "planned_address"
    FAMILY_OR_FRIENDS = "family_or_friends"
    EMERGENCY_HOUSING = "emergency_housing"
    NOWHERE = "nowhere"
    SOMEWHERE_ELSE = "somewhere_else"


class Appointments(StrEnum):
    ALL = "all"
    SOME = "some"
    NONE = "none"
    HAD_NONE = "had_none"


class Had(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_NEEDED = "not_needed"


class WentWrong(StrEnum):
    NOTHING = "nothing"
    NO_BED = "no_bed"
    NO_MONEY = "no_money"
    NO_ID = "no_id"
    NO_MEDICATION = "no_medication"
    MISSED_APPOINTMENT = "missed_appointment"
    TRAVEL = "travel"
    NO_PHONE = "no_phone"


class WouldHaveHelped(StrEnum):
    NOTHING = "nothing"
    RELEASED_EARLIER_IN_THE_WEEK = "released_earlier_in_the_week"
    HOUSING_SORTED = "housing_sorted"
    ID_BEFORE_RELEASE = "id_before_release"
    BANK_ACCOUNT = "bank_account"
    SOMEONE_TO_MEET_ME = "someone_to_meet_me"
    HELP_WITH_TRAVEL = "help_with_travel"
    A_PHONE = "a_phone"
    MEDICATION = "medication"


class VoiceAnswers(SQLModel):
    """What the person says (or the officer records for them, at the follow-up)."""

    first_night: FirstNight
    appointments: Appointments
    had_id: Had
    had_money: Had
    had_medication: Had
    went_wrong: list[WentWrong] = Field(default_factory=list)
    would_have_helped: list[WouldHaveHelped] = Field(default_factory=list)


_version = Column("version", Integer, nullable=False)


class VoiceAnswer(SQLModel, table=True):
    __tablename__ = "voice_answer"
    __table_args__ = (UniqueConstraint("plan_id"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="release_plan.id", index=True)
    version: int = Field(default=1, sa_column=_version)
    first_night: str = Field(sa_type=String(30), max_length=30)
    appointments: str = Field(sa_type=String(20), max_length=20)
    had_id: str = Field(sa_type=String(20), max_length=20)
    had_money: str = Field(sa_type=String(20), max_length=20)
    had_medication: str = Field(sa_type=String(20), max_length=20)
    went_wrong: list[str] = Field(default_factory=list, sa_type=JSON)
    would_have_helped: list[str] = Field(default_factory=list, sa_type=JSON)
    # "prison_leaver" when the person answered themselves; "probation_officer" when the officer
    # asked them at the follow-up (people without a phone or a link).
    recorded_by: str = Field(max_length=100)
    recorded_by_role: str = Field(max_length=30)
    first_answered_at: datetime = Field(sa_type=UTCDateTime, default_factory=clock.now)
    updated_at: datetime = Field(sa_type=UTCDateTime, default_factory=clock.now)

    __mapper_args__ = {"version_id_col": _version}
