"""Moments of the founding outbreak, city time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")
# Tests live inside the founding outbreak: "now" is noon on 10 March 2022, city time.
NOW = datetime(2022, 3, 10, 12, 0, tzinfo=CST)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2022, city time."""
    return datetime(2022, 3, day, hour, minute, tzinfo=CST)
