"""The big screen's figures: today's briefing as of now, made once for all the screens of one
reach and language until a change is heard (core/events.py) or half a minute passes —
fifty screens refetching on every change must not make fifty briefings."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from fangkong.command.briefing import build_briefing
from fangkong.command.briefing_schemas import BriefingRead
from fangkong.command.tasks import city_wide
from fangkong.core.auth import Actor
from fangkong.core.i18n import current_lang
from fangkong.core.timeutil import local_date

FRESH_S = 30.0


class Made(NamedTuple):
    generation: int
    made: float  # time.monotonic()
    now: datetime
    figures: BriefingRead


# Whose figures these are, and in which language: every city-wide reader of a role sees the
# same; a county's or a unit's readers each their own (their tasks are those they answer for).
Key = tuple[str | int, str]


def reach_of(actor: Actor) -> str | int:
    return f"city:{actor.role}" if city_wide(actor) else actor.user_id


class ScreenCache:
    def __init__(self) -> None:
        self._made: dict[Key, Made] = {}
        self._lock = threading.Lock()
        self._building: dict[Key, threading.Lock] = {}

    def building(self, key: Key) -> threading.Lock:
        """One builder a key at a time: the screens asking meanwhile wait and share it."""
        with self._lock:
            return self._building.setdefault(key, threading.Lock())

    def get(self, key: Key, generation: int, now: datetime) -> BriefingRead | None:
        found = self._made.get(key)
        fresh = (
            found is not None
            and found.generation == generation
            and abs((now - found.now).total_seconds()) < FRESH_S  # the replay's clock stepped
            and time.monotonic() - found.made < FRESH_S
        )
        return found.figures if fresh and found else None

    def put(self, key: Key, made: Made) -> None:
        with self._lock:
            self._made[key] = made


def screen_figures(state: Any, session: Session, *, actor: Actor, now: datetime) -> BriefingRead:
    cache: ScreenCache = state.screen_cache
    generation = state.events.generation
    key = (reach_of(actor), current_lang.get())
    with cache.building(key):
        found = cache.get(key, generation, now)
        if found is None:
            found = build_briefing(session, actor=actor, day=local_date(now), now=now)
            cache.put(key, Made(generation, time.monotonic(), now, found))
    return found
