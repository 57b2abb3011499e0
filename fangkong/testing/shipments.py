"""Shipments of tubes from sampling sites to labs: listed per round, moved step by step by
the couriers' and labs' staff whose boxes they are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.timeutil import future
from fangkong.testing.models import (
    Lab,
    SamplingSite,
    Shipment,
)
from fangkong.testing.permissions import LAB_RESULTS, SAMPLE
from fangkong.testing.schemas import (
    ShipmentRead,
)
from fangkong.testing.service import get_round


def show_shipment(s: Shipment, sites: dict[int, str], labs: dict[int, str]) -> ShipmentRead:
    return ShipmentRead(
        id=s.id,
        site=sites.get(s.site_id, str(s.site_id)),
        lab=labs.get(s.lab_id, str(s.lab_id)),
        tubes=s.tubes,
        planned_at=s.planned_at,
        expected_result_at=s.expected_result_at,
        departed_at=s.departed_at,
        delivered_at=s.delivered_at,
    )


def list_shipments(session: Session, *, actor: Actor, round_id: int) -> list[ShipmentRead]:
    found = get_round(session, actor=actor, round_id=round_id)
    sites = {
        s.id: s.name
        for s in session.scalars(select(SamplingSite).where(SamplingSite.round_id == found.id))
    }
    labs = {lab.id: lab.name for lab in session.scalars(select(Lab))}
    shipments = session.scalars(
        select(Shipment).where(Shipment.round_id == found.id).order_by(Shipment.id)
    )
    return [show_shipment(s, sites, labs) for s in shipments]


def changeable_shipments(actor: Actor) -> Select[Shipment]:
    """A lab's staff move the boxes sent to their lab; sampling staff those leaving their
    county's sites; city-wide staff any."""
    query = select(Shipment)
    if actor.lab_id is not None:
        return query.where(Shipment.lab_id == actor.lab_id)
    if actor.jurisdiction is not None:
        county_sites = select(SamplingSite.id).where(SamplingSite.county_code == actor.jurisdiction)
        return query.where(Shipment.site_id.in_(county_sites))
    return query


def shipment_step(
    session: Session, *, actor: Actor, shipment_id: int, step: str, at: datetime, now: datetime
) -> ShipmentRead:
    """The courier left the site (`departed`) or the lab received the box (`delivered`)."""
    actor.require(SAMPLE, LAB_RESULTS, what="move shipments")
    shipment = session.scalar(changeable_shipments(actor).where(Shipment.id == shipment_id))
    if shipment is None:
        raise NotFound(_("shipment %(id)s not found", id=shipment_id))
    if at > now:
        raise InvalidInput.at(("at",), future(at))
    if step == "departed":
        if at < shipment.planned_at:
            raise InvalidInput.at(("at",), _("is before the shipment was planned"))
        shipment.departed_at = shipment.departed_at or at
    else:
        if at < (shipment.departed_at or shipment.planned_at):
            raise InvalidInput.at(("at",), _("is before the shipment left"))
        shipment.departed_at = shipment.departed_at or at
        shipment.delivered_at = shipment.delivered_at or at
    session.flush()
    return show_shipment(shipment, {}, {})


def receive_shipments(
    session: Session, *, actor: Actor, shipment_ids: Sequence[int], at: datetime, now: datetime
) -> int:
    """A lab signs for boxes as they arrive (a courier's run brings many)."""
    for shipment_id in shipment_ids:
        shipment_step(
            session, actor=actor, shipment_id=shipment_id, step="delivered", at=at, now=now
        )
    return len(shipment_ids)
