"""The statements every prison leaver's page links to from its footer: accessibility, privacy
and cookies. Open to anyone, in English or Welsh; they show nothing of any plan."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.pages import leaver_session
from api.pages.i18n import _, language_scope
from api.pages.templating import LANG_COOKIE_AGE, choose_language, render

router = APIRouter(include_in_schema=False)

DAY = 24 * 3600


@router.get("/accessibility")
def accessibility(request: Request) -> Response:
    language = choose_language(request)
    return render(request, "leaver/accessibility.html", {}, language=language)


@router.get("/privacy")
def privacy(request: Request) -> Response:
    language = choose_language(request)
    return render(request, "leaver/privacy.html", {}, language=language)


def lasts(seconds: int) -> str:
    """How long a cookie lasts, from the same numbers that set it."""
    if seconds % (365 * DAY) == 0:
        years = seconds // (365 * DAY)
        return _("1 year") if years == 1 else _("%(num)s years", num=years)
    return _("%(num)s hours", num=seconds // 3600)


@router.get("/cookies")
def cookies(request: Request) -> Response:
    language = choose_language(request)
    with language_scope(language):
        context = {
            "session_lasts": _(
                "%(time)s, or until you sign out", time=lasts(leaver_session.MAX_AGE_SECONDS)
            ),
            "lang_lasts": lasts(LANG_COOKIE_AGE),
        }
    return render(request, "leaver/cookies.html", context, language=language)
