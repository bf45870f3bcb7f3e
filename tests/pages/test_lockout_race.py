"""The date-of-birth lockout against a real server: requests in flight at once must not each
get their date compared, with one uvicorn worker or two."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.pages.leaver_session import CSRF_COOKIE, CSRF_FIELD
from resettlement.leaver_access import MAX_FAILED_ATTEMPTS
from resettlement.models import AuditEvent
from tests.conftest import free_port, server_process
from tests.pages.conftest import dob_form


@contextmanager
def uvicorn_process(engine: Engine, workers: int) -> Iterator[str]:
    """`uvicorn api.main:app` in its own process(es), on this test's database."""
    port = free_port()
    command = ["-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning"]
    with server_process(engine, command, port) as base:
        yield base


def form_token(client: httpx.Client, path: str) -> str:
    """As a browser: open the form page first; its cookie and the form carry the same token."""
    client.get(path)
    return str(client.cookies.get(CSRF_COOKIE))


@pytest.mark.parametrize("workers", [1, 2], ids=["one-worker", "two-workers"])
def test_parallel_wrong_dates_cannot_outrun_the_lockout(engine, published, workers):
    p = published()
    guesses = 30
    wrong = [date(1950, 1, 1) + timedelta(days=n) for n in range(guesses)]
    assert p.date_of_birth not in wrong
    with ExitStack() as stack:
        base = stack.enter_context(uvicorn_process(engine, workers))
        # Every worker has its connections open before the guesses arrive together.
        for _ in range(4 * workers):
            httpx.get(base + "/readyz", timeout=10)
        start = threading.Barrier(guesses)
        # The right date's form is opened before the guesses, as a patient attacker would.
        last = stack.enter_context(httpx.Client(base_url=base, timeout=30))
        last_token = form_token(last, p.path)

        def guess(day: date) -> int:
            with httpx.Client(base_url=base, timeout=60) as client:
                token = form_token(client, p.path)
                start.wait()
                return client.post(p.path, data={**dob_form(day), CSRF_FIELD: token}).status_code

        with ThreadPoolExecutor(guesses) as pool:
            statuses = Counter(pool.map(guess, wrong))
        right = last.post(p.path, data={**dob_form(p.date_of_birth), CSRF_FIELD: last_token})

    assert set(statuses) <= {422, 429}, statuses
    assert statuses[422] == MAX_FAILED_ATTEMPTS - 1, statuses
    assert right.status_code == 429, "the right date signed in while the link was locked"
    assert "set-cookie" not in right.headers
    with Session(engine) as session:
        actions = Counter(
            session.exec(
                select(AuditEvent.action).where(
                    col(AuditEvent.action).in_(
                        ["leaver_sign_in", "leaver_sign_in_failed", "leaver_link_locked"]
                    )
                )
            ).all()
        )
    # Each date compared leaves one of these; a locked link compares none.
    assert actions["leaver_sign_in_failed"] + actions["leaver_sign_in"] <= MAX_FAILED_ATTEMPTS
    assert actions["leaver_sign_in"] == 0
    assert actions["leaver_link_locked"] == 1
