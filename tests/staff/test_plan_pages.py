"""The officer's plan pages through HTTP: opening a plan with check-your-answers, the checks
before steps that cannot be undone, corrections, passing a plan on, the person's sign-in link,
closed plans as read-only records, and saves that change nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from faker import Faker
from sqlmodel import Session, col, select

from resettlement import forty_eight_hours, goals, leaver_access, plans
from resettlement.actors import Actor, Role
from resettlement.goals import GoalText
from resettlement.leaver_access import LeaverLink
from resettlement.models import (
    Appointment,
    AppointmentCreate,
    AppointmentKind,
    AuditEvent,
    Author,
    Goal,
    GoalArea,
    Person,
    PlanEvent,
    ReleasePlan,
)
from resettlement.privacy import consents
from tests.staff.conftest import OFFICER_ID, Browser

OFFICER = Actor(user_id=OFFICER_ID, role=Role.PROBATION_OFFICER)
SignedIn = Callable[[str], Browser]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _version(html: str) -> str:
    found = re.search(r'name="expected_version" value="(\d+)"', html)
    assert found, "the page has no expected version"
    return found.group(1)


def _events(session: Session, plan_id: int) -> list[PlanEvent]:
    return list(
        session.exec(
            select(PlanEvent).where(PlanEvent.plan_id == plan_id).order_by(col(PlanEvent.id))
        ).all()
    )


def _published(session: Session, plan: ReleasePlan) -> ReleasePlan:
    assert plan.id is not None
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="Flat 1, 2 Made Up Road, Leeds"),
    )
    forty_eight_hours.publish(
        session=session, actor=OFFICER, plan_id=plan.id, expected_version=plan.version
    )
    session.refresh(plan)
    return plan


def _new_plan_form(fake: Faker, **overrides: Any) -> dict[str, Any]:
    sentenced = date.today() - timedelta(days=300)
    form: dict[str, Any] = {
        "given_name": fake.first_name(),
        "family_name": fake.last_name(),
        "dob-day": "2",
        "dob-month": "4",
        "dob-year": "1988",
        "prison_number": fake.bothify("?####??", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
        "crn": fake.bothify("?######", letters="ABCDEFGHJKLMNPRSTUVWXYZ"),
        "prison_code": "MDI",
        "nation": "england-and-wales",
        "preferred_language": "en",
        "needs": ["care_leaver"],
        "sentence_type": "determinate",
        "sentence-day": str(sentenced.day),
        "sentence-month": str(sentenced.month),
        "sentence-year": str(sentenced.year),
        "release-day": "10",
        "release-month": "3",
        "release-year": "2027",
        "term_days": "200",
        "monitoring_consent": "yes",
        "sex": "female",
    }
    form.update(overrides)
    return form


def test_a_new_plan_is_saved_only_after_its_answers_are_checked(
    signed_in: SignedIn, session: Session, fake: Faker
) -> None:
    officer = signed_in("officer")
    assert officer.get("/staff/plans/new").status_code == 200
    form = _new_plan_form(fake)
    check = officer.post("/staff/plans/new", form)
    assert check.status_code == 200
    assert "Check your answers before opening the plan" in check.text
    assert session.exec(select(Person)).first() is None
    # The check page carries every answer back; "Change" shows the form filled in.
    change = officer.post("/staff/plans/new", {**form, "action": "change"})
    assert f'value="{form["prison_number"]}"' in change.text
    officer.get("/staff/plans/new")
    opened = officer.post("/staff/plans/new", {**form, "action": "create"})
    assert opened.status_code == 303
    plan_id = int(opened.headers["location"].split("/")[3].split("?")[0])
    plan = session.get(ReleasePlan, plan_id)
    assert plan is not None and plan.probation_officer_id == OFFICER_ID
    person = session.get(Person, plan.person_id)
    assert person is not None and person.sex == "female"
    assert consents.has_live_consent(
        session, person.id, consents.ConsentKind.MONITORING_CHARACTERISTICS
    )
    # A term under 12 months adds the short-sentence need to the one chosen.
    assert set(person.needs) == {"care_leaver", "short_sentence"}
    shown = officer.get(opened.headers["location"])
    assert "The plan has been opened." in shown.text
    # The same person cannot have two open plans.
    officer.get("/staff/plans/new")
    again = officer.post("/staff/plans/new", {**form, "action": "create"})
    assert again.status_code == 409
    assert "already has an open release plan" in again.text


def test_a_new_plan_with_wrong_answers_says_what_to_fix_and_saves_nothing(
    signed_in: SignedIn, session: Session, fake: Faker
) -> None:
    officer = signed_in("officer")
    officer.get("/staff/plans/new")
    form = _new_plan_form(
        fake,
        prison_number="12345",
        **{"dob-month": "13"},
        monitoring_consent="no",
        action="create",
    )
    refused = officer.post("/staff/plans/new", form)
    assert refused.status_code == 422
    summary = refused.text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert 'href="#dob-day"' in summary
    assert 'href="#prison-number"' in summary or 'href="#consent"' in summary
    officer.get("/staff/plans/new")
    no_consent = officer.post(
        "/staff/plans/new", _new_plan_form(fake, monitoring_consent="no", action="create")
    )
    assert no_consent.status_code == 422
    assert 'href="#consent"' in no_consent.text
    assert session.exec(select(ReleasePlan)).first() is None


def test_a_cancel_is_checked_first_and_ends_with_its_own_message(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}")
    version = _version(officer.last)
    form = {"event": "cancel", "cancel_reason": "recall", "expected_version": version}
    check = officer.post(f"/staff/plans/{plan.id}/transition", form)
    assert check.status_code == 200 and "Yes, cancel the plan" in check.text
    session.refresh(plan)
    assert plan.state == "sentence_planning"
    done = officer.post(f"/staff/plans/{plan.id}/transition", {**form, "confirmed": "yes"})
    assert done.headers["location"] == f"/staff/plans/{plan.id}?done=cancelled"
    page = _text(officer.get(done.headers["location"]).text)
    assert "The plan has been cancelled." in page
    assert "moved on to its next stage" not in page


def test_a_closed_plan_offers_no_change_and_refuses_one(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind=AppointmentKind.GP,
            starts_at=datetime(2027, 3, 10, 11, tzinfo=UTC),
            location="A made-up surgery",
            with_whom="The practice nurse",
        ),
    )
    session.refresh(plan)
    plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="cancel",
        expected_version=plan.version,
        cancel_reason="transfer",
    )
    session.refresh(plan)
    officer = signed_in("officer")
    for tab in ("", "/checklist", "/48-hour-plan", "/release-day", "/history"):
        page = officer.get(f"/staff/plans/{plan.id}{tab}")
        assert page.status_code == 200, tab
        main = page.text.split('<main class="govuk-main-wrapper"')[1]
        assert "<form" not in main, tab
        for path in ("/night-one", "/appointments/", "/contacts/", "/checklist/", "/goals"):
            assert f'href="/staff/plans/{plan.id}{path}' not in main, (tab, path)
        assert "Change or remove" not in main and "release-date" not in main
    overview = _text(officer.get(f"/staff/plans/{plan.id}").text)
    assert "It is kept as a record and can no longer be changed." in overview
    events = len(_events(session, plan.id))
    refused = officer.post(
        f"/staff/plans/{plan.id}/night-one",
        {"accommodation_address": "Somewhere else", "expected_version": str(plan.version)},
    )
    assert refused.status_code in (409, 422)
    assert "can no longer be changed" in refused.text
    assert len(_events(session, plan.id)) == events


def test_saving_a_form_unchanged_writes_no_history_and_does_not_say_saved(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}/night-one")
    form = {
        "accommodation_address": "Flat 3, 4 Made Up Lane, Leeds",
        "accommodation_contact": "The warden",
        "expected_version": _version(officer.last),
    }
    first = officer.post(f"/staff/plans/{plan.id}/night-one", form)
    assert first.headers["location"].endswith("?done=night-one")
    session.refresh(plan)
    events = len(_events(session, plan.id))
    officer.get(f"/staff/plans/{plan.id}/night-one")
    again = officer.post(
        f"/staff/plans/{plan.id}/night-one", {**form, "expected_version": _version(officer.last)}
    )
    assert again.headers["location"].endswith("?done=unchanged")
    page = _text(officer.get(again.headers["location"]).text)
    assert "Nothing was changed" in page and "Night one has been saved" not in page
    version = plan.version
    session.refresh(plan)
    assert plan.version == version
    assert len(_events(session, plan.id)) == events
    # The same for a checklist item saved as it was.
    officer.get(f"/staff/plans/{plan.id}/checklist/bank_account")
    same = officer.post(
        f"/staff/plans/{plan.id}/checklist/bank_account",
        {"status": "not_started", "expected_version": _version(officer.last)},
    )
    assert same.headers["location"].endswith("?done=unchanged")
    assert len(_events(session, plan.id)) == events


def test_a_removed_appointment_stays_with_the_person_until_the_plan_is_published_again(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    assert plan.id is not None
    appointment = forty_eight_hours.add_appointment(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=AppointmentCreate(
            kind=AppointmentKind.JOBCENTRE,
            starts_at=datetime(2027, 3, 10, 11, tzinfo=UTC),
            location="A made-up Jobcentre",
            with_whom="A work coach",
        ),
    )
    appointment_id = appointment.id
    session.refresh(plan)
    plan = _published(session, plan)
    officer = signed_in("officer")
    page = officer.get(f"/staff/plans/{plan.id}/appointments/{appointment_id}")
    assert 'value="11:00"' in page.text
    check = officer.get(f"/staff/plans/{plan.id}/appointments/{appointment_id}/remove")
    assert "until you publish the 48-hour plan again" in _text(check.text)
    removed = officer.post(
        f"/staff/plans/{plan.id}/appointments/{appointment_id}/remove",
        {"expected_version": _version(officer.last), "confirmed": "yes"},
    )
    assert removed.headers["location"].endswith("?done=appointment-removed")
    session.expire_all()
    assert session.get(Appointment, appointment_id) is None
    held = forty_eight_hours.latest_published(session, plan.id)
    assert [a["id"] for a in held.snapshot["appointments"]] == [appointment_id]
    officer.get(f"/staff/plans/{plan.id}")
    check = officer.post(
        f"/staff/plans/{plan.id}/publish", {"expected_version": _version(officer.last)}
    )
    assert check.status_code == 200 and "Yes, publish it" in check.text
    assert forty_eight_hours.latest_published(session, plan.id).number == held.number
    officer.post(
        f"/staff/plans/{plan.id}/publish",
        {"expected_version": _version(officer.last), "confirmed": "yes"},
    )
    again = forty_eight_hours.latest_published(session, plan.id)
    assert again.number == held.number + 1 and again.snapshot["appointments"] == []


def test_another_officer_cannot_reach_a_plans_appointment_or_link_pages(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = _published(session, new_plan())
    other = signed_in("other_officer")
    for path in ("/history", "/48-hour-plan", "/release-date", "/reassign", "/appointments/1"):
        assert other.get(f"/staff/plans/{plan.id}{path}").status_code == 404, path
    other.get("/staff/caseload")
    response = other.post(f"/staff/plans/{plan.id}/sign-in-link", {})
    assert response.status_code == 404
    assert session.exec(select(LeaverLink)).first() is None


def test_the_sign_in_link_is_shown_once_opens_the_plan_and_can_be_stopped(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    officer = signed_in("officer")
    page = _text(officer.get(f"/staff/plans/{plan.id}/48-hour-plan").text)
    assert "has no sign-in link yet, so they cannot see their plan" in page
    issued = officer.post(f"/staff/plans/{plan.id}/sign-in-link", {})
    assert issued.status_code == 200
    assert issued.headers["cache-control"] == "no-store"
    found = re.search(r'id="sign-in-link">([^<]+)<', issued.text)
    assert found and "/plan-link/" in found.group(1)
    secret = found.group(1).split("/plan-link/")[1]
    assert leaver_access.find_link(session, secret).plan_id == plan.id
    assert 'class="app-qr"' in issued.text
    # The secret is not on the plan page afterwards, only that a link works.
    page = officer.get(f"/staff/plans/{plan.id}/48-hour-plan").text
    assert secret not in page and "has a working sign-in link" in _text(page)
    # Publishing now says the person can see it.
    officer.get(f"/staff/plans/{plan.id}")
    done = officer.post(
        f"/staff/plans/{plan.id}/publish",
        {"expected_version": _version(officer.last), "confirmed": "yes"},
    )
    assert done.headers["location"].endswith("?done=published")
    check = officer.post(f"/staff/plans/{plan.id}/sign-in-link/stop", {})
    assert "Yes, stop the link" in check.text
    stopped = officer.post(f"/staff/plans/{plan.id}/sign-in-link/stop", {"confirmed": "yes"})
    assert stopped.headers["location"].endswith("?done=link-stopped")
    assert leaver_access.link_status(session, plan.id).working == 0
    page = _text(officer.get(f"/staff/plans/{plan.id}/48-hour-plan").text)
    assert "has no working sign-in link: the last one was stopped" in page


def test_a_plan_passed_on_leaves_the_caseload_with_its_history(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    from resettlement import demo, staff

    # The officers offered are the staff table's, as `resettlement up` seeds it.
    staff.add_missing(session=session, members=demo.demo_staff())
    plan = new_plan(probation_officer_id="po-ashworth")
    ashworth = signed_in("officer").use_token(Role.PROBATION_OFFICER, "po-ashworth")
    offered = ashworth.get(f"/staff/plans/{plan.id}/reassign").text
    assert "Bilal Begum" in offered and 'value="po-ashworth"' not in offered
    form = {
        "officer": "po-begum",
        "reason": "Moved to the Leeds team.",
        "expected_version": _version(ashworth.last),
    }
    missing = ashworth.post(f"/staff/plans/{plan.id}/reassign", {**form, "officer": "nobody"})
    assert missing.status_code == 422
    check = ashworth.post(f"/staff/plans/{plan.id}/reassign", form)
    assert "Yes, pass it on" in check.text
    done = ashworth.post(f"/staff/plans/{plan.id}/reassign", {**form, "confirmed": "yes"})
    assert done.status_code == 200 and "Plan passed on" in done.text
    assert ashworth.get(f"/staff/plans/{plan.id}").status_code == 404
    begum = signed_in("other_officer").use_token(Role.PROBATION_OFFICER, "po-begum")
    history = _text(begum.get(f"/staff/plans/{plan.id}/history").text)
    assert "Plan passed to another probation officer" in history
    assert "From Ann Ashworth to Bilal Begum. Why: Moved to the Leeds team." in history
    assert "Ann Ashworth (probation officer)" in history and "po-ashworth" not in history
    reads = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "read_history", AuditEvent.object_id == str(plan.id)
        )
    ).all()
    assert [r.actor for r in reads] == ["po-begum"]


def test_the_release_date_page_reruns_the_rules_and_says_what_to_fix(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}/release-date")
    version = _version(officer.last)
    refused = officer.post(
        f"/staff/plans/{plan.id}/release-date",
        {
            "release-day": "31",
            "release-month": "2",
            "release-year": "2027",
            "expected_version": version,
        },
    )
    assert refused.status_code == 422
    assert 'href="#release-day"' in refused.text and 'href="#reason"' in refused.text
    # A Saturday: the rules move it back to the Friday and flag it.
    done = officer.post(
        f"/staff/plans/{plan.id}/release-date",
        {
            "release-day": "13",
            "release-month": "3",
            "release-year": "2027",
            "reason": "New sentence calculation",
            "expected_version": version,
        },
    )
    assert done.headers["location"].endswith("?done=release-date")
    session.refresh(plan)
    assert plan.release_date == date(2027, 3, 12) and plan.flagged


def test_a_check_page_keeps_the_version_so_a_change_made_meanwhile_is_not_overrun(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = _published(session, new_plan())
    assert plan.id is not None
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}")
    seen = _version(officer.last)
    check = officer.post(f"/staff/plans/{plan.id}/publish", {"expected_version": seen})
    assert _version(check.text) == seen
    # Someone else changes the plan while the check page is open.
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(accommodation_address="A different made-up address"),
    )
    stale = officer.post(
        f"/staff/plans/{plan.id}/publish",
        {"expected_version": _version(check.text), "confirmed": "yes"},
    )
    assert stale.status_code == 409
    assert "Someone else changed this plan" in stale.text
    assert forty_eight_hours.latest_published(session, plan.id).number == 1


def test_the_officers_goals_form_keeps_the_persons_goal_as_theirs(
    signed_in: Callable[[str], Browser], new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    assert plan.id is not None
    person = Actor(user_id="leaver-link:3", role=Role.PRISON_LEAVER, plan_id=plan.id)
    theirs = goals.add_goal(
        session=session,
        actor=person,
        plan_id=plan.id,
        data=GoalText(area=GoalArea.ARTS, in_their_words="Keep drawing. I want to do a course."),
    )
    officer = signed_in("officer")
    shown = officer.get(f"/staff/plans/{plan.id}")
    name = session.get(Person, plan.person_id)
    assert name is not None
    assert f"Written by {name.given_name} {name.family_name}" in _text(shown.text)

    form = officer.get(f"/staff/plans/{plan.id}/goals")
    assert f'name="goal-0-id" value="{theirs.id}"' in form.text
    saved = officer.post(
        f"/staff/plans/{plan.id}/goals",
        {
            "expected_version": _version(form.text),
            "goal-0-id": str(theirs.id),
            "goal-0-area": "arts",
            "goal-0-words": "Keep drawing. I want to do an art course at college.",
            "goal-1-id": "",
            "goal-1-area": "work",
            "goal-1-words": "Forklift licence.",
            "goal-2-id": "",
            "goal-2-area": "",
            "goal-2-words": "",
        },
    )
    assert saved.status_code == 303, saved.text
    session.expire_all()
    rows = session.exec(select(Goal).where(Goal.plan_id == plan.id).order_by(col(Goal.position)))
    assert [(g.id == theirs.id, g.written_by_kind, g.changed_by_kind) for g in rows] == [
        (True, Author.PERSON, Author.STAFF),
        (False, Author.STAFF, Author.STAFF),
    ]
