"""How every service ends: one commit; stale writes and duplicates become domain errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from resettlement.errors import InvalidInput, NotFound, VersionConflict

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


def commit(session: Session, what: str = "record") -> None:
    try:
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise VersionConflict(
            f"The {what} was changed by someone else at the same time. Reload it and try again."
        ) from exc
    except IntegrityError as exc:
        session.rollback()
        raise InvalidInput(
            f"This would duplicate or break a link between records: {what}."
        ) from exc


P = ParamSpec("P")
R = TypeVar("R")


def service(fn: Callable[P, R]) -> Callable[P, R]:
    """Marks a service: on any failure the session is rolled back, so nothing is half-written
    even when the caller goes on using the same session."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = kwargs["session"]
        try:
            return fn(*args, **kwargs)
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
