"""Local time for display and input: the city's zone, China Standard Time by default."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator

from fangkong.core.errors import InvalidInput
from fangkong.core.i18n import _
from fangkong.core.settings import get_settings


def city_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def as_aware(value: datetime) -> datetime:
    """A naive datetime is read as the city's local time."""
    return value.replace(tzinfo=city_zone()) if value.tzinfo is None else value


def local(value: datetime) -> datetime:
    return value.astimezone(city_zone())


def local_date(value: datetime) -> date:
    return local(value).date()


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=city_zone()).astimezone(UTC)


def fmt_local(value: datetime | None) -> str:
    return "" if value is None else local(value).strftime("%Y-%m-%d %H:%M")


def fmt_day_end(value: datetime) -> str:
    """A moment, midnight said as the end of the day before (2022-03-08 24:00), as a briefing
    says "截至3月8日24时"."""
    shown = local(value)
    if (shown.hour, shown.minute, shown.second) == (0, 0, 0):
        return f"{(shown - timedelta(days=1)):%Y-%m-%d} 24:00"
    return fmt_local(value)


_CN_DATETIME = re.compile(
    r"^(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})\s*[:时點点]\s*(\d{1,2})?\s*(?:[:分]\s*(\d{1,2})?\s*秒?)?)?$"
)


def parse_local_datetime(text: str) -> datetime:
    """Dates as tracers type them: 2022/3/6 21:00, 2022年3月6日21时00分, 2022-03-06 21:00 …"""
    cleaned = text.strip()
    try:
        return plausible(as_aware(datetime.fromisoformat(cleaned)))
    except ValueError:
        pass
    m = _CN_DATETIME.match(cleaned)
    if not m:
        raise ValueError(
            _("%(text)s is not a date and time (e.g. 2022-03-06 21:00)", text=repr(text))
        )
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return plausible(datetime(y, mo, d, h, mi, s, tzinfo=city_zone()))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date and time: {exc}") from None


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(hours=1)


# Moments the platform records lie in this span; anything outside is a typo, not an event.
PLAUSIBLE_YEARS = range(2000, 2101)


def plausible(value: datetime) -> datetime:
    if value.year not in PLAUSIBLE_YEARS:
        raise ValueError(f"{value:%Y-%m-%d} is not a plausible date (years 2000 to 2100)")
    return value


def _aware(value: datetime) -> datetime:
    return plausible(as_aware(value))


# A datetime field of the API: naive input is city time, stored and returned as aware.
LocalDateTime = Annotated[datetime, AfterValidator(_aware)]


def future(value: datetime, now: datetime | None = None) -> str:
    """What a field's moment after now is told: "2022-03-09 07:00 is in the future", with
    the platform's now where the reader may not know it (a replay, a sheet's row)."""
    if now is None:
        return _("%(value)s is in the future", value=fmt_local(value))
    return _("%(value)s is in the future (now %(now)s)", value=fmt_local(value),
             now=fmt_local(now))  # fmt: skip


def refuse_future(moment: datetime, now: datetime, field: str) -> None:
    """A moment a record says already happened: refused, naming `field`, if after `now`."""
    if moment > now:
        raise InvalidInput.at((field,), future(moment, now))
