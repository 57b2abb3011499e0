"""What sentinel surveillance says is due: a point that has not reported yesterday's counts by
its hour this morning (only the last day is asked for: an older silence has its task already),
and an alarm someone confirmed, until it is closed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.signals import Signal
from fangkong.core.timeutil import local_date, start_of_local_day
from fangkong.protocol.models import CommandRule
from fangkong.surveillance.alarms import confirmed_at
from fangkong.surveillance.models import SentinelPoint, SentinelReport


def points_late(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    day = local_date(as_of) - timedelta(days=1)
    reported = set(
        session.scalars(select(SentinelReport.point_id).where(SentinelReport.day == day))
    )
    out = []
    for point in session.scalars(select(SentinelPoint)):
        due = start_of_local_day(day + timedelta(days=1)) + timedelta(hours=point.due_hour)
        if point.id in reported or as_of < due or point.created_at > start_of_local_day(day):
            continue
        out.append(
            Signal(
                key=f"sentinel-late:{point.id}:{day.isoformat()}",
                kind="sentinel_late",
                group="tracing",
                object_kind="sentinel",
                object_id=point.id,
                county=point.county_code,
                unit=point.name,
                due_at=due + timedelta(hours=rule.late_response_hours),
            )
        )
    return out


def alarms_confirmed(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    """A confirmed alarm is the tracing group's to look into until someone closes it."""
    names = {i: n for i, n in session.execute(select(SentinelPoint.id, SentinelPoint.name))}
    return [
        Signal(
            key=f"sentinel-alarm:{alarm.id}",
            kind="sentinel_alarm",
            group="tracing",
            object_kind="alarm",
            object_id=alarm.id,
            county=alarm.county_code,
            unit=names.get(alarm.point_id, ""),
            due_at=(alarm.decided_at or as_of) + timedelta(hours=rule.late_response_hours),
        )
        for alarm in confirmed_at(session, as_of)
    ]
