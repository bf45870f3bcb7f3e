"""The schema comes from migrations, matches the models, and the demo data is varied."""

from __future__ import annotations

from collections import Counter

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel, select

from resettlement import migrate
from resettlement.demo import seed
from resettlement.models import EarlyReleaseRequest, Person, PlanEvent, ReleasePlan

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
