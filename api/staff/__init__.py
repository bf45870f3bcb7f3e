"""Staff workspaces: the probation officer's and the governor's pages, reports, and sign-in.

`mount_staff(app)` adds the pages under /staff and the reports API under /api/v1/reports. The
pages use the shared page machinery: call `api.pages.mount_pages(app)` first (it adds the
stylesheets, the page content security policy and the problem pages).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

API_PREFIX = "/api/v1"
STATIC = Path(__file__).resolve().parent / "static"


def mount_staff(app: FastAPI) -> None:
    from api.pages.templating import PageProblem, page_problem
    from api.routes import reports as reports_api
    from api.staff import (
        audit,
        caseload,
        governor,
        new_plan,
        officer,
        person_access,
        plan_corrections,
        printout,
        reports,
        signin,
    )
    from api.staff.identity import SignInRequired

    app.include_router(reports_api.router, prefix=API_PREFIX)
    # /staff/plans/new before the plan page's /staff/plans/{plan_id}.
    for router in (
        signin.router,
        caseload.router,
        audit.router,
        new_plan.router,
        officer.router,
        plan_corrections.router,
        person_access.router,
        printout.router,
        governor.router,
        reports.router,
    ):
        app.include_router(router)
    app.mount("/staff/static", StaticFiles(directory=STATIC), name="staff-static")
    app.add_exception_handler(SignInRequired, signin.to_sign_in)
    # The same handler mount_pages installs; adding it again is harmless and keeps the staff
    # pages' problems as pages even if the order of mounting changes.
    app.add_exception_handler(PageProblem, page_problem)


__all__ = ["mount_staff"]
