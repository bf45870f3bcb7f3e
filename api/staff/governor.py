"""The governor's pages: the early-release queue for their prison and the decision on each."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from api.deps import SessionDep, governors_request
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import PRISON_NAMES, CheckedForm, PageGovernor, not_found
from api.staff.officer import plan_id_from, status_for
from api.staff.rendering import render
from resettlement import audit, clock, early_release, plans
from resettlement.actors import Actor
from resettlement.errors import DomainError, NotFound, TransitionNotAllowed
from resettlement.models import EarlyReleaseRequest, Person, ReleasePlan
from resettlement.transactions import get_or_404
from rules.release_dates import ReleaseAssessment, is_in_window

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
    return render(
        request,
        "staff/queue.html",
        {
            "rows": rows,
            "prison": PRISON_NAMES.get(actor.prison_code or "", actor.prison_code),
            "banner": "Your decision has been recorded." if done == "decided" else None,
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
        "checklist": view.checklist,
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


@router.post("/early-release/{request_id}", response_class=HTMLResponse)
def decide(
    request_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageGovernor,
    session: SessionDep,
) -> Response:
    found = _governors(session, actor, request_id)
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
    if not errors:
        plan = get_or_404(session, ReleasePlan, found.plan_id, "plan")
        person = get_or_404(session, Person, plan.person_id, "person")
        assessment = plans.assessment_for(plan, person)
        try:
            if assessment is None:
                raise TransitionNotAllowed("The plan has no release date to decide against.")
            early_release.decide(
                session=session,
                actor=actor,
                request_id=found.id or 0,
                expected_version=forms.version(form),
                approve=decision == "approve",
                release_date=release_date,
                reasons=reasons,
                assessment=assessment,
            )
            return RedirectResponse("/staff/early-release?done=decided", status_code=303)
        except DomainError as error:
            field = "release-date" if decision == "approve" else "reasons"
            errors = forms.from_domain(error, default_field=field, stale=forms.STALE_REQUEST)
            status = status_for(error)
        session.refresh(found)
    else:
        status = 422
    return _show(
        request, session, actor, found, errors=errors, values=forms.kept(form), status=status
    )
