"""The coordinator's pages: their prison's directories of local services, loading an Open
Referral UK file and reading its report, and listing, adding and changing services."""

from __future__ import annotations

import json
import re
from datetime import date, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api.deps import MAX_ID, SessionDep
from api.staff import forms, labels
from api.staff.forms import Errors
from api.staff.identity import CheckedForm, PageCoordinator, problem
from api.staff.rendering import render
from resettlement.errors import DomainError, NotFound, VersionConflict
from resettlement.partners import directory, open_referral
from resettlement.partners.directory import HolidayHours, OpeningTimes, ServiceDetails
from resettlement.partners.models import ServiceDirectory, ServiceStatus
from rules.nations import Nation

router = APIRouter(prefix="/staff", include_in_schema=False)

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NATIONS = {
    Nation.ENGLAND_AND_WALES.value: "England and Wales",
    Nation.SCOTLAND.value: "Scotland",
    Nation.NORTHERN_IRELAND.value: "Northern Ireland",
}
STATUSES = {s.value: s.value.capitalize() for s in ServiceStatus}
NEED_NAMES = labels.SERVICE_NEEDS
STALE_SERVICE = (
    "Someone else changed this service since you opened the page, so your change was not "
    "saved. Check it as it is now and make your change again."
)
# One holiday line: "25 12 2026", "24 12 2026 09:00-12:00" or "25 12 2026 to 26 12 2026".
_DAY = r"(\d{1,2})[ /.-](\d{1,2})[ /.-](\d{4})"
_HOLIDAY = re.compile(
    rf"^{_DAY}(?:\s+to\s+{_DAY})?(?:\s+(\d{{1,2}}[:.]\d{{2}})\s*(?:-|to)\s*(\d{{1,2}}[:.]\d{{2}}))?$"
)
LABELS_FOR_ERRORS = {
    "organisation_name": "the organisation's name",
    "name": "the service's name",
    "needs": "what the service helps with",
    "email": "email address",
    "url": "website",
    "minimum_age": "youngest age",
    "maximum_age": "oldest age",
}


def _id(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise problem(404, "Page not found", "There is no such directory or service.")
    return int(text)


def _own(session: Any, actor: Any, directory_id: str) -> ServiceDirectory:
    try:
        return directory.maintainable(session, actor, _id(directory_id))
    except NotFound:
        raise problem(404, "Page not found", "There is no such directory.") from None


@router.get("/directory", response_class=HTMLResponse)
def directories_page(request: Request, actor: PageCoordinator, session: SessionDep) -> Response:
    return _directories(request, session, actor, Errors(), {})


def _directories(
    request: Request,
    session: Any,
    actor: Any,
    errors: Errors,
    values: dict[str, Any],
    status: int = 200,
) -> Response:
    found = directory.directories_for(session, actor)
    counts = {d.id: len(directory.records(session, d.id)) for d in found if d.id is not None}
    return render(
        request,
        "staff/directories.html",
        {
            "directories": found,
            "counts": counts,
            "nations": NATIONS,
            "errors": errors,
            "values": values,
            "prison": actor.prison_code,
        },
        status=status,
    )


@router.post("/directory", response_class=HTMLResponse)
def open_directory(
    request: Request, form: CheckedForm, actor: PageCoordinator, session: SessionDep
) -> Response:
    values = forms.kept(form)
    prison = actor.prison_code or (forms.text(form, "prison_code") or "")
    errors = Errors()
    area = forms.text(form, "area")
    nation = forms.text(form, "nation")
    if not area:
        errors.add("Enter the release area, such as Doncaster.", "area")
    if nation not in NATIONS:
        errors.add("Select the nation the area is in.", "nation")
    if errors:
        return _directories(request, session, actor, errors, values, 422)
    try:
        made = directory.open_directory(
            session=session,
            actor=actor,
            prison_code=prison,
            area=area or "",
            nation=Nation(nation or ""),
        )
    except DomainError as error:
        if "would duplicate" in error.detail:
            error = DomainError(f"There is already a directory for {area}.")
        return _directories(
            request, session, actor, forms.from_domain(error, default_field="area"), values, 422
        )
    return RedirectResponse(f"/staff/directory/{made.id}", status_code=303)


def _directory_page(
    request: Request,
    session: Any,
    found: ServiceDirectory,
    *,
    errors: Errors | None = None,
    report: open_referral.ImportReport | None = None,
    rejected: list[open_referral.RowError] | None = None,
    status: int = 200,
) -> Response:
    assert found.id is not None
    services = directory.records(session, found.id)
    return render(
        request,
        "staff/directory.html",
        {
            "directory": found,
            "services": services,
            # Kept because a referral names them; shown so the coordinator knows why they are
            # still here, and never offered for a new referral (api/staff/referrals.py).
            "withdrawn": directory.records(session, found.id, withdrawn=True),
            "need_names": NEED_NAMES,
            "nations": NATIONS,
            "errors": errors or Errors(),
            "report": report,
            "rejected": rejected or [],
            "banner": request.query_params.get("done"),
        },
        status=status,
    )


@router.get("/directory/{directory_id}", response_class=HTMLResponse)
def directory_page(
    directory_id: str, request: Request, actor: PageCoordinator, session: SessionDep
) -> Response:
    return _directory_page(request, session, _own(session, actor, directory_id))


@router.post("/directory/{directory_id}/import", response_class=HTMLResponse)
async def import_file(
    directory_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageCoordinator,
    session: SessionDep,
) -> Response:
    upload = form.get("file")
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    return await run_in_threadpool(
        _import, request, session, actor, directory_id, forms.version(form), content
    )


def _import(
    request: Request, session: Any, actor: Any, directory_id: str, version: int, content: bytes
) -> Response:
    found = _own(session, actor, directory_id)
    if not content:
        errors = Errors()
        errors.add("Choose an Open Referral UK file (JSON) to load.", "file")
        return _directory_page(request, session, found, errors=errors, status=422)
    try:
        report = open_referral.import_directory(
            session=session,
            actor=actor,
            directory_id=found.id or 0,
            expected_version=version,
            content=content,
        )
    except open_referral.ImportRejected as rejected:
        session.refresh(found)
        errors = Errors()
        count = len(rejected.errors)
        errors.add(
            f"The file was not loaded: {count} problem{'s' if count != 1 else ''} found, listed "
            "below. Nothing in the directory was changed.",
            "file",
        )
        return _directory_page(
            request, session, found, errors=errors, rejected=rejected.errors, status=422
        )
    except DomainError as error:
        session.refresh(found)
        errors = forms.from_domain(
            error,
            default_field="file",
            stale="Someone else changed this directory since you opened the page, so the file "
            "was not loaded. Check the directory as it is now and load the file again.",
        )
        return _directory_page(request, session, found, errors=errors, status=409)
    session.refresh(found)
    return _directory_page(request, session, found, report=report)


@router.get("/directory/{directory_id}/export", response_class=Response)
def export_file(
    directory_id: str, request: Request, actor: PageCoordinator, session: SessionDep
) -> Response:
    found = _own(session, actor, directory_id)
    page = open_referral.export_page(session, actor, found.id or 0)
    area = re.sub(r"[^a-z0-9]+", "-", found.area.lower()).strip("-") or "directory"
    name = f"{found.prison_code.lower()}-{area}-open-referral.json"
    return Response(
        json.dumps(page, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- a service's form ---------------------------------------------------------------------


def _form_values(details: ServiceDetails) -> dict[str, Any]:
    values: dict[str, Any] = {
        "organisation_name": details.organisation_name,
        "name": details.name,
        "description": details.description or "",
        "needs": [str(n) for n in details.needs],
        "status": str(details.status),
        "email": details.email or "",
        "url": details.url or "",
        "phone": details.phone or "",
        "out_of_hours_phone": details.out_of_hours_phone or "",
        "address_1": details.address_1 or "",
        "city": details.city or "",
        "postal_code": details.postal_code or "",
        "women_only": "yes" if details.women_only else "",
        "minimum_age": "" if details.minimum_age is None else str(details.minimum_age),
        "maximum_age": "" if details.maximum_age is None else str(details.maximum_age),
        "holidays": "\n".join(_holiday_line(h) for h in details.holidays),
    }
    for slot in details.opening_times:
        key = f"day-{slot.weekday}"
        if f"{key}-opens" not in values:
            values[f"{key}-opens"] = slot.opens_at.strftime("%H:%M")
            values[f"{key}-closes"] = slot.closes_at.strftime("%H:%M")
    return values


def _holiday_line(h: HolidayHours) -> str:
    text = f"{h.start_date.day} {h.start_date.month} {h.start_date.year}"
    if h.end_date != h.start_date:
        text += f" to {h.end_date.day} {h.end_date.month} {h.end_date.year}"
    if not h.closed and h.opens_at and h.closes_at:
        text += f" {h.opens_at:%H:%M}-{h.closes_at:%H:%M}"
    return text


def _clock(text: str | None) -> time | None:
    if not text:
        return None
    hours, _, minutes = text.replace(".", ":").partition(":")
    try:
        return time(int(hours), int(minutes or "0"))
    except ValueError:
        return None


def _read_form(form: forms.Submitted, errors: Errors) -> ServiceDetails | None:
    opening_times = []
    for weekday in range(1, 8):
        opens_text = forms.text(form, f"day-{weekday}-opens")
        closes_text = forms.text(form, f"day-{weekday}-closes")
        if not opens_text and not closes_text:
            continue
        opens, closes = _clock(opens_text), _clock(closes_text)
        name = WEEKDAY_NAMES[weekday - 1]
        if opens is None or closes is None:
            errors.add(
                f"Enter {name}'s opening and closing times as 24-hour times, like 09:00 and "
                "17:00 (00:00 to 00:00 is open all day).",
                f"day-{weekday}-opens",
            )
            continue
        opening_times.append(OpeningTimes(weekday=weekday, opens_at=opens, closes_at=closes))
    holidays = []
    for line in (forms.text(form, "holidays") or "").splitlines():
        line = line.strip()
        if not line:
            continue
        holiday = _holiday(line)
        if holiday is None:
            errors.add(
                f"Write the day {line!r} as 25 12 2026, or 24 12 2026 09:00-12:00 for other "
                "hours, or 25 12 2026 to 26 12 2026 for several days.",
                "holidays",
            )
        else:
            holidays.append(holiday)
    data = {
        "organisation_name": forms.text(form, "organisation_name"),
        "name": forms.text(form, "name"),
        "description": forms.text(form, "description"),
        "needs": forms.values(form, "needs"),
        "status": forms.text(form, "status") or ServiceStatus.ACTIVE.value,
        "email": forms.text(form, "email"),
        "url": forms.text(form, "url"),
        "phone": forms.text(form, "phone"),
        "out_of_hours_phone": forms.text(form, "out_of_hours_phone"),
        "address_1": forms.text(form, "address_1"),
        "city": forms.text(form, "city"),
        "postal_code": forms.text(form, "postal_code"),
        "women_only": forms.text(form, "women_only") == "yes",
        "minimum_age": _age(form, "minimum_age", errors),
        "maximum_age": _age(form, "maximum_age", errors),
    }
    if not data["needs"]:
        errors.add("Select what the service helps with.", "needs")
    try:
        details = ServiceDetails.model_validate(
            {**data, "opening_times": opening_times, "holidays": holidays}
        )
    except ValidationError as invalid:
        found = forms.from_validation(invalid, LABELS_FOR_ERRORS)
        for message, field_id in found.items:
            if field_id not in errors.by_field:
                errors.add(message, field_id)
        return None
    return None if errors else details


def _age(form: forms.Submitted, name: str, errors: Errors) -> int | None:
    text = forms.text(form, name)
    if text is None:
        return None
    if not text.isdigit() or int(text) > 130:
        which = "youngest" if name == "minimum_age" else "oldest"
        errors.add(f"Enter the {which} age in years, like 18.", name.replace("_", "-"))
        return None
    return int(text)


def _holiday(line: str) -> HolidayHours | None:
    match = _HOLIDAY.match(line)
    if not match:
        return None
    d1, m1, y1, d2, m2, y2, opens, closes = match.groups()
    try:
        start = date(int(y1), int(m1), int(d1))
        end = date(int(y2), int(m2), int(d2)) if y2 else start
        return HolidayHours(
            start_date=start,
            end_date=end,
            closed=opens is None,
            opens_at=_clock(opens),
            closes_at=_clock(closes),
        )
    except (ValueError, ValidationError):
        return None


def _service_form(
    request: Request,
    found: ServiceDirectory,
    values: dict[str, Any],
    errors: Errors,
    *,
    service_id: int | None = None,
    version: int | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "staff/directory_service.html",
        {
            "directory": found,
            "values": values,
            "errors": errors,
            "service_id": service_id,
            "version": version,
            "need_names": NEED_NAMES,
            "statuses": STATUSES,
            "weekdays": list(enumerate(WEEKDAY_NAMES, start=1)),
        },
        status=status,
    )


@router.get("/directory/{directory_id}/services/new", response_class=HTMLResponse)
def new_service_page(
    directory_id: str, request: Request, actor: PageCoordinator, session: SessionDep
) -> Response:
    found = _own(session, actor, directory_id)
    return _service_form(request, found, {"status": "active"}, Errors())


@router.post("/directory/{directory_id}/services/new", response_class=HTMLResponse)
def add_service(
    directory_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageCoordinator,
    session: SessionDep,
) -> Response:
    found = _own(session, actor, directory_id)
    errors = Errors()
    details = _read_form(form, errors)
    if details is None:
        return _service_form(request, found, forms.kept(form), errors, status=422)
    try:
        directory.add_service(
            session=session, actor=actor, directory_id=found.id or 0, data=details
        )
    except DomainError as error:
        return _service_form(
            request,
            found,
            forms.kept(form),
            forms.from_domain(error, default_field="name"),
            status=422,
        )
    return RedirectResponse(f"/staff/directory/{found.id}?done=added", status_code=303)


def _own_service(session: Any, actor: Any, service_id: str) -> tuple[ServiceDirectory, Any]:
    try:
        record = directory.record(session, actor, _id(service_id))
        found = directory.maintainable(session, actor, record.service.directory_id)
    except NotFound:
        raise problem(404, "Page not found", "There is no such service.") from None
    return found, record


@router.get("/directory/services/{service_id}", response_class=HTMLResponse)
def service_page(
    service_id: str, request: Request, actor: PageCoordinator, session: SessionDep
) -> Response:
    found, record = _own_service(session, actor, service_id)
    return _service_form(
        request,
        found,
        _form_values(directory.details_of(record)),
        Errors(),
        service_id=record.service.id,
        version=record.service.version,
    )


@router.post("/directory/services/{service_id}", response_class=HTMLResponse)
def change_service(
    service_id: str,
    request: Request,
    form: CheckedForm,
    actor: PageCoordinator,
    session: SessionDep,
) -> Response:
    found, record = _own_service(session, actor, service_id)
    errors = Errors()
    details = _read_form(form, errors)
    if details is None:
        return _service_form(
            request,
            found,
            forms.kept(form),
            errors,
            service_id=record.service.id,
            version=forms.version(form),
            status=422,
        )
    try:
        directory.change_service(
            session=session,
            actor=actor,
            service_id=record.service.id,
            expected_version=forms.version(form),
            data=details,
        )
    except DomainError as error:
        _, now = _own_service(session, actor, service_id)
        return _service_form(
            request,
            found,
            forms.kept(form),
            forms.from_domain(error, default_field="name", stale=STALE_SERVICE),
            service_id=now.service.id,
            version=now.service.version,
            status=409 if isinstance(error, VersionConflict) else 422,
        )
    return RedirectResponse(f"/staff/directory/{found.id}?done=changed", status_code=303)
