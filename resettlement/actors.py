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
    # The scheduled workflows act as themselves, so history never pretends a person did it.
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: Role
    prison_code: str | None = None
    plan_id: int | None = None
    request_id: str = field(default_factory=lambda: uuid4().hex)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.PROBATION_OFFICER, Role.GOVERNOR, Role.ADMIN, Role.COORDINATOR)


SYSTEM = Actor(user_id="resettlement-workflows", role=Role.SYSTEM)
