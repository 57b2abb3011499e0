"""The demo's clock: moments of March 2022 in the city's time, shared by the demo's parts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2022, city time."""
    return datetime(2022, 3, day, hour, minute, tzinfo=CST)


# The platform's time when the demo opens (the evening of the county-wide round's first day),
# and the days its header lets a user step through.
OPENS_AT = at(8, 20)
REPLAY_FROM = at(6, 0)
REPLAY_TO = at(21, 23, 59)
