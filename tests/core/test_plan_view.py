"""The one-statement plan read gives what plain ORM loads give, value for value and type for
type, on SQLite and PostgreSQL: it parses JSON, so a lost time zone, a date left as text or a
0 for False would otherwise slip through."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, SQLModel, select

from resettlement.demo import seed
from resettlement.models import Person, ReleasePlan
from resettlement.plan_view import LISTS, read_plan_view


def _columns(obj: SQLModel) -> dict[str, tuple[type, Any]]:
    return {
        c.name: (type(getattr(obj, c.name)), getattr(obj, c.name)) for c in obj.__table__.columns
    }  # type: ignore[attr-defined]


def test_the_plan_view_reads_what_the_orm_loads(engine) -> None:
    with Session(engine) as session:
        seed(session)
    with Session(engine) as session:
        plan_ids = session.exec(select(ReleasePlan.id)).all()
    assert len(plan_ids) >= 25
    seen: dict[str, int] = dict.fromkeys(LISTS, 0)
    for plan_id in plan_ids:
        with Session(engine) as session:
            view = read_plan_view(session, plan_id)
        with Session(engine) as session:
            plan = session.get(ReleasePlan, plan_id)
            assert plan is not None
            person = session.get(Person, plan.person_id)
            assert person is not None
            assert _columns(view.plan) == _columns(plan)
            assert _columns(view.person) == _columns(person)
            for name, (model, order) in LISTS.items():
                loaded = session.exec(select(model).where(model.plan_id == plan_id)).all()  # type: ignore[attr-defined]
                shown = getattr(view, name)
                assert [_columns(o) for o in shown] == [
                    _columns(o) for o in sorted(loaded, key=order)
                ], (plan_id, name)
                seen[name] += len(shown)
    # Detached with their identity, as objects from a closed session would be.
    state = sa_inspect(view.plan)
    assert state.detached and state.identity == (view.plan.id,)
    # The demo data holds something of every kind, so every list was compared.
    assert all(seen.values()), seen


def test_a_fresh_process_reads_a_plan_before_any_orm_query(engine, new_plan) -> None:
    # The view builds objects without the ORM's loader, which is what would otherwise set up
    # the mappers: the first request a new server answers must not depend on an earlier one.
    plan = new_plan()
    url = engine.url.render_as_string(hide_password=False)
    script = (
        "import sys\n"
        "from sqlalchemy import create_engine\n"
        "from sqlmodel import Session\n"
        "from resettlement.plan_view import read_plan_view\n"
        "with Session(create_engine(sys.argv[1])) as session:\n"
        "    print(read_plan_view(session, int(sys.argv[2])).plan.id)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, url, str(plan.id)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(plan.id)
