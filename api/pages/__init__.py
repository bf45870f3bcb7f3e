"""Server-rendered pages built with GOV.UK Frontend: `mount_pages(app)` adds them to the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages import calendar_api, first_days, goals, leaver, policies, supporter
from api.pages.templating import PageProblem, page_problem

STATIC = Path(__file__).resolve().parent.parent / "static"


def mount_pages(app: FastAPI) -> None:
    """Adds the pages, their static files and their error pages to the app. Call it once,
    before the app starts; a second call changes nothing."""
    if getattr(app.state, "pages_mounted", False):
        return
    app.state.pages_mounted = True
    app.add_exception_handler(PageProblem, page_problem)
    # GOV.UK Frontend's stylesheet asks for its fonts and images under /assets.
    app.mount("/assets", StaticFiles(directory=STATIC / "govuk" / "assets"), name="assets")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(leaver.router)
    app.include_router(first_days.router)
    app.include_router(goals.router)
    app.include_router(calendar_api.router)
    app.include_router(policies.router)
    app.include_router(supporter.router)


__all__ = ["mount_pages"]
