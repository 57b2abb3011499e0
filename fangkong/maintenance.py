"""What the server does by itself while it runs: retention once a day (as of the platform
clock), the command centre's tasks raised every minute, the audit sealed every two seconds,
and the counts of refused scans written down every few seconds. One worker does each round
(an advisory lock on PostgreSQL, a file lock on SQLite: core/import_guard.py); a round that
fails is logged and tried again next time — it never stops the server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from fangkong.command.raising import raise_tasks
from fangkong.core.audit import record_audit, seal_audit
from fangkong.core.db import transaction
from fangkong.core.errors import Conflict
from fangkong.core.events import serving
from fangkong.core.import_guard import one_at_a_time
from fangkong.core.settings import get_settings
from fangkong.healthcode.refusals import flush_refusals
from fangkong.retention import purge_all
from fangkong.surveillance.detection import detect

log = logging.getLogger("fangkong.maintenance")
REFUSALS_EVERY_S = 5.0
SEAL_EVERY_S = 2.0


def _by_one_worker(state: Any, name: str, work: Callable[[Session], object]) -> None:
    """`work` in a transaction of its own, unless another worker is doing it now."""
    with transaction(state.session_factory) as session, contextlib.ExitStack() as held:
        try:
            held.enter_context(one_at_a_time(session, name, filename=name))
        except Conflict:
            return  # another worker is at it
        work(session)


def retention_round(state: Any) -> None:
    """Purge what is past retention as of the platform's now, audited as the system's act."""
    now = state.clock.now()
    days = get_settings().retention_days

    def purge(session: Session) -> None:
        done = purge_all(session, now=now, retention_days=days)
        record_audit(
            session, actor=None, action="purge", entity="retention", entity_id=now.date(),
            now=now, detail=f"{done.people} people, {done.contacts} contacts, "
            f"{done.samples} samples, {done.scans} scans past {days} days",
        )  # fmt: skip

    _by_one_worker(state, "retention", purge)


def raise_round(state: Any) -> None:
    """The command centre's raising pass as of the platform's now (command/raising.py)."""
    now = state.clock.now()
    _by_one_worker(state, "command-raise", lambda session: raise_tasks(session, as_of=now))


def detect_round(state: Any) -> None:
    """Sentinel surveillance's detection pass as of the platform's now."""
    now = state.clock.now()
    _by_one_worker(state, "sentinel-detect", lambda session: detect(session, as_of=now))


def seal_round(state: Any) -> None:
    """Seal the audit entries written since the last round (core/audit.py)."""
    _by_one_worker(state, "audit-seal", seal_audit)


async def _every(seconds: float, work: Any, state: Any) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await run_in_threadpool(work, state)
        except Exception:  # logged, tried again next round: the server goes on
            log.exception("%s failed", getattr(work, "__name__", work))


@asynccontextmanager
async def maintenance(app: Any) -> AsyncIterator[None]:
    """The app's lifespan: the rounds run while the server does, and stop with it; the open
    screens hear of changes meanwhile (core/events.py)."""
    engine = app.state.session_factory.kw.get("bind")
    shared = isinstance(engine, Engine)
    async with serving(app.state.events, engine if shared else None):
        # Sessions bound to one connection (a test's rolled-back transaction) cannot serve a
        # round's thread and a request's at once: the rounds run only over an engine's pool.
        tasks = _start_rounds(app.state) if shared else []
        try:
            yield
        finally:
            await _stop_rounds(app.state, tasks)


def _start_rounds(state: Any) -> list[asyncio.Task[None]]:
    settings = get_settings()
    return [
        asyncio.create_task(_every(settings.retention_every_hours * 3600, retention_round, state)),
        asyncio.create_task(_every(settings.command_raise_every_seconds, raise_round, state)),
        asyncio.create_task(_every(settings.sentinel_detect_every_seconds, detect_round, state)),
        asyncio.create_task(_every(REFUSALS_EVERY_S, flush_refusals, state)),
        asyncio.create_task(_every(SEAL_EVERY_S, seal_round, state)),
    ]


async def _stop_rounds(state: Any, tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for last in (flush_refusals, seal_round):  # a last round; a database down is logged
        try:
            await run_in_threadpool(last, state)
        except Exception:
            log.exception("%s at shutdown failed", last.__name__)
    pool = getattr(state, "import_pool", None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
