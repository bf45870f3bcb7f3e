"""Who is acting: every service call names its actor, so history and audit can say who did what."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from uuid import uuid4


class Role(StrEnum):
    PROBATION_OFFICER = "probation_officer"
    GOVERNOR = "governor"
    PRISON_LEAVER = "prison_leaver"
    ADMIN = "admin"
    # Keeps their prison's directory of local services (one or more in each prison).
    COORDINATOR = "coordinator"
    # Staff of a voluntary organisation a person is referred to: they see only the people
    # referred to their organisation with live consent, and only the consented sections.
    PARTNER = "partner"
    # A family member or friend the person names: a read-only view of the parts of the
    # published 48-hour plan the person chose, through a link of their own.
    SUPPORTER = "supporter"
    # The scheduled workflows act as themselves, so history never pretends a person did it.
    SYSTEM = "system"
    # An import of the prison's records (resettlement/intake), one actor per run and file; like
    # the system, never given to a token (api/auth.py PERSON_ROLES).
    INTAKE = "intake"


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: Role
    prison_code: str | None = None
    plan_id: int | None = None
    request_id: str = field(default_factory=lambda: uuid4().hex)
    # A partner's organisation (the directory's organisation id).
    organisation_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.PROBATION_OFFICER, Role.GOVERNOR, Role.ADMIN, Role.COORDINATOR)


SYSTEM = Actor(user_id="resettlement-workflows", role=Role.SYSTEM)
