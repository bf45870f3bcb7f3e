"""The intake's tests: staff the rows name (governors of the prisons, probation officers)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from resettlement import staff
from resettlement.actors import Actor, Role
from resettlement.staff import StaffMember

PRISONS = ("MDI", "BWI", "SDI", "LPI")
OFFICERS = ("po-intake-a", "po-intake-b", "po-intake-c")
ADMIN = Actor(user_id="admin-intake", role=Role.ADMIN)


@pytest.fixture
def known_staff(session: Session) -> None:
    members = [
        StaffMember(user_id=f"governor-{p.lower()}", name=f"Governor {p}", role="governor",
                    prison_code=p)
        for p in PRISONS
    ] + [
        StaffMember(user_id=o, name=f"Officer {o[-1].upper()}", role="probation_officer")
        for o in OFFICERS
    ]  # fmt: skip
    staff.add_missing(session=session, members=members)
