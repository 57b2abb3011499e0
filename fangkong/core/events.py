"""Change notices for the open screens: every committed transaction that wrote the response's
tables says so, and every open event stream (`GET /api/events`) of every server process hears
it within a moment.

A transaction's writes are noted per connection as they run (any INSERT, UPDATE or DELETE, the
ORM's and Core's bulk inserts alike). At commit, on PostgreSQL the notice goes out with
`pg_notify` inside the transaction — delivered to every process's listener only if the
transaction commits — and each process's listener hands it to its own streams; on SQLite,
which has no such thing, it goes straight to the streams of this process. Bookkeeping (the
audit's chain, sessions, refusal counts) says nothing: the screens do not show it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from sqlalchemy import Delete, Engine, Insert, Update, event
from sqlalchemy.engine import Connection

log = logging.getLogger("fangkong.events")
CHANNEL = "fangkong_changes"
CHANGED = "fangkong_changed"
QUIET_TABLES = frozenset(
    {
        "audit_entries",
        "audit_head",
        "user_sessions",
        "login_failures",
        # A checkpoint's scans come by the thousand a second at a peak; no screen shows them.
        "healthcode_scans",
        "healthcode_scan_refusals",
        "healthcode_tokens",
    }
)
STREAM_QUEUE = 64  # notices a slow screen may fall behind by; then it just refetches once


class Hub:
    """This process's open streams: each a queue the stream awaits on the event loop; a
    notice may be handed in from any thread."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.generation = 0  # notices heard so far: what was made before one may be stale

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    @property
    def streams(self) -> int:
        return len(self._queues)

    @contextlib.contextmanager
    def stream(self) -> Any:
        queue: asyncio.Queue[str] = asyncio.Queue(STREAM_QUEUE)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def publish(self, payload: str) -> None:
        """Hand a notice to every stream (thread-safe; a full queue drops it: that screen
        already has a refetch waiting)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._deliver, payload)

    def _deliver(self, payload: str) -> None:
        self.generation += 1
        for queue in list(self._queues):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(payload)


# The hubs of this process's apps (a test may run several), for SQLite's in-process notices.
_local_hubs: set[Hub] = set()


def notice(tables: Iterable[str]) -> str | None:
    """The notice for a transaction that wrote `tables`, or None if none of them shows."""
    shown = sorted(set(tables) - QUIET_TABLES)
    if not shown:
        return None
    return json.dumps({"tables": shown})


def _note_write(conn: Connection, clauseelement: Any, *_: Any) -> None:
    if isinstance(clauseelement, Insert | Update | Delete):
        table = clauseelement.table
        conn.info.setdefault(CHANGED, set()).add(getattr(table, "name", str(table)))


def _forget(conn: Connection) -> None:
    conn.info.pop(CHANGED, None)


def _on_commit_postgres(conn: Connection) -> None:
    payload = notice(conn.info.pop(CHANGED, ()))
    if payload is None:
        return
    # On the DBAPI connection, in the committing transaction: no statement event re-enters.
    cursor = conn.connection.cursor()
    try:
        cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
    finally:
        cursor.close()


def _on_commit_sqlite(conn: Connection) -> None:
    payload = notice(conn.info.pop(CHANGED, ()))
    if payload is not None:
        for hub in list(_local_hubs):
            hub.publish(payload)


def watch_changes(engine: Engine) -> None:
    """Note this engine's writes and say them at commit (once per engine)."""
    if event.contains(engine, "after_execute", _note_write):
        return
    event.listen(engine, "after_execute", _note_write)
    event.listen(engine, "rollback", _forget)
    postgres = engine.dialect.name == "postgresql"
    event.listen(engine, "commit", _on_commit_postgres if postgres else _on_commit_sqlite)


@contextlib.asynccontextmanager
async def serving(hub: Hub, engine: Engine | None) -> AsyncIterator[None]:
    """While the server runs: its streams bound to its loop, and on PostgreSQL a listener
    handing every process's notices to them."""
    hub.bind(asyncio.get_running_loop())
    listener = None
    if engine is not None and engine.dialect.name == "postgresql":
        listener = asyncio.create_task(_listen(hub, engine))
    else:
        _local_hubs.add(hub)
    try:
        yield
    finally:
        _local_hubs.discard(hub)
        if listener is not None:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)


async def _listen(hub: Hub, engine: Engine) -> None:
    """LISTEN on a connection of its own; a lost connection is made again a second later."""
    import psycopg

    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                async for note in conn.notifies():
                    hub.publish(note.payload)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database went away: the screens wait, the server goes on
            log.warning("change listener lost its connection; again in 1 s", exc_info=True)
            await asyncio.sleep(1.0)
