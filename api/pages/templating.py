"""Shared page machinery for every kind of user: the Jinja environment with GOV.UK Frontend's
macros, the language of each page, the content security policy, and problem pages.

Staff pages build on this the same way the prison leaver's pages do: call `render()` with a
template that extends "base.html", and raise `PageProblem` for anything the person must be told
instead of the page they asked for.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)

from api.pages import formatting, i18n

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANG_COOKIE_AGE = 365 * 24 * 3600


def _environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.filters["when"] = formatting.when_text
    env.filters["time"] = formatting.time_text
    env.filters["day"] = formatting.date_text
    env.filters["phone"] = formatting.phone_text
    # A tel: link only for a number someone can call; a number stored before numbers were
    # checked gets none (the plan checks then ask the officer to correct it).
    env.filters["tel"] = formatting.tel_link
    return env


environment = _environment()


def content_security_policy(nonce: str) -> str:
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


def choose_language(request: Request, preferred: str | None = None) -> str:
    """?lang= first (the switch on every page), then the cookie it sets, then the person's
    recorded preference, then English."""
    return (
        i18n.supported(request.query_params.get("lang"))
        or i18n.supported(request.cookies.get(i18n.COOKIE))
        or i18n.supported(preferred)
        or i18n.DEFAULT
    )


def language_links(request: Request, language: str) -> list[dict[str, Any]]:
    return [
        {
            "lang": code,
            "text": name,
            "href": str(request.url.path) + f"?lang={code}",
            "current": code == language,
        }
        for code, name in (("en", "English"), ("cy", "Cymraeg"))
    ]


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    language: str,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    with i18n.language_scope(language):
        html = environment.get_template(template).render(
            {
                "request": request,
                "htmlLang": language,
                "cspNonce": nonce,
                "assetPath": "/assets",
                "language_links": language_links(request, language),
                **(context or {}),
            }
        )
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    # The API's middleware keeps a policy the response sets: a page needs its styles, fonts,
    # its own script (by nonce) and forms, which the API's default-src 'none' forbids.
    response.headers["Content-Security-Policy"] = content_security_policy(nonce)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = language
    if request.query_params.get("lang") == language:
        response.set_cookie(
            i18n.COOKIE,
            language,
            max_age=LANG_COOKIE_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


class PageProblem(Exception):
    """Something the person must be told instead of the page they asked for. The template says
    what happened and what to do next; it is given no record's data unless passed in."""

    def __init__(
        self,
        status_code: int,
        template: str = "problem.html",
        context: Mapping[str, Any] | None = None,
        *,
        language: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(template)
        self.status_code = status_code
        self.template = template
        self.context = dict(context or {})
        self.language = language
        self.headers = dict(headers or {})


def page_problem(request: Request, exc: Exception) -> HTMLResponse:
    assert isinstance(exc, PageProblem)
    return render(
        request,
        exc.template,
        exc.context,
        language=exc.language or choose_language(request),
        status_code=exc.status_code,
        headers=exc.headers,
    )
