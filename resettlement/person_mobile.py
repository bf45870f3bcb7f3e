"""The person's own mobile number, held only with their consent, for texting them their sign-in
link.

Only the officer named on the plan records it (typically when the phone-with-credit checklist
item is done), from that plan. It is stored in E.164 and is a UK mobile (rule
PHONE-UK-MOBILE). The person may withdraw their consent at any time: the number is then
removed, and so is the record of which number past links were texted to. The person's and the
plan's histories say that a number was recorded or removed, never the number itself, so
withdrawing leaves no copy behind.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from resettlement import audit, clock, history
from resettlement.actors import Actor, Role
from resettlement.errors import InvalidInput, NotFound
from resettlement.leaver_access import LeaverLink
from resettlement.models import OPEN_STATES, Person, PersonEvent, ReleasePlan
from resettlement.privacy import consents
from resettlement.transactions import check_version, commit, service
from rules.phone_numbers import NotAPhoneNumber, UkNumber, parse_mobile, parse_or_none

NO_CONSENT = (
    "Ask the person whether they agree to be sent their sign-in link by text message. "
    "Their number is not recorded without their agreement."
)


def officers_person(
    session: Session, actor: Actor, plan_id: int, *, open_only: bool
) -> tuple[ReleasePlan, Person]:
    """The plan's own officer only: anyone else gets the same 404 as a plan that does not
    exist, and the try is audited."""
    plan = session.get(ReleasePlan, plan_id)
    if plan is None:
        raise NotFound(f"There is no plan with id {plan_id}.")
    person = session.get(Person, plan.person_id)
    if (
        person is None
        or actor.role != Role.PROBATION_OFFICER
        or plan.probation_officer_id != actor.user_id
    ):
        audit.record_denied(session, actor, "plan", plan_id)
        raise NotFound(f"There is no plan with id {plan_id}.")
    if open_only and plan.state not in {s.value for s in OPEN_STATES}:
        raise InvalidInput("The plan is closed: its details can no longer be changed.")
    return plan, person


def _record_text_consent(session: Session, actor: Actor, person: Person) -> None:
    """The agreement to be texted, in the consent record too, where the person sees it and can
    withdraw it from their own page."""
    assert person.id is not None
    now = clock.now()
    for old in consents.live_consents(session, person.id, consents.ConsentKind.CONTACT_BY_TEXT):
        old.withdrawn_at, old.withdrawn_by = now, actor.user_id
        old.withdrawn_reason = consents.REPLACED
        session.add(old)
    session.add(
        consents.Consent(
            person_id=person.id,
            kind=consents.ConsentKind.CONTACT_BY_TEXT.value,
            given_at=now,
            given_how=consents.GivenHow.IN_PERSON.value,
            recorded_by=actor.user_id,
        )
    )


def mobile_of(person: Person) -> UkNumber | None:
    """The number to text, only while the person's consent stands."""
    if person.mobile_number is None or person.mobile_consent_at is None:
        return None
    return parse_or_none(person.mobile_number)


def _event(session: Session, actor: Actor, person: Person, kind: str, plan_id: int) -> None:
    assert person.id is not None
    session.add(
        PersonEvent(
            person_id=person.id,
            actor=actor.user_id,
            actor_role=actor.role.value,
            kind=kind,
            detail={"plan_id": plan_id},
        )
    )


@service
def record_mobile(
    *,
    session: Session,
    actor: Actor,
    plan_id: int,
    expected_version: int,
    number: str,
    consent: bool,
) -> Person:
    """Records (or changes) the person's own mobile with their consent, as of now and by the
    actor. Without consent nothing is stored. The same number again changes nothing."""
    plan, person = officers_person(session, actor, plan_id, open_only=True)
    check_version(person, expected_version, "person")
    if not consent:
        raise InvalidInput(NO_CONSENT, field="mobile_consent")
    try:
        mobile = parse_mobile(number)
    except NotAPhoneNumber as error:
        raise InvalidInput(str(error), field="mobile_number") from None
    if person.mobile_number == mobile.e164 and person.mobile_consent_at is not None:
        return person
    kind = "mobile_number_changed" if person.mobile_number else "mobile_number_recorded"
    person.mobile_number = mobile.e164
    person.mobile_consent_at = clock.now()
    person.mobile_consent_by = actor.user_id
    session.add(person)
    _record_text_consent(session, actor, person)
    _event(session, actor, person, kind, plan_id)
    history.record(session, plan, actor, kind)
    audit.record(session, actor, "update", "person", person.id)
    commit(session, "person")
    return person


def forget_mobile(session: Session, person: Person) -> None:
    """Removes the number and the numbers kept against links texted to the person: the consent
    to be texted is gone (withdrawn here or through the consent record)."""
    person.mobile_number = None
    person.mobile_consent_at = None
    person.mobile_consent_by = None
    session.add(person)
    plan_ids = [
        p
        for p in session.exec(
            select(ReleasePlan.id).where(ReleasePlan.person_id == person.id)
        ).all()
        if p is not None
    ]
    session.execute(
        update(LeaverLink)
        .where(col(LeaverLink.plan_id).in_(plan_ids), col(LeaverLink.sent_to).is_not(None))
        .values(sent_to=None)
        .execution_options(synchronize_session=False)
    )


@service
def withdraw_consent(
    *, session: Session, actor: Actor, plan_id: int, expected_version: int
) -> Person:
    """The person no longer agrees: their number goes, and with it the numbers kept against
    links texted to them. Allowed on a closed plan too; withdrawing twice changes nothing."""
    plan, person = officers_person(session, actor, plan_id, open_only=False)
    check_version(person, expected_version, "person")
    if person.mobile_number is None and person.mobile_consent_at is None:
        return person
    forget_mobile(session, person)
    assert person.id is not None
    texting = consents.ConsentKind.CONTACT_BY_TEXT
    for consent in consents.live_consents(session, person.id, texting):
        consent.withdrawn_at, consent.withdrawn_by = clock.now(), actor.user_id
        session.add(consent)
    _event(session, actor, person, "mobile_consent_withdrawn", plan_id)
    history.record(session, plan, actor, "mobile_consent_withdrawn")
    audit.record(session, actor, "update", "person", person.id)
    commit(session, "person")
    return person
