"""Liveness for the process and readiness for the database it needs."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import SessionDep
from api.schemas import Health, Readiness
from resettlement import migrate

router = APIRouter(tags=["health"])
log = logging.getLogger("api")


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health()


@router.get("/readyz", response_model=Readiness)
def readyz(session: SessionDep) -> Readiness:
    try:
        session.execute(text("SELECT 1"))
        engine = session.get_bind()
        revision = migrate.current_revision(engine)  # type: ignore[arg-type]
        ready = revision == migrate.head_revision()
    except SQLAlchemyError:
        log.exception("readiness check failed")
        raise HTTPException(503, "The database cannot be reached.") from None
    if not ready:
        raise HTTPException(503, "The database schema is not at the newest migration.")
    return Readiness(revision=revision)
