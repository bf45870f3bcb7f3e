"""Staff as people: who each user id is, their role, their prison or probation team, and how to
reach them. Sign-in lists them, pages show their names instead of ids, and a plan names the
probation officer accountable for it and the prison case manager with their contacts.

The user id is the identity provider's subject, the same string the audit trail and the
plan's history record; this table only puts a name and a way to reach someone beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Field, Session, SQLModel, col, select

from resettlement import audit
from resettlement.actors import Actor
from resettlement.models import Person, ReleasePlan
from resettlement.transactions import commit, service

# Staff who sign in take their role from their token; a prison case manager (HMPPS's job
# title under Offender Management in Custody, OMiC) is staff the plan names, whether or not
# they use this service.
PRISON_CASE_MANAGER = "prison_case_manager"
ROLE_WORDS = {
    "probation_officer": "probation officer",
    "governor": "governor",
    "admin": "administrator",
    "coordinator": "directory coordinator",
    "partner": "partner organisation staff",
    PRISON_CASE_MANAGER: "prison case manager",
}


class StaffMember(SQLModel, table=True):
    __tablename__ = "staff_member"
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True, unique=True, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(index=True, max_length=40)
    # A governor's or a case manager's prison; an officer's probation team.
    prison_code: str | None = Field(default=None, index=True, max_length=3)
    team: str | None = Field(default=None, max_length=200)
    # A partner's voluntary organisation (the directory's organisation id).
    organisation_id: int | None = Field(default=None, index=True)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)


@dataclass(frozen=True)
class Accountable:
    """The people a plan names: who is accountable for it, and who manages the sentence in
    the prison. Either may be unknown to this service (None)."""

    probation_officer_id: str
    probation_officer: StaffMember | None
    case_manager: StaffMember | None


def names(session: Session, user_ids: Iterable[str | None]) -> dict[str, str]:
    """Names for the ids a page shows, in one query; an id with no row keeps showing as the id."""
    wanted = sorted({u for u in user_ids if u})
    if not wanted:
        return {}
    rows = session.exec(
        select(StaffMember.user_id, StaffMember.name).where(col(StaffMember.user_id).in_(wanted))
    ).all()
    return dict(rows)


def find(session: Session, user_id: str) -> StaffMember | None:
    return session.exec(select(StaffMember).where(StaffMember.user_id == user_id)).first()


def everyone(session: Session, roles: Iterable[str]) -> list[StaffMember]:
    return list(
        session.exec(
            select(StaffMember)
            .where(col(StaffMember.role).in_(list(roles)))
            .order_by(col(StaffMember.role), col(StaffMember.name))
        ).all()
    )


def accountable(session: Session, plan: ReleasePlan, person: Person) -> Accountable:
    """The plan's probation officer and the prison case manager at the person's prison.

    Allocation of a case manager to each person is not modelled yet: each prison's
    resettlement team is one named manager per prison (the first by name)."""
    rows = session.exec(
        select(StaffMember)
        .where(
            (col(StaffMember.user_id) == plan.probation_officer_id)
            | (
                (col(StaffMember.role) == PRISON_CASE_MANAGER)
                & (col(StaffMember.prison_code) == person.prison_code)
            )
        )
        .order_by(col(StaffMember.name), col(StaffMember.id))
    ).all()
    officer = next((s for s in rows if s.user_id == plan.probation_officer_id), None)
    manager = next((s for s in rows if s.role == PRISON_CASE_MANAGER), None)
    return Accountable(plan.probation_officer_id, officer, manager)


@service
def add_missing(*, session: Session, members: Iterable[StaffMember]) -> int:
    """Adds each member whose user id is not yet known; leaves existing rows as they are."""
    given = list(members)
    known = set(
        session.exec(
            select(StaffMember.user_id).where(
                col(StaffMember.user_id).in_([m.user_id for m in given])
            )
        ).all()
    )
    added = [m for m in given if m.user_id not in known]
    session.add_all(added)
    commit(session, "staff")
    return len(added)


@service
def record_sign_in(
    *,
    session: Session,
    actor: Actor,
    name: str,
    prison_code: str | None,
) -> StaffMember:
    """The identity provider says who signed in: their row is added, or brought up to date
    with the name, role and prison it gave, and the sign-in is audited. The provider is the
    source of truth for these three; a team, email and phone kept here are left alone."""
    member = find(session, actor.user_id)
    if member is None:
        member = StaffMember(user_id=actor.user_id, name=name, role=actor.role.value)
    member.name = name
    member.role = actor.role.value
    member.prison_code = prison_code
    session.add(member)
    session.flush()
    audit.record(session, actor, "signed_in", "staff_member", member.id)
    commit(session, "staff")
    return member
