"""Signing out ends a session on the server, not only in the browser that signed out.

Session cookies are signed, so the server keeps no list of them; instead each user (a staff
member, or a prison leaver's link) has a generation number, written into every cookie made
for them and checked on every request. Signing out moves the number on: every cookie made
before, including one copied from the browser, stops working at once, on every worker.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, select

from resettlement import clock
from resettlement.models import UTCDateTime
from resettlement.transactions import commit, service


class SessionGeneration(SQLModel, table=True):
    __tablename__ = "session_generation"
    # "staff:<user id>" or "leaver-link:<link id>".
    subject: str = Field(primary_key=True, max_length=200)
    generation: int = 0
    changed_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


def staff(user_id: str) -> str:
    return f"staff:{user_id}"


def leaver(link_id: int) -> str:
    return f"leaver-link:{link_id}"


def current(session: Session, subject: str) -> int:
    """The generation a cookie must carry to be honoured (0 until the first sign-out)."""
    found = session.exec(
        select(SessionGeneration.generation).where(SessionGeneration.subject == subject)
    ).first()
    return found or 0


@service
def end_sessions(*, session: Session, subject: str) -> int:
    """Ends every session of the subject, on every browser. Returns the new generation."""
    table = SessionGeneration.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = clock.now()
    # One statement, so two sign-outs at once both move the number on.
    statement = (
        insert(table)
        .values(subject=subject, generation=1, changed_at=now)
        .on_conflict_do_update(
            index_elements=["subject"],
            set_={"generation": table.c.generation + 1, "changed_at": now},
        )
        .returning(table.c.generation)
    )
    generation = int(session.execute(statement).scalar_one())
    commit(session, "session")
    return generation
