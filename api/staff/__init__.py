"""Staff workspaces: the probation officer's and the governor's pages, reports, and sign-in.

`mount_staff(app)` adds the pages under /staff and the reports API under /api/v1/reports. The
pages use the shared page machinery: call `api.pages.mount_pages(app)` first (it adds the
stylesheets, the page content security policy and the problem pages).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from starlette.routing import Mount

from resettlement.errors import DomainError

API_PREFIX = "/api/v1"
STATIC = Path(__file__).resolve().parent / "static"
MOJ_ASSETS = Path(__file__).resolve().parents[1] / "static" / "moj" / "assets"


def mount_staff(app: FastAPI) -> None:
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from api.pages.templating import PageProblem
    from api.routes import reports as reports_api
    from api.staff import (
        audit,
        caseload,
        consents,
        data_protection,
        directory,
        first_days,
        governor,
        intake,
        new_plan,
        officer,
        partner,
        person_access,
        person_mobile,
        plan_corrections,
        printout,
        referrals,
        reports,
        signin,
        supporters,
        trends,
    )
    from api.staff.identity import SignInRequired
    from api.staff.problem_pages import (
        http_errors_as_pages,
        staff_page_problem,
        unavailable_as_pages,
    )

    app.include_router(reports_api.router, prefix=API_PREFIX)
    # /staff/plans/new before the plan page's /staff/plans/{plan_id}.
    for router in (
        signin.router,
        caseload.router,
        audit.router,
        intake.router,
        new_plan.router,
        officer.router,
        first_days.router,
        plan_corrections.router,
        person_access.router,
        person_mobile.router,
        consents.router,
        data_protection.router,
        referrals.router,
        supporters.router,
        partner.router,
        printout.router,
        governor.router,
        # /staff/reports/trends before the reports' /staff/reports/{kind}.
        trends.router,
        reports.router,
        directory.router,
    ):
        app.include_router(router)
    app.mount("/staff/static", StaticFiles(directory=STATIC), name="staff-static")
    _serve_moj_images(app)
    app.add_exception_handler(SignInRequired, signin.to_sign_in)
    # mount_pages' handler, extended: a staff problem page keeps the menu and sign-out.
    app.add_exception_handler(PageProblem, staff_page_problem)
    # Staff addresses answer HTTP errors (a mistyped address, a wrong method) as pages.
    previous = app.exception_handlers[StarletteHTTPException]
    app.add_exception_handler(StarletteHTTPException, http_errors_as_pages(previous))
    # A database that cannot be reached is a page too (503), not the API's JSON.
    for kind in (DomainError, DBAPIError):
        app.add_exception_handler(kind, unavailable_as_pages(app.exception_handlers[kind]))


def _serve_moj_images(app: FastAPI) -> None:
    """MoJ Frontend's stylesheet asks for its icons under /assets/images, beside GOV.UK
    Frontend's: the /assets files look in the vendored MoJ assets after GOV.UK's."""
    moj = str(MOJ_ASSETS)
    for route in app.routes:
        files = route.app if isinstance(route, Mount) and route.name == "assets" else None
        if isinstance(files, StaticFiles) and moj not in files.all_directories:
            files.all_directories.append(moj)


__all__ = ["mount_staff"]
