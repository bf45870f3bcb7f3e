"""The id of the request being served, for every log line made while serving it.

A context variable, not a logging filter: log records are made in the API's worker threads
and in uvicorn's protocol code alike, and the context is copied to both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

current: ContextVar[str | None] = ContextVar("resettlement_request_id", default=None)


@contextmanager
def serving(request_id: str) -> Iterator[None]:
    token = current.set(request_id)
    try:
        yield
    finally:
        current.reset(token)
