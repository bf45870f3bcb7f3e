"""The person's goals and hopes on their own pages: they add, change and remove their own, in
English or Welsh, with GOV.UK errors; a change that crosses someone else's is told, not lost;
another person's goal is not found; every change is in the plan's history as the person's."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from api.pages.leaver_session import CSRF_FIELD, PLAN_FORM_COOKIE
from resettlement import goals
from resettlement.goals import GoalText
from resettlement.models import AuditEvent, Author, Goal, GoalArea, PlanEvent
from tests.pages.conftest import OFFICER, sign_in

NEW = "/my-plan/goals/new"


def _post(client, path, data, *, token=None):
    if token is None:
        token = client.cookies.get(PLAN_FORM_COOKIE)
        if token is None:
            client.get(NEW)
            token = client.cookies.get(PLAN_FORM_COOKIE)
    return client.post(path, data={**data, CSRF_FIELD: token}, follow_redirects=False)


def _goals(session: Session, plan_id: int) -> list[Goal]:
    session.expire_all()
    return list(
        session.exec(select(Goal).where(Goal.plan_id == plan_id).order_by(col(Goal.position)))
    )


def test_the_person_adds_a_goal_and_sees_it_as_theirs(client, published, session):
    made = published()
    sign_in(client, made)
    page = client.get("/my-plan").text
    assert "Your goals and hopes" in page
    assert "See my kids every weekend." in page
    assert "Written by your probation officer" in page

    form = client.get(NEW)
    assert form.status_code == 200
    assert 'maxlength="2000"' in form.text or 'data-maxlength="2000"' in form.text
    sent = _post(client, NEW, {"area": "sport", "words": "Get back into boxing at the club."})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/my-plan?goal=added#goals"

    page = client.get("/my-plan?goal=added").text
    assert "Your goal has been added." in page
    assert "Get back into boxing at the club." in page
    assert "Written by you" in page
    # The printed plan shows the goals as they stand, with who wrote each.
    printed = client.get("/my-plan/print").text
    assert "Get back into boxing at the club." in printed
    assert "Written by you" in printed and "Written by your probation officer" in printed
    [staff, theirs] = _goals(session, made.plan.id)
    assert (staff.written_by_kind, theirs.written_by_kind) == (Author.STAFF, Author.PERSON)
    assert theirs.written_by == f"leaver-link:{made.link.id}"
    event = session.exec(
        select(PlanEvent).where(PlanEvent.plan_id == made.plan.id, PlanEvent.kind == "goal_added")
    ).one()
    assert event.actor_role == "prison_leaver"


def test_an_empty_form_shows_the_errors_and_adds_nothing(client, published, session):
    made = published()
    sign_in(client, made)
    answer = _post(client, NEW, {"words": "   "})
    assert answer.status_code == 422
    assert "There is a problem" in answer.text
    assert 'href="#area"' in answer.text and 'href="#words"' in answer.text
    assert "Select what your goal is about" in answer.text
    assert "Write your goal" in answer.text
    assert answer.text.count("Error:") >= 1
    too_long = _post(client, NEW, {"area": "work", "words": "w" * 2001})
    assert too_long.status_code == 422
    assert "Your goal must be 2,000 characters or fewer" in too_long.text
    # What they wrote is kept for them to shorten.
    assert "w" * 2001 in too_long.text
    assert len(_goals(session, made.plan.id)) == 1


def test_a_form_posted_without_its_token_changes_nothing(client, published, session):
    made = published()
    sign_in(client, made)
    answer = _post(client, NEW, {"area": "work", "words": "Posted from elsewhere."}, token="x")
    assert answer.status_code == 303
    assert answer.headers["location"] == NEW
    assert len(_goals(session, made.plan.id)) == 1


def test_the_person_changes_a_goal_and_a_crossing_change_is_shown_not_lost(
    client, published, session
):
    made = published()
    sign_in(client, made)
    [goal] = _goals(session, made.plan.id)
    change = f"/my-plan/goals/{goal.id}/change"
    form = client.get(change)
    assert form.status_code == 200
    assert "See my kids every weekend." in form.text
    version = re.search(r'name="version" value="(\d+)"', form.text)
    assert version is not None

    # The officer changes it first.
    goals.change_goal(
        session=session,
        actor=OFFICER,
        goal_id=goal.id,
        expected_version=goal.version,
        data=GoalText(area=GoalArea.FAMILY, in_their_words="See my kids on Saturdays."),
    )
    crossed = _post(
        client,
        change,
        {
            "area": "family",
            "words": "See my kids every weekend and at half term.",
            **{"version": version.group(1)},
        },
    )
    assert crossed.status_code == 409
    assert "This goal was changed while you were writing" in crossed.text
    assert "See my kids on Saturdays." in crossed.text
    assert "See my kids every weekend and at half term." in crossed.text
    [kept] = _goals(session, made.plan.id)
    assert kept.in_their_words == "See my kids on Saturdays."

    # Saved again from the page that told them, it goes through.
    again = re.search(r'name="version" value="(\d+)"', crossed.text)
    assert again is not None
    saved = _post(
        client,
        change,
        {"area": "family", "words": "See my kids every weekend and at half term.",
         "version": again.group(1)},
    )  # fmt: skip
    assert saved.status_code == 303
    [kept] = _goals(session, made.plan.id)
    assert kept.in_their_words == "See my kids every weekend and at half term."
    assert (kept.written_by_kind, kept.changed_by_kind) == (Author.STAFF, Author.PERSON)


def test_the_person_checks_then_removes_a_goal(client, published, session):
    made = published()
    sign_in(client, made)
    [goal] = _goals(session, made.plan.id)
    confirm = client.get(f"/my-plan/goals/{goal.id}/remove")
    assert confirm.status_code == 200
    assert "Are you sure you want to remove this goal?" in confirm.text
    assert "See my kids every weekend." in confirm.text
    # Nothing is removed until they say yes.
    assert len(_goals(session, made.plan.id)) == 1
    done = _post(client, f"/my-plan/goals/{goal.id}/remove", {"version": str(goal.version)})
    assert done.status_code == 303
    assert _goals(session, made.plan.id) == []
    page = client.get("/my-plan?goal=removed").text
    assert "Your goal has been removed." in page
    assert "You have not written any goals yet." in page


def test_another_persons_goal_is_not_found_and_the_attempt_is_audited(client, published, session):
    mine, theirs = published(), published()
    [their_goal] = _goals(session, theirs.plan.id)
    sign_in(client, mine)
    for path in (
        f"/my-plan/goals/{their_goal.id}/change",
        f"/my-plan/goals/{their_goal.id}/remove",
    ):
        assert client.get(path).status_code == 404
    answer = _post(
        client,
        f"/my-plan/goals/{their_goal.id}/change",
        {"area": "work", "words": "Not mine to write.", "version": "1"},
    )
    assert answer.status_code == 404
    assert "This goal is not on your plan" in answer.text
    assert (
        _post(client, f"/my-plan/goals/{their_goal.id}/remove", {"version": "1"}).status_code == 404
    )
    [kept] = _goals(session, theirs.plan.id)
    assert kept.in_their_words == "See my kids every weekend."
    denied = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "denied", AuditEvent.object_id == str(their_goal.id)
        )
    ).all()
    assert len(denied) == 4
    assert all(d.actor == f"leaver-link:{mine.link.id}" for d in denied)
    for path in ("/my-plan/goals/abc/change", "/my-plan/goals/99999999999/remove"):
        assert client.get(path).status_code == 404


def test_the_goal_pages_are_in_welsh(client, published, session):
    made = published(language="cy")
    sign_in(client, made)
    page = client.get("/my-plan").text
    assert "Eich nodau a&#39;ch gobeithion" in page or "Eich nodau a'ch gobeithion" in page
    assert "Wedi&#39;i ysgrifennu gan eich swyddog prawf" in page or (
        "Wedi'i ysgrifennu gan eich swyddog prawf" in page
    )
    form = client.get(NEW).text
    assert "Beth yw pwnc eich nod?" in form
    assert "Dysgu neu addysg" in form
    assert "Gallwch chi roi hyd at 2000 cymeriad" in form
    wrong = _post(client, NEW, {"area": "", "words": ""})
    assert wrong.status_code == 422
    assert "Dewiswch beth yw pwnc eich nod" in wrong.text
    assert "There is a problem" not in wrong.text
