"""A coordinator's service name is held to what every table it lands in can keep: a name too
long is a 422 in words, never a database error (PostgreSQL enforces lengths; SQLite does not)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from resettlement.partners.directory import ServiceDetails


def test_a_service_name_longer_than_its_contact_can_hold_is_refused_in_words() -> None:
    ServiceDetails(organisation_name="Made Up Trust", name="N" * 200, needs=["money"])
    with pytest.raises(ValidationError) as refused:
        ServiceDetails(organisation_name="Made Up Trust", name="0" * 300, needs=["money"])
    assert refused.value.errors()[0]["loc"] == ("name",)
