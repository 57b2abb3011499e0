"""The checkpoint scan served straight off the ASGI interface, ahead of FastAPI.

A city's scanners send one to two thousand scans a second at peak; a request through the
full FastAPI stack (middleware, routing, request objects, dependency solving, response
classes) costs this 2-core machine about as much as the scan's own work. The app
(`fangkong.app.FangkongApp`) hands `POST /api/scan` to `serve_scan` before its middleware;
every other request goes on untouched."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.types import Receive, Scope, Send

from fangkong.core.batching import Batcher
from fangkong.core.db import transaction
from fangkong.core.deps import credential_of
from fangkong.core.i18n import _
from fangkong.core.timeutil import local
from fangkong.healthcode import scan
from fangkong.healthcode.refusals import door_of

MAX_BODY = 1024  # {"token": "…"} is 40 bytes
JSON = [(b"content-type", b"application/json")]


def _batcher(state: Any) -> Batcher[scan.ScanRequest, scan.ScanAnswer]:
    """One per server process, made on its first scan."""
    batcher: Batcher[scan.ScanRequest, scan.ScanAnswer] | None = getattr(state, "scans", None)
    if batcher is None:
        factory, clock = state.session_factory, state.clock

        def run(requests: Sequence[scan.ScanRequest]) -> list[scan.ScanAnswer]:
            with transaction(factory) as session:
                return scan.scan_batch(session, requests, clock.now())

        batcher = state.scans = Batcher(run)
    return batcher


def _body(status: int, payload: dict[str, object]) -> tuple[int, bytes]:
    return status, json.dumps(payload, ensure_ascii=False).encode()


async def answer_scan(
    state: Any, authorization: str, cookie: str, body: bytes
) -> tuple[int, bytes]:
    """Status and JSON body for a scan: who sends it (a scanner's key, or a signed-in user's
    session token from the header or the pages' cookie), the token it carries. Every answer
    says when, in the platform's time and the city's zone."""
    status, payload = await _answer(state, authorization, cookie, body)
    payload["scanned_at"] = local(state.clock.now()).isoformat(timespec="seconds")
    return _body(status, payload)


async def _answer(
    state: Any, authorization: str, cookie: str, body: bytes
) -> tuple[int, dict[str, object]]:
    credential = credential_of(authorization, cookie)
    door = door_of(state)
    if not credential:
        door.refuse("no_credential")
        return (401, {"message": _("scanner not signed in"), "detail": "Authorization"})
    if len(body) > MAX_BODY:
        door.refuse("too_large")
        return (413, {"message": _("a scan is at most %(bytes)s bytes", bytes=MAX_BODY)})
    if not door.allow(credential):
        door.refuse("rate")
        return (429, {"message": _("this scanner is sending too fast; slow down")})
    try:
        token = json.loads(body)["token"]
    except (ValueError, TypeError, KeyError):
        token = None
    if not scan.valid_token(token):
        door.refuse("bad_token")
        return (422, {"message": _("invalid request"), "detail": [
            {"loc": ["body", "token"], "msg": _("a code token: 16–32 letters, digits, - or _")}
        ]})  # fmt: skip
    answer = await _batcher(state).submit(scan.ScanRequest(token, credential))
    if answer.status == 401:
        door.refuse("unknown_device")
        return (401, {"message": _("scanner not recognised or not allowed to scan")})
    if answer.status == 404:
        return (404, {"message": _("code not recognised")})
    negative = answer.last_negative_at
    return (200, {
        "colour": answer.colour,
        "name": answer.name,
        "last_negative_at": local(negative).isoformat() if negative else None,
    })  # fmt: skip


def is_scan(scope: Scope) -> bool:
    return bool(
        scope["type"] == "http" and scope["path"] == "/api/scan" and scope["method"] == "POST"
    )


async def serve_scan(state: Any, scope: Scope, receive: Receive, send: Send) -> None:
    """Read the request off ASGI, answer it, send the answer: nothing in between."""
    headers = dict(scope["headers"])
    body, more = b"", True
    while more and len(body) <= MAX_BODY:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    status, payload = await answer_scan(
        state,
        headers.get(b"authorization", b"").decode("latin-1"),
        headers.get(b"cookie", b"").decode("latin-1"),
        body,
    )
    length = (b"content-length", str(len(payload)).encode())
    await send({"type": "http.response.start", "status": status, "headers": [*JSON, length]})
    await send({"type": "http.response.body", "body": payload})
