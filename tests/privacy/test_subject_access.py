"""Subject access: the export of a demo person, compared field by field with the database by
an independent query (plain SQL, not the service's models), holds every audit row about them
and no link secret; the PDF is read back with pdfplumber, in English and in Welsh."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pdfplumber
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from api.auth import mint_token
from resettlement import demo, leaver_access, plans
from resettlement.actors import Actor, Role
from resettlement.models import Person, PublishedPlan, ReleasePlan
from resettlement.privacy import consents, subject_access
from resettlement.privacy.consents import ConsentKind, GivenHow, WithWhom, WithWhomType

ADMIN = {"Authorization": f"Bearer {mint_token(role=Role.ADMIN, user='admin-sar')}"}

# The person's data by plan, table by table, and how each table is found, in plain SQL.
PLAN_TABLES = {
    "history": "plan_event",
    "checklist": "checklist_item",
    "appointments": "appointment",
    "contacts": "support_contact",
    "goals": "goal",
    "published_versions": "published_plan",
    "early_release_requests": "early_release_request",
    "sign_in_links": "leaver_link",
    "supporters": "supporter_link",
    "first_days_answers": "voice_answer",
}


def _demo_person(session: Session) -> tuple[Person, ReleasePlan, str]:
    """A demo person whose plan is published, with a link issued (its secret returned), a
    consent and their plan read by their officer."""
    demo.seed(session, count=12)
    published = session.exec(select(PublishedPlan)).first()
    assert published is not None
    plan = session.get(ReleasePlan, published.plan_id)
    person = session.get(Person, plan.person_id)
    officer = Actor(user_id=plan.probation_officer_id, role=Role.PROBATION_OFFICER)
    _link, path = leaver_access.issue_link(session=session, actor=officer, plan_id=plan.id)
    consents.give_consent(
        session=session,
        actor=officer,
        person_id=person.id,
        kind=ConsentKind.SHARING_WITH_PARTNER,
        how=GivenHow.IN_PERSON,
        with_whom=WithWhom(WithWhomType.ORGANISATION, "org-1", "Hope Housing Trust"),
        scope=["appointments"],
    )
    plans.get_plan(session=session, actor=officer, plan_id=plan.id)
    return person, plan, path.rsplit("/", 1)[1]


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _same(stored: Any, exported: Any) -> bool:
    """A value read by plain SQL (SQLite gives text and 0/1, PostgreSQL typed values) against
    the export's JSON value."""
    if exported is None:
        # SQLite keeps a JSON column's null as the text 'null'.
        return stored is None or stored == "null"
    if stored is None:
        return False
    if isinstance(exported, bool):
        return bool(stored) == exported
    if isinstance(exported, dict | list):
        return (json.loads(stored) if isinstance(stored, str) else stored) == exported
    if isinstance(exported, str) and re.match(r"\d{4}-\d\d-\d\dT", exported):
        return _instant(stored) == _instant(exported)
    if isinstance(exported, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", exported):
        return str(stored)[:10] == exported and date.fromisoformat(exported) is not None
    return stored == exported


def _compare(engine: Engine, table: str, where: str, params: dict, exported: list[dict]) -> None:
    with engine.connect() as connection:
        rows = [
            dict(r._mapping)
            for r in connection.execute(
                text(f"SELECT * FROM {table} WHERE {where} ORDER BY id"), params
            )
        ]
    assert [r["id"] for r in rows] == [e["id"] for e in exported], table
    for stored, out in zip(rows, exported, strict=True):
        for withheld in subject_access.WITHHELD.get(table, ()):
            assert withheld not in out
            stored.pop(withheld)
        assert set(stored) == set(out), table
        for name, value in stored.items():
            assert _same(value, out[name]), (table, name, value, out[name])


def test_the_export_matches_the_database_field_by_field_and_holds_no_secret(
    client, session, engine
):
    person, plan, secret = _demo_person(session)
    answer = client.get(f"/api/v1/people/{person.id}/subject-access?format=json", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    data = answer.json()

    _compare(engine, "person", "id = :id", {"id": person.id}, [data["person"]])
    _compare(engine, "person_event", "person_id = :id", {"id": person.id}, data["person_history"])
    _compare(engine, "consent", "person_id = :id", {"id": person.id}, data["consents"])
    with engine.connect() as connection:
        plan_ids = [
            r[0]
            for r in connection.execute(
                text("SELECT id FROM release_plan WHERE person_id = :id ORDER BY id"),
                {"id": person.id},
            )
        ]
    assert [p["id"] for p in data["plans"]] == plan_ids
    for exported_plan in data["plans"]:
        pid = exported_plan["id"]
        own = {
            k: v
            for k, v in exported_plan.items()
            if k not in PLAN_TABLES and k not in {"notifications", "referrals"}
        }
        _compare(engine, "release_plan", "id = :id", {"id": pid}, [own])
        for part, table in PLAN_TABLES.items():
            _compare(engine, table, "plan_id = :id", {"id": pid}, exported_plan[part])
        referrals = [
            {k: v for k, v in r.items() if k != "updates"} for r in exported_plan["referrals"]
        ]
        _compare(engine, "referral", "plan_id = :id", {"id": pid}, referrals)
        _compare(
            engine,
            "referral_update",
            "plan_id = :id",
            {"id": pid},
            sorted(
                (u for r in exported_plan["referrals"] for u in r["updates"]),
                key=lambda u: u["id"],
            ),
        )
        _compare(
            engine,
            "notification",
            "plan_id = :id OR request_id IN (SELECT id FROM early_release_request"
            " WHERE plan_id = :id)",
            {"id": pid},
            exported_plan["notifications"],
        )
    # Every audit row about the person, their plans, requests and referrals, the export's own.
    _compare(
        engine,
        "audit_event",
        "(object_type = 'person' AND object_id = :person)"
        " OR (object_type = 'plan' AND object_id IN (SELECT CAST(id AS VARCHAR(40))"
        "  FROM release_plan WHERE person_id = :pid))"
        " OR (object_type = 'early_release_request' AND object_id IN"
        "  (SELECT CAST(r.id AS VARCHAR(40)) FROM early_release_request r"
        "   JOIN release_plan p ON p.id = r.plan_id WHERE p.person_id = :pid))"
        " OR (object_type = 'referral' AND object_id IN"
        "  (SELECT CAST(id AS VARCHAR(40)) FROM referral WHERE person_id = :pid))",
        {"person": str(person.id), "pid": person.id},
        data["audit_trail"],
    )
    actions = [(e["actor"], e["action"]) for e in data["audit_trail"]]
    assert ("admin-sar", "subject_access_export") in actions
    assert (plan.probation_officer_id, "read") in actions
    assert data["plans"][0]["sign_in_links"], "the link is listed"
    raw = answer.text
    digest = leaver_access.hash_secret(secret)
    assert secret not in raw and digest not in raw


def test_the_pdf_reads_back_in_english_and_welsh_without_the_secret(client, session):
    person, _plan, secret = _demo_person(session)
    for language, heading, audit_heading in (
        ("en", "Everything we hold about you", "Who read or changed your record"),
        ("cy", "Popeth sydd gennym amdanoch chi", "Pwy a ddarllenodd neu a newidiodd"),
    ):
        answer = client.get(
            f"/api/v1/people/{person.id}/subject-access?format=pdf&language={language}",
            headers=ADMIN,
        )
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pdf"
        with pdfplumber.open(io.BytesIO(answer.content)) as pdf:
            words = " ".join((page.extract_text() or "") for page in pdf.pages)
        flat = " ".join(words.split())
        assert heading in flat and audit_heading in flat
        assert person.family_name in flat and person.prison_number in flat
        assert "Hope Housing Trust" in flat
        assert secret not in flat


def test_an_officer_exports_only_their_persons_record_and_only_when_asked(
    client, session, new_plan
):
    plan = new_plan()
    own = {"Authorization": f"Bearer {mint_token(role=Role.PROBATION_OFFICER, user='po-test')}"}
    other = {"Authorization": f"Bearer {mint_token(role=Role.PROBATION_OFFICER, user='po-x')}"}
    governor = {"Authorization": f"Bearer {mint_token(role=Role.GOVERNOR, user='g', prison='MDI')}"}
    url = f"/api/v1/people/{plan.person_id}/subject-access"
    assert client.get(url, headers=own).status_code == 403
    assert client.get(url + "?persons_request=true", headers=own).status_code == 200
    assert client.get(url + "?persons_request=true", headers=other).status_code == 404
    assert client.get(url, headers=governor).status_code == 403
    with session.connection() as connection:
        denied = connection.execute(
            text("SELECT count(*) FROM audit_event WHERE actor = 'po-x' AND action = 'denied'")
        ).scalar_one()
    assert denied == 1
