"""`GET /api/events`: the server-sent events an open screen (the big screen, a briefing) listens
to, so that it redraws within a moment of a change made anywhere (core/events.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from fangkong.core.db import transaction
from fangkong.core.deps import ActorForToken, bearer_or_cookie
from fangkong.core.events import Hub
from fangkong.core.i18n import _

router = APIRouter(tags=["system"])
KEEPALIVE_S = 15.0  # a comment line now and then: proxies and browsers keep the stream open


def _signed_in(request: Request) -> bool:
    """Checked on a session of its own, closed before the stream starts: an open screen holds
    no database connection."""
    token = bearer_or_cookie(request)
    if not token:
        return False
    find: ActorForToken = request.app.state.actor_for_token
    with transaction(request.app.state.session_factory) as session:
        return find(session, token=token) is not None


async def _stream(hub: Hub) -> AsyncIterator[str]:
    with hub.stream() as queue:
        yield "retry: 2000\nevent: hello\ndata: {}\n\n"
        while True:  # until the screen goes: Starlette cancels the stream then
            try:
                payload = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            yield f"event: change\ndata: {payload}\n\n"


@router.get(
    "/api/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, 401: {"description": "signed out"}},
)
async def events(request: Request) -> StreamingResponse:
    """Server-sent events: `change` with the tables a committed change wrote, from any server
    process (PostgreSQL LISTEN/NOTIFY; on SQLite this process's)."""
    if not await run_in_threadpool(_signed_in, request):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, _("not signed in or the session has expired")
        )
    return StreamingResponse(
        _stream(request.app.state.events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
