"""Every module that defines tables, in one place: Alembic's env.py and the data-protection
map's test both import them through here, so a new model module is added once and neither can
see fewer tables than the other."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData
from sqlmodel import SQLModel

# Add a new module here when it defines a table model.
MODEL_MODULES = (
    "resettlement.models",
    "resettlement.leaver_access",
    "resettlement.notifications",
    "resettlement.staff",
    "resettlement.web_sessions",
    "resettlement.intake.models",
    "resettlement.partners.models",
    "resettlement.partners.referrals",
    "resettlement.partners.supporters",
    "resettlement.privacy.consents",
    "resettlement.voice.models",
)


def all_tables() -> MetaData:
    """Import every model module (each registers its tables) and return the full metadata."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return SQLModel.metadata
