"""The prison leaver's pages: confirm the link with a date of birth, then the 48-hour plan, its
calendar and a printable copy. Nothing of a plan is shown until the link and date of birth
match, and every later request checks the link again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from api.deps import SessionDep
from api.pages import goal_labels, leaver_session
from api.pages import plan_pdf as plan_pdf_module
from api.pages.formatting import date_text, phone_text, time_text, when_text
from api.pages.i18n import _, language_scope
from api.pages.qr import qr_data_uri
from api.pages.templating import PageProblem, choose_language, render
from resettlement import clock, goals, leaver_access, leaver_plan, local_map
from resettlement.calendar_export import plan_calendar
from resettlement.config import get_settings
from resettlement.errors import NotFound, VersionConflict
from resettlement.leaver_access import (
    LeaverLink,
    LinkLocked,
    LinkNotValid,
    SignedOut,
    WrongDateOfBirth,
)
from resettlement.licence_conditions import standard_conditions
from resettlement.models import Goal, PublishedPlan, ReleasePlan
from resettlement.partners import nearby, supporters
from resettlement.plan_changes import Change, ChangeKind, compare
from resettlement.privacy import consents
from resettlement.voice.answers import can_answer as first_days_asked
from rules import service_needs
from rules.entered_dates import DateNotValid, typed_date

router = APIRouter(include_in_schema=False)

PLAN_PATH = "/my-plan"


def _not_valid(request: Request, status: int = 404) -> PageProblem:
    return PageProblem(status, "leaver/link_not_valid.html")


def _locked(request: Request, until: Any, language: str | None = None) -> PageProblem:
    return PageProblem(
        429,
        "leaver/locked.html",
        {"until": until},
        language=language,
        headers={"Retry-After": "900"},
    )


def _link_language(request: Request, session: SessionDep, link: LeaverLink | None) -> str:
    """The sign-in page's language: the switch or its cookie, then the plan's own language
    (a Welsh speaker's link opens in Welsh), then English."""
    return choose_language(request, leaver_access.plan_language(session, link) if link else None)


# --- sign in -------------------------------------------------------------------------------


@router.get(leaver_access.LINK_PATH + "{secret}")
def sign_in(request: Request, secret: str, session: SessionDep) -> Response:
    try:
        link = leaver_access.find_link(session, secret)
    except LinkNotValid:
        raise _not_valid(request) from None
    language = _link_language(request, session, link)
    if link.locked_until is not None and link.locked_until > leaver_access.clock.now():
        raise _locked(request, link.locked_until, language)
    return _sign_in_form(request, {}, language=language)


def _sign_in_form(
    request: Request, context: dict[str, Any], *, language: str, status_code: int = 200
) -> Response:
    """The date-of-birth form, always with the browser's CSRF token."""
    token = leaver_session.form_token(request)
    context = {**context, "csrf_field": leaver_session.CSRF_FIELD, "csrf_token": token}
    response = render(
        request, "leaver/sign_in.html", context, language=language, status_code=status_code
    )
    leaver_session.keep_form_token(response, request, token)
    return response


def _date_of_birth(day: str, month: str, year: str) -> tuple[date | None, str | None, set[str]]:
    """The date, or a GOV.UK error message and the parts to highlight."""
    parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    missing = {name for name, value in parts.items() if not value}
    if len(missing) == 3:
        return None, _("Enter your date of birth"), {"day", "month", "year"}
    if missing:
        return None, _("Your date of birth must include a day, month and year"), missing
    try:
        found = typed_date(
            parts["day"], parts["month"], parts["year"], today=leaver_access.clock.today()
        )
    except DateNotValid:
        return None, _("Your date of birth must be a real date"), {"day", "month", "year"}
    if found.year < 1900 or found >= leaver_access.clock.today():
        return None, _("Your date of birth must be a real date"), {"day", "month", "year"}
    return found, None, set()


@router.post(leaver_access.LINK_PATH + "{secret}")
def confirm(
    request: Request,
    secret: str,
    session: SessionDep,
    # No length limits here: a limit would answer JSON, not this page; the date check refuses
    # anything longer than a day, month or year (and the body is limited anyway).
    day: Annotated[str, Form()] = "",
    month: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    try:
        language = _link_language(request, session, leaver_access.find_link(session, secret))
    except LinkNotValid:
        raise _not_valid(request) from None
    if not leaver_session.form_token_matches(request, csrf_token):
        # Posted from elsewhere, or the form is too old: no date is checked or counted.
        with language_scope(language):
            expired = _("This page has expired. Enter your date of birth again.")
        context: dict[str, Any] = {"error": expired, "error_fields": set()}
        return _sign_in_form(request, context, language=language, status_code=403)
    with language_scope(language):
        found, error, fields = _date_of_birth(day, month, year)
    values = {"day": day[:10], "month": month[:10], "year": year[:10]}
    if found is None:
        context = {"error": error, "error_fields": fields, "values": values}
        return _sign_in_form(request, context, language=language, status_code=422)
    try:
        link = leaver_access.confirm(
            session=session,
            secret=secret,
            date_of_birth=found,
            request_id=getattr(request.state, "request_id", None),
        )
    except LinkNotValid:
        raise _not_valid(request) from None
    except LinkLocked as exc:
        raise _locked(request, exc.until, language) from None
    except WrongDateOfBirth as exc:
        context = {"wrong": True, "attempts_left": exc.attempts_left, "values": values}
        return _sign_in_form(request, context, language=language, status_code=422)
    assert link.id is not None
    generation = leaver_access.session_generation(session, link)
    response = RedirectResponse(leaver_session.return_path(request) or PLAN_PATH, status_code=303)
    leaver_session.forget_return(response)
    leaver_session.start(response, request, link.id, secret, generation)
    return response


# --- the plan ------------------------------------------------------------------------------


def _sign_in_needed(request: Request) -> PageProblem:
    """The 'open your plan with your link' page. A page of the plan asked for by a link (the
    first-days questions in the release-day message) is remembered, so signing in goes on to
    it rather than to the plan's first page."""
    path = request.url.path
    headers = {}
    if request.method == "GET" and leaver_session.is_plan_page(path):
        headers["Set-Cookie"] = leaver_session.return_cookie(path)
    return PageProblem(401, "leaver/sign_in_needed.html", headers=headers)


def signed_in(request: Request, session: SessionDep) -> tuple[LeaverLink, str]:
    found = leaver_session.read(request)
    if found is None:
        raise _sign_in_needed(request)
    try:
        link = leaver_access.check_session_link(
            session, found.link_id, found.secret, found.generation
        )
    except SignedOut:
        raise _sign_in_needed(request) from None
    except LinkNotValid:
        raise _not_valid(request, 403) from None
    return link, found.secret


def _change_lines(changes: list[Change]) -> list[str]:
    lines = []
    for change in changes:
        before, after = change.before or {}, change.after or {}
        if change.kind == ChangeKind.WALK_OUT_DATE_CHANGED:
            new, old = after.get("walk_out_date"), before.get("walk_out_date")
            if new and old:
                lines.append(
                    _(
                        "Your release date has changed. You now leave prison on %(day)s. "
                        "It was %(old)s.",
                        day=date_text(date.fromisoformat(new)),
                        old=date_text(date.fromisoformat(old)),
                    )
                )
            continue
        kind = str(after.get("kind") or before.get("kind") or "other")
        title = _(leaver_plan.APPOINTMENT_TITLES.get(kind, leaver_plan.APPOINTMENT_TITLES["other"]))
        if change.kind == ChangeKind.APPOINTMENT_ADDED:
            lines.append(
                _(
                    "New: %(title)s, %(when)s, at %(place)s.",
                    title=title,
                    when=when_text(_instant(after["starts_at"])),
                    place=after["location"],
                )
            )
        elif change.kind == ChangeKind.APPOINTMENT_MOVED:
            lines.append(
                _(
                    "Moved: %(title)s is now %(when)s. It was %(old)s.",
                    title=title,
                    when=when_text(_instant(after["starts_at"])),
                    old=when_text(_instant(before["starts_at"])),
                )
            )
        elif change.kind == ChangeKind.APPOINTMENT_CHANGED:
            lines.append(
                _(
                    "Changed: %(title)s, %(when)s. Check where it is, who it is with "
                    "and what to bring.",
                    title=title,
                    when=when_text(_instant(after["starts_at"])),
                )
            )
        elif change.kind == ChangeKind.APPOINTMENT_CANCELLED:
            lines.append(
                _(
                    "Cancelled: %(title)s, %(when)s. You do not need to go.",
                    title=title,
                    when=when_text(_instant(before["starts_at"])),
                )
            )
        elif change.kind == ChangeKind.ADDRESS_CHANGED:
            lines.append(
                _(
                    "Where you sleep tonight has changed. The new address is %(address)s.",
                    address=after.get("address") or "",
                )
            )
        elif change.kind == ChangeKind.ARRIVAL_CHANGED:
            lines.append(_("Who to ask for, or the time you can arrive tonight, has changed."))
        elif change.kind == ChangeKind.TRAVEL_CHANGED:
            lines.append(_("How you get there has changed."))
        elif change.kind == ChangeKind.CONTACT_ADDED:
            lines.append(
                _(
                    "New contact: %(name)s, %(phone)s.",
                    name=after["name"],
                    phone=phone_text(after["phone"]),
                )
            )
        elif change.kind == ChangeKind.CONTACT_CHANGED:
            lines.append(
                _(
                    "New number or hours for %(name)s: %(phone)s.",
                    name=after["name"],
                    phone=phone_text(after["phone"]),
                )
            )
        elif change.kind == ChangeKind.CONTACT_REMOVED:
            lines.append(
                _("%(name)s is no longer one of your contacts.", name=before.get("name", ""))
            )
    return lines


def _instant(value: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value)


def _stop_time(stop: local_map.Stop) -> str:
    if stop.when is None:
        return ""
    if stop.kind == "tonight":
        # The stay opens then; the person can come any time after.
        local = clock.london(stop.when)
        return _("%(day)s, from %(time)s", day=date_text(local.date()), time=time_text(local))
    return when_text(stop.when)


def _map(plan: leaver_plan.LeaverPlan) -> dict[str, Any] | None:
    points = local_map.stops(
        plan.address,
        plan.appointments,
        night_one=plan.walk_out_date,
        arrive_from=plan.arrive_from,
    )
    if len(points) < 2:
        return None
    labels = [_(p.title) for p in points]
    times = [_stop_time(p) for p in points]
    svg = local_map.svg(
        points,
        title=_("Map of the places in your first 2 days"),
        description=_(
            "Not to scale. The places are joined in the order you go to them. "
            "They are listed in words below the map."
        ),
        labels=labels,
        times=times,
    )
    return {
        "svg": Markup(svg),
        "stops": [
            {"label": label, "place": p.place, "when": when}
            for p, label, when in zip(points, labels, times, strict=True)
        ],
    }


def _plan_context(
    published: PublishedPlan, earlier: PublishedPlan | None, language: str
) -> dict[str, Any]:
    plan = leaver_plan.from_snapshot(published.snapshot)
    with language_scope(language):
        changes = _change_lines(compare(earlier.snapshot, published.snapshot)) if earlier else []
        route_map = _map(plan)
    return {
        "plan": plan,
        "published": published,
        "changes": changes,
        "changed_at": published.published_at if earlier else None,
        "route_map": route_map,
        "licence_conditions": standard_conditions(language),
    }


@router.get(PLAN_PATH)
def my_plan(request: Request, session: SessionDep) -> Response:
    link, _secret = signed_in(request, session)
    try:
        view = leaver_access.open_published_plan(session=session, link=link)
    except NotFound:
        raise PageProblem(404, "leaver/not_published.html") from None
    language = choose_language(request, view.published.snapshot.get("preferred_language"))
    context = _plan_context(view.published, view.earlier, language)
    context["consents"] = [
        c
        for c in consents.list_consents(
            session=session,
            actor=leaver_access.leaver_actor(link, request.state.request_id),
            person_id=_persons_id(session, link),
        )
        if c.live
    ]
    context["consent_withdrawn"] = request.query_params.get("withdrawn") == "1"
    now = clock.now()
    context["supporters"] = [
        {
            "link": found,
            "sections": sections,
            "state": supporters.state_of(found, sections, now),
            "last_day": supporters.last_day(found),
        }
        for found, sections in supporters.list_for_plan(
            session=session,
            actor=leaver_access.leaver_actor(link, request.state.request_id),
            plan_id=link.plan_id,
        )
    ]
    context["supporter_stopped"] = request.query_params.get("stopped") == "1"
    token = leaver_session.form_token(request, leaver_session.PLAN_FORM_COOKIE)
    context["csrf_field"] = leaver_session.CSRF_FIELD
    context["csrf_token"] = token
    context["who_is_open"] = nearby.for_plan(session, view.published.plan_id)
    context["need_label"] = lambda need: service_needs.label(need, language)
    # After release the plan page asks how the first days went (api/pages/first_days.py).
    plan = session.get(ReleasePlan, link.plan_id)
    context["first_days_open"] = plan is not None and first_days_asked(plan)
    # The goals as they stand now, not as published: they are the person's own, to change
    # here while the plan is open (api/pages/goals.py).
    found = goals.goals_for(
        session=session,
        actor=leaver_access.leaver_actor(link, request.state.request_id),
        plan_id=link.plan_id,
    )
    context["goal_items"] = goal_labels.items(found, language)
    context["goals_editable"] = plan is not None and goals.can_change(plan)
    done = request.query_params.get("goal")
    context["goal_done"] = done if done in ("added", "changed", "removed") else None
    response = render(request, "leaver/plan.html", context, language=language)
    leaver_session.keep_form_token(
        response,
        request,
        token,
        cookie=leaver_session.PLAN_FORM_COOKIE,
        path=leaver_session.PLAN_FORM_PATH,
    )
    return response


def _persons_id(session: SessionDep, link: LeaverLink) -> int:
    plan = session.get(ReleasePlan, link.plan_id)
    if plan is None:
        raise _not_valid_page()
    return plan.person_id


def _not_valid_page() -> PageProblem:
    return PageProblem(404, "leaver/link_not_valid.html")


@router.post(PLAN_PATH + "/consents/{consent_id}/withdraw")
def withdraw_consent(
    request: Request,
    consent_id: str,
    session: SessionDep,
    expected_version: Annotated[str, Form()] = "",
) -> Response:
    """The person withdraws one of their consents from their own page. The session cookie is
    SameSite=Strict, so a form on another site cannot do this for them."""
    link, _secret = signed_in(request, session)
    if not consent_id.isdigit() or int(consent_id) > 2**31 - 1:
        raise _not_valid_page()
    try:
        consents.withdraw_consent(
            session=session,
            actor=leaver_access.leaver_actor(link, request.state.request_id),
            consent_id=int(consent_id),
            expected_version=int(expected_version) if expected_version.isdigit() else None,
            reason="withdrawn by the person on their page",
        )
    except NotFound:
        raise _not_valid_page() from None
    except VersionConflict:
        pass  # changed meanwhile (withdrawn already, or replaced): the page shows it as it is
    return RedirectResponse(PLAN_PATH + "?withdrawn=1#your-consents", status_code=303)


@router.post(PLAN_PATH + "/supporters/{supporter_id}/revoke")
def revoke_supporter(
    request: Request,
    supporter_id: str,
    session: SessionDep,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The person stops a supporter's link from their own page: it stops at once, and their
    consent to share with that supporter is withdrawn with it. The form carries the page's
    token (double submit), on top of the SameSite=Strict session cookie."""
    link, _secret = signed_in(request, session)
    if not leaver_session.form_token_matches(request, csrf_token, leaver_session.PLAN_FORM_COOKIE):
        # Posted from elsewhere, or the page is too old: nothing changes.
        return RedirectResponse(PLAN_PATH + "#your-supporters", status_code=303)
    if not supporter_id.isdigit() or int(supporter_id) > 2**31 - 1:
        raise _not_valid_page()
    try:
        supporters.revoke_supporter(
            session=session,
            actor=leaver_access.leaver_actor(link, request.state.request_id),
            link_id=int(supporter_id),
        )
    except NotFound:
        raise _not_valid_page() from None
    return RedirectResponse(PLAN_PATH + "?stopped=1#your-supporters", status_code=303)


def print_context(
    published: PublishedPlan, language: str, link_url: str | None, found_goals: Sequence[Goal]
) -> dict[str, Any]:
    """What the printed plan shows: the plan, the person's goals as they stand now (with who
    wrote each), and the person's link as a QR code when the person asks (an officer has no
    link to print: only its hash is kept)."""
    context = _plan_context(published, None, language)
    context["goal_items"] = goal_labels.items(found_goals, language)
    if link_url:
        context["qr"] = qr_data_uri(link_url)
        context["link_url"] = link_url
    return context


def _printed(request: Request, session: SessionDep) -> tuple[PublishedPlan, str, str]:
    link, secret = signed_in(request, session)
    try:
        published = leaver_access.latest_published(session, link.plan_id)
    except NotFound:
        raise PageProblem(404, "leaver/not_published.html") from None
    language = choose_language(request, published.snapshot.get("preferred_language"))
    base = get_settings().public_base_url or str(request.base_url)
    return published, language, base.rstrip("/") + leaver_access.link_path(secret)


def _own_goals(request: Request, session: SessionDep) -> list[Goal]:
    link, _secret = signed_in(request, session)
    return goals.goals_for(
        session=session,
        actor=leaver_access.leaver_actor(link, request.state.request_id),
        plan_id=link.plan_id,
    )


@router.get(PLAN_PATH + "/print")
def print_plan(request: Request, session: SessionDep) -> Response:
    published, language, url = _printed(request, session)
    context = print_context(published, language, url, _own_goals(request, session))
    return render(request, "leaver/print.html", context, language=language)


@router.get(PLAN_PATH + ".pdf")
def plan_pdf(request: Request, session: SessionDep) -> Response:
    """The printed plan as a PDF to download, in the same language as the page."""
    published, language, url = _printed(request, session)
    context = print_context(published, language, url, _own_goals(request, session))
    page = render(request, "leaver/print.html", context, language=language)
    return pdf_response(bytes(page.body), language, "my-plan.pdf")


def pdf_response(html: bytes, language: str, filename: str) -> Response:
    return Response(
        plan_pdf_module.pdf_of(html.decode()),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Language": language,
            "Cache-Control": "no-store",
        },
    )


@router.get(PLAN_PATH + ".ics")
def my_calendar(request: Request, session: SessionDep) -> Response:
    link, _secret = signed_in(request, session)
    try:
        published = leaver_access.latest_published(session, link.plan_id)
    except NotFound:
        raise PageProblem(404, "leaver/not_published.html") from None
    language = choose_language(request, published.snapshot.get("preferred_language"))
    return calendar_response(published, language)


def calendar_response(published: PublishedPlan, language: str) -> Response:
    with language_scope(language):
        body = plan_calendar(
            published.snapshot,
            plan_id=published.plan_id,
            published_at=published.published_at,
            version=published.number,
            gettext=_,
            day_text=lambda day: date_text(day, year=True),
        )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="my-plan.ics"'},
    )


@router.post(PLAN_PATH + "/sign-out")
def sign_out(request: Request, session: SessionDep) -> Response:
    found = leaver_session.read(request)
    if found is not None:
        # On the server too: a copy of this cookie must not outlive the sign-out.
        leaver_access.sign_out(session=session, link_id=found.link_id)
    response = render(request, "leaver/signed_out.html", {}, language=choose_language(request))
    leaver_session.end(response, request)
    return response


__all__ = ["calendar_response", "pdf_response", "print_context", "router", "time_text"]
