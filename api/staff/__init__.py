"""Staff workspaces: the probation officer's and the governor's pages, reports, and sign-in.

`mount_staff(app)` adds the pages under /staff and the reports API under /api/v1/reports.
"""

from __future__ import annotations

from fastapi import FastAPI

API_PREFIX = "/api/v1"


def mount_staff(app: FastAPI) -> None:
    from api.routes import reports as reports_api
    from api.staff import governor, officer, reports, signin
    from api.staff.identity import PageProblem, SignInRequired
    from api.staff.rendering import problem_page

    app.include_router(reports_api.router, prefix=API_PREFIX)
    for router in (signin.router, officer.router, governor.router, reports.router):
        app.include_router(router)
    app.add_exception_handler(SignInRequired, signin.to_sign_in)
    app.add_exception_handler(PageProblem, problem_page)
