"""The probation officer's plan page, with a form for each change (the caseload is in caseload.py).

Each form posts back with its CSRF token and the version of the record it was rendered from;
a change goes through the service that owns it, then the browser is redirected (303) to the
plan page. When a service refuses, the page is shown again with a GOV.UK error summary that
says what is missing, in the service's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, select

from api.deps import MAX_ID, SessionDep, officers_plan
from api.pages.formatting import phone_text
from api.staff import forms, goal_authors, labels, timeline
from api.staff.first_days_view import first_days_summary
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, PageOfficer, not_found
from api.staff.rendering import render
from resettlement import (
    audit,
    checklists,
    early_release,
    forty_eight_hours,
    leaver_access,
    notifications,
    person_mobile,
    plan_checks,
    plans,
    staff,
)
from resettlement.actors import Actor
from resettlement.config import get_settings
from resettlement.errors import DomainError, InvalidInput, NotFound, WarningsNotAccepted
from resettlement.goals import GoalEntry
from resettlement.lifecycle import EVENT_LABELS, allowed_events, unmet_conditions
from resettlement.models import (
    OPEN_STATES,
    AppointmentCreate,
    CancelReason,
    ChecklistItem,
    ChecklistStatus,
    EarlyReleaseRequest,
    GoalArea,
    PublishedPlan,
    ReleasePlan,
    RequestState,
    ResettlementNeed,
    SupportContactCreate,
)
from resettlement.partners import nearby
from resettlement.privacy import consents
from rules.entered_dates import INCOMPLETE

router = APIRouter(prefix="/staff", include_in_schema=False)

# What the plan page says after a change went through; keys travel in the redirect's query.
DONE = {
    "opened": "The plan has been opened. Its checklist is ready, with due dates from the "
    "release date.",
    "transition": "The plan has moved on to its next stage.",
    "released": "The release has been recorded. Record the 48-hour follow-up after two days.",
    "cancelled": "The plan has been cancelled. It is kept as a record and can no longer be "
    "changed.",
    "checklist": "The checklist item has been updated.",
    "goals": "Their goals have been saved.",
    "night-one": "Night one has been saved.",
    "appointment": "The appointment has been added.",
    "appointment-changed": "The appointment has been changed. Publish the 48-hour plan again so "
    "the person sees it.",
    "appointment-removed": "The appointment has been removed. Publish the 48-hour plan again so "
    "the person no longer sees it.",
    "contact": "The contact has been added.",
    "contact-changed": "The contact has been changed. Publish the 48-hour plan again so the "
    "person sees it.",
    "contact-removed": "The contact has been removed. Publish the 48-hour plan again so the "
    "person no longer sees it.",
    "release-date": "The release date has been changed and the release-date rules run again.",
    "unchanged": "Nothing was changed: what you saved was the same as before.",
    "published": "The 48-hour plan has been published. The person can now see it.",
    "published-no-link": "The 48-hour plan has been published. The person has no working "
    "sign-in link yet: issue one so they can see it.",
    "link-stopped": "The person's sign-in link has been stopped. It no longer opens the plan.",
    "link-texted": "A new sign-in link has been sent to the person by text message. Their "
    "older link no longer works.",
    "mobile-recorded": "Their mobile number has been recorded, with their agreement.",
    "mobile-removed": "Their mobile number has been removed: they no longer agree to texts.",
    "assessed": "Your assessment of the release day has been saved.",
    "submitted": "Your assessment has been submitted to the governor.",
    "follow-up": "The 48-hour follow-up has been recorded and the plan is complete.",
    "first-days": "Their answers about their first days have been recorded.",
}
# The plan page's parts, as the MoJ sub-navigation lists them.
TABS = {
    "overview": ("Overview", ""),
    "checklist": ("Checklist", "/checklist"),
    "forty_eight_hours": ("48-hour plan", "/48-hour-plan"),
    "release_day": ("Early release", "/release-day"),
    "history": ("History", "/history"),
    "messages": ("Messages", "/messages"),
}
STAGE_BADGES = {
    "sentence_planning": "moj-badge--grey",
    "resettlement_planning": "moj-badge--blue",
    "pre_release": "moj-badge--purple",
    "released": "moj-badge--green",
    "completed": "moj-badge--green",
    "cancelled": "moj-badge--red",
}
CLOSED = ("completed", "cancelled")
GOAL_ROWS_SPARE = 2
MAX_GOALS = 20


def status_for(error: DomainError) -> int:
    return 422 if isinstance(error, InvalidInput | WarningsNotAccepted) else 409


def plan_id_from(text: str) -> int:
    """Path ids as text: a page answers nonsense with its 404 page, not a JSON problem."""
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise not_found()
    return int(text)


def own_plan(session: Session, actor: Actor, plan_id: str) -> ReleasePlan:
    """The officer's own plan; anyone else's is the same 404 as a plan that does not exist."""
    try:
        return officers_plan(plan_id_from(plan_id), actor, session)
    except NotFound:
        raise not_found() from None


def changed_or(plan: ReleasePlan, form: Any, done: str) -> str:
    """A service that found nothing to change leaves the plan's version as the form had it:
    the page then says so, instead of "saved"."""
    return "unchanged" if plan.version == forms.version(form) else done


def _see_plan(plan_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/staff/plans/{plan_id}?done={done}", status_code=303)


# --- the plan page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    event: str
    label: str
    unmet: list[str]


def latest_request(requests: list[EarlyReleaseRequest]) -> EarlyReleaseRequest | None:
    live = [r for r in requests if r.state != RequestState.WITHDRAWN.value]
    return live[-1] if live else None


def _latest_published(session: Session, plan_id: int) -> PublishedPlan | None:
    try:
        return forty_eight_hours.latest_published(session, plan_id)
    except NotFound:
        return None


def show_plan(
    request: Request,
    session: Session,
    actor: Actor,
    plan_id: int,
    *,
    errors: Errors | None = None,
    status: int = 200,
    tab: str = "overview",
) -> Response:
    view = plans.get_plan(session=session, actor=actor, plan_id=plan_id)
    facts = plans.facts_for(session, view.plan)
    events = allowed_events(view.plan.state)
    steps = [
        Step(e, EVENT_LABELS[e], [u.message for u in unmet_conditions(e, facts)])
        for e in events
        if e not in ("cancel", "complete")
    ]
    done = request.query_params.get("done")
    four_eight = forty_eight_hours.snapshot(session, view.plan)
    shown_request = latest_request(view.requests)
    history: list[timeline.Entry] = []
    if tab == "history":
        recorded = plans.plan_history(session=session, actor=actor, plan_id=plan_id)
        history = timeline.entries(
            recorded,
            {item.key: item.title for item in view.checklist},
            person=goal_authors.person_name(view.person),
            names=staff.names(session, timeline.staff_ids(recorded)),
        )
    # Checks are about publishing, which only an open plan can do.
    found = (
        plan_checks.findings(session, view.plan)
        if view.plan.state in {s.value for s in OPEN_STATES}
        else []
    )
    # Every tab warns of messages about the plan that will not arrive; the Messages tab lists
    # them all with where each is on its way.
    failed_messages = notifications.count_failed(session, plan_id=plan_id)
    plan_messages: list[notifications.Notification] = []
    if tab == "messages":
        plan_messages = notifications.list_notifications(session, plan_id=plan_id, limit=100)
        audit.record_reads(
            session=session,
            actor=actor,
            action="read",
            object_type="notification",
            object_ids=[m.id for m in plan_messages],
        )
    context: dict[str, Any] = {
        "failed_messages": failed_messages,
        "plan_messages": plan_messages,
        "message_states": labels.MESSAGE_STATES,
        "message_recipients": labels.MESSAGE_RECIPIENTS,
        "view": view,
        "plan": view.plan,
        "person": view.person,
        "goal_authors": goal_authors.written(session, view.goals, view.person),
        "tab": tab,
        "tab_titles": {key: title for key, (title, _) in TABS.items()},
        "tab_paths": {key: path for key, (_, path) in TABS.items()},
        "stage_badge": STAGE_BADGES.get(view.plan.state, "moj-badge--grey"),
        # A closed plan is a record: the page offers no change at all.
        "editable": view.plan.state not in CLOSED,
        "steps": steps,
        "can_cancel": "cancel" in events,
        "cancel_reasons": labels.CANCEL_REASONS,
        "followup_questions": FOLLOWUP_QUESTIONS,
        "first_days": first_days_summary(session, view.plan),
        "four_eight": four_eight,
        "appointments": [
            {**a, "when": labels.when(datetime.fromisoformat(a["starts_at"]))}
            for a in four_eight["appointments"]
        ],
        "published": _latest_published(session, plan_id),
        "access": leaver_access.link_status(session, plan_id),
        "mobile": person_mobile.mobile_of(view.person),
        "live_consents": consents.live_consents(session, view.person.id or 0),
        "texts_available": notifications.texts_available(get_settings()),
        "history": history,
        "who_is_open": nearby.who_is_open(session, view.plan, view.person)
        if tab in ("overview", "forty_eight_hours")
        else None,
        "need_names": labels.SERVICE_NEEDS,
        "release_assessment": plans.assessment_for(view.plan, view.person),
        "blocking": plan_checks.blocking(found),
        "warnings": plan_checks.warnings(found),
        "accountable": staff.accountable(session, view.plan, view.person),
        "early_release": shown_request,
        "early_release_needs": ", ".join(
            labels.NEEDS.get(n, str(n)) for n in (shown_request.needs if shown_request else [])
        ),
        "errors": errors or Errors(),
        "banner": DONE.get(done or "") if errors is None else None,
        "labels": labels,
    }
    return render(request, "staff/plan.html", context, status=status)


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(plan_id: str, request: Request, actor: PageOfficer, session: SessionDep) -> Response:
    plan = own_plan(session, actor, plan_id)
    return show_plan(request, session, actor, _id(plan))


def _tab_route(tab: str) -> None:
    path = TABS[tab][1]

    def page(plan_id: str, request: Request, actor: PageOfficer, session: SessionDep) -> Response:
        plan = own_plan(session, actor, plan_id)
        return show_plan(request, session, actor, _id(plan), tab=tab)

    router.add_api_route(
        f"/plans/{{plan_id}}{path}",
        page,
        methods=["GET"],
        response_class=HTMLResponse,
        name=f"plan_{tab}",
    )


for _tab in TABS:
    if _tab != "overview":
        _tab_route(_tab)


def _confirm(
    request: Request,
    session: Session,
    actor: Actor,
    plan: ReleasePlan,
    context: dict[str, Any],
) -> Response:
    """The check page before a step that cannot be undone."""
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    full = {
        "plan": view.plan,
        "person": view.person,
        # Carried through unchanged: a change made by someone else while this page was open
        # still makes the confirmed step stale.
        "version": view.plan.version,
        "rows": [],
        "lines": [],
        "warning": None,
        "fields": {},
        "back_href": f"/staff/plans/{_id(plan)}",
        "errors": Errors(),
        **context,
    }
    return render(request, "staff/confirm.html", full)


def _confirmed(form: Any) -> bool:
    return forms.text(form, "confirmed") == "yes"


@router.post("/plans/{plan_id}/transition", response_class=HTMLResponse)
def move_on(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    event = forms.text(form, "event") or ""
    errors = Errors()
    cancel_reason: CancelReason | None = None
    if event not in EVENT_LABELS:
        errors.add("Choose a step to take.", "steps")
    elif event == "cancel":
        try:
            cancel_reason = CancelReason(forms.text(form, "cancel_reason") or "")
        except ValueError:
            errors.add("Select why the plan is cancelled.", "cancel-reason")
    if not errors and event in ("cancel", "release") and not _confirmed(form):
        # The cancel reason was checked above; the release's conditions are checked here so
        # the officer is told what is missing before, not after, the check page.
        unmet = (
            unmet_conditions(event, plans.facts_for(session, plan)) if event == "release" else []
        )
        if unmet:
            for condition in unmet:
                errors.add(condition.message, "steps")
            return show_plan(request, session, actor, _id(plan), errors=errors, status=409)
        return _confirm_step(request, session, actor, plan, event, form, cancel_reason)
    if not errors:
        try:
            plans.transition(
                session=session,
                actor=actor,
                plan_id=_id(plan),
                event=event,
                expected_version=forms.version(form),
                reason=forms.text(form, "reason"),
                cancel_reason=cancel_reason,
            )
            done = {"cancel": "cancelled", "release": "released"}.get(event, "transition")
            return _see_plan(_id(plan), done)
        except DomainError as error:
            errors = forms.from_domain(error, default_field="steps")
            return show_plan(
                request, session, actor, _id(plan), errors=errors, status=status_for(error)
            )
    return show_plan(request, session, actor, _id(plan), errors=errors, status=422)


def _confirm_step(
    request: Request,
    session: Session,
    actor: Actor,
    plan: ReleasePlan,
    event: str,
    form: Any,
    cancel_reason: CancelReason | None,
) -> Response:
    if event == "cancel":
        note = forms.text(form, "reason")
        return _confirm(
            request,
            session,
            actor,
            plan,
            {
                "heading": "Cancel the plan",
                "rows": [
                    {
                        "key": {"text": "Why"},
                        "value": {
                            "text": labels.CANCEL_REASONS[cancel_reason] if cancel_reason else ""
                        },
                    },
                    {"key": {"text": "Anything to add"}, "value": {"text": note or "Nothing"}},
                ],
                "warning": "A cancelled plan cannot be reopened. Any early-release request is "
                "withdrawn and the person's sign-in link stops opening the plan.",
                "action": f"/staff/plans/{_id(plan)}/transition",
                "version": forms.version(form),
                "fields": {
                    "event": "cancel",
                    "cancel_reason": str(cancel_reason),
                    "reason": note or "",
                },
                "button": "Yes, cancel the plan",
                "button_classes": "govuk-button--warning",
            },
        )
    return _confirm(
        request,
        session,
        actor,
        plan,
        {
            "heading": "Record the release",
            "rows": [
                {
                    "key": {"text": "Walked out on"},
                    "value": {"text": labels.day(plan.walk_out_date)},
                }
            ],
            "warning": "Record the release only once the person has left prison. The 48-hour "
            "follow-up is due two days later.",
            "action": f"/staff/plans/{_id(plan)}/transition",
            "version": forms.version(form),
            "fields": {"event": "release"},
            "button": "Yes, record the release",
        },
    )


@router.post("/plans/{plan_id}/publish", response_class=HTMLResponse)
def publish(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    reason = forms.text(form, "accept_warnings_reason")
    if not _confirmed(form):
        return _check_publish(request, session, actor, plan, forms.version(form), reason)
    try:
        forty_eight_hours.publish(
            session=session,
            actor=actor,
            plan_id=_id(plan),
            expected_version=forms.version(form),
            accept_warnings_reason=reason,
        )
    except WarningsNotAccepted as error:
        errors = Errors()
        errors.add(
            "Say why the plan can be published with these warnings, or fix them first.",
            "accept-warnings-reason",
        )
        return show_plan(
            request, session, actor, _id(plan), errors=errors, status=status_for(error)
        )
    except DomainError as error:
        errors = forms.from_domain(error, default_field="publish")
        return show_plan(
            request, session, actor, _id(plan), errors=errors, status=status_for(error)
        )
    working = leaver_access.link_status(session, _id(plan)).working
    return _see_plan(_id(plan), "published" if working else "published-no-link")


def _check_publish(
    request: Request,
    session: Session,
    actor: Actor,
    plan: ReleasePlan,
    version: int,
    reason: str | None,
) -> Response:
    """What the person will see, before it is published to them. The publish service's own
    conditions and plan checks come first, so a plan that cannot be published never reaches
    the check page; a reason for accepting warnings is carried through it."""
    missing = forty_eight_hours.publish_unmet(plan)
    found = plan_checks.findings(session, plan)
    errors = Errors()
    for condition in missing:
        errors.add(condition.message, "publish")
    for finding in plan_checks.blocking(found):
        errors.add(finding.message, "publish")
    if errors:
        return show_plan(request, session, actor, _id(plan), errors=errors, status=409)
    warned = plan_checks.warnings(found)
    if warned and not reason:
        errors.add(
            "Say why the plan can be published with these warnings, or fix them first.",
            "accept-warnings-reason",
        )
        return show_plan(request, session, actor, _id(plan), errors=errors, status=422)
    four_eight = forty_eight_hours.snapshot(session, plan)
    working = leaver_access.link_status(session, _id(plan)).working
    appointments = [
        f"{labels.APPOINTMENT_KINDS.get(a['kind'], a['kind'])}: "
        f"{labels.when(datetime.fromisoformat(a['starts_at']))}, {a['location']}"
        for a in four_eight["appointments"]
    ]
    return _confirm(
        request,
        session,
        actor,
        plan,
        {
            "heading": "Publish the 48-hour plan",
            "rows": [
                {
                    "key": {"text": "Walk-out date"},
                    "value": {"text": labels.day(plan.walk_out_date)},
                },
                {
                    "key": {"text": "Where they will sleep"},
                    "value": {"text": plan.accommodation_address or ""},
                },
                {
                    "key": {"text": "Appointments"},
                    "value": {"text": "; ".join(appointments) or "None"},
                },
                {
                    "key": {"text": "Contacts"},
                    "value": {
                        "text": "; ".join(
                            f"{c['name']} {phone_text(c['phone'])}" for c in four_eight["contacts"]
                        )
                        or "None"
                    },
                },
            ]
            + (
                [
                    {
                        "key": {"text": "Warnings accepted because"},
                        "value": {"text": reason or ""},
                    }
                ]
                if warned
                else []
            ),
            "lines": [
                "The person will see this version when they next open their plan."
                if working
                else "The person has no working sign-in link: after publishing, issue one so "
                "they can see it."
            ],
            "warning": "Once published, the person may already have read this version.",
            "action": f"/staff/plans/{_id(plan)}/publish",
            "version": version,
            "fields": {"accept_warnings_reason": reason} if warned and reason else {},
            "button": "Yes, publish it",
        },
    )


# --- one form per page --------------------------------------------------------------------


def _form_page(
    request: Request,
    template: str,
    plan: ReleasePlan,
    context: dict[str, Any],
    *,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        template,
        {
            "plan": plan,
            "errors": errors or Errors(),
            "values": values or {},
            "labels": labels,
            **context,
        },
        status=status,
    )


def _item(session: Session, plan: ReleasePlan, key: str) -> ChecklistItem:
    item = session.exec(
        select(ChecklistItem).where(ChecklistItem.plan_id == plan.id, ChecklistItem.key == key)
    ).first()
    if item is None:
        raise not_found()
    return item


def _refreshed(session: Session, plan: ReleasePlan) -> ReleasePlan:
    """After a refused change the form shows the plan as it now stands, new version included."""
    session.refresh(plan)
    return plan


@router.get("/plans/{plan_id}/checklist/{key}", response_class=HTMLResponse)
def checklist_item_page(
    plan_id: str, key: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    item = _item(session, view.plan, key)
    values = {"status": item.status, "reason": item.reason or "", "note": item.note or ""}
    return _form_page(
        request, "staff/checklist_item.html", view.plan, {"item": item}, values=values
    )


@router.post("/plans/{plan_id}/checklist/{key}", response_class=HTMLResponse)
def update_checklist_item(
    plan_id: str,
    key: str,
    request: Request,
    form: CheckedForm,
    actor: PageOfficer,
    session: SessionDep,
) -> Response:
    plan = own_plan(session, actor, plan_id)
    item = _item(session, plan, key)
    errors = Errors()
    try:
        status = ChecklistStatus(forms.text(form, "status") or "")
    except ValueError:
        errors.add("Select the item's status.", "status")
    if not errors:
        try:
            checklists.update_item(
                session=session,
                actor=actor,
                plan_id=_id(plan),
                key=key,
                expected_version=forms.version(form),
                status=status,
                reason=forms.text(form, "reason"),
                note=(forms.text(form, "note") or ""),
            )
            return _see_plan(_id(plan), changed_or(plan, form, "checklist"))
        except DomainError as error:
            errors = forms.from_domain(error, default_field="status")
    return _form_page(
        request,
        "staff/checklist_item.html",
        _refreshed(session, plan),
        {"item": _item(session, plan, key) if errors.stale else item},
        errors=errors,
        values=forms.kept(form),
        status=409 if errors.stale else 422,
    )


@router.get("/plans/{plan_id}/goals", response_class=HTMLResponse)
def goals_page(plan_id: str, request: Request, actor: PageOfficer, session: SessionDep) -> Response:
    plan = own_plan(session, actor, plan_id)
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    authors = goal_authors.written(session, view.goals, view.person)
    rows = [
        {"id": str(g.id), "area": g.area, "words": g.in_their_words, "by": authors[g.id or 0].by}
        for g in view.goals
    ]
    rows += [{"id": "", "area": "", "words": "", "by": ""}] * GOAL_ROWS_SPARE
    return _form_page(
        request, "staff/goals.html", view.plan, {"rows": rows, "areas": labels.GOAL_AREAS}
    )


@router.post("/plans/{plan_id}/goals", response_class=HTMLResponse)
def save_goals(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    errors = Errors()
    goals: list[GoalEntry] = []
    rows: list[dict[str, str]] = []
    for index in range(MAX_GOALS):
        area = forms.text(form, f"goal-{index}-area")
        words = forms.text(form, f"goal-{index}-words")
        if f"goal-{index}-area" not in form and f"goal-{index}-words" not in form:
            break
        # The goal the row shows, so it keeps who wrote it (resettlement/goals.py).
        kept = forms.text(form, f"goal-{index}-id") or ""
        goal_id = int(kept) if kept.isdigit() and int(kept) <= 2**31 - 1 else None
        rows.append({"id": kept, "area": area or "", "words": words or "", "by": ""})
        if not area and not words:
            continue
        if not words:
            errors.add("Write the goal in their own words.", f"goal-{index}-words")
            continue
        try:
            goals.append(GoalEntry(id=goal_id, area=GoalArea(area or ""), in_their_words=words))
        except (ValueError, ValidationError):
            errors.add("Select what the goal is about.", f"goal-{index}-area")
    if not errors:
        try:
            plans.replace_goals(
                session=session,
                actor=actor,
                plan_id=_id(plan),
                expected_version=forms.version(form),
                goals=goals,
            )
            return _see_plan(_id(plan), changed_or(plan, form, "goals"))
        except DomainError as error:
            errors = forms.from_domain(error, default_field="goal-0-words")
    return _form_page(
        request,
        "staff/goals.html",
        _refreshed(session, plan),
        {"rows": rows, "areas": labels.GOAL_AREAS},
        errors=errors,
        status=409 if errors.stale else 422,
    )


NIGHT_ONE_LABELS = {
    "accommodation_address": "the address where they will sleep on the first night",
    "accommodation_contact": "who to ask for",
    "accommodation_from": "when they can arrive",
    "travel_arrangements": "how they will get there",
}


@router.get("/plans/{plan_id}/night-one", response_class=HTMLResponse)
def night_one_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    values = {name: getattr(view.plan, name) or "" for name in NIGHT_ONE_LABELS}
    return _form_page(request, "staff/night_one.html", view.plan, {}, values=values)


@router.post("/plans/{plan_id}/night-one", response_class=HTMLResponse)
def save_night_one(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    try:
        data = plans.NightOne(**{name: forms.text(form, name) for name in NIGHT_ONE_LABELS})
        saved = plans.set_night_one(
            session=session,
            actor=actor,
            plan_id=_id(plan),
            expected_version=forms.version(form),
            data=data,
        )
        return _see_plan(_id(plan), changed_or(saved, form, "night-one"))
    except ValidationError as invalid:
        errors = forms.from_validation(invalid, NIGHT_ONE_LABELS)
    except DomainError as error:
        errors = forms.from_domain(error, default_field="accommodation-address")
    return _form_page(
        request,
        "staff/night_one.html",
        _refreshed(session, plan),
        {},
        errors=errors,
        values=forms.kept(form),
        status=409 if errors.stale else 422,
    )


# The outcomes prison and probation share, asked as the officer would ask them.
FOLLOWUP_QUESTIONS = {
    "first_appointment_attended": "Did they go to their first probation appointment?",
    "night_in_planned_accommodation": "Did they spend the first night in the planned place?",
    "gp_registered": "Are they registered with a GP?",
    "universal_credit_claim_made": "Have they made a Universal Credit claim?",
    "id_in_hand": "Do they have ID?",
    "bank_account_in_hand": "Do they have a bank account?",
}


def _followup_field(name: str) -> str:
    return name.replace("_", "-")


@router.get("/plans/{plan_id}/follow-up", response_class=HTMLResponse)
def followup_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    return _form_page(request, "staff/follow_up.html", view.plan, {"questions": FOLLOWUP_QUESTIONS})


@router.post("/plans/{plan_id}/follow-up", response_class=HTMLResponse)
def record_followup(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    errors = Errors()
    answers: dict[str, bool] = {}
    for name, question in FOLLOWUP_QUESTIONS.items():
        answer = forms.text(form, name)
        if answer in ("yes", "no"):
            answers[name] = answer == "yes"
        else:
            errors.add(f"Answer: {question}", _followup_field(name))
    if not errors and not _confirmed(form):
        return _confirm(
            request,
            session,
            actor,
            plan,
            {
                "heading": "Check the 48-hour follow-up",
                "rows": [
                    {
                        "key": {"text": question},
                        "value": {"text": "Yes" if answers[name] else "No"},
                        "actions": {
                            "items": [
                                {
                                    "href": f"/staff/plans/{_id(plan)}/follow-up",
                                    "text": "Change",
                                    "visuallyHiddenText": question,
                                }
                            ]
                        },
                    }
                    for name, question in FOLLOWUP_QUESTIONS.items()
                ],
                "warning": "Recording the follow-up completes the plan: it can no longer be "
                "changed.",
                "action": f"/staff/plans/{_id(plan)}/follow-up",
                "version": forms.version(form),
                "fields": {name: "yes" if value else "no" for name, value in answers.items()},
                "button": "Record the follow-up and complete the plan",
                "back_href": f"/staff/plans/{_id(plan)}/follow-up",
            },
        )
    if not errors:
        try:
            plans.record_followup(
                session=session,
                actor=actor,
                plan_id=_id(plan),
                expected_version=forms.version(form),
                data=plans.FollowUp(**answers),
            )
            return _see_plan(_id(plan), "follow-up")
        except DomainError as error:
            errors = forms.from_domain(
                error, default_field=_followup_field(next(iter(FOLLOWUP_QUESTIONS)))
            )
    return _form_page(
        request,
        "staff/follow_up.html",
        _refreshed(session, plan),
        {"questions": FOLLOWUP_QUESTIONS},
        errors=errors,
        values=forms.kept(form),
        status=409 if errors.stale else 422,
    )


APPOINTMENT_LABELS = {
    "kind": "who the appointment is with",
    "starts_at": "the date and time",
    "location": "where it is",
    "with_whom": "who they will see",
    "what_to_bring": "what to bring",
}
APPOINTMENT_FIELDS = {"starts_at": "date-day", "with_whom": "with-whom"}


def read_appointment(form: Any) -> tuple[AppointmentCreate | None, Errors]:
    """An appointment from its form, or what is wrong with it, field by field."""
    errors = Errors()
    data: AppointmentCreate | None = None
    on, wrong_date = forms.day_or_problem(form, "date")
    starts = forms.london_time(on, forms.text(form, "time")) if on else None
    if on is None:
        if wrong_date == INCOMPLETE:
            wrong_date = "Enter the date of the appointment, for example 18 12 2026."
        errors.add(wrong_date or "", "date-day")
    elif starts is None:
        errors.add("Enter the time of the appointment, for example 10:00 or 14:30.", "time")
    try:
        data = AppointmentCreate.model_validate(
            {
                "kind": forms.text(form, "kind"),
                "starts_at": starts,
                "location": forms.text(form, "location"),
                "with_whom": forms.text(form, "with_whom"),
                "what_to_bring": forms.text(form, "what_to_bring"),
            }
        )
    except ValidationError as invalid:
        found = forms.from_validation(invalid, APPOINTMENT_LABELS, APPOINTMENT_FIELDS)
        for message, field_id in found.items:
            # A date or time that could not be read is already reported above.
            if field_id != "date-day" or starts is not None:
                errors.add(message, field_id)
    return data, errors


@router.get("/plans/{plan_id}/appointments/new", response_class=HTMLResponse)
def appointment_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    return _form_page(request, "staff/appointment.html", plan, {"kinds": labels.APPOINTMENT_KINDS})


@router.post("/plans/{plan_id}/appointments/new", response_class=HTMLResponse)
def add_appointment(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    data, errors = read_appointment(form)
    if data is not None and not errors:
        try:
            forty_eight_hours.add_appointment(
                session=session,
                actor=actor,
                plan_id=_id(plan),
                expected_version=forms.version(form),
                data=data,
            )
            return _see_plan(_id(plan), "appointment")
        except DomainError as error:
            errors = forms.from_domain(error, default_field="kind")
    return _form_page(
        request,
        "staff/appointment.html",
        _refreshed(session, plan),
        {"kinds": labels.APPOINTMENT_KINDS},
        errors=errors,
        values=forms.kept(form),
        status=409 if errors.stale else 422,
    )


CONTACT_LABELS = {
    "kind": "what kind of contact this is",
    "name": "the name",
    "phone": "the phone number",
    "hours": "when they can call",
    "notes": "notes",
}


@router.get("/plans/{plan_id}/contacts/new", response_class=HTMLResponse)
def contact_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    return _form_page(request, "staff/contact.html", plan, {"kinds": labels.CONTACT_KINDS})


@router.post("/plans/{plan_id}/contacts/new", response_class=HTMLResponse)
def add_contact(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    try:
        data = SupportContactCreate.model_validate(
            {name: forms.text(form, name) for name in CONTACT_LABELS}
        )
        forty_eight_hours.add_contact(
            session=session,
            actor=actor,
            plan_id=_id(plan),
            expected_version=forms.version(form),
            data=data,
        )
        return _see_plan(_id(plan), "contact")
    except ValidationError as invalid:
        errors = forms.from_validation(invalid, CONTACT_LABELS)
    except DomainError as error:
        errors = forms.from_domain(error, default_field="kind")
    return _form_page(
        request,
        "staff/contact.html",
        _refreshed(session, plan),
        {"kinds": labels.CONTACT_KINDS},
        errors=errors,
        values=forms.kept(form),
        status=409 if errors.stale else 422,
    )


# --- the Friday or pre-bank-holiday release -----------------------------------------------


def _open_request(session: Session, plan: ReleasePlan) -> EarlyReleaseRequest:
    try:
        return early_release.open_request(session, _id(plan))
    except NotFound:
        raise not_found() from None


def _assessment_context(plan: ReleasePlan, request: EarlyReleaseRequest) -> dict[str, Any]:
    return {
        "early": request,
        "needs": labels.NEEDS,
        "flag": labels.FLAGS.get(request.flag_reason, (request.flag_reason, ""))[0],
    }


@router.get("/plans/{plan_id}/early-release", response_class=HTMLResponse)
def assessment_page(
    plan_id: str, request: Request, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    view = plans.get_plan(session=session, actor=actor, plan_id=_id(plan))
    found = _open_request(session, view.plan)
    values: dict[str, Any] = {
        "harms": "" if found.harms_resettlement is None else str(found.harms_resettlement).lower(),
        "needs": [str(n) for n in found.needs],
        "assessment": found.assessment or "",
    }
    return _form_page(
        request,
        "staff/early_release.html",
        view.plan,
        _assessment_context(view.plan, found),
        values=values,
    )


@router.post("/plans/{plan_id}/early-release", response_class=HTMLResponse)
def assess_release(
    plan_id: str, request: Request, form: CheckedForm, actor: PageOfficer, session: SessionDep
) -> Response:
    plan = own_plan(session, actor, plan_id)
    found = _open_request(session, plan)
    errors = Errors()
    harms = forms.text(form, "harms")
    needs: list[ResettlementNeed] = []
    for value in forms.values(form, "needs"):
        try:
            needs.append(ResettlementNeed(value))
        except ValueError:
            errors.add("Select the needs from the list.", "needs")
    if harms not in ("true", "false"):
        errors.add("Say whether a release on this day would harm their resettlement.", "harms")
    submit = forms.text(form, "submit") == "yes"
    if harms == "false" and submit:
        errors.add(
            "Only an assessment that finds harm goes to the governor. Untick 'submit'.",
            "submit",
        )
    if not errors:
        try:
            early_release.assess(
                session=session,
                actor=actor,
                request_id=_id(found),
                expected_version=forms.version(form),
                harms_resettlement=harms == "true",
                needs=needs,
                assessment=forms.text(form, "assessment"),
                submit_to_governor=submit,
            )
            return _see_plan(_id(plan), "submitted" if submit else "assessed")
        except DomainError as error:
            errors = forms.from_domain(error, default_field="needs", stale=forms.STALE_REQUEST)
    session.refresh(found)
    return _form_page(
        request,
        "staff/early_release.html",
        _refreshed(session, plan),
        _assessment_context(plan, found),
        errors=errors,
        values={**forms.kept(form), "needs": forms.values(form, "needs")},
        status=409 if errors.stale else 422,
    )


def _id(record: ReleasePlan | EarlyReleaseRequest) -> int:
    assert record.id is not None
    return record.id
