"""Erasure ahead of the retention schedule (UK GDPR Art. 17, where the law allows it): an admin
anonymises a person now, through the same anonymisation the retention flow uses, with a
reason, audited. Rectification is people.update_person, which an admin may use with a reason.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from resettlement import audit
from resettlement.actors import Actor, Role
from resettlement.errors import ConflictsWithRecord, Forbidden, InvalidInput
from resettlement.models import OPEN_STATES, Person, ReleasePlan
from resettlement.people import no_such_person
from resettlement.privacy.retention import anonymise
from resettlement.transactions import check_version, commit, service


@service
def erase_person(
    *,
    session: Session,
    actor: Actor,
    person_id: int,
    reason: str,
    expected_version: int | None = None,
) -> Person:
    """Anonymises the person now. Refused while one of their plans is open (the release work
    still needs their details: close the plan first). Erasing twice changes nothing."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only an admin can erase a person's record.")
    reason = reason.strip()
    if len(reason) < 5:
        raise InvalidInput("Say why the person's record is being erased.", field="reason")
    person = session.exec(
        select(Person).where(col(Person.id) == person_id).with_for_update()
    ).first()
    if person is None:
        raise no_such_person(person_id)
    if person.anonymised_at is not None:
        return person
    if expected_version is not None:
        check_version(person, expected_version, "person")
    open_plan = session.exec(
        select(ReleasePlan.id).where(
            ReleasePlan.person_id == person_id,
            col(ReleasePlan.state).in_([s.value for s in OPEN_STATES]),
        )
    ).first()
    if open_plan is not None:
        raise ConflictsWithRecord(
            f"Plan {open_plan} for this person is still open: cancel or complete it before "
            "erasing their record."
        )
    anonymise(session, person, actor, f"erased ahead of schedule: {reason[:500]}")
    audit.record(session, actor, "erase", "person", person_id)
    commit(session, "person")
    return person
