"""What the health-code service says is late: an appeal waiting longer than the protocol's
hours (a day) for its answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fangkong.core.signals import Signal
from fangkong.healthcode.models import Appeal
from fangkong.people.service import county_column
from fangkong.protocol.models import CommandRule


def appeals_waiting(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    wait = timedelta(hours=rule.appeal_wait_hours)
    rows = session.execute(
        select(Appeal.id, Appeal.filed_at, county_column(Appeal.person_id)).where(
            Appeal.filed_at <= as_of - wait,
            or_(Appeal.decided_at.is_(None), Appeal.decided_at > as_of),
        )
    )
    return [
        Signal(
            key=f"appeal:{appeal_id}",
            kind="appeal_waiting",
            group="office",
            object_kind="appeal",
            object_id=appeal_id,
            county=county,
            due_at=filed + wait + timedelta(hours=rule.late_response_hours),
        )
        for appeal_id, filed, county in rows
    ]
