"""The staff pages through HTTP: who may see what, CSRF, stale versions, refusals that say
what is missing, and the governor's decision inside the permitted window."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.staff.identity import COOKIE, COOKIE_PATH
from resettlement import checklists, early_release, plans
from resettlement.actors import Actor, Role
from resettlement.models import AuditEvent, ChecklistItem, ChecklistStatus, ReleasePlan
from rules.checklists import CORE_KEYS
from tests.staff.conftest import FRIDAY, OFFICER_ID, Browser, bearer

OFFICER = Actor(user_id=OFFICER_ID, role=Role.PROBATION_OFFICER)
SignedIn = Callable[[str], Browser]


def _planning(session: Session, plan: ReleasePlan) -> ReleasePlan:
    assert plan.id is not None
    return plans.transition(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        event="start_resettlement_planning",
        expected_version=plan.version,
    )


def _core_started(session: Session, plan: ReleasePlan) -> ReleasePlan:
    assert plan.id is not None
    for key in sorted(CORE_KEYS):
        checklists.update_item(
            session=session,
            actor=OFFICER,
            plan_id=plan.id,
            key=key,
            expected_version=plan.version,
            status=ChecklistStatus.IN_PROGRESS,
        )
        session.refresh(plan)
    return plan


def _submitted(session: Session, plan: ReleasePlan) -> int:
    assert plan.id is not None
    request = early_release.open_request(session, plan.id)
    assert request.id is not None
    request = early_release.assess(
        session=session,
        actor=OFFICER,
        request_id=request.id,
        expected_version=request.version,
        harms_resettlement=True,
        needs=["accommodation"],
        assessment="The hostel takes no arrivals at the weekend.",
    )
    early_release.submit(
        session=session, actor=OFFICER, request_id=request.id, expected_version=request.version
    )
    return request.id


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- sign-in ------------------------------------------------------------------------------


def test_pages_send_a_stranger_to_sign_in(client: TestClient) -> None:
    for path in ("/staff", "/staff/caseload", "/staff/plans/1", "/staff/early-release"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == "/staff/sign-in"


def test_local_sign_in_lists_the_demo_staff_and_sets_a_strict_cookie(browser: Browser) -> None:
    page = browser.get("/staff/sign-in")
    assert page.status_code == 200
    for user in ("po-ashworth", "governor-mdi", "admin-demo"):
        assert f'value="{user}"' in page.text
    response = browser.sign_in("po-ashworth")
    assert response.headers["location"] == "/staff/caseload"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")
    ).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/staff" in cookie
    caseload = browser.get("/staff/caseload")
    assert caseload.status_code == 200
    assert "Signed in as <strong>Ann Ashworth</strong>" in caseload.text


def test_sign_in_and_sign_out_need_the_csrf_token(browser: Browser) -> None:
    browser.get("/staff/sign-in")
    refused = browser.post("/staff/sign-in", {"user": "po-ashworth", "csrf_token": "forged"})
    assert refused.status_code == 403
    assert COOKIE not in "".join(refused.headers.get_list("set-cookie"))
    browser.sign_in("po-ashworth")
    assert browser.get("/staff/caseload").status_code == 200
    assert browser.post("/staff/sign-out", {"csrf_token": "forged"}).status_code == 403
    browser.get("/staff/caseload")
    assert browser.post("/staff/sign-out", {}).status_code == 303
    assert browser.get("/staff/caseload").status_code == 303


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, browser: Browser) -> None:
    browser.sign_in("po-ashworth")
    assert browser.get("/staff/caseload").status_code == 200
    copied = browser.client.cookies[COOKIE]
    assert browser.post("/staff/sign-out", {}).status_code == 303

    with TestClient(app, follow_redirects=False) as thief:
        thief.cookies.set(COOKIE, copied, path=COOKIE_PATH)
        refused = thief.get("/staff/caseload")
        assert refused.status_code == 303
        assert refused.headers["location"] == "/staff/sign-in"
    # Signing in again works, and the new cookie is honoured.
    browser.client.cookies.clear()
    browser.sign_in("po-ashworth")
    assert browser.get("/staff/caseload").status_code == 200


def test_a_prison_leaver_cannot_use_staff_pages(
    client: TestClient, signed_in: SignedIn, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    leaver = signed_in("leaver")
    for path in ("/staff/caseload", f"/staff/plans/{plan.id}", "/staff/reports/outcomes"):
        assert leaver.get(path).status_code == 403
    # A bearer token is for the API: the pages only know their own signed cookie.
    header = bearer(Role.PRISON_LEAVER, "leaver-test", plan=plan.id)
    assert client.get("/staff/caseload", headers=header).status_code == 303


def test_a_tampered_cookie_is_not_a_sign_in(client: TestClient, signed_in: SignedIn) -> None:
    officer = signed_in("officer")
    value = officer.client.cookies.get(COOKIE)
    assert value
    payload, signature = value.rsplit(".", 1)
    officer.client.cookies.set(COOKIE, payload + "." + signature[::-1], path="/staff")
    assert officer.get("/staff/caseload").status_code == 303


# --- the officer's pages ------------------------------------------------------------------


def test_caseload_shows_own_plans_soonest_first_with_flags_and_audits_the_read(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    later = new_plan(requested_release_date=date(2027, 6, 9))
    friday = new_plan(requested_release_date=FRIDAY)
    someone_elses = new_plan(probation_officer_id="po-other")
    page = signed_in("officer").get("/staff/caseload")
    assert page.status_code == 200
    links = re.findall(r'href="/staff/plans/(\d+)"', page.text)
    assert links == [str(friday.id), str(later.id)]
    assert "Friday release" in page.text
    assert f"/staff/plans/{someone_elses.id}" not in page.text
    reads = session.exec(
        select(AuditEvent).where(AuditEvent.actor == OFFICER_ID, AuditEvent.action == "list")
    ).all()
    assert sorted(e.object_id for e in reads) == sorted([str(friday.id), str(later.id)])


def test_another_officers_plan_is_not_found(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan(requested_release_date=FRIDAY)
    version = plan.version
    other = signed_in("other_officer")
    other.get("/staff/caseload")
    for path in (
        "",
        "/checklist/id_documents",
        "/goals",
        "/night-one",
        "/early-release",
        "/follow-up",
    ):
        response = other.get(f"/staff/plans/{plan.id}{path}")
        assert response.status_code == 404, path
        assert "There is no such page" in response.text
    other.get("/staff/caseload")
    posted = other.post(
        f"/staff/plans/{plan.id}/checklist/id_documents",
        {"status": "done", "expected_version": str(plan.version)},
    )
    assert posted.status_code == 404
    assert other.get("/staff/plans/999999").status_code == 404
    assert other.get("/staff/plans/nonsense").status_code == 404
    session.refresh(plan)
    assert plan.version == version
    # A governor's pages are not the officer's: the plan pages are officers' only.
    assert signed_in("governor").get(f"/staff/plans/{plan.id}").status_code == 403


def test_reading_a_plan_page_is_audited(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    signed_in("officer").get(f"/staff/plans/{plan.id}")
    events = session.exec(select(AuditEvent).where(AuditEvent.object_id == str(plan.id))).all()
    assert ("read", "plan") in {(e.action, e.object_type) for e in events}


def test_a_form_without_the_csrf_token_changes_nothing(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}")
    for data in ({}, {"csrf_token": "not-the-one"}):
        response = officer.post(
            f"/staff/plans/{plan.id}/checklist/id_documents",
            {**data, "status": "done", "expected_version": str(plan.version)},
            csrf=False,
        )
        assert response.status_code == 403
        assert "This form has expired" in response.text
    item = session.exec(
        select(ChecklistItem).where(
            ChecklistItem.plan_id == plan.id, ChecklistItem.key == "id_documents"
        )
    ).one()
    assert item.status == ChecklistStatus.NOT_STARTED


def test_checklist_update_redirects_to_the_plan_with_a_message(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}/checklist/bank_account")
    response = officer.post(
        f"/staff/plans/{plan.id}/checklist/bank_account",
        {
            "status": "done",
            "note": "Opened with the bank's prison scheme.",
            "expected_version": csrf_version(officer.last),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/plans/{plan.id}?done=checklist"
    page = officer.get(response.headers["location"])
    assert "The checklist item has been updated." in page.text
    assert "Opened with the bank&#39;s prison scheme." in page.text


def test_a_stale_version_says_someone_else_changed_the_plan(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}/checklist/gp_registration")
    loaded = csrf_version(officer.last)
    # Meanwhile a colleague (or another tab) changes the plan.
    plan = _planning(session, plan)
    response = officer.post(
        f"/staff/plans/{plan.id}/checklist/gp_registration",
        {"status": "done", "note": "Registered", "expected_version": loaded},
    )
    assert response.status_code == 409
    assert "Someone else changed this plan since you opened the page" in response.text
    assert '<div class="govuk-error-summary"' in response.text
    # The form now carries the current version, and what they typed is kept.
    assert f'name="expected_version" value="{plan.version}"' in response.text
    assert "Registered" in response.text
    item = session.exec(
        select(ChecklistItem).where(
            ChecklistItem.plan_id == plan.id, ChecklistItem.key == "gp_registration"
        )
    ).one()
    session.refresh(item)
    assert item.status == ChecklistStatus.NOT_STARTED


def test_plan_page_lists_what_is_missing_before_the_step_and_refuses_with_it(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = _planning(session, new_plan())
    officer = signed_in("officer")
    page = officer.get(f"/staff/plans/{plan.id}")
    text = _text(page.text)
    assert "Before you can start pre-release" in text
    assert "Start these checklist items, or mark them not needed with a reason" in text
    response = officer.post(
        f"/staff/plans/{plan.id}/transition",
        {"event": "start_pre_release", "expected_version": str(plan.version)},
    )
    assert response.status_code == 409
    summary = response.text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert "Start these checklist items" in summary
    assert "ID documents" in summary and "Universal Credit claim" in summary
    assert 'href="#steps"' in summary
    session.refresh(plan)
    assert plan.state == "resettlement_planning"


def test_reason_needed_when_an_item_is_not_needed(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}/checklist/bank_account")
    response = officer.post(
        f"/staff/plans/{plan.id}/checklist/bank_account",
        {"status": "not_needed", "expected_version": csrf_version(officer.last)},
    )
    assert response.status_code == 422
    assert "Say why &#39;Open a bank account&#39; is not needed." in response.text or (
        "is not needed." in response.text and 'href="#reason"' in response.text
    )


def test_cancel_needs_a_reason_and_publish_needs_night_one(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}")
    response = officer.post(
        f"/staff/plans/{plan.id}/transition",
        {"event": "cancel", "expected_version": csrf_version(officer.last)},
    )
    assert response.status_code == 422
    assert "Select why the plan is cancelled." in response.text
    response = officer.post(
        f"/staff/plans/{plan.id}/publish", {"expected_version": csrf_version(officer.last)}
    )
    assert response.status_code == 409
    assert "Add where the person will sleep on the first night" in response.text


def test_appointment_with_no_time_is_refused_field_by_field(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}/appointments/new")
    response = officer.post(
        f"/staff/plans/{plan.id}/appointments/new",
        {
            "kind": "gp",
            "date-day": "12",
            "date-month": "3",
            "date-year": "2027",
            "expected_version": csrf_version(officer.last),
        },
    )
    assert response.status_code == 422
    text = _text(response.text)
    assert "Enter the time of the appointment" in text
    assert "Enter where it is" in text
    assert 'value="12"' in response.text


# --- the governor's pages -----------------------------------------------------------------


@pytest.fixture
def submitted(session: Session, new_plan: Callable[..., ReleasePlan]) -> tuple[ReleasePlan, int]:
    plan = new_plan(requested_release_date=FRIDAY)
    return plan, _submitted(session, plan)


def test_governor_queue_is_own_prison_only_and_audited(
    signed_in: SignedIn, submitted: tuple[ReleasePlan, int], session: Session
) -> None:
    _plan, request_id = submitted
    own = signed_in("governor").get("/staff/early-release")
    assert own.status_code == 200
    assert f'href="/staff/early-release/{request_id}"' in own.text
    assert "The hostel takes no arrivals at the weekend." in own.text
    assert "Thursday 11 March 2027" in own.text  # the latest day in the window
    other = signed_in("other_governor")
    page = other.get("/staff/early-release")
    assert f"/staff/early-release/{request_id}" not in page.text
    assert other.get(f"/staff/early-release/{request_id}").status_code == 404
    assert signed_in("officer").get("/staff/early-release").status_code == 403
    listed = session.exec(
        select(AuditEvent).where(
            AuditEvent.actor == "governor-mdi",
            AuditEvent.object_type == "early_release_request",
        )
    ).all()
    assert [e.object_id for e in listed] == [str(request_id)]


def test_decision_offers_the_permitted_days_and_refuses_one_outside(
    signed_in: SignedIn, submitted: tuple[ReleasePlan, int], session: Session
) -> None:
    plan, request_id = submitted
    governor = signed_in("governor")
    page = governor.get(f"/staff/early-release/{request_id}")
    offered = re.findall(r'name="release_date" type="radio" value="([\d-]+)"', page.text)
    assert offered and offered[-1] == "2027-03-11"
    assert "2027-03-12" not in offered
    response = governor.post(
        f"/staff/early-release/{request_id}",
        {
            "decision": "approve",
            "release_date": "2027-03-12",
            "reasons": "",
            "expected_version": csrf_version(page.text),
        },
    )
    assert response.status_code == 409
    assert "The new release date must be a working day between" in _text(response.text)
    assert 'href="#release-date"' in response.text
    session.refresh(plan)
    assert plan.walk_out_date == FRIDAY


def csrf_version(html: str) -> str:
    found = re.search(r'name="expected_version" value="(\d+)"', html)
    assert found
    return found.group(1)


def test_refusal_needs_reasons(signed_in: SignedIn, submitted: tuple[ReleasePlan, int]) -> None:
    _, request_id = submitted
    governor = signed_in("governor")
    page = governor.get(f"/staff/early-release/{request_id}")
    response = governor.post(
        f"/staff/early-release/{request_id}",
        {"decision": "refuse", "reasons": " ", "expected_version": csrf_version(page.text)},
    )
    assert response.status_code == 409
    assert "Give the reasons for refusing the request." in response.text


def test_approval_inside_the_window_shows_on_the_officers_plan(
    signed_in: SignedIn, submitted: tuple[ReleasePlan, int], session: Session
) -> None:
    plan, request_id = submitted
    governor = signed_in("governor")
    page = governor.get(f"/staff/early-release/{request_id}")
    response = governor.post(
        f"/staff/early-release/{request_id}",
        {
            "decision": "approve",
            "release_date": "2027-03-11",
            "reasons": "The hostel confirmed a bed on Thursday.",
            "expected_version": csrf_version(page.text),
        },
    )
    # The answers come back to be checked; nothing is recorded until they are confirmed.
    assert response.status_code == 200 and "Check your decision" in response.text
    session.refresh(plan)
    assert plan.walk_out_date == FRIDAY
    response = governor.post(
        f"/staff/early-release/{request_id}",
        {
            "decision": "approve",
            "release_date": "2027-03-11",
            "reasons": "The hostel confirmed a bed on Thursday.",
            "expected_version": csrf_version(response.text),
            "step": "confirm",
        },
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/staff/early-release?done=decided"
    assert "Your decision has been recorded." in governor.get(response.headers["location"]).text
    officer_page = _text(signed_in("officer").get(f"/staff/plans/{plan.id}").text)
    assert "Walk-out date Thursday 11 March 2027" in officer_page
    assert "Approved: walks out on Thursday 11 March 2027" in officer_page
    assert "The hostel confirmed a bed on Thursday." in officer_page


def test_a_decision_on_a_stale_request_is_not_recorded(
    signed_in: SignedIn, submitted: tuple[ReleasePlan, int], session: Session
) -> None:
    _, request_id = submitted
    governor = signed_in("governor")
    page = governor.get(f"/staff/early-release/{request_id}")
    stale = str(int(csrf_version(page.text)) - 1)
    response = governor.post(
        f"/staff/early-release/{request_id}",
        {"decision": "refuse", "reasons": "No", "expected_version": stale},
    )
    assert response.status_code == 409
    assert "Someone else changed this early-release request" in response.text


# --- report pages -------------------------------------------------------------------------


def test_report_pages_for_governors_and_admins_only(signed_in: SignedIn) -> None:
    assert signed_in("officer").get("/staff/reports/outcomes").status_code == 403
    governor = signed_in("governor").get("/staff/reports/outcomes?prison=BWI")
    assert governor.status_code == 200
    assert "HMP Moorland" in governor.text and 'name="prison"' not in governor.text
    admin = signed_in("admin").get("/staff/reports/friday-releases?prison=BWI&breakdown=sex")
    assert admin.status_code == 200
    assert "HMP Berwyn" in admin.text
    assert signed_in("admin").get("/staff/reports/nonsense").status_code == 404


def test_report_page_chart_table_and_csv(
    signed_in: SignedIn, session: Session, fake: object
) -> None:
    from tests.staff.conftest import released

    for index in range(6):
        released(
            session,
            fake,  # type: ignore[arg-type]
            sex="female" if index < 2 else "male",
            followup={"gp_registered": index < 4, "id_in_hand": True},
        )
    admin = signed_in("admin")
    query = "start-day=1&start-month=10&start-year=2026&end-day=31&end-month=10&end-year=2026"
    page = admin.get(f"/staff/reports/outcomes?{query}&breakdown=sex")
    assert page.status_code == 200
    svg = page.text.split('<svg xmlns="http://www.w3.org/2000/svg" class="app-chart"', 1)[1]
    svg = svg.split("</svg>", 1)[0]
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "[c]" in svg  # two women: not drawn, marked
    assert svg.count("<rect") == 1  # only "All" has a bar; male (4) and female (2) are [c]
    assert "<caption" in page.text
    csv = admin.get(f"/staff/reports/outcomes.csv?{query}&breakdown=sex")
    assert csv.status_code == 200
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert "[c]" in csv.text
    bad = admin.get("/staff/reports/outcomes?start-day=31&start-month=2&start-year=2026")
    assert bad.status_code == 422
    assert "Enter the start of the period as a real date." in bad.text


def test_the_48_hour_follow_up_is_recorded_from_the_plan_page_and_completes_it(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan], session: Session
) -> None:
    plan = new_plan()
    plan.state = "released"  # as the release-day workflow leaves it
    session.add(plan)
    session.commit()
    officer = signed_in("officer")
    page = officer.get(f"/staff/plans/{plan.id}")
    assert f'href="/staff/plans/{plan.id}/follow-up"' in page.text
    officer.get(f"/staff/plans/{plan.id}/follow-up")
    version = csrf_version(officer.last)
    # Every question needs an answer; what was answered is kept.
    refused = officer.post(
        f"/staff/plans/{plan.id}/follow-up",
        {"gp_registered": "yes", "id_in_hand": "no", "expected_version": version},
    )
    assert refused.status_code == 422
    assert "Answer: Did they go to their first probation appointment?" in refused.text
    assert 'href="#first-appointment-attended"' in refused.text
    assert re.search(r'value="yes" checked', refused.text)
    session.refresh(plan)
    assert plan.state == "released" and plan.followup is None
    answers = {
        "first_appointment_attended": "yes",
        "night_in_planned_accommodation": "no",
        "gp_registered": "yes",
        "universal_credit_claim_made": "yes",
        "id_in_hand": "no",
        "bank_account_in_hand": "yes",
    }
    # The answers are checked on a page of their own first: completing cannot be undone.
    check = officer.post(
        f"/staff/plans/{plan.id}/follow-up", {**answers, "expected_version": version}
    )
    assert check.status_code == 200
    assert "Check the 48-hour follow-up" in check.text
    assert "Did they spend the first night in the planned place? No" in _text(check.text)
    session.refresh(plan)
    assert plan.state == "released"
    done = officer.post(
        f"/staff/plans/{plan.id}/follow-up",
        {**answers, "expected_version": version, "confirmed": "yes"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/staff/plans/{plan.id}?done=follow-up"
    session.refresh(plan)
    assert plan.state == "completed"
    assert plan.followup == {name: answer == "yes" for name, answer in answers.items()}
    shown = _text(officer.get(done.headers["location"]).text)
    assert "The 48-hour follow-up has been recorded and the plan is complete." in shown
    assert "Do they have ID? No" in shown
    # A second, stale submission changes nothing.
    again = officer.post(
        f"/staff/plans/{plan.id}/follow-up",
        {**answers, "expected_version": version, "confirmed": "yes"},
    )
    assert again.status_code == 409


def test_the_decision_page_shows_the_plan_for_release_and_audits_reading_it(
    signed_in: SignedIn, submitted: tuple[ReleasePlan, int], session: Session
) -> None:
    plan, request_id = submitted
    session.refresh(plan)
    plans.set_night_one(
        session=session,
        actor=OFFICER,
        plan_id=plan.id,
        expected_version=plan.version,
        data=plans.NightOne(
            accommodation_address="Room 2, 5 Made Up Lane, Leeds", accommodation_from="Monday"
        ),
    )
    page = signed_in("governor").get(f"/staff/early-release/{request_id}")
    shown = _text(page.text)
    assert "Where they will sleep Room 2, 5 Made Up Lane, Leeds" in shown
    assert "Can arrive from Monday" in shown
    items = session.exec(select(ChecklistItem).where(ChecklistItem.plan_id == plan.id)).all()
    assert items and all(item.title in shown for item in items)
    reads = session.exec(
        select(AuditEvent).where(
            AuditEvent.actor == "governor-mdi", AuditEvent.object_type == "plan"
        )
    ).all()
    assert [(e.action, e.object_id) for e in reads] == [("read", str(plan.id))]


def test_trend_page_shows_each_month_as_a_bar_and_a_row_and_the_csv(
    signed_in: SignedIn, session: Session, fake: object
) -> None:
    from tests.staff.conftest import released

    for on in [date(2026, 9, 10)] * 6 + [date(2026, 10, 14)] * 7:
        released(session, fake, on=on, followup={"id_in_hand": True})  # type: ignore[arg-type]
    admin = signed_in("admin")
    home = admin.get("/staff/reports")
    assert "breakdown=month" in home.text
    query = "start-day=1&start-month=9&start-year=2026&end-day=31&end-month=10&end-year=2026"
    page = admin.get(f"/staff/reports/outcomes?{query}&breakdown=month")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert "September 2026 6 6 100%" in text and "October 2026 7 7 100%" in text
    svg = page.text.split('class="app-chart"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("<rect") == 3  # September, October and All
    csv = admin.get(f"/staff/reports/outcomes.csv?{query}&breakdown=month").text
    assert "202609,6," in csv and "202610,7," in csv
    due = admin.get("/staff/reports/due-for-release")
    assert due.status_code == 200 and "People due for release, not yet released," in due.text
    said = admin.get(f"/staff/reports/self-reported?{query}")
    assert said.status_code == 200 and "What people said of their first days" in said.text
