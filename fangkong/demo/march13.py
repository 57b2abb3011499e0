"""13 to 21 March: whole-zone rounds on 13 and 19 March, all negative (the county's round of
9 March counted for them too, march09.py); every zone lifted at 00:00 on 21 March, as the
protocol allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.demo.when import at
from fangkong.zones.schemas import ZoneRoundIn
from fangkong.zones.service import approve_change, record_round
from fangkong.zones.service import population as population_of

if TYPE_CHECKING:
    from fangkong.zones.models import Zone


def zone_rounds(session: Session, commander: Actor, zones: list[Zone]) -> None:
    for zone in zones:
        for day in (13, 19):
            record_round(
                session,
                actor=commander,
                zone_id=zone.id,
                now=at(day, 22),
                data=ZoneRoundIn(
                    completed_at=at(day, 20), tested=population_of(session, zone) or 1
                ),
            )


def lift_zones(session: Session, commander: Actor, county: Zone, zones: list[Zone]) -> None:
    for zone in zones:
        approve_change(
            session,
            actor=commander,
            zone_id=zone.id,
            now=at(21, 0),
            reason="连续14天无新增，末次密接满14天且检测阴性，全员核酸阴性",
        )
    approve_change(
        session,
        actor=commander,
        zone_id=county.id,
        now=at(21, 0),
        reason="县域内封控区、管控区全部解除",
    )
