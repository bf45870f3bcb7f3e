"""Retention: how long each kind of record is kept (the schedule, as data), and what happens
when its period ends.

- A person whose plans are all closed is **anonymised** when their period ends: names, numbers,
  date of birth (an age band is kept), addresses, phone numbers and every free-text field
  removed; their appointments, contacts, goals, published versions, sign-in links and consents
  deleted. The nation, prison, needs (cohorts), characteristics held with consent, stages,
  dates and 48-hour outcomes stay, so every report figure stays the same.
- Sign-in links are deleted some days after they stopped working.
- Notification subjects and bodies are emptied after their period (the row, with whom and when,
  stays for the person's record until the person is anonymised).
- Withdrawn or ended consents are deleted after their period.
- The import's reports (a row per row of each file) are deleted after their period; the run,
  with its counts, stays.
- Audit rows are kept untouched for their own period, then pseudonymised: who acted is replaced
  by a keyed hash, so the trail still shows one actor's acts together but not who they were.

Each step is one transaction per batch and looks again, inside it, at what is still due, so a
run that stopped half-way is simply run again and nothing is done twice. Erasure ahead of the
schedule (resettlement/privacy/erasure.py) uses the same anonymisation.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, delete, func, or_, update
from sqlmodel import Session, col, select

from resettlement import audit, clock
from resettlement.actors import SYSTEM, Actor
from resettlement.config import get_settings
from resettlement.intake.models import IntakeRowOutcome, IntakeRun
from resettlement.leaver_access import LeaverLink
from resettlement.models import (
    OPEN_STATES,
    Appointment,
    AuditEvent,
    ChecklistItem,
    EarlyReleaseRequest,
    Goal,
    Person,
    PersonEvent,
    PlanEvent,
    PublishedPlan,
    ReleasePlan,
    SupportContact,
)
from resettlement.notifications import Notification
from resettlement.partners.referrals import Referral, ReferralUpdate
from resettlement.partners.supporters import SupporterLink
from resettlement.privacy.consents import Consent, ConsentKind
from resettlement.transactions import commit
from resettlement.web_sessions import SessionGeneration, leaver

PSEUDONYM = "pseudonym:"
# The record of a person after anonymisation: never a possible prison number or CRN (those
# start with a letter), so nothing can match a real person's numbers.
ANONYMOUS_NAME = ("Anonymised", "person")
ANONYMOUS_BIRTH_DATE = date(1900, 1, 1)
REMOVED = ""


@dataclass(frozen=True)
class RetentionRule:
    kind: str
    records: str
    days: int
    starts: str
    action: str
    source: str


_OWNER = (
    "Set by the service's owner as data controller (RESETTLEMENT_RETENTION_DAYS overrides it). "
)
SCHEDULE: tuple[RetentionRule, ...] = (
    RetentionRule(
        "person",
        "A person, their plans and everything recorded in them",
        6 * 365 + 2,
        "the day their last plan closed (completed or cancelled)",
        "anonymise",
        _OWNER + "Default 6 years, to be confirmed against the HMPPS Records, Retention and "
        "Disposition Schedule for probation case records; UK GDPR Art. 5(1)(e).",
    ),
    RetentionRule(
        "sign_in_link",
        "A prison leaver's sign-in link (the hash of its secret)",
        30,
        "the day the link expired or was stopped",
        "delete",
        _OWNER + "A link that no longer works has no purpose; 30 days answers questions "
        "about its use.",
    ),
    RetentionRule(
        "supporter_link",
        "A supporter's link (the hashes of its secret and of its check answer)",
        30,
        "the day the link expired or was stopped",
        "delete",
        _OWNER + "As for the person's own sign-in link: a link that no longer works has no "
        "purpose; 30 days answers questions about its use. The consent it rested on is kept "
        "under the consent rule.",
    ),
    RetentionRule(
        "notification_body",
        "The subject and words of a message sent",
        365,
        "the day the message was written",
        "empty",
        _OWNER + "One year: long enough to answer what someone was told.",
    ),
    RetentionRule(
        "consent",
        "A withdrawn or ended consent",
        6 * 365 + 2,
        "the day it was withdrawn or ended",
        "delete",
        _OWNER + "Kept as evidence of what the person agreed to, as long as the person's "
        "record; UK GDPR Art. 7(1).",
    ),
    RetentionRule(
        "audit_event",
        "An audit row: who read or changed whose record",
        7 * 365 + 2,
        "the day it was written",
        "pseudonymise",
        _OWNER + "Seven years, then the actor is replaced by a keyed pseudonym; never edited "
        "before that (a trigger refuses any other change on PostgreSQL).",
    ),
    RetentionRule(
        "intake_report",
        "The report of an import of the prison's records: a row per row of the file, with "
        "the prison number as written",
        365,
        "the day the import started",
        "delete",
        _OWNER + "One year: long enough to fix the source and answer what an import did; "
        "what it changed stays in each plan's history and the audit trail. The run itself "
        "(the file's name, its SHA-256, who ran it, its counts and its extract's timestamps) "
        "is kept, so the same file is still never imported twice and an older extract is "
        "still refused.",
    ),
)


def period_days(kind: str) -> int:
    overrides = get_settings().retention_days
    rule = next(r for r in SCHEDULE if r.kind == kind)
    return int(overrides.get(kind, rule.days))


def _cutoff(kind: str, now: datetime) -> datetime:
    return now - timedelta(days=period_days(kind))


# --- finding what is due -------------------------------------------------------------------


def people_due(session: Session, now: datetime) -> list[int]:
    """People not yet anonymised whose plans are all closed, the last closed before the
    person's period began."""
    open_states = [s.value for s in OPEN_STATES]
    statement = (
        select(ReleasePlan.person_id)
        .join(Person, col(Person.id) == col(ReleasePlan.person_id))
        .where(col(Person.anonymised_at).is_(None))
        .group_by(col(ReleasePlan.person_id))
        .having(
            func.sum(case((col(ReleasePlan.state).in_(open_states), 1), else_=0)) == 0,
            func.max(col(ReleasePlan.updated_at)) < _cutoff("person", now),
        )
        .order_by(col(ReleasePlan.person_id))
    )
    return list(session.exec(statement).all())


def links_due(session: Session, now: datetime) -> list[int]:
    cutoff = _cutoff("sign_in_link", now)
    stopped = func.coalesce(col(LeaverLink.revoked_at), col(LeaverLink.expires_at))
    return [
        i
        for i in session.exec(
            select(LeaverLink.id).where(stopped < cutoff).order_by(col(LeaverLink.id))
        ).all()
        if i is not None
    ]


def supporter_links_due(session: Session, now: datetime) -> list[int]:
    cutoff = _cutoff("supporter_link", now)
    stopped = func.coalesce(col(SupporterLink.revoked_at), col(SupporterLink.expires_at))
    return [
        i
        for i in session.exec(
            select(SupporterLink.id).where(stopped < cutoff).order_by(col(SupporterLink.id))
        ).all()
        if i is not None
    ]


def notifications_due(session: Session, now: datetime) -> list[int]:
    cutoff = _cutoff("notification_body", now)
    return [
        i
        for i in session.exec(
            select(Notification.id)
            .where(
                col(Notification.created_at) < cutoff,
                or_(col(Notification.body) != REMOVED, col(Notification.subject) != REMOVED),
            )
            .order_by(col(Notification.id))
        ).all()
        if i is not None
    ]


def consents_due(session: Session, now: datetime) -> list[int]:
    cutoff = _cutoff("consent", now)
    return [
        i
        for i in session.exec(
            select(Consent.id)
            .where(
                or_(
                    col(Consent.withdrawn_at) < cutoff,
                    col(Consent.until) < clock.london(cutoff).date(),
                )
            )
            .order_by(col(Consent.id))
        ).all()
        if i is not None
    ]


def audit_rows_due(session: Session, now: datetime) -> list[int]:
    cutoff = _cutoff("audit_event", now)
    return [
        i
        for i in session.exec(
            select(AuditEvent.id)
            .where(col(AuditEvent.at) < cutoff, ~col(AuditEvent.actor).startswith(PSEUDONYM))
            .order_by(col(AuditEvent.id))
        ).all()
        if i is not None
    ]


def intake_reports_due(session: Session, now: datetime) -> list[int]:
    """Import runs started before their period whose report rows are still kept."""
    cutoff = _cutoff("intake_report", now)
    return [
        i
        for i in session.exec(
            select(IntakeRun.id)
            .where(
                col(IntakeRun.started_at) < cutoff,
                select(IntakeRowOutcome.id).where(IntakeRowOutcome.run_id == IntakeRun.id).exists(),
            )
            .order_by(col(IntakeRun.id))
        ).all()
        if i is not None
    ]


# --- acting on a batch: one transaction each, re-checked inside it ------------------------


AGE_BANDS = ((18, "under 18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"))


def age_band(born: date, on: date) -> str:
    """The band kept in place of a date of birth: the person's age when first recorded."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for below, band in AGE_BANDS:
        if age < below:
            return band
    return "55-64" if age < 65 else "65+"


def anonymise(session: Session, person: Person, actor: Actor, why: str) -> None:
    """Removes everything that identifies the person, in the caller's transaction. What reports
    count stays: nation, prison, needs, characteristics held with consent, every plan's stages,
    dates, flags and 48-hour outcomes, and early-release requests' stages and dates."""
    assert person.id is not None
    plan_ids = [
        p
        for p in session.exec(select(ReleasePlan.id).where(ReleasePlan.person_id == person.id))
        if p is not None
    ]
    monitoring = session.exec(
        select(func.count())
        .select_from(Consent)
        .where(
            Consent.person_id == person.id,
            Consent.kind == ConsentKind.MONITORING_CHARACTERISTICS.value,
            col(Consent.withdrawn_at).is_(None),
        )
    ).one()
    now = clock.now()
    person.age_band = age_band(person.date_of_birth, clock.london(person.created_at).date())
    person.prison_number = person.crn = f"#{person.id:06d}"[-7:]
    person.given_name, person.family_name = ANONYMOUS_NAME
    person.date_of_birth = ANONYMOUS_BIRTH_DATE
    person.reasonable_adjustments = None
    person.mobile_number = person.mobile_consent_at = person.mobile_consent_by = None
    if not monitoring:
        person.ethnic_group = person.sex = person.disability = person.religion = None
    person.anonymised_at = now
    session.add(person)
    _plain_update = {"synchronize_session": False}
    session.execute(
        update(ReleasePlan)
        .where(col(ReleasePlan.id).in_(plan_ids))
        .values(
            accommodation_address=None,
            accommodation_contact=None,
            accommodation_from=None,
            travel_arrangements=None,
            version=ReleasePlan.version + 1,
        )
        .execution_options(**_plain_update)
    )
    session.execute(
        update(PlanEvent)
        .where(col(PlanEvent.plan_id).in_(plan_ids))
        .values(reason=None, detail=None)
        .execution_options(**_plain_update)
    )
    session.execute(
        update(ChecklistItem)
        .where(col(ChecklistItem.plan_id).in_(plan_ids))
        .values(note=None, reason=None)
        .execution_options(**_plain_update)
    )
    session.execute(
        update(EarlyReleaseRequest)
        .where(col(EarlyReleaseRequest.plan_id).in_(plan_ids))
        .values(assessment=None, decision_reasons=None, closed_reason=None)
        .execution_options(**_plain_update)
    )
    session.execute(
        update(Notification)
        .where(
            or_(
                col(Notification.plan_id).in_(plan_ids),
                col(Notification.request_id).in_(
                    select(EarlyReleaseRequest.id).where(
                        col(EarlyReleaseRequest.plan_id).in_(plan_ids)
                    )
                ),
            )
        )
        .values(subject=REMOVED, body=REMOVED)
        .execution_options(**_plain_update)
    )
    link_ids = list(
        session.exec(select(LeaverLink.id).where(col(LeaverLink.plan_id).in_(plan_ids))).all()
    )
    _delete_links(session, [i for i in link_ids if i is not None])
    _anonymise_partners_and_imports(session, person, plan_ids)
    for model in (Appointment, SupportContact, Goal, PublishedPlan):
        session.execute(
            delete(model).where(col(model.plan_id).in_(plan_ids)).execution_options(**_plain_update)
        )
    session.execute(
        delete(Consent)
        .where(col(Consent.person_id) == person.id)
        .execution_options(**_plain_update)
    )
    # The history of changes held the details themselves (from and to): it goes, and one line
    # says what happened, and why.
    session.execute(
        delete(PersonEvent)
        .where(col(PersonEvent.person_id) == person.id)
        .execution_options(**_plain_update)
    )
    session.add(
        PersonEvent(
            person_id=person.id,
            actor=actor.user_id,
            actor_role=actor.role.value,
            kind="anonymised",
            detail={"why": why},
        )
    )
    audit.record(session, actor, "anonymise", "person", person.id)


def _anonymise_partners_and_imports(session: Session, person: Person, plan_ids: list[int]) -> None:
    """Referrals keep their service, need, stages and dates (the referral reports count them) but
    lose the person's and the partners' words; supporters' links go with the consents they
    depend on; the import's report forgets the prison number. The referral's link to its
    appointment is cleared first: the appointments are deleted next."""
    plain = {"synchronize_session": False}
    session.execute(
        update(Referral)
        .where(col(Referral.plan_id).in_(plan_ids))
        .values(
            help_wanted=REMOVED,
            outcome_reason=None,
            appointment_id=None,
            version=Referral.version + 1,
        )
        .execution_options(**plain)
    )
    session.execute(
        update(ReferralUpdate)
        .where(col(ReferralUpdate.plan_id).in_(plan_ids))
        .values(text=None)
        .execution_options(**plain)
    )
    supporter_ids = [
        i
        for i in session.exec(
            select(SupporterLink.id).where(col(SupporterLink.person_id) == person.id)
        )
        if i is not None
    ]
    if supporter_ids:
        session.execute(
            delete(SessionGeneration)
            .where(col(SessionGeneration.subject).in_([f"supporter:{i}" for i in supporter_ids]))
            .execution_options(**plain)
        )
        session.execute(
            delete(SupporterLink)
            .where(col(SupporterLink.id).in_(supporter_ids))
            .execution_options(**plain)
        )
    session.execute(
        update(IntakeRowOutcome)
        .where(col(IntakeRowOutcome.plan_id).in_(plan_ids))
        .values(prison_number=None)
        .execution_options(**plain)
    )


def _delete_links(session: Session, link_ids: Sequence[int]) -> int:
    if not link_ids:
        return 0
    session.execute(
        delete(SessionGeneration)
        .where(col(SessionGeneration.subject).in_([leaver(i) for i in link_ids]))
        .execution_options(synchronize_session=False)
    )
    result = session.execute(
        delete(LeaverLink)
        .where(col(LeaverLink.id).in_(link_ids))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def anonymise_people(session: Session, person_ids: Sequence[int], now: datetime) -> int:
    due = set(people_due(session, now)) & set(person_ids)
    people = session.exec(
        select(Person).where(col(Person.id).in_(sorted(due))).with_for_update()
    ).all()
    for person in people:
        anonymise(session, person, SYSTEM, "retention period ended")
    commit(session, "person")
    return len(people)


def delete_links(session: Session, link_ids: Sequence[int], now: datetime) -> int:
    due = sorted(set(links_due(session, now)) & set(link_ids))
    count = _delete_links(session, due)
    if count:
        audit.record(session, SYSTEM, "retention:delete", "sign_in_link", f"{count} links")
    commit(session, "sign-in link")
    return count


def delete_supporter_links(session: Session, link_ids: Sequence[int], now: datetime) -> int:
    due = sorted(set(supporter_links_due(session, now)) & set(link_ids))
    if not due:
        commit(session, "supporter link")
        return 0
    session.execute(
        delete(SessionGeneration)
        .where(col(SessionGeneration.subject).in_([f"supporter:{i}" for i in due]))
        .execution_options(synchronize_session=False)
    )
    result = session.execute(
        delete(SupporterLink)
        .where(col(SupporterLink.id).in_(due))
        .execution_options(synchronize_session=False)
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        audit.record(session, SYSTEM, "retention:delete", "supporter_link", f"{count} links")
    commit(session, "supporter link")
    return count


def empty_notifications(session: Session, ids: Sequence[int], now: datetime) -> int:
    due = sorted(set(notifications_due(session, now)) & set(ids))
    if due:
        session.execute(
            update(Notification)
            .where(col(Notification.id).in_(due))
            .values(subject=REMOVED, body=REMOVED)
            .execution_options(synchronize_session=False)
        )
        audit.record(session, SYSTEM, "retention:empty", "notification", f"{len(due)} messages")
    commit(session, "notification")
    return len(due)


def delete_consents(session: Session, ids: Sequence[int], now: datetime) -> int:
    due = sorted(set(consents_due(session, now)) & set(ids))
    if due:
        session.execute(
            delete(Consent)
            .where(col(Consent.id).in_(due))
            .execution_options(synchronize_session=False)
        )
        audit.record(session, SYSTEM, "retention:delete", "consent", f"{len(due)} consents")
    commit(session, "consent")
    return len(due)


def delete_intake_reports(session: Session, run_ids: Sequence[int], now: datetime) -> int:
    due = sorted(set(intake_reports_due(session, now)) & set(run_ids))
    if due:
        session.execute(
            delete(IntakeRowOutcome)
            .where(col(IntakeRowOutcome.run_id).in_(due))
            .execution_options(synchronize_session=False)
        )
        audit.record(session, SYSTEM, "retention:delete", "intake_report", f"{len(due)} runs")
    commit(session, "import report")
    return len(due)


def pseudonym(actor: str) -> str:
    """A keyed hash: the same actor always gets the same pseudonym, which says nothing of who
    they were without the key (RESETTLEMENT_PSEUDONYM_KEY)."""
    configured = get_settings().pseudonym_key
    key = configured.get_secret_value().encode() if configured else b"resettlement pseudonyms"
    return PSEUDONYM + hmac.new(key, actor.encode(), hashlib.sha256).hexdigest()[:24]


def pseudonymise_audit_rows(session: Session, ids: Sequence[int], now: datetime) -> int:
    due = sorted(set(audit_rows_due(session, now)) & set(ids))
    actors = session.exec(
        select(AuditEvent.id, AuditEvent.actor).where(col(AuditEvent.id).in_(due))
    ).all()
    by_actor: dict[str, list[int]] = {}
    for row_id, actor in actors:
        if row_id is not None:
            by_actor.setdefault(actor, []).append(row_id)
    for actor, row_ids in by_actor.items():
        # Only the actor changes: on PostgreSQL the trail's trigger allows that one change,
        # to a pseudonym, and nothing else (migration 0125).
        session.execute(
            update(AuditEvent)
            .where(col(AuditEvent.id).in_(row_ids))
            .values(actor=pseudonym(actor))
            .execution_options(synchronize_session=False)
        )
    if due:
        audit.record(session, SYSTEM, "retention:pseudonymise", "audit_trail", f"{len(due)} rows")
    commit(session, "audit")
    return len(due)


@dataclass(frozen=True)
class Step:
    name: str
    summary: str
    due: Callable[[Session, datetime], list[int]]
    run: Callable[[Session, Sequence[int], datetime], int]


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "anonymise_people", "Anonymise people whose period ended", people_due, anonymise_people
        ),
        Step(
            "delete_sign_in_links",
            "Delete sign-in links past their period",
            links_due,
            delete_links,
        ),
        Step(
            "delete_supporter_links",
            "Delete supporters' links past their period",
            supporter_links_due,
            delete_supporter_links,
        ),
        Step(
            "empty_notification_bodies",
            "Empty messages past their period",
            notifications_due,
            empty_notifications,
        ),
        Step(
            "delete_consents",
            "Delete ended consents past their period",
            consents_due,
            delete_consents,
        ),
        Step(
            "delete_intake_reports",
            "Delete import reports past their period (the runs and their counts are kept)",
            intake_reports_due,
            delete_intake_reports,
        ),
        Step(
            "pseudonymise_audit_rows",
            "Pseudonymise audit rows past their period",
            audit_rows_due,
            pseudonymise_audit_rows,
        ),
    )
}
