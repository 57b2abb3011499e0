"""What zones say is due: a zone the protocol's rule lets lift (or step down), to be decided."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fangkong.core.signals import Signal
from fangkong.protocol.models import CommandRule
from fangkong.zones.models import Zone
from fangkong.zones.service import too_soon_to_lift, zone_status


def zones_to_lift(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    decide = timedelta(hours=rule.zone_lift_decision_hours)
    zones = session.scalars(
        select(Zone).where(
            Zone.drawn_at <= as_of, or_(Zone.lifted_at.is_(None), Zone.lifted_at > as_of)
        )
    )
    out = []
    for zone in zones:
        if too_soon_to_lift(session, zone, as_of=as_of):
            continue
        status = zone_status(session, zone, as_of=as_of)
        verdict = status.verdict
        if verdict is None or not verdict.eligible:
            continue
        out.append(
            Signal(
                key=f"zone-lift:{zone.id}:{status.kind}",
                kind="zone_eligible_to_lift",
                group="coordination",
                object_kind="zone",
                object_id=zone.id,
                county=zone.county_code,
                due_at=(verdict.eligible_from or as_of) + decide,
                unit=zone.name,
            )
        )
    return out
