"""The NUL character (U+0000) refused at the edge, for every route at once.

PostgreSQL cannot store NUL in text, so a NUL in any field that reaches the database failed the
statement and answered 500. No person's name, address or note holds one, so a request that
carries one in its path, query, form or JSON body is answered 422, naming the field, before any
route runs. Plain ASGI (no BaseHTTPMiddleware); it runs inside the body-size limit, so the body
it reads is already bounded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.middleware import BodyTooLarge
from api.problems import FieldError, problem_response

NUL = "\x00"
MESSAGE = "must not contain the NUL character (U+0000)"


def _in_pairs(pairs: list[tuple[str, str]]) -> Iterator[str]:
    for name, value in pairs:
        if NUL in name or NUL in value:
            yield name.replace(NUL, "\\u0000")


def _in_json(value: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield ".".join(path) or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            step = str(key).replace(NUL, "\\u0000")
            if NUL in str(key):
                yield ".".join((*path, step))
            yield from _in_json(item, (*path, step))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _in_json(item, (*path, str(index)))


def _media_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


def _in_body(media_type: str, body: bytes) -> list[str]:
    # A NUL can only arrive escaped (JSON's \u0000, a form's %00) or raw: without one of
    # those bytes there is nothing to look for, and the body is not parsed twice.
    if b"\\u0000" not in body and b"%00" not in body and b"\x00" not in body:
        return []
    if media_type == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", errors="replace")
        return list(_in_pairs(parse_qsl(text, keep_blank_values=True)))
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            found = json.loads(body)
        except ValueError:
            return []  # not JSON: the route answers 400
        return list(dict.fromkeys(_in_json(found)))
    if media_type.startswith("multipart/") and b"\x00" in body:
        return ["body"]
    return []


class RefuseNulCharacters:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        errors: list[FieldError] = []
        if NUL in scope["path"]:
            errors.append(FieldError(field="path", location="path", message=MESSAGE))
        query = scope.get("query_string", b"").decode("latin-1")
        if "%00" in query or NUL in query:
            pairs = parse_qsl(query, keep_blank_values=True, errors="replace")
            found = list(_in_pairs(pairs)) or ["query"]
            errors += [FieldError(field=f, location="query", message=MESSAGE) for f in found]
        media_type = _media_type(scope)
        replay: list[Message] = []
        if media_type and scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            body = b""
            while True:
                try:
                    message = await receive()
                except BodyTooLarge as too_large:
                    response = problem_response(Request(scope), 413, detail=too_large.detail)
                    await response(scope, receive, send)
                    return
                replay.append(message)
                if message["type"] != "http.request":
                    break
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    break
            found = _in_body(media_type, body)
            errors += [FieldError(field=f, location="body", message=MESSAGE) for f in found]
        if errors:
            fields = ", ".join(dict.fromkeys(e.field for e in errors))
            response = problem_response(
                Request(scope),
                422,
                title="Invalid input",
                detail=f"Check these fields: {fields}.",
                type_="urn:resettlement:problem:invalid-input",
                errors=errors,
            )
            await response(scope, receive, send)
            return

        async def replaying() -> Message:
            return replay.pop(0) if replay else await receive()

        await self.app(scope, replaying, send)
