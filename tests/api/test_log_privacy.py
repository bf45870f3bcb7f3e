"""No personal data in any log line: PostgreSQL's DETAIL quotes the row a statement broke."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from resettlement import log_privacy
from resettlement.models import Person, ReleasePlan
from tests.api.conftest import Headers


def every_line(caplog: pytest.LogCaptureFixture) -> str:
    """Each record as a handler would write it, traceback included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_a_database_error_logged_with_its_traceback_names_no_ones_details(
    engine: Engine,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    caplog: pytest.LogCaptureFixture,
) -> None:
    existing = session.get(Person, new_plan().person_id)
    assert existing is not None
    duplicate = Person.model_validate(
        existing.model_dump(exclude={"id", "version", "created_at"})
        | {"prison_number": "Z9999ZZ", "given_name": "Other"}
    )
    log_privacy.install()
    caplog.set_level(logging.DEBUG)
    # As the service's engine is made (database.engine_for): bound values are already hidden,
    # so on PostgreSQL only the DETAIL line could give the person away.
    hiding = create_engine(engine.url, hide_parameters=True)
    with Session(hiding) as other:
        other.add(duplicate)
        try:
            other.flush()
        except IntegrityError as exc:
            # As uvicorn logs an unhandled error, and as code that logs the error itself might.
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
            logging.getLogger("api").exception("unexpected error in request")
            logging.getLogger("api").error("could not save: %s", exc)
            logging.getLogger("workflows").warning(exc)
        else:
            pytest.fail("the duplicate CRN was accepted")
    hiding.dispose()
    lines = every_line(caplog)
    assert "IntegrityError" in lines and "unique" in lines.lower()
    assert existing.crn not in lines
    assert existing.prison_number not in lines
    assert existing.family_name not in lines


def test_a_duplicate_crn_request_logs_no_personal_data(
    client: TestClient,
    session: Session,
    new_plan: Callable[..., ReleasePlan],
    other_officer: Headers,
    caplog: pytest.LogCaptureFixture,
) -> None:
    existing = session.get(Person, new_plan().person_id)
    assert existing is not None
    caplog.set_level(logging.DEBUG)
    response = client.post(
        "/api/v1/plans",
        headers=other_officer,
        json={
            "person": {
                "prison_number": "Z9999ZZ",
                "crn": existing.crn,
                "given_name": "Other",
                "family_name": "Person",
                "date_of_birth": "1980-02-02",
                "nation": "england-and-wales",
                "prison_code": "MDI",
            },
            "sentence_date": "2025-06-02",
            "requested_release_date": "2027-03-10",
        },
    )
    assert response.status_code == 409
    assert existing.crn not in every_line(caplog)


@pytest.mark.parametrize(
    ("logged", "kept"),
    [
        ("DETAIL:  Key (crn)=(G067337) already exists.", "DETAIL: [redacted]"),
        (
            "violates not-null constraint\nDETAIL:  Failing row contains (1, A1234BC, Sam).",
            "DETAIL: [redacted]",
        ),
        ("insert failed: Key (prison_number, crn)=(A1234BC, G067337)", "Key (prison_number, crn)="),
    ],
)
def test_the_scrubber_removes_what_postgresql_quotes(logged: str, kept: str) -> None:
    scrubbed = log_privacy.scrub(logged)
    assert kept in scrubbed
    for value in ("G067337", "A1234BC", "Sam"):
        assert value not in scrubbed
