"""What tracing says is late: a contact not under control the protocol's hours (24) after its
infection's report, until the moment it is."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fangkong.core.signals import Signal
from fangkong.people.service import county_column
from fangkong.protocol.loader import get_protocol
from fangkong.protocol.models import CommandRule
from fangkong.tracing.models import Contact, Infection, TrajectoryStop


def contacts_not_under_control(
    session: Session, *, as_of: datetime, rule: CommandRule
) -> list[Signal]:
    mark = timedelta(hours=rule.contact_control_hours)
    rows = session.execute(
        select(
            Contact.id,
            Infection.reported_at,
            Infection.protocol_id,
            county_column(Contact.person_id),
        )
        .join(Infection, Infection.id == Contact.infection_id)
        .where(
            Infection.reported_at <= as_of - mark,
            Contact.identified_at <= as_of,
            or_(Contact.under_control_at.is_(None), Contact.under_control_at > as_of),
        )
    )
    return [
        Signal(
            key=f"contact-control:{contact_id}",
            kind="contact_not_under_control",
            group="tracing",
            object_kind="contact",
            object_id=contact_id,
            county=county,
            # The task's deadline: the protocol's target for every contact (48 h).
            due_at=reported + timedelta(hours=target(protocol_id)),
        )
        for contact_id, reported, protocol_id, county in rows
    ]


def target(protocol_id: str) -> int:
    return get_protocol(protocol_id).tracing.control_target_hours


class PlaceStop(NamedTuple):
    """A stop on an infection's trajectory as the place register takes it: where, when, which
    infection, since when known — no person."""

    stop_id: int
    infection_id: int
    place: str
    address: str
    setting: str | None
    arrived_at: datetime
    departed_at: datetime
    known_at: datetime
    county: str | None


def place_stops(session: Session, *, as_of: datetime) -> list[PlaceStop]:
    """Stops known by `as_of` (an infection's trajectory is known from its report)."""
    rows = session.execute(
        select(
            TrajectoryStop.id, TrajectoryStop.infection_id, TrajectoryStop.place,
            TrajectoryStop.address, TrajectoryStop.setting, TrajectoryStop.arrived_at,
            TrajectoryStop.departed_at, Infection.reported_at,
            county_column(Infection.person_id),
        )
        .join(Infection, Infection.id == TrajectoryStop.infection_id)
        .where(Infection.reported_at <= as_of)
        .order_by(TrajectoryStop.id)
    )  # fmt: skip
    return [PlaceStop(*row) for row in rows]
