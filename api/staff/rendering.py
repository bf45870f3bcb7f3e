"""Staff pages are rendered with the shared page machinery (api/pages/templating.py), in
English, with the signed-in person, the CSRF token for their forms, and the session cookie
when the browser had none yet."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api.pages import templating
from api.staff import labels
from api.staff.identity import (
    CSRF_FIELD,
    LANGUAGE,
    PRISON_NAMES,
    csrf_token,
    remember,
    take_resume,
)

RESUMED = (
    "Your session had ended, so nothing was saved. What you typed is shown below: check it "
    "and send the form again."
)
RESUMED_WITHOUT_VALUES = (
    "Your session had ended, so nothing was saved. What you typed was too long to keep: "
    "enter it again."
)


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    new_session: bool = True,
) -> Response:
    """`new_session=False` for problem pages: a refused request never plants a session cookie
    (a signed-in person's own session needs no new one)."""
    resume = take_resume(request) if request.method == "GET" and new_session else None
    if resume is not None:
        context = {
            **context,
            "values": {**context.get("values", {}), **resume.values},
            "resume_notice": RESUMED if resume.kept else RESUMED_WITHOUT_VALUES,
        }
    full = {
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "staff_user": getattr(request.state, "staff_actor", None),
        "staff_user_name": getattr(request.state, "staff_name", None),
        "prison_names": PRISON_NAMES,
        "labels": labels,
        # Staff ids to names, for the pages that name who did something; ids show otherwise.
        "staff_names": {},
        **context,
    }
    response = templating.render(request, name, full, language=LANGUAGE, status_code=status)
    return remember(request, response) if new_session else response
