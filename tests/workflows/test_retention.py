"""The retention flow on a database with plans past their period: it leaves no personal data
in those people's rows (every text column scanned for their names, numbers, date of birth and
mobile), keeps every report figure the same, and is idempotent and safe to run again after a
crash. Plans still open are not touched."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, Engine, String, Text, text
from sqlmodel import Session, SQLModel, select

from resettlement import forty_eight_hours, leaver_access, people, person_mobile, plans, reports
from resettlement.actors import Actor, Role
from resettlement.models import (
    AppointmentCreate,
    AppointmentKind,
    ContactKind,
    GoalArea,
    GoalBase,
    Person,
    PublishedPlan,
    ReleasePlan,
    SupportContactCreate,
)
from resettlement.notifications import Notification
from resettlement.privacy import consents, retention
from resettlement.privacy.consents import ConsentKind, GivenHow, WithWhom, WithWhomType
from tests.workflows.conftest import OFFICER
from workflows.flows import retention_flow

ADMIN = Actor(user_id="admin-reports", role=Role.ADMIN)
WEDNESDAY, FRIDAY = date(2027, 3, 10), date(2027, 3, 12)
LATER = date(2034, 1, 2)  # more than 7 years on: every closed plan is past its period
MOBILE = "07700 900{:03d}"


def _person_of(session: Session, plan_id: int) -> Person:
    plan = session.get(ReleasePlan, plan_id)
    person = session.get(Person, plan.person_id)
    session.refresh(person)
    return person


def _fill(session: Session, plan: ReleasePlan, index: int, fake: Any) -> dict[str, Any]:
    """Everything a plan can hold about a person, and what identifies them."""
    assert plan.id is not None
    person = _person_of(session, plan.id)
    tomorrow = datetime.now(UTC) + timedelta(days=2)
    address = f"{fake.building_number()} {fake.street_name()}, {fake.city()}"
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(
            accommodation_address=address,
            accommodation_contact=f"Ask for {person.given_name}'s key worker",
            travel_arrangements=f"{person.given_name} takes the train",
        ),
    )
    session.refresh(plan)
    forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind=AppointmentKind.GP,
            starts_at=tomorrow,
            location=address,
            with_whom=f"Dr {fake.last_name()} for {person.family_name}",
        ),
    )
    session.refresh(plan)
    forty_eight_hours.add_contact(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=SupportContactCreate(
            kind=ContactKind.SUPPORT_ORGANISATION, name="Hope Housing", phone="0113 496 0000"
        ),
    )
    session.refresh(plan)
    plans.replace_goals(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        goals=[GoalBase(area=GoalArea.FAMILY, in_their_words=f"I am {person.given_name}.")],
    )
    session.refresh(plan)
    # A correction: the person's history holds the old and new name.
    old_family = person.family_name
    person = people.update_person(
        session=session,
        actor=OFFICER,
        person_id=person.id,
        expected_version=person.version,
        changes=people.PersonChanges(family_name=f"{old_family}-{fake.last_name()}"),
    )
    person_mobile.record_mobile(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=person.version,
        number=MOBILE.format(index),
        consent=True,
    )
    consents.give_consent(
        session=session,
        actor=OFFICER,
        person_id=person.id,
        kind=ConsentKind.SHARING_WITH_SUPPORTER,
        how=GivenHow.IN_PERSON,
        with_whom=WithWhom(WithWhomType.SUPPORTER, f"sup-{index}", f"{person.given_name}'s mum"),
        scope=["appointments"],
    )
    session.add(
        PublishedPlan(
            plan_id=plan.id,
            number=1,
            snapshot={"given_name": person.given_name, "address": address},
            published_by=OFFICER.user_id,
        )
    )
    session.add(
        Notification(
            recipient_role="prison_leaver",
            recipient_id=str(plan.id),
            plan_id=plan.id,
            kind="plan_ready",
            subject=f"{person.given_name}, your plan is ready",
            body=f"Hello {person.given_name} {person.family_name}: [sign-in link]",
            idempotency_key=f"plan_ready:{plan.id}",
        )
    )
    session.commit()
    leaver_access.add_link(session=session, actor=OFFICER, plan_id=plan.id)
    session.commit()
    person = _person_of(session, plan.id)
    return {
        "names": {person.given_name, person.family_name, old_family},
        "numbers": {person.prison_number, person.crn, person.mobile_number, "7700900"},
        "dob": person.date_of_birth,
        "address": address,
    }


def _close(session: Session, plan: ReleasePlan, index: int) -> None:
    """Completed with outcomes recorded, as the follow-up leaves a plan."""
    session.execute(
        text(
            "UPDATE release_plan SET state = 'completed', followup = :f,"
            " followup_recorded_at = :at WHERE id = :id"
        ),
        {
            "f": json.dumps(
                {**dict.fromkeys(reports.OUTCOMES, True), "gp_registered": index % 2 == 0}
            ),
            "at": datetime(2027, 3, 15, 12, tzinfo=UTC),
            "id": plan.id,
        },
    )
    session.execute(
        text(
            "UPDATE early_release_request SET assessment = 'Needs a bed: ' || :who,"
            " assessed_by = 'po-test' WHERE plan_id = :id"
        ),
        {"who": f"plan {plan.id}", "id": plan.id},
    )
    session.commit()


@pytest.fixture
def past_their_period(session: Session, new_plan, fake) -> dict[str, Any]:
    closed: dict[int, dict[str, Any]] = {}
    still_open: dict[int, dict[str, Any]] = {}
    for index in range(14):
        consent = index % 3 != 0
        plan = new_plan(
            requested_release_date=FRIDAY if index % 2 else WEDNESDAY,
            person={
                "monitoring_consent": consent,
                "sex": ("female" if index % 4 < 2 else "male") if consent else None,
                "prison_code": "MDI" if index < 8 else "BWI",
                "needs": ["woman"] if index % 4 < 2 else [],
            },
        )
        found = _fill(session, plan, index, fake)
        if index < 12:
            _close(session, plan, index)
            closed[plan.person_id] = found
        else:
            still_open[plan.person_id] = found
    return {"closed": closed, "open": still_open}


def _all_reports(session: Session) -> list[dict[str, Any]]:
    found = []
    for make in (reports.outcomes, reports.friday_releases):
        for prison in (None, "MDI", "BWI"):
            for breakdown in reports.Breakdown:
                found.append(
                    make(
                        session=session,
                        actor=ADMIN,
                        start=date(2027, 3, 1),
                        end=date(2027, 3, 31),
                        prison_code=prison,
                        breakdown=breakdown,
                    ).as_dict()
                )
    return found


def _text_columns() -> dict[str, list[str]]:
    return {
        table.name: [c.name for c in table.columns if isinstance(c.type, String | Text | JSON)]
        for table in SQLModel.metadata.sorted_tables
    }


def _dob_forms(day: date) -> set[str]:
    return {day.isoformat(), f"{day:%d/%m/%Y}", f"{day.day} {day.month} {day.year}"}


def _rows_about(engine: Engine, person_id: int) -> list[tuple[str, dict[str, Any]]]:
    """Every row about the person, read with plain SQL."""
    plan_ids = "(SELECT id FROM release_plan WHERE person_id = :p)"
    where = {
        "person": "id = :p",
        "person_event": "person_id = :p",
        "consent": "person_id = :p",
        "release_plan": "person_id = :p",
        "notification": f"plan_id IN {plan_ids}",
    }
    for table in (
        "plan_event",
        "checklist_item",
        "appointment",
        "support_contact",
        "goal",
        "published_plan",
        "early_release_request",
        "leaver_link",
    ):
        where[table] = f"plan_id IN {plan_ids}"
    found = []
    with engine.connect() as connection:
        for table, condition in where.items():
            for row in connection.execute(
                text(f"SELECT * FROM {table} WHERE {condition}"), {"p": person_id}
            ):
                found.append((table, dict(row._mapping)))
    return found


def _everything(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in connection.execute(table.select())),
            )
            for table in SQLModel.metadata.sorted_tables
            if table.name != "alembic_version"
        }


def _no_personal_data_left(engine: Engine, closed: dict[int, dict[str, Any]]) -> None:
    columns = _text_columns()
    for person_id, found in closed.items():
        wanted = {*found["names"], *found["numbers"], *_dob_forms(found["dob"]), found["address"]}
        wanted.discard(None)
        for table, row in _rows_about(engine, person_id):
            for name in columns[table]:
                value = str(row[name] or "")
                leaks = [w for w in wanted if w and w in value]
                assert leaks == [], (table, name, leaks)
            if table == "person":
                assert str(row["date_of_birth"])[:10] == "1900-01-01"
                assert row["age_band"] and row["anonymised_at"] is not None
    # Numbers are unique: they are nowhere in the database, the audit trail included.
    everything = json.dumps(_everything(engine))
    for found in closed.values():
        for number in found["numbers"]:
            if number and number != "7700900":
                assert number not in everything


def test_retention_anonymises_past_their_period_keeps_reports_and_is_idempotent(
    flow_db, session, past_their_period
):
    closed, still_open = past_their_period["closed"], past_their_period["open"]
    before = _all_reports(session)
    open_rows = {pid: _rows_about(flow_db, pid) for pid in still_open}
    with flow_db.connect() as connection:
        last_before = connection.execute(text("SELECT max(id) FROM audit_event")).scalar_one()

    first = retention_flow(as_of=LATER, batch_size=5)
    assert first["anonymise_people.done"] == len(closed)
    assert first["pseudonymise_audit_rows.done"] > 0
    assert first["empty_notification_bodies.done"] >= 2  # the open plans' old messages too
    session.expire_all()
    assert _all_reports(session) == before
    _no_personal_data_left(flow_db, closed)
    # Open plans keep everything but what has its own period (links, message words).
    for pid in still_open:
        kept = _person_of(
            session, session.exec(select(ReleasePlan.id).where(ReleasePlan.person_id == pid)).one()
        )
        assert kept.anonymised_at is None and kept.given_name in still_open[pid]["names"]
        assert consents.live_consents(session, pid, ConsentKind.SHARING_WITH_SUPPORTER)
        assert len(_rows_about(flow_db, pid)) >= len(open_rows[pid]) - 2
    # Audit rows: kept, their actors pseudonymised, the same actor to the same pseudonym.
    with flow_db.connect() as connection:
        actors = {
            r[0]
            for r in connection.execute(
                text("SELECT actor FROM audit_event WHERE id <= :last"),
                {"last": last_before},
            )
        }
    assert actors and all(a.startswith(retention.PSEUDONYM) for a in actors)
    assert retention.pseudonym(OFFICER.user_id) in actors

    snapshot = _everything(flow_db)
    with flow_db.connect() as connection:
        trail_then = connection.execute(text("SELECT * FROM audit_event ORDER BY id")).all()
    again = retention_flow(as_of=LATER, batch_size=5)
    # Nothing is done twice. Only audit rows written since the first run (its own, and the
    # reports read above) are new to it: a run as of 2034 finds them past their period too.
    for step in retention.STEPS:
        if step != "pseudonymise_audit_rows":
            assert again.get(f"{step}.done", 0) == 0, step
    assert again.get("pseudonymise_audit_rows.done", 0) == (
        len(trail_then) - sum(1 for r in trail_then if r.actor.startswith(retention.PSEUDONYM))
    )
    after = _everything(flow_db)
    assert {t: r for t, r in after.items() if t != "audit_event"} == {
        t: r for t, r in snapshot.items() if t != "audit_event"
    }
    with flow_db.connect() as connection:
        trail_now = connection.execute(text("SELECT * FROM audit_event ORDER BY id")).all()
    # A pseudonymised row is never touched again; the rest changed only their actor.
    for then, now in zip(trail_then, trail_now, strict=False):
        if then.actor.startswith(retention.PSEUDONYM):
            assert tuple(then) == tuple(now)
        else:
            assert now.actor == retention.pseudonym(then.actor)
            assert tuple(then)[:2] == tuple(now)[:2] and tuple(then)[3:] == tuple(now)[3:]
    assert _all_reports(session) == before


def test_a_run_that_crashes_half_way_is_finished_by_running_it_again(
    flow_db, session, past_their_period, monkeypatch
):
    before = _all_reports(session)
    real = retention.anonymise
    calls = {"n": 0}

    def crash_on_the_seventh(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 7:
            raise RuntimeError("the worker died")
        real(*args, **kwargs)

    monkeypatch.setattr(retention, "anonymise", crash_on_the_seventh)
    with pytest.raises(Exception, match="the worker died"):
        retention_flow(as_of=LATER, batch_size=5)
    with flow_db.connect() as connection:
        done = connection.execute(
            text("SELECT count(*) FROM person WHERE anonymised_at IS NOT NULL")
        ).scalar_one()
    # The first batch committed; the batch that crashed changed nothing.
    assert done == 5
    monkeypatch.setattr(retention, "anonymise", real)
    finished = retention_flow(as_of=LATER, batch_size=5)
    assert finished["anonymise_people.done"] == len(past_their_period["closed"]) - 5
    _no_personal_data_left(flow_db, past_their_period["closed"])
    session.expire_all()
    assert _all_reports(session) == before


def test_import_reports_past_their_period_are_deleted_and_their_runs_kept(
    flow_db: Engine, session: Session
) -> None:
    from resettlement import staff
    from resettlement.intake import made_up
    from resettlement.intake.extract import read_extract
    from resettlement.intake.importer import import_extract, outcomes
    from resettlement.intake.models import IntakeRun
    from resettlement.staff import StaffMember

    staff.add_missing(
        session=session,
        members=[
            StaffMember(user_id="governor-mdi", name="Governor", role="governor",
                        prison_code="MDI"),
            StaffMember(user_id="po-keep", name="Officer", role="probation_officer"),
        ],
    )  # fmt: skip
    rows = made_up.made_up_rows(3, today=date.today(), prisons=("MDI",), officers=("po-keep",))
    done = import_extract(
        session=session, actor=ADMIN, extract=read_extract("old.csv", made_up.as_csv(rows))
    )
    started = clock_london_day(done.run.started_at)
    # A day short of a year: kept.
    early = retention_flow(as_of=started + timedelta(days=363))
    assert early.get("delete_intake_reports.done", 0) == 0
    assert len(list(outcomes(session, done.run.id or 0))) == 3

    late = retention_flow(as_of=started + timedelta(days=366))
    assert late["delete_intake_reports.done"] == 1
    assert list(outcomes(session, done.run.id or 0)) == []
    session.expire_all()
    run = session.get(IntakeRun, done.run.id)
    assert run is not None and (run.rows, run.created, run.sha256) == (3, 3, done.run.sha256)
    # What the import made stays: its plans are not the report's to delete.
    assert len(session.exec(select(ReleasePlan)).all()) == 3
    again = retention_flow(as_of=started + timedelta(days=366))
    assert again.get("delete_intake_reports.done", 0) == 0


def clock_london_day(at: datetime) -> date:
    from resettlement import clock

    return clock.london(at).date()


def test_stopped_and_expired_supporter_links_go_after_the_sign_in_links_period(
    flow_db, session, new_plan
):
    from resettlement import clock, web_sessions
    from resettlement.partners import supporters
    from resettlement.partners.supporters import SupporterLink

    plan = new_plan()
    assert plan.id is not None

    def name(who: str) -> SupporterLink:
        link, _ = supporters.name_supporter(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            request=supporters.SupporterRequest(
                name=who,
                relationship="Friend",
                check_question="Our street",
                answer="Made Up Lane",
                sections=("appointments",),
            ),
        )
        return link

    revoked, expired, live = name("Ali Made-Up"), name("Bo Made-Up"), name("Cy Made-Up")
    supporters.revoke_supporter(session=session, actor=OFFICER, link_id=revoked.id)
    web_sessions.end_sessions(session=session, subject=f"supporter:{revoked.id}")
    period = timedelta(days=retention.period_days("supporter_link"))
    assert period == timedelta(days=retention.period_days("sign_in_link"))
    now = clock.now()
    session.refresh(revoked)
    session.refresh(expired)
    session.refresh(live)
    assert revoked.revoked_at is not None
    revoked.revoked_at = now - period - timedelta(days=1)
    expired.expires_at = now - period - timedelta(hours=1)
    # Stopped, but not yet for a whole period: kept, to answer questions about its use.
    live.revoked_at = now - period + timedelta(days=1)
    session.add_all([revoked, expired, live])
    session.commit()
    revoked_subject = f"supporter:{revoked.id}"
    assert web_sessions.current(session, revoked_subject) == 1

    done = retention_flow(batch_size=1)
    assert done["delete_supporter_links.due"] == 2
    assert done["delete_supporter_links.done"] == 2
    session.expire_all()
    left = {link.name for link in session.exec(select(SupporterLink)).all()}
    assert left == {"Cy Made-Up"}
    assert web_sessions.current(session, revoked_subject) == 0
    # The consents they rested on are kept under their own rule.
    assert len(consents.consent_history(session, plan.person_id)) == 3
    again = retention_flow(batch_size=1)
    assert again.get("delete_supporter_links.done", 0) == 0
