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


SECRET = "Il8peID66lX_sPWEaGU5Iw8tjklGui_acZLKjC8y4YQ"  # as secrets.token_urlsafe(32) makes


@pytest.mark.parametrize(
    ("logged", "gone"),
    [
        # Link secrets: in the access log's path, URL-encoded in a next= address, on their own.
        (f'"GET /plan-link/{SECRET}?lang=cy HTTP/1.1" 200', SECRET),
        (f"/staff/sign-in?next=%2Fplan-link%2F{SECRET}", SECRET),
        (f"no plan for {SECRET}", SECRET),
        # Dates of birth in the forms the service and its libraries write.
        ("born 1980-02-01", "1980-02-01"),
        ("born 01/02/1980", "01/02/1980"),
        ("date of birth 01 02 1980", "01 02 1980"),
        ("born 1 February 1980", "1 February 1980"),
        ("born 1st Feb 1980", "1st Feb 1980"),
        ("input_value=datetime.date(1980, 2, 1)", "1980, 2, 1"),
        # Phone numbers, UK and international, however spaced.
        ("call 07700 900123", "07700 900123"),
        ("call 07700900123", "07700900123"),
        ("call (020) 7946 0123", "7946 0123"),
        ("call +44 7700 900123", "7700 900123"),
        ("mobile_number='+447700900123'", "+447700900123"),
        ("call 0044 7700 900123", "7700 900123"),
    ],
)
def test_the_scrubber_removes_secrets_dates_of_birth_and_phone_numbers(
    logged: str, gone: str
) -> None:
    scrubbed = log_privacy.scrub(logged)
    assert gone not in scrubbed
    assert "[redacted]" in scrubbed


@pytest.mark.parametrize(
    "kept",
    [
        "release day run for 2026-12-18",  # a recent date is the service's own
        "request 3b67b5c5527e4d309a2db4c378b3815d",  # request ids
        "flow run a8698b73-bb60-449a-8228-6eb074ba5e21",  # UUIDs
        "took 0.0123456789 s",  # durations
        "2026-12-01T01:30:22.485348+00:00",  # timestamps
        "127.0.0.1:54746 - GET /api/v1/plans/1234567890 HTTP/1.1",  # ids in paths
        "Samaritans 116 123, NHS 111",  # helplines are nobody's own number
        "GET /plan-link/[redacted] HTTP/1.1",  # already scrubbed
        "sha256 " + "ab" * 32,  # a link's stored hash
    ],
)
def test_the_scrubber_keeps_what_is_not_personal(kept: str) -> None:
    assert log_privacy.scrub(kept) == kept


def test_a_date_split_across_arguments_is_scrubbed_once_put_together(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log_privacy.install()
    caplog.set_level(logging.INFO)
    logging.getLogger("api").info("born %d-%02d-%02d, call %s", 1980, 2, 1, "07700 900123")
    assert caplog.records[-1].getMessage() == "born [redacted], call [redacted]"


def test_the_log_scan_finds_a_secret_a_date_of_birth_and_a_phone_number(tmp_path) -> None:
    """The suite's log scan (tests/log_scan.py) fails the run on what a log should never hold:
    here written around the scrubber, as a server's raw stderr might be."""
    import json

    from tests import log_scan

    (tmp_path / "gw9-values.json").write_text(
        json.dumps(
            {"secrets": [SECRET], "dates_of_birth": ["1980-02-01"], "phones": ["+447700900123"]}
        )
    )
    (tmp_path / "gw9-servers.log").write_text(
        f"GET /plan-link/[redacted] 200\nraw {SECRET}\nborn 1 February 1980\ncall 07700 900123\n"
    )
    findings = log_scan.scan(tmp_path)
    assert "gw9-servers.log:1" not in " ".join(findings)
    assert "gw9-servers.log:2: a link secret" in findings
    assert "gw9-servers.log:3: a date of birth" in findings
    assert "gw9-servers.log:4: a phone number" in findings
