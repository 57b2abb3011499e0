"""The platform's time, for people and programs: `GET /api/clock`, stepping a replay's clock
(`PUT /api/clock`, and the pages' header form), and what the header shows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from fangkong.core.auth import Actor
from fangkong.core.clock import Clock, ReplayClock
from fangkong.core.errors import Conflict, InvalidInput
from fangkong.core.i18n import _
from fangkong.core.timeutil import LocalDateTime, fmt_local, local, local_date
from fangkong.users.deps import CanSetClock
from fangkong.users.permissions import SET_CLOCK

router = APIRouter(tags=["system"])


class ClockOut(BaseModel):
    now: datetime
    local: str
    kind: Literal["wall", "replay"]
    running: bool
    replay_from: datetime | None
    replay_to: datetime | None


class ClockIn(BaseModel):
    at: LocalDateTime


def clock_out(clock: Clock) -> ClockOut:
    now = clock.now()
    if not isinstance(clock, ReplayClock):
        return ClockOut(
            now=now, local=fmt_local(now), kind="wall", running=True, replay_from=None,
            replay_to=None,
        )  # fmt: skip
    span = clock.span
    return ClockOut(
        now=now,
        local=fmt_local(now),
        kind="replay",
        running=clock.time.running,
        replay_from=span.start if span else None,
        replay_to=span.end if span else None,
    )


def step_clock(clock: Clock, moment: datetime) -> None:
    if not isinstance(clock, ReplayClock):
        raise Conflict(_("the platform runs on the wall clock; only a replay's clock is stepped"))
    try:
        clock.set(moment)
    except ValueError as exc:
        raise InvalidInput.at(("body", "at"), str(exc)) from None


@router.get("/api/clock")
def read_clock(request: Request) -> ClockOut:
    """The platform's time: the wall clock, or a replay's moment and the days it spans."""
    return clock_out(request.app.state.clock)


@router.put("/api/clock")
def set_clock(request: Request, _: CanSetClock, body: ClockIn) -> ClockOut:
    """Step a replay's clock to a moment within its days (commanders and admins)."""
    step_clock(request.app.state.clock, body.at)
    return clock_out(request.app.state.clock)


@router.post("/clock", include_in_schema=False)
def set_clock_page(
    request: Request,
    _: CanSetClock,
    day: Annotated[date, Form()],
    hour: Annotated[int, Form(ge=0, le=23)],
) -> RedirectResponse:
    moment = local(request.app.state.clock.now()).replace(
        year=day.year, month=day.month, day=day.day, hour=hour, minute=0, second=0, microsecond=0
    )
    step_clock(request.app.state.clock, moment)
    return RedirectResponse(_without_as_of(request.headers.get("referer")), status_code=303)


def _without_as_of(referer: str | None) -> str:
    """Back to the page the user was on, showing the new now rather than a fixed `as_of`."""
    if not referer:
        return "/"
    parts = urlsplit(referer)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "as_of"])
    return parts.path + (f"?{query}" if query else "")


class HeaderClock(NamedTuple):
    """What the pages' header shows of the platform's time, and the days a user may step to."""

    local: str
    replay: bool
    days: list[date]
    today: date
    hour: int


def header_clock(clock: Clock, actor: Actor | None) -> HeaderClock:
    now = clock.now()
    days: list[date] = []
    if isinstance(clock, ReplayClock) and clock.span and actor and actor.can(SET_CLOCK):
        first, last = local_date(clock.span.start), local_date(clock.span.end)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return HeaderClock(
        fmt_local(now), isinstance(clock, ReplayClock), days, local_date(now), local(now).hour
    )
