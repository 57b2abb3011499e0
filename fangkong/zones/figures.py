"""Zones' figures for the daily briefing and the big screen: the zones in force at a moment by
kind, and the changes (drawn, raised, lowered, lifted) of a span."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.zones.models import Zone, ZoneEvent
from fangkong.zones.service import readable_zones


class ZoneChange(NamedTuple):
    zone_id: int
    zone: str
    county_code: str
    action: str
    from_kind: str | None
    to_kind: str | None
    at: datetime


class ZoneFigures(NamedTuple):
    in_force: Counter[str]  # kind -> zones not lifted at `until`
    changes: list[ZoneChange]  # in (since, until], in order


def zone_figures(
    session: Session, *, actor: Actor, since: datetime, until: datetime
) -> ZoneFigures:
    zones = {z.id: z for z in session.scalars(readable_zones(actor).where(Zone.drawn_at <= until))}
    kind = {zone_id: z.kind for zone_id, z in zones.items()}
    changes = []
    events = session.scalars(
        select(ZoneEvent)
        .where(ZoneEvent.zone_id.in_(list(zones)), ZoneEvent.at <= until)
        .order_by(ZoneEvent.at, ZoneEvent.id)
    )
    for e in events:
        z = zones[e.zone_id]
        if e.to_kind:
            kind[e.zone_id] = e.to_kind
        if e.at > since:
            changes.append(
                ZoneChange(z.id, z.name, z.county_code, e.action, e.from_kind, e.to_kind, e.at)
            )
    in_force = Counter(
        kind[zone_id] for zone_id, z in zones.items() if z.lifted_at is None or z.lifted_at > until
    )
    return ZoneFigures(in_force, changes)
