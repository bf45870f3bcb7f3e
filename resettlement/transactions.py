"""How every service ends: one commit; stale writes and duplicates become domain errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from resettlement.errors import (
    AlreadyExists,
    DomainError,
    InvalidInput,
    NotFound,
    VersionConflict,
)

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
    return None


def commit(session: Session, what: str = "record") -> None:
    try:
        session.commit()
    except (StaleDataError, DBAPIError) as exc:
        session.rollback()
        domain = concurrency_error(exc, what)
        if domain is None:
            raise
        raise domain from exc


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
            session.rollback()  # type: ignore[attr-defined]
            domain = concurrency_error(exc)
            if domain is None:
                raise
            raise domain from exc
        except BaseException:
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
