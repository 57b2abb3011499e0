"""Scans refused before they reach a code, counted and not written one row each: a scanner
replaying garbage at full speed must not fill the database. Each server process counts in
memory; the counts are added to the table by minute and reason every few seconds (and when
the server stops). Also each device's rate: a token bucket per credential."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fangkong.core.db import transaction
from fangkong.healthcode.models import ScanRefusals

# A scanner reads a code a second or two at a busy gate; ten a second, twenty at once, is a
# device misbehaving or a replay.
SCANS_PER_SECOND = 10.0
BURST = 20.0
MAX_DEVICES = 100_000  # buckets kept; past this they start afresh (a flood of made-up keys)


class ScanDoor:
    """Per process: the refusals not yet written, and each device's bucket."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refused: Counter[str] = Counter()
        self._buckets: dict[str, tuple[float, float]] = {}

    def refuse(self, reason: str) -> None:
        with self._lock:
            self._refused[reason] += 1

    def take(self) -> Counter[str]:
        with self._lock:
            taken, self._refused = self._refused, Counter()
        return taken

    def allow(self, device: str, now: float | None = None) -> bool:
        """Whether the device may scan now (one token from its bucket)."""
        now = time.monotonic() if now is None else now
        tokens, since = self._buckets.get(device, (BURST, now))
        tokens = min(BURST, tokens + (now - since) * SCANS_PER_SECOND)
        if len(self._buckets) > MAX_DEVICES:
            self._buckets.clear()
        if tokens < 1.0:
            self._buckets[device] = (tokens, now)
            return False
        self._buckets[device] = (tokens - 1.0, now)
        return True


def door_of(state: Any) -> ScanDoor:
    door: ScanDoor | None = getattr(state, "scan_door", None)
    if door is None:
        door = state.scan_door = ScanDoor()
    return door


def add_refusals(session: Session, counts: Counter[str], now: datetime) -> None:
    minute = now.replace(second=0, microsecond=0)
    rows = [{"minute": minute, "reason": r, "count": n} for r, n in counts.items()]
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(ScanRefusals).values(rows)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["minute", "reason"],
            set_={"count": ScanRefusals.count + insert.excluded.count},
        )
    )


def flush_refusals(state: Any) -> None:
    """Write the process's counts so far (the maintenance round and the server's stop)."""
    counts = door_of(state).take()
    if counts:
        with transaction(state.session_factory) as session:
            add_refusals(session, counts, state.clock.now())


def refusals_since(session: Session, since: datetime) -> dict[str, int]:
    rows = session.execute(
        select(ScanRefusals.reason, func.sum(ScanRefusals.count))
        .where(ScanRefusals.minute >= since.replace(second=0, microsecond=0))
        .group_by(ScanRefusals.reason)
    )
    return {reason: int(n) for reason, n in rows}
