"""An import run and its report: one row per row of the file, kept so the report can be read
again (the admin page, the CLI's CSV, the flow's artifact) and a file is imported once."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, text
from sqlmodel import Field, SQLModel

from resettlement import clock
from resettlement.models import UTCDateTime


class Outcome(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


class RunState(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    # Refused whole, nothing changed: an extract older than one already imported.
    REFUSED = "refused"
    # Its process stopped before the end (killed, or the database went away): the batches it
    # committed stand, and importing the same file again finishes the job (the import is
    # idempotent).
    STOPPED = "stopped"


# A running run that has not begun a batch for this long has stopped: its process is gone.
# A batch of changes is a transaction per change, so this allows for the slowest batch.
STALE_AFTER = timedelta(minutes=15)


class IntakeRun(SQLModel, table=True):
    __tablename__ = "intake_run"
    # One import at a time, held by the database whatever process starts it (the page on any
    # API worker, the CLI, the folder flow): two imports naming the same new person would race
    # to create them, and a file's report must say what that file did.
    __table_args__ = (
        Index(
            "uq_intake_run_one_running",
            "state",
            unique=True,
            sqlite_where=text("state = 'running'"),
            postgresql_where=text("state = 'running'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(max_length=200)
    # The file's SHA-256: the folder flow imports each file once, whatever it is called.
    sha256: str = Field(index=True, max_length=64)
    file_format: str = Field(max_length=10)
    run_by: str = Field(max_length=100)
    state: str = Field(default=RunState.RUNNING.value, max_length=20)
    started_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the run last began a batch (how a run whose process has gone is told from a slow
    # one), and the rows done so far (its progress while it runs).
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_rows: int = 0
    # The latest extract timestamp in the file's rows.
    extract_timestamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The latest extract timestamp of each prison the rows name, {code: ISO 8601}: a later
    # file with an older extract of any of these prisons is refused whole.
    prison_stamps: dict[str, str] | None = Field(default=None, sa_type=JSON)
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    refused: int = 0

    @property
    def actor_id(self) -> str:
        """Who the run's changes are attributed to in history and audit."""
        return f"intake-run-{self.id}"


class IntakeRowOutcome(SQLModel, table=True):
    __tablename__ = "intake_row"
    # A report is read a page at a time in line order, all rows or one outcome's: each
    # index serves one of those without sorting the run's rows.
    __table_args__ = (
        Index("ix_intake_row_run_line", "run_id", "line"),
        Index("ix_intake_row_run_outcome_line", "run_id", "outcome", "line"),
    )
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="intake_run.id")
    line: int
    # As written in the file (cut short if it is not a prison number at all).
    prison_number: str | None = Field(default=None, max_length=20)
    plan_id: int | None = None
    outcome: str = Field(max_length=20)
    # Changed: what changed, in words. Refused: [{"field": ..., "reason": ...}].
    changes: list[str] | None = Field(default=None, sa_type=JSON)
    problems: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
