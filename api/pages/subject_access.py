"""A subject access export as files: the JSON as the service exported it, and a readable PDF
of the same data in English or Welsh, made with WeasyPrint from a GOV.UK-styled page."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api.pages import plan_pdf
from api.pages.formatting import date_text, time_text
from api.pages.i18n import _
from api.pages.subject_access_labels import FIELDS, SECTIONS
from api.pages.templating import render

_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Lists of records under a plan, in the order the PDF shows them.
PLAN_PARTS = (
    "history",
    "checklist",
    "appointments",
    "contacts",
    "goals",
    "published_versions",
    "early_release_requests",
    "notifications",
    "sign_in_links",
    "supporters",
    "referrals",
    "first_days_answers",
)


def label(name: str) -> str:
    return _(FIELDS[name]) if name in FIELDS else name.replace("_", " ").capitalize()


def section(name: str) -> str:
    return _(SECTIONS[name]) if name in SECTIONS else name.replace("_", " ").capitalize()


def shown(value: Any) -> str:
    """A stored value as words: times in London in GOV.UK style, days with their year."""
    if value is None:
        return _("Not recorded")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else _("None.")
    text = str(value)
    if _INSTANT.match(text):
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            return text
        from resettlement import clock

        local = clock.london(instant)
        return f"{date_text(local.date(), year=True)}, {time_text(local)}"
    if _DAY.match(text):
        try:
            return date_text(date.fromisoformat(text), year=True)
        except ValueError:
            return text
    return text


def json_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def export_response(
    request: Request, data: dict[str, Any], *, file_format: str, language: str
) -> Response:
    person_id = data["person"]["id"]
    headers = {"Cache-Control": "no-store", "Content-Language": language}
    if file_format == "json":
        headers["Content-Disposition"] = f'attachment; filename="subject-access-{person_id}.json"'
        return Response(json_bytes(data), media_type="application/json", headers=headers)
    page = render(
        request,
        "subject_access.html",
        {
            "data": data,
            "plan_parts": PLAN_PARTS,
            "label": label,
            "section": section,
            "shown": shown,
        },
        language=language,
    )
    headers["Content-Disposition"] = (
        f'attachment; filename="subject-access-{person_id}-{language}.pdf"'
    )
    return Response(
        plan_pdf.pdf_of(bytes(page.body).decode()), media_type="application/pdf", headers=headers
    )
