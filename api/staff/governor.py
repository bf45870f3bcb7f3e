"""The governor's pages: the early-release queue for their prison, the decision on each with a
check-your-answers step before it is recorded, the decided requests, and the plan behind a
request, read-only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from api.deps import MAX_ID, SessionDep, governors_request
from api.staff import forms, goal_authors, labels
from api.staff.forms import Errors
from api.staff.identity import PRISON_NAMES, PRISON_NATIONS, CheckedForm, PageGovernor, not_found
from api.staff.officer import plan_id_from, status_for
from api.staff.rendering import render
from resettlement import audit, clock, early_release, plans, staff
from resettlement.actors import Actor
from resettlement.errors import DomainError, NotFound, TransitionNotAllowed
from resettlement.models import EarlyReleaseRequest, Person, ReleasePlan
from resettlement.transactions import get_or_404
from rules.release_dates import ReleaseAssessment, is_in_window, scheme_not_in_force

router = APIRouter(prefix="/staff", include_in_schema=False)


def permitted_days(assessment: ReleaseAssessment, earliest: date, latest: date) -> list[date]:
    """Every day in the window an approved release may take (the rules decide each day)."""
    days = []
    day = earliest
    while day <= latest:
        if is_in_window(assessment, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _people(session: Session, requests: list[EarlyReleaseRequest]) -> dict[int, Person]:
    plan_ids = [r.plan_id for r in requests]
    if not plan_ids:
        return {}
    rows = session.exec(
        select(ReleasePlan.id, Person)
        .join(Person, col(Person.id) == col(ReleasePlan.person_id))
        .where(col(ReleasePlan.id).in_(plan_ids))
    ).all()
    return {plan_id: person for plan_id, person in rows if plan_id is not None}


@router.get("/early-release", response_class=HTMLResponse)
def queue(request: Request, actor: PageGovernor, session: SessionDep) -> Response:
    requests = early_release.queue(session, actor.prison_code)
    people = _people(session, requests)
    audit.record_reads(
        session=session,
        actor=actor,
        action="list",
        object_type="early_release_request",
        object_ids=[r.id for r in requests],
    )
    today = clock.today()
    rows = [
        {
            "request": r,
            "person": people.get(r.plan_id),
            "days_left": (r.decision_deadline - today).days,
            "needs": [labels.NEEDS.get(n, str(n)) for n in r.needs],
        }
        for r in requests
    ]
    done = request.query_params.get("done")
    nation = PRISON_NATIONS.get(actor.prison_code or "")
    return render(
        request,
        "staff/queue.html",
        {
            "rows": rows,
            # Why an empty queue will stay empty: the prison's nation has no scheme in force.
            "no_scheme": scheme_not_in_force(nation, today) if nation else None,
            "nation": labels.NATIONS.get(str(nation), str(nation)),
            "prison": PRISON_NAMES.get(actor.prison_code or "", actor.prison_code),
            "banner": "Your decision has been recorded." if done == "decided" else None,
            "staff_names": staff.names(session, [r.assessed_by for r in requests]),
            "labels": labels,
        },
    )


def _governors(session: Session, actor: Actor, request_id: str) -> EarlyReleaseRequest:
    try:
        return governors_request(plan_id_from(request_id), actor, session)
    except NotFound:
        raise not_found() from None


def _decision_context(session: Session, actor: Actor, found: EarlyReleaseRequest) -> dict[str, Any]:
    # The governor weighs the plan itself: where the person sleeps on night one and from when,
    # and what is still to do. Reading it is audited like any plan read.
    view = plans.get_plan(session=session, actor=actor, plan_id=found.plan_id)
    plan, person = view.plan, view.person
    assessment = plans.assessment_for(plan, person)
    days = permitted_days(assessment, found.earliest_date, found.latest_date) if assessment else []
    return {
        "early": found,
        "plan": plan,
        "person": person,
        "assessment": assessment,
        "days": days,
        "needs": [labels.NEEDS.get(n, str(n)) for n in found.needs],
        "flag": labels.FLAGS.get(found.flag_reason, (found.flag_reason, ""))[0],
        "decidable": found.state == "submitted",
        "decided": found.state in ("approved", "refused"),
        "decided_on": _decided_on(found),
        "checklist": view.checklist,
        "staff_names": staff.names(session, [found.assessed_by, found.decided_by]),
        "labels": labels,
    }


def _show(
    request: Request,
    session: Session,
    actor: Actor,
    found: EarlyReleaseRequest,
    *,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    context = _decision_context(session, actor, found)
    context.update(errors=errors or Errors(), values=values or {})
    return render(request, "staff/decision.html", context, status=status)


DECIDED_PER_PAGE = 25


@router.get("/early-release/decided", response_class=HTMLResponse)
def decided_requests(request: Request, actor: PageGovernor, session: SessionDep) -> Response:
    """The prison's decided requests, the latest first: what was decided, when, why and by whom."""
    page_text = request.query_params.get("page", "1")
    page = min(int(page_text), MAX_ID // DECIDED_PER_PAGE) if page_text.isdigit() else 1
    page = max(page, 1)
    requests, total = early_release.decided(
        session,
        actor.prison_code,
        limit=DECIDED_PER_PAGE,
        offset=(page - 1) * DECIDED_PER_PAGE,
    )
    people = _people(session, requests)
    audit.record_reads(
        session=session,
        actor=actor,
        action="list",
        object_type="early_release_request",
        object_ids=[r.id for r in requests],
    )
    pages = max(1, -(-total // DECIDED_PER_PAGE))
    first = (page - 1) * DECIDED_PER_PAGE + 1
    return render(
        request,
        "staff/decided.html",
        {
            "rows": [
                {"request": r, "person": people.get(r.plan_id), "decided_on": _decided_on(r)}
                for r in requests
            ],
            "prison": PRISON_NAMES.get(actor.prison_code or "", actor.prison_code),
            "staff_names": staff.names(session, [r.decided_by for r in requests]),
            "pagination": {
                "items": [
                    {
                        "number": n,
                        "href": f"/staff/early-release/decided?page={n}",
                        "current": n == page,
                    }
                    for n in range(1, pages + 1)
                ],
                "previous": {"href": f"/staff/early-release/decided?page={page - 1}"}
                if page > 1
                else None,
                "next": {"href": f"/staff/early-release/decided?page={page + 1}"}
                if page < pages
                else None,
                "results": {
                    "from": first if requests else 0,
                    "to": first + len(requests) - 1 if requests else 0,
                    "count": total,
                    "text": "decisions",
                },
                "landmarkLabel": "Pages of decided requests",
            },
            "labels": labels,
        },
    )


def _decided_on(found: EarlyReleaseRequest) -> str:
    return labels.when(found.decided_at) if found.decided_at else "Not recorded"


@router.get("/early-release/{request_id}/plan", response_class=HTMLResponse)
def plan_behind_request(
    request_id: str, request: Request, actor: PageGovernor, session: SessionDep
) -> Response:
    """The whole plan the request is about, to read: only the probation officer changes it.
    Reading it is audited as any plan read is (plans.get_plan)."""
    found = _governors(session, actor, request_id)
    view = plans.get_plan(session=session, actor=actor, plan_id=found.plan_id)
    return render(
        request,
        "staff/governor_plan.html",
        {
            "early": found,
            "view": view,
            "plan": view.plan,
            "person": view.person,
            "appointments": [(a, labels.when(a.starts_at)) for a in view.appointments],
            "accountable": staff.accountable(session, view.plan, view.person),
            "goal_authors": goal_authors.written(session, view.goals, view.person),
            "labels": labels,
        },
    )


@router.get("/early-release/{request_id}", response_class=HTMLResponse)
def decision_page(
    request_id: str, request: Request, actor: PageGovernor, session: SessionDep
) -> Response:
    found = _governors(session, actor, request_id)
    audit.record_reads(
        session=session,
        actor=actor,
        action="read",
        object_type="early_release_request",
        object_ids=[found.id],
    )
    return _show(request, session, actor, found)


def _answers(form: forms.Submitted) -> tuple[Errors, str | None, date | None, str]:
    """The decision as posted, with what is missing from it before anything is checked."""
    errors = Errors()
    decision = forms.text(form, "decision")
    reasons = forms.text(form, "reasons") or ""
    release_date: date | None = None
    if decision not in ("approve", "refuse"):
        errors.add("Select whether you approve or refuse the early release.", "decision")
    elif decision == "approve":
        chosen = forms.text(form, "release_date")
        try:
            release_date = date.fromisoformat(chosen) if chosen else None
        except ValueError:
            release_date = None
        if release_date is None:
            errors.add("Select the new release date.", "release-date")
    if len(reasons) > 4000:
        errors.add("Reasons must be 4,000 characters or fewer.", "reasons")
    return errors, decision, release_date, reasons


@router.post("/early-release/{request_id}", response_class=HTMLResponse)
def decide(
    request_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageGovernor,
    session: SessionDep,
) -> Response:
    """Three steps on one address: the answers are checked and shown back (check your
    answers); "change" returns to the form with them; "confirm" records the decision."""
    found = _governors(session, actor, request_id)
    step = forms.text(form, "step")
    if step == "change":
        return _show(request, session, actor, found, values=forms.kept(form))
    errors, decision, release_date, reasons = _answers(form)
    if errors:
        return _show(
            request, session, actor, found, errors=errors, values=forms.kept(form), status=422
        )
    plan = get_or_404(session, ReleasePlan, found.plan_id, "plan")
    person = get_or_404(session, Person, plan.person_id, "person")
    assessment = plans.assessment_for(plan, person)
    approve = decision == "approve"
    try:
        if assessment is None:
            raise TransitionNotAllowed("The plan has no release date to decide against.")
        if step != "confirm":
            early_release.check_decision(
                found,
                expected_version=forms.version(form),
                approve=approve,
                release_date=release_date,
                reasons=reasons,
                assessment=assessment,
            )
            return render(
                request,
                "staff/decision_check.html",
                {
                    "early": found,
                    "person": person,
                    "approve": approve,
                    "release_date": release_date,
                    "reasons": reasons,
                    "labels": labels,
                },
            )
        early_release.decide(
            session=session,
            actor=actor,
            request_id=found.id or 0,
            expected_version=forms.version(form),
            approve=approve,
            release_date=release_date,
            reasons=reasons,
            assessment=assessment,
        )
        return RedirectResponse("/staff/early-release?done=decided", status_code=303)
    except DomainError as error:
        field = "release-date" if approve else "reasons"
        errors = forms.from_domain(error, default_field=field, stale=forms.STALE_REQUEST)
        status = status_for(error)
    session.refresh(found)
    return _show(
        request, session, actor, found, errors=errors, values=forms.kept(form), status=status
    )
