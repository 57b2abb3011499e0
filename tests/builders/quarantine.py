"""Quarantine sites with rooms, made through the quarantine service."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.quarantine.models import Site
from fangkong.quarantine.schemas import RoomIn, SiteCreate
from fangkong.quarantine.service import create_site
from tests.builders.moments import at

OPENED = at(6, 0)  # sites open the morning the outbreak is found


def make_site(
    session: Session,
    actor: Actor,
    *,
    name: str = "临猗县某酒店",
    county: str = "140821",
    singles: int = 5,
    families: int = 2,
    accessible: int = 1,
    lon: float | None = 110.77,
    lat: float | None = 35.14,
) -> Site:
    rooms = [
        RoomIn(building="A", floor=1 + i // 20, number=f"S{i + 1:03d}") for i in range(singles)
    ]
    rooms += [RoomIn(building="B", number=f"F{i + 1:03d}", kind="family") for i in range(families)]
    rooms += [
        RoomIn(building="C", number=f"W{i + 1:03d}", kind="accessible") for i in range(accessible)
    ]
    return create_site(
        session,
        actor=actor,
        now=OPENED,
        data=SiteCreate(name=name, kind="hotel", county_code=county, lon=lon, lat=lat, rooms=rooms),
    )
