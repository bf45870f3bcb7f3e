"""The prison leaver's pages: confirm the link with a date of birth, then the 48-hour plan, its
calendar and a printable copy. Nothing of a plan is shown until the link and date of birth
match, and every later request checks the link again."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from api.deps import SessionDep
from api.pages import leaver_session
from api.pages.formatting import time_text, when_text
from api.pages.i18n import _, language_scope
from api.pages.templating import PageProblem, choose_language, render
from resettlement import leaver_access, leaver_plan, local_map
from resettlement.calendar_export import plan_calendar
from resettlement.config import get_settings
from resettlement.errors import NotFound
from resettlement.leaver_access import LeaverLink, LinkLocked, LinkNotValid, WrongDateOfBirth
from resettlement.licence_conditions import standard_conditions
from resettlement.models import PublishedPlan
from resettlement.plan_changes import Change, ChangeKind, compare
from rules.entered_dates import DateNotValid, typed_date

router = APIRouter(include_in_schema=False)

PLAN_PATH = "/my-plan"


def _not_valid(request: Request, status: int = 404) -> PageProblem:
    return PageProblem(status, "leaver/link_not_valid.html")


def _locked(request: Request, until: Any) -> PageProblem:
    return PageProblem(429, "leaver/locked.html", {"until": until}, headers={"Retry-After": "900"})


# --- sign in -------------------------------------------------------------------------------


@router.get(leaver_access.LINK_PATH + "{secret}")
def sign_in(request: Request, secret: str, session: SessionDep) -> Response:
    try:
        link = leaver_access.find_link(session, secret)
    except LinkNotValid:
        raise _not_valid(request) from None
    if link.locked_until is not None and link.locked_until > leaver_access.clock.now():
        raise _locked(request, link.locked_until)
    return render(request, "leaver/sign_in.html", {}, language=choose_language(request))


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
) -> Response:
    language = choose_language(request)
    with language_scope(language):
        found, error, fields = _date_of_birth(day, month, year)
    values = {"day": day[:10], "month": month[:10], "year": year[:10]}
    if found is None:
        context: dict[str, Any] = {"error": error, "error_fields": fields, "values": values}
        return render(request, "leaver/sign_in.html", context, language=language, status_code=422)
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
        raise _locked(request, exc.until) from None
    except WrongDateOfBirth as exc:
        context = {"wrong": True, "attempts_left": exc.attempts_left, "values": values}
        return render(request, "leaver/sign_in.html", context, language=language, status_code=422)
    assert link.id is not None
    response = RedirectResponse(PLAN_PATH, status_code=303)
    leaver_session.start(response, request, link.id, secret)
    return response


# --- the plan ------------------------------------------------------------------------------


def _signed_in(request: Request, session: SessionDep) -> tuple[LeaverLink, str]:
    found = leaver_session.read(request)
    if found is None:
        raise PageProblem(401, "leaver/sign_in_needed.html")
    try:
        link = leaver_access.check_session_link(session, found[0], found[1])
    except LinkNotValid:
        raise _not_valid(request, 403) from None
    return link, found[1]


def _change_lines(changes: list[Change]) -> list[str]:
    lines = []
    for change in changes:
        before, after = change.before or {}, change.after or {}
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
                _("New contact: %(name)s, %(phone)s.", name=after["name"], phone=after["phone"])
            )
        elif change.kind == ChangeKind.CONTACT_CHANGED:
            lines.append(
                _(
                    "New number or hours for %(name)s: %(phone)s.",
                    name=after["name"],
                    phone=after["phone"],
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


def _map(plan: leaver_plan.LeaverPlan) -> dict[str, Any] | None:
    points = local_map.stops(plan.address, plan.appointments)
    if len(points) < 2:
        return None
    labels = [_(p.title) for p in points]
    times = [when_text(p.when) if p.when else "" for p in points]
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
    link, _secret = _signed_in(request, session)
    try:
        view = leaver_access.open_published_plan(session=session, link=link)
    except NotFound:
        raise PageProblem(404, "leaver/not_published.html") from None
    language = choose_language(request, view.published.snapshot.get("preferred_language"))
    context = _plan_context(view.published, view.earlier, language)
    return render(request, "leaver/plan.html", context, language=language)


def _qr_svg(url: str, title: str) -> Markup:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgclass="app-qr", title=title
    )
    svg = buffer.getvalue().decode()
    # An image with a name, so screen readers announce it rather than skip or spell it out.
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="' + title + '" ', 1))


@router.get(PLAN_PATH + "/print")
def print_plan(request: Request, session: SessionDep) -> Response:
    link, secret = _signed_in(request, session)
    try:
        published = leaver_access.latest_published(session, link.plan_id)
    except NotFound:
        raise PageProblem(404, "leaver/not_published.html") from None
    language = choose_language(request, published.snapshot.get("preferred_language"))
    base = get_settings().public_base_url or str(request.base_url)
    url = base.rstrip("/") + leaver_access.link_path(secret)
    context = _plan_context(published, None, language)
    with language_scope(language):
        context["qr"] = _qr_svg(url, _("QR code: scan it to open your plan on a phone"))
    context["link_url"] = url
    return render(request, "leaver/print.html", context, language=language)


@router.get(PLAN_PATH + ".ics")
def my_calendar(request: Request, session: SessionDep) -> Response:
    link, _secret = _signed_in(request, session)
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
            gettext=_,
        )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="my-plan.ics"'},
    )


@router.post(PLAN_PATH + "/sign-out")
def sign_out(request: Request) -> Response:
    response = render(request, "leaver/signed_out.html", {}, language=choose_language(request))
    leaver_session.end(response, request)
    return response


__all__ = ["calendar_response", "router", "time_text"]
