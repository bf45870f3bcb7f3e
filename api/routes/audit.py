"""The audit trail, for admins. Read only: nothing in the API changes or deletes it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import MAX_ID, CurrentAdmin, SessionDep
from api.schemas import AuditEventPublic, AuditPage
from resettlement import audit

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=AuditPage)
def audit_trail(
    actor: CurrentAdmin,
    session: SessionDep,
    by: Annotated[
        str | None, Query(alias="actor", max_length=100, description="Only this actor.")
    ] = None,
    object_type: Annotated[str | None, Query(max_length=40)] = None,
    object_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> AuditPage:
    """Newest first. Reading the trail is itself recorded: one row naming the rows shown."""
    events = audit.events(
        session, actor=by, object_type=object_type, object_id=object_id, limit=limit, offset=offset
    )
    shown = f"{events[-1].id}-{events[0].id}" if events else "none"
    audit.record_reads(
        session=session, actor=actor, action="read", object_type="audit_trail", object_ids=[shown]
    )
    return AuditPage(
        items=[AuditEventPublic.of(e) for e in events],
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(events) == limit else None,
    )
