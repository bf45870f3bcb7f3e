"""Problems on staff addresses answer as pages in the staff layout: a mistyped address, a page
the role may not use, or a record that is not theirs keeps the menu and sign-out for someone
signed in, never raw JSON. The API's own problems stay application/problem+json."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import get_session
from api.pages.templating import PageProblem, page_problem
from api.staff.identity import SignInRequired, signed_in
from api.staff.rendering import render
from resettlement.database import session_scope
from resettlement.errors import Unavailable
from resettlement.transactions import unreachable

Handler = Callable[[Request, Exception], Any]

WORDS = {
    404: ("Page not found", "There is no such page, or it is not one of yours."),
    405: (
        "Page not found",
        "There is no such page. If you followed a link, go back and try "
        "again from the page before.",
    ),
}
UNAVAILABLE = (
    "Sorry, the service is briefly unavailable",
    "Nothing was changed. Go back and try again in a minute.",
)
OTHER = ("Sorry, there is a problem", "This page cannot be shown. Go back and try again.")


def is_staff_address(request: Request) -> bool:
    path = request.url.path
    return path == "/staff" or path.startswith("/staff/")


def recognise(request: Request) -> None:
    """Who is signed in, if anyone, for a page shown before any route's dependencies ran."""
    if getattr(request.state, "staff_actor", None) is not None:
        return
    with suppress(SignInRequired, PageProblem), _database(request) as db:
        signed_in(request, db)


@contextmanager
def _database(request: Request) -> Iterator[Session]:
    """A session for a page shown outside any route: the app's own session dependency where it
    is a plain generator (as tests override it), else the service's database."""
    factory = request.app.dependency_overrides.get(get_session)
    if factory is not None and inspect.isgeneratorfunction(factory):
        yield from factory()
        return
    with session_scope() as db:
        yield db


def staff_page_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageProblem)
    if not exc.template.startswith("staff/"):
        return page_problem(request, exc)
    recognise(request)
    response = render(request, exc.template, exc.context, status=exc.status_code, new_session=False)
    response.headers.update(exc.headers)
    return response


def http_errors_as_pages(previous: Handler) -> Handler:
    """Wraps the API's HTTP error handler: staff addresses get a page, the rest what the API
    always gave."""

    def handle(request: Request, exc: Exception) -> Any:
        assert isinstance(exc, StarletteHTTPException)
        if not is_staff_address(request):
            return previous(request, exc)
        recognise(request)
        title, message = WORDS.get(exc.status_code, OTHER)
        response = render(
            request,
            "staff/problem.html",
            {"title": title, "message": message},
            exc.status_code,
            new_session=False,
        )
        # An Allow header on a 405, for instance, still says which methods there are.
        response.headers.update(dict(exc.headers or {}))
        return response

    return handle


def unavailable_as_pages(previous: Handler) -> Handler:
    """Wraps the API's handlers for domain and database errors: on a staff address a database
    that cannot be reached is the "briefly unavailable" page (503, Retry-After); nothing was
    changed, so trying again is safe. Everything else is handled as before."""

    def handle(request: Request, exc: Exception) -> Any:
        lost = isinstance(exc, Unavailable) or (isinstance(exc, DBAPIError) and unreachable(exc))
        if not (lost and is_staff_address(request)):
            return previous(request, exc)
        retry = exc.retry_after_seconds if isinstance(exc, Unavailable) else 1
        # No `recognise`: it would need the database that just failed.
        response = render(
            request,
            "staff/problem.html",
            {"title": UNAVAILABLE[0], "message": UNAVAILABLE[1]},
            503,
            new_session=False,
        )
        response.headers["Retry-After"] = str(retry)
        return response

    return handle
