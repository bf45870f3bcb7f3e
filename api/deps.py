"""Dependencies that read like the domain: the session, who is asking, and whose record it is.

Wrong role for an endpoint is 403. Right role but someone else's record is 404, worded exactly
as for a record that does not exist, so the API never confirms that a record exists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api.auth import InvalidToken, verify
from api.rate_limits import RateLimiter
from api.settings import get_api_settings
from resettlement import audit
from resettlement.actors import Actor, Role
from resettlement.database import get_engine
from resettlement.errors import NotFound
from resettlement.models import EarlyReleaseRequest, Person, ReleasePlan
from resettlement.plan_view import no_such_plan, readable_by

# Ids are 32-bit in the schema; a bigger number can only be a mistake, never a record.
MAX_ID = 2**31 - 1


async def get_session() -> AsyncIterator[Session]:
    """The one session dependency; tests override this callable.

    Async so that opening it costs no trip to the thread pool (a session touches the database
    only when first used, in the route's thread). Closing a session whose transaction is still
    open rolls it back, which talks to the database, so that happens in a worker thread; after a
    commit there is nothing left to say to the database, and closing is a few objects' worth of
    work on the event loop.
    """
    session = Session(get_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="A JWT from the identity provider (or `resettlement token` in local mode).",
)


def _unauthenticated(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": 'Bearer realm="resettlement"'})


def authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    """Verifies the bearer token once per request and remembers who it names."""
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthenticated("Sign in: send a bearer token.")
    try:
        claims = verify(credentials.credentials)
    except InvalidToken:
        raise _unauthenticated("The token is not valid or has expired.") from None
    actor = claims.actor(request.state.request_id)
    request.state.actor = actor
    return actor


async def _authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Actor:
    if get_api_settings().local_mode:
        # A local HS256 check is microseconds of CPU: cheaper here than a thread-pool trip.
        return authenticate(request, credentials)
    # The provider's key set may have to be fetched over the network: off the event loop.
    return await run_in_threadpool(authenticate, request, credentials)


async def current_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Actor:
    return await _authenticate(request, credentials)


CurrentUser = Annotated[Actor, Depends(current_user)]


def require(*roles: Role) -> Callable[[Actor], Awaitable[Actor]]:
    async def check(actor: CurrentUser) -> Actor:
        if actor.role not in roles:
            raise HTTPException(403, "Your role cannot use this part of the service.")
        return actor

    return check


CurrentOfficer = Annotated[Actor, Depends(require(Role.PROBATION_OFFICER))]
CurrentGovernor = Annotated[Actor, Depends(require(Role.GOVERNOR))]
CurrentLeaver = Annotated[Actor, Depends(require(Role.PRISON_LEAVER))]
CurrentAdmin = Annotated[Actor, Depends(require(Role.ADMIN))]
CurrentPartner = Annotated[Actor, Depends(require(Role.PARTNER))]
CurrentStaff = Annotated[Actor, Depends(require(Role.PROBATION_OFFICER, Role.GOVERNOR))]
CurrentOfficerOrAdmin = Annotated[Actor, Depends(require(Role.PROBATION_OFFICER, Role.ADMIN))]
CurrentStaffOrAdmin = Annotated[
    Actor, Depends(require(Role.PROBATION_OFFICER, Role.GOVERNOR, Role.ADMIN))
]

PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="The release plan's id.")]
RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="The early-release request's id.")]


def _load_plan(session: Session, plan_id: int) -> ReleasePlan:
    plan = session.get(ReleasePlan, plan_id)
    if plan is None:
        raise no_such_plan(plan_id)
    return plan


def officers_plan(plan_id: PlanId, actor: CurrentOfficer, session: SessionDep) -> ReleasePlan:
    """A plan the officer is named on: the only plans they may see or change."""
    plan = _load_plan(session, plan_id)
    if plan.probation_officer_id != actor.user_id:
        audit.record_denied(session, actor, "plan", plan_id)
        raise no_such_plan(plan_id)
    return plan


def readable_plan(plan_id: PlanId, actor: CurrentStaff, session: SessionDep) -> ReleasePlan:
    """The officer's own plans; for a governor, plans of people in their prison."""
    plan = _load_plan(session, plan_id)
    person = session.get(Person, plan.person_id)
    if person is None or not readable_by(actor, plan, person):
        audit.record_denied(session, actor, "plan", plan_id)
        raise no_such_plan(plan_id)
    return plan


def governors_request(
    request_id: RequestId, actor: CurrentGovernor, session: SessionDep
) -> EarlyReleaseRequest:
    request = session.get(EarlyReleaseRequest, request_id)
    if request is not None and request.prison_code == actor.prison_code:
        return request
    if request is not None:
        audit.record_denied(session, actor, "early_release_request", request_id)
    raise NotFound(f"There is no early-release request with id {request_id}.")


OfficersPlan = Annotated[ReleasePlan, Depends(officers_plan)]
ReadablePlan = Annotated[ReleasePlan, Depends(readable_plan)]
GovernorsRequest = Annotated[EarlyReleaseRequest, Depends(governors_request)]


async def leaver_rate_limit(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """Per person when the token is good, else per address, so guessing is limited too."""
    try:
        key = "user:" + (await _authenticate(request, credentials)).user_id
    except HTTPException:
        key = "ip:" + (request.client.host if request.client else "unknown")
    limiter: RateLimiter = request.app.state.leaver_limiter
    wait = await run_in_threadpool(limiter.take, key) if limiter.shared else limiter.take(key)
    if wait > 0:
        raise HTTPException(
            429,
            "Too many requests. Try again in a minute.",
            headers={"Retry-After": str(max(1, int(wait + 0.999)))},
        )


LeaverRateLimit = Depends(leaver_rate_limit)
