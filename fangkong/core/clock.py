"""The only place that reads the wall clock: everything else takes `now` as an argument.

The platform's clock is one setting, for pages, the API's defaults, exports, papers, jobs and
commands alike: the wall clock in production; for a demo or a replay a moment that stands
still or runs on from where it was set, kept in the data folder (`clock.json`, which
`fangkong demo` writes) so the server and every command read the same time, and steppable
through the replay's days from the pages' header. `FANGKONG_CLOCK` sets it too:
`2022-03-08 20:00` (standing) or `2022-03-08 20:00 running`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still, for replays and tests."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at


def utcnow() -> datetime:
    return SystemClock().now()


@dataclass(frozen=True)
class ReplaySpan:
    """The days a replay's clock may be stepped through."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end


@dataclass(frozen=True)
class ReplayTime:
    """Where a replay's clock was set (`at`), on which wall-clock moment (`set_on`), and
    whether it runs on from there."""

    at: datetime
    set_on: datetime
    running: bool = False

    def now(self) -> datetime:
        return self.at + (utcnow() - self.set_on) if self.running else self.at


class ReplayClock:
    """A replay's time. With a file, every process serving the platform and every command
    reads the same moment: a step taken in one is seen by all at their next reading."""

    def __init__(
        self,
        at: datetime,
        *,
        running: bool = False,
        span: ReplaySpan | None = None,
        path: Path | None = None,
    ) -> None:
        if at.tzinfo is None:
            raise ValueError("ReplayClock needs an aware datetime")
        self.span, self.path = span, path
        self.time = ReplayTime(at, utcnow(), running)
        self._seen: tuple[int, int] | None = None

    def now(self) -> datetime:
        self._follow_file()
        return self.time.now()

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the replay clock needs an aware datetime")
        if self.span is not None and not self.span.holds(moment):
            raise ValueError(
                f"the replay runs from {self.span.start.isoformat()} to {self.span.end.isoformat()}"
            )
        self.time = ReplayTime(moment, utcnow(), self.time.running)
        if self.path is not None:
            save_replay(self.path, self)

    def _follow_file(self) -> None:
        if self.path is None:
            return
        try:
            stamp = _stamp(self.path)
        except FileNotFoundError:
            return
        if stamp != self._seen:
            self.time, self.span = _read_replay(self.path)
            self._seen = stamp

    def as_json(self) -> dict[str, object]:
        return {
            "at": self.time.at.isoformat(),
            "set_on": self.time.set_on.isoformat(),
            "running": self.time.running,
            "from": self.span.start.isoformat() if self.span else None,
            "to": self.span.end.isoformat() if self.span else None,
        }


def save_replay(path: Path, clock: ReplayClock) -> None:
    """Written whole then renamed, so a reader never sees half a file."""
    part = path.with_suffix(".part")
    part.write_text(json.dumps(clock.as_json()), encoding="utf-8")
    part.replace(path)


def _read_replay(path: Path) -> tuple[ReplayTime, ReplaySpan | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        at = datetime.fromisoformat(data["at"])
        set_on = datetime.fromisoformat(data.get("set_on") or data["at"])
        span = None
        if data.get("from") and data.get("to"):
            span = ReplaySpan(
                datetime.fromisoformat(data["from"]), datetime.fromisoformat(data["to"])
            )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a replay clock ({exc})") from None
    if at.tzinfo is None:
        raise ValueError(f"{path}: the replay clock's time has no zone")
    return ReplayTime(at, set_on, bool(data.get("running"))), span


def load_replay(path: Path) -> ReplayClock:
    """The replay clock kept in a data folder's `clock.json` (a broken file stops start-up
    here, naming it; the clock reads the file's moment at its first `now`)."""
    time, span = _read_replay(path)
    return ReplayClock(time.at, running=time.running, span=span, path=path)


def _stamp(path: Path) -> tuple[int, int]:
    """Which version of the file: each save is a new file renamed into place (a new inode),
    so two saves within one tick of the file system's clock still differ."""
    found = path.stat()
    return found.st_ino, found.st_mtime_ns
