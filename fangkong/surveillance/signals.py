"""What sentinel surveillance says is due: a point that has not reported yesterday's counts by
its hour this morning (only the last day is asked for: an older silence has its task already)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.signals import Signal
from fangkong.core.timeutil import local_date, start_of_local_day
from fangkong.protocol.models import CommandRule
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
