"""The officer's contact form: words are refused where the field is, numbers are shown in
national format on the plan page."""

from __future__ import annotations

import re
from collections.abc import Callable

from resettlement.models import ReleasePlan
from tests.staff.test_pages import SignedIn, csrf_version


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_officers_form_refuses_words_and_shows_numbers_in_national_format(
    signed_in: SignedIn, new_plan: Callable[..., ReleasePlan]
) -> None:
    plan = new_plan()
    officer = signed_in("officer")
    officer.get(f"/staff/plans/{plan.id}/contacts/new")
    refused = officer.post(
        f"/staff/plans/{plan.id}/contacts/new",
        {
            "kind": "helpline",
            "name": "Night line",
            "phone": "0800 CALL NOW",
            "expected_version": csrf_version(officer.last),
        },
    )
    assert refused.status_code == 422
    assert "Enter a phone number using digits only" in _text(refused.text)
    assert 'href="#phone"' in refused.text
    saved = officer.post(
        f"/staff/plans/{plan.id}/contacts/new",
        {
            "kind": "helpline",
            "name": "Night line",
            "phone": "07700900123",
            "expected_version": csrf_version(officer.last),
        },
    )
    assert saved.status_code == 303
    page = officer.get(f"/staff/plans/{plan.id}")
    assert "Night line, 07700 900123" in _text(page.text)
