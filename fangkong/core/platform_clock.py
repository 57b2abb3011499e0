"""Which clock the platform runs on, from the settings: the wall clock; `FANGKONG_CLOCK`
(a moment, standing or `running`); or a replay's `clock.json` in the data folder, which
`fangkong demo` writes. Production refuses the last two unless FANGKONG_ALLOW_FIXED_CLOCK."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fangkong.core.clock import Clock, ReplayClock, ReplaySpan, SystemClock, save_replay
from fangkong.core.clock import load_replay as _load_replay
from fangkong.core.settings import Settings, get_settings
from fangkong.core.timeutil import parse_local_datetime

REPLAY_FILE = "clock.json"


def replay_file(data_dir: Path) -> Path:
    return data_dir / REPLAY_FILE


def clock_from_setting(text: str) -> ReplayClock:
    """`2022-03-08 20:00` stands still there; `2022-03-08 20:00 running` runs on from it."""
    words = text.strip()
    running = words.endswith("running")
    moment = words.removesuffix("running").strip()
    try:
        return ReplayClock(parse_local_datetime(moment), running=running)
    except ValueError as exc:
        raise ValueError(f"FANGKONG_CLOCK: {exc}") from None


def platform_clock(settings: Settings | None = None) -> Clock:
    settings = settings or get_settings()
    if settings.clock:
        return clock_from_setting(settings.clock)
    path = replay_file(settings.data_dir)
    if not path.exists():
        return SystemClock()
    if settings.environment == "production" and not settings.allow_fixed_clock:
        raise ValueError(
            f"{path} sets a replay's clock, and production runs on the wall clock: delete it, "
            "or set FANGKONG_ALLOW_FIXED_CLOCK=true to run on it"
        )
    return _load_replay(path)


def platform_now() -> datetime:
    """Now, for commands: the same moment the server shows."""
    return platform_clock().now()


def start_replay(data_dir: Path, at: datetime, span: ReplaySpan) -> ReplayClock:
    """A standing replay clock at `at`, kept in the data folder for server and commands."""
    path = replay_file(data_dir)
    clock = ReplayClock(at, span=span, path=path)
    save_replay(path, clock)
    return clock
