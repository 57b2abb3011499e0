"""The door every request but the checkpoint scan passes (ASGI middleware, ahead of routing):

- a body over its limit is refused 413 before it is read (by its declared length) or as soon as
  it passes the limit (a body sent in chunks) — an upload's limit for multipart, a smaller one
  for everything else;
- a request with a body to anything but the sign-in is refused 401 before its body is read
  unless it carries a token this installation signed and that has not expired (whether its
  session is still alive is checked by the route, as for every request);
- every answer carries the security headers: a Content-Security-Policy without inline script,
  no framing, nosniff, a same-origin referrer, and no caching of what is not a static file.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fangkong.core.audit import collecting_disclosures
from fangkong.core.auth import read_token
from fangkong.core.clock import utcnow
from fangkong.core.deps import credential_of
from fangkong.core.i18n import _

MiB = 1024 * 1024
UPLOAD_LIMIT = 32 * MiB  # a line list of 100,000 rows is ~8 MiB as .xlsx, ~12 MiB as CSV
BODY_LIMIT = 4 * MiB  # JSON: a batch of a few thousand contacts
OPEN_DOORS = frozenset({"/api/auth/token", "/login"})  # bodies anyone may send: credentials
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
NO_STORE = (b"cache-control", b"no-store")
STATIC = ("/static/", "/vendor/", "/vendor-map/", "/docs-assets/")


def body_limit(headers: dict[bytes, bytes]) -> int:
    content_type = headers.get(b"content-type", b"")
    return UPLOAD_LIMIT if content_type.startswith(b"multipart/") else BODY_LIMIT


def too_large(limit: int) -> HTTPException:
    return HTTPException(
        413, _("the request is larger than %(mib)s MiB; split it", mib=limit // MiB)
    )


def carries_token(headers: dict[bytes, bytes], secret: str) -> bool:
    """Whether the request carries a token this installation signed, still in its time."""
    token = credential_of(
        headers.get(b"authorization", b"").decode("latin-1"),
        headers.get(b"cookie", b"").decode("latin-1"),
    )
    return bool(token) and read_token(token, secret=secret, now=utcnow()) is not None


class Guard:
    def __init__(self, app: ASGIApp, *, secret: Callable[[], str]) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        path: str = scope["path"]
        send = _with_headers(send, store=not path.startswith(STATIC))
        if scope["method"] in BODY_METHODS:
            limit = body_limit(headers)
            declared = headers.get(b"content-length", b"0")  # malformed: the server's to refuse
            if declared.isdigit() and int(declared) > limit:
                await _refuse(send, 413, str(too_large(limit).detail))
                return
            if path not in OPEN_DOORS and not carries_token(headers, self.secret()):
                await _refuse(send, 401, _("not signed in or the session has expired"))
                return
            receive = _bounded(receive, limit)
        with collecting_disclosures():
            await self.app(scope, receive, send)


def _bounded(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise too_large(limit)
        return message

    return bounded


def _with_headers(send: Send, *, store: bool) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", []), *SECURITY_HEADERS]
            if store and not any(name.lower() == b"cache-control" for name, _ in headers):
                headers.append(NO_STORE)
            message = {**message, "headers": headers}
        await send(message)

    return sending


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"message": message, "detail": message}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the unread body is not waited for
    ]  # the security headers: `send` adds them, as to every answer
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
