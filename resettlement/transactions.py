"""How every service ends: one commit; stale writes and duplicates become domain errors.

A committed change is never answered as a failure. What the caller is shown is read inside the
writing transaction, just before it commits (`answer_in_transaction`), so nothing needs the
database once the commit has gone through. If the connection is lost during the COMMIT itself
the outcome is unknown to us: the transaction's last audit row, looked for on a new connection,
says whether it committed. A lost connection before the COMMIT changed nothing: Unavailable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, Generic, ParamSpec, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from resettlement.errors import (
    AlreadyExists,
    DomainError,
    InvalidInput,
    NotFound,
    Unavailable,
    VersionConflict,
)
from resettlement.models import AuditEvent

T = TypeVar("T", bound=SQLModel)


def get_or_404(session: Session, model: type[T], object_id: Any, what: str) -> T:
    obj = session.get(model, object_id)
    if obj is None:
        raise NotFound(f"There is no {what} with id {object_id}.")
    return obj


def check_version(obj: Any, expected: int, what: str) -> None:
    if obj.version != expected:
        raise VersionConflict(
            f"The {what} was changed by someone else (you had version {expected}, it is now "
            f"version {obj.version}). Reload it and try again.",
            current_version=obj.version,
        )


# PostgreSQL's codes for a transaction that lost to another one running at the same time.
_UNIQUE_VIOLATION = "23505"
_LOST_RACE = {"40001", "40P01"}  # serialization failure, deadlock


UNAVAILABLE = "The database could not be reached and nothing was changed. Try again shortly."
UNKNOWN = (
    "The database could not be reached to confirm whether the change was saved. Reload the "
    "record before trying again."
)
# Where a session keeps, between its statements and its commit, what commit() needs to know.
_ANSWERS = "answers_before_commit"
_LAST_AUDIT = "last_audit_row"
_WRITTEN = "record_written"
# Waits before each look for a commit whose answer was lost (seconds).
_CONFIRM_WAITS = (0.0, 0.2, 0.5, 1.0, 2.0)


def unreachable(exc: DBAPIError) -> bool:
    """A lost, refused or timed-out connection: not a lost race and not a bug."""
    if getattr(exc.orig, "sqlstate", None) in _LOST_RACE:
        return False
    return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)


def concurrency_error(exc: BaseException, what: str = "record") -> DomainError | None:
    """The domain error for a database error that means another writer got there first.

    Raised wherever the database noticed, at commit or at an autoflush before it: a stale
    version (the row's version moved under us), a unique key someone else has just taken, or a
    deadlock or serialization failure. Every such loser is a 409 the caller can reload after;
    the words never repeat the database's, which may quote the values involved.
    """
    if isinstance(exc, StaleDataError):
        return VersionConflict(
            f"The {what} was changed by someone else at the same time. Reload it and try again."
        )
    if not isinstance(exc, DBAPIError):
        return None
    code = getattr(exc.orig, "sqlstate", None)
    if isinstance(exc, IntegrityError):
        if code == _UNIQUE_VIOLATION or "UNIQUE constraint failed" in str(exc.orig):
            return AlreadyExists(
                f"This {what} would duplicate one that exists or was saved at the same moment. "
                "Reload and try again."
            )
        return InvalidInput(f"This would break a link between records: {what}.")
    if code in _LOST_RACE:
        return VersionConflict(
            f"The {what} was changed by someone else at the same time. Reload it and try again."
        )
    if unreachable(exc):
        return Unavailable(UNAVAILABLE)
    return None


A = TypeVar("A")


class Answer(Generic[A]):
    """What a write shows its caller, read in the writing transaction (None if never read)."""

    def __init__(self, read: Callable[[Session], A]) -> None:
        self.read = read
        self.value: A | None = None


def answer_in_transaction(session: Session, read: Callable[[Session], A]) -> Answer[A]:
    """Asks the next commit to run `read` just before it commits, in the same transaction, so
    the answer costs no statement after the commit, where a lost connection would turn a
    change that happened into an error."""
    answer = Answer(read)
    session.info.setdefault(_ANSWERS, []).append(answer)
    return answer


def forget_answers(session: Session) -> None:
    for key in (_ANSWERS, _LAST_AUDIT, _WRITTEN):
        session.info.pop(key, None)


def note_written(session: Session, object_id: Any) -> None:
    """The record (a plan) this transaction changes: what its answer shows."""
    session.info[_WRITTEN] = object_id


def written(session: Session) -> Any:
    return session.info.get(_WRITTEN)


def note_audit_row(session: Session, row: dict[str, Any]) -> None:
    """The transaction's latest audit row: found after a lost COMMIT, it proves the commit."""
    session.info[_LAST_AUDIT] = row


def commit(session: Session, what: str = "record") -> None:
    answers: list[Answer[Any]] = session.info.pop(_ANSWERS, [])
    try:
        if answers:
            session.flush()
            for answer in answers:
                answer.value = answer.read(session)
        proof = session.info.pop(_LAST_AUDIT, None)
        session.info.pop(_WRITTEN, None)
        try:
            session.commit()
        except DBAPIError as exc:
            if not unreachable(exc):
                raise
            # Nothing the ORM holds may be reloaded from a connection that is gone.
            session.expunge_all()
            session.rollback()
            if _committed(session, proof):
                return
            raise Unavailable(UNAVAILABLE) from exc
    except (StaleDataError, DBAPIError) as exc:
        session.rollback()
        domain = concurrency_error(exc, what)
        if domain is None:
            raise
        raise domain from exc


def _committed(session: Session, proof: dict[str, Any] | None) -> bool:
    """Whether a transaction whose COMMIT lost its connection did commit, by its last audit
    row; every service writes one. Unknown after a few tries: Unavailable, worded as such."""
    if proof is None:
        raise Unavailable(UNKNOWN)
    row = AuditEvent.__table__.c  # type: ignore[attr-defined]
    statement = select(row.id).where(
        *(getattr(row, name) == value for name, value in proof.items())
    )
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    for wait in _CONFIRM_WAITS:
        time.sleep(wait)
        try:
            with engine.connect() as connection:
                return connection.execute(statement.limit(1)).first() is not None
        except DBAPIError:
            continue
    raise Unavailable(UNKNOWN)


P = ParamSpec("P")
R = TypeVar("R")


def service(fn: Callable[P, R]) -> Callable[P, R]:
    """Marks a service: on any failure the session is rolled back, so nothing is half-written
    even when the caller goes on using the same session; a database error that means another
    writer won (wherever it surfaced: an autoflush runs the UPDATE long before the commit)
    becomes the domain's conflict error."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = kwargs["session"]
        try:
            return fn(*args, **kwargs)
        except (StaleDataError, DBAPIError) as exc:
            forget_answers(session)  # type: ignore[arg-type]
            session.rollback()  # type: ignore[attr-defined]
            domain = concurrency_error(exc)
            if domain is None:
                raise
            raise domain from exc
        except BaseException:
            forget_answers(session)  # type: ignore[arg-type]
            session.rollback()  # type: ignore[attr-defined]
            raise

    return wrapper


def statement_by_statement(session: Session) -> None:
    """Lets each statement the session runs next commit on its own, if none is open yet.

    For a read that is one statement followed by its audit row: neither needs the other's
    transaction (the read sees one snapshot; the audit row is committed before anything is
    shown), so BEGIN and COMMIT, half of such a request's round trips, can go. Every round
    trip is a worker thread giving up Python's lock and waiting to get it back from the busy
    event loop. The connection is set back to transactions when the session lets it go.
    """
    if not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
