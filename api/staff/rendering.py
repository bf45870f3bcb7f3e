"""Rendering staff pages with the service's shared page templating (api/pages/templating.py).

Every staff page gets the signed-in person, the CSRF token for its forms, and the session
cookie when the browser has none yet.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape

from api.staff import labels
from api.staff.identity import (
    CSRF_FIELD,
    PRISON_NAMES,
    PageProblem,
    csrf_token,
    remember,
)

# Provisional: replaced by the shared environment from api/pages/templating.py once it lands.
_env = Environment(
    loader=ChoiceLoader(
        [
            PackageLoader("api", "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    ),
    autoescape=select_autoescape(["html"]),
)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    actor = getattr(request.state, "staff_actor", None)
    full = {
        "request": request,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "staff_user": actor,
        "prison_names": PRISON_NAMES,
        "labels": labels,
        **context,
    }
    html = _env.get_template(name).render(full)
    return remember(request, HTMLResponse(html, status_code=status))


def problem_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageProblem)
    return render(
        request,
        "staff/problem.html",
        {"title": exc.title, "message": exc.message},
        status=exc.status,
    )
