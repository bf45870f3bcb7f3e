"""The schema comes from migrations, matches the models, and the demo data is varied."""

from __future__ import annotations

from collections import Counter
from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel, select

from resettlement import early_release, migrate
from resettlement.demo import seed
from resettlement.models import EarlyReleaseRequest, Person, PlanEvent, ReleasePlan
from resettlement.plans import assessment_for
from rules.nations import Nation
from rules.release_dates import assess, is_in_window, permitted_days

TABLES = {
    "person",
    "release_plan",
    "checklist_item",
    "appointment",
    "support_contact",
    "plan_event",
    "audit_event",
    "goal",
    "published_plan",
    "early_release_request",
}


def test_migrations_reach_head_and_match_the_models(engine):
    assert migrate.at_head(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_an_empty_database_upgrades_to_head(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.upgrade(engine)  # a second run is a no-op
    assert migrate.at_head(engine)


def test_demo_data_covers_the_stages_and_people_the_service_is_for(session):
    added = seed(session)
    assert 25 <= added <= 30
    plans = session.exec(select(ReleasePlan)).all()
    people = {p.id: p for p in session.exec(select(Person))}
    stages = Counter(p.state for p in plans)
    assert len(stages) >= 3, stages
    assert sum(p.flag_reason == "friday" for p in plans) >= 3
    assert any(p.flag_reason == "day_before_bank_holiday" for p in plans)
    needs = Counter(n for p in people.values() for n in p.needs)
    for need in ("woman", "older_person", "learning_disability"):
        assert needs[need] >= 1, need
    assert session.exec(select(EarlyReleaseRequest)).first() is not None
    assert session.exec(select(PlanEvent)).first() is not None
    assert seed(session) == 0, "seeding is only for an empty database"


def test_a_large_seed_approves_only_days_the_rules_allow(session):
    # Seed 19 around 30 November 2026 reaches, within 15 plans, a Scottish Friday release whose
    # request the demo governor approves: the seed used to approve the request's latest_date,
    # which in Scotland is not a permitted day, and crashed (GuardRefused), as
    # `demo seed --count 2000` did after 1,254 plans. (The seed value depends on how many
    # random draws the demo makes; if the demo changes, find another that reaches the case.)
    assert seed(session, count=15, seed_value=19, today=date(2026, 11, 30)) == 15
    approved = session.exec(
        select(EarlyReleaseRequest).where(EarlyReleaseRequest.state == "approved")
    ).all()
    assert approved, "the case this test exists for: at least one approval"
    for request in approved:
        plan = session.get(ReleasePlan, request.plan_id)
        person = session.get(Person, plan.person_id)
        assessment = assessment_for(plan, person)
        assert request.approved_date in permitted_days(assessment)
        assert plan.walk_out_date == request.approved_date
    assert any(
        session.get(Person, session.get(ReleasePlan, r.plan_id).person_id).nation == "scotland"
        for r in approved
    )


def test_a_scottish_request_names_a_window_whose_last_day_may_be_approved(session, new_plan):
    # Friday 10 December 2027 in Scotland: the window ends the working day before it.
    plan = new_plan(
        person={"nation": "scotland", "prison_code": "BAR"},
        requested_release_date=date(2027, 12, 10),
    )
    assessment = assess(date(2027, 12, 10), Nation.SCOTLAND, term_days=900)
    assert plan.flagged
    request = early_release.open_request(session, plan.id)
    assert request.latest_date == permitted_days(assessment)[-1]
    assert is_in_window(assessment, request.latest_date)


def test_each_demo_prison_has_a_directory_with_weekday_weekend_and_24_hour_services(session):
    from resettlement.demo import PRISONS, seed_directories
    from resettlement.partners import directory

    seed(session, count=3)
    assert seed_directories(session) == 0, "a prison's directory is seeded once"
    for prison in PRISONS:
        [found] = directory.directories(session, prison.code)
        assert (found.area, found.nation) == (prison.area, prison.nation)
        weeks = {
            frozenset(r.weekday for r in record.regular): record
            for record in directory.records(session, found.id)
        }
        assert frozenset({1, 2, 3, 4, 5}) in weeks
        assert frozenset({6}) in weeks and frozenset({6, 7}) in weeks
        all_day = [
            r
            for r in directory.records(session, found.id)
            if all(s.opens_at == s.closes_at for s in r.regular) and len(r.regular) == 7
        ]
        assert all_day, f"{prison.area} has no 24-hour service"


def test_the_demo_shows_figures_in_every_default_report_and_each_governor_has_a_decision(
    session,
):
    from datetime import timedelta

    from resettlement import demo, reports
    from resettlement.actors import Actor, Role

    today = date(2026, 12, 1)
    seed(session, today=today)
    admin = Actor(user_id="admin-demo", role=Role.ADMIN)
    # The reports pages' default periods: the last 13 weeks, and the next 13 for releases due.
    last_quarter = {"start": today - timedelta(days=91), "end": today, "today": today}
    for build in (reports.outcomes, reports.friday_releases):
        report = build(session=session, actor=admin, **last_quarter)
        everyone = report.rows[-1]
        assert everyone.group == "all" and everyone.denominator.shown, report.title
        for key, label in report.measures.items():
            cell = everyone.cells[key]
            assert cell.shown is not None, label
    due = reports.due_for_release(
        session=session, actor=admin, start=today, end=today + timedelta(days=91), today=today
    )
    assert due.rows and due.rows[-1].denominator.shown
    for breakdown in (reports.Breakdown.AGE, reports.Breakdown.PRISON, reports.Breakdown.SEX):
        rows = reports.outcomes(
            session=session, actor=admin, breakdown=breakdown, **last_quarter
        ).rows
        assert sum(r.denominator.shown is not None for r in rows[:-1]) >= 2, breakdown
    for prison in demo.PRISONS:
        waiting = early_release.queue(session, prison.code)
        if prison.nation == "northern-ireland":
            # No early-release scheme there (rules.release_dates): nothing for its governor.
            assert not waiting
        else:
            assert waiting, f"{prison.code}'s governor has no request to decide"
            assert all(r.release_date > today for r in waiting)
    completed = session.exec(select(ReleasePlan).where(ReleasePlan.state == "completed")).all()
    assert len(completed) >= 500
    assert len({p.walk_out_date.isoformat()[:7] for p in completed}) >= 12
