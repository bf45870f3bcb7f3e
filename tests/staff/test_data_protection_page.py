"""The staff data protection page: a subject access export in one step, and an admin's
erasure checked on a page of its own first."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from resettlement.models import Person


def test_an_admin_downloads_everything_held_in_one_step(signed_in, new_plan, session):
    plan = new_plan()
    person = session.get(Person, plan.person_id)
    admin = signed_in("admin")
    page = admin.get("/staff/data-protection")
    assert page.status_code == 200 and "Erase a person" in page.text
    pdf = admin.post(
        "/staff/data-protection/export",
        {"prison_number": person.prison_number.lower(), "language": "cy", "file_format": "pdf"},
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    admin.get("/staff/data-protection")
    json_file = admin.post(
        "/staff/data-protection/export",
        {"prison_number": person.prison_number, "language": "en", "file_format": "json"},
    )
    assert json_file.json()["person"]["prison_number"] == person.prison_number
    admin.get("/staff/data-protection")
    unknown = admin.post(
        "/staff/data-protection/export",
        {"prison_number": "Z9999ZZ", "language": "en", "file_format": "json"},
    )
    assert unknown.status_code == 422 and "There is no person you can export" in unknown.text


def test_an_officer_exports_only_when_the_person_asked(signed_in, new_plan, session):
    plan = new_plan()
    number = session.get(Person, plan.person_id).prison_number
    officer = signed_in("officer")
    overview = officer.get(f"/staff/plans/{plan.id}")
    assert f"/staff/data-protection?plan={plan.id}" in overview.text
    assert number not in overview.text.split("data-protection")[1][:40]
    prefilled = officer.get(f"/staff/data-protection?plan={plan.id}")
    assert f'value="{number}"' in prefilled.text
    refused = officer.post(
        "/staff/data-protection/export",
        {"prison_number": number, "language": "en", "file_format": "json"},
    )
    assert refused.status_code == 422 and "only when the person asks" in refused.text
    done = officer.post(
        "/staff/data-protection/export",
        {
            "prison_number": number,
            "language": "en",
            "file_format": "json",
            "persons_request": "yes",
        },
    )
    assert done.status_code == 200 and done.json()["export"]["on_the_persons_request"]
    other = signed_in("other_officer")
    assert other.get(f"/staff/data-protection?plan={plan.id}").status_code == 404
    other.get("/staff/data-protection")
    hidden = other.post(
        "/staff/data-protection/export",
        {
            "prison_number": number,
            "language": "en",
            "file_format": "json",
            "persons_request": "yes",
        },
    )
    assert hidden.status_code == 404
    assert "Erase a person" not in other.get("/staff/data-protection").text


def test_an_admin_erases_a_record_after_checking(signed_in, new_plan, session, engine):
    plan = new_plan()
    session.execute(
        text("UPDATE release_plan SET state = 'completed' WHERE id = :id"), {"id": plan.id}
    )
    session.commit()
    number = session.get(Person, plan.person_id).prison_number
    admin = signed_in("admin")
    admin.get("/staff/data-protection")
    check = admin.post(
        "/staff/data-protection/erase",
        {"erase_prison_number": number, "reason": "Article 17 request agreed by the DPO"},
    )
    assert check.status_code == 200 and "This cannot be undone" in check.text
    with Session(engine) as fresh:
        assert fresh.get(Person, plan.person_id).anonymised_at is None
    done = admin.post(
        "/staff/data-protection/erase",
        {
            "erase_prison_number": number,
            "reason": "Article 17 request agreed by the DPO",
            "confirmed": "yes",
        },
    )
    assert done.status_code == 303
    with Session(engine) as fresh:
        assert fresh.get(Person, plan.person_id).anonymised_at is not None
