"""The quarantine sites and vehicles: the county's hotel the first night (6 March, 21:00),
Yanhu's hotel next morning, and the 160-room cabin facility built in two days (8 March,
18:00)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.demo.cast import LINYI, YANHU
from fangkong.demo.when import at
from fangkong.quarantine.schemas import RoomIn, SiteCreate, VehicleIn
from fangkong.quarantine.service import create_site
from fangkong.quarantine.transfers import add_vehicle

SITES = (
    ("临猗县某酒店集中隔离点", "hotel", LINYI, "临猗县猗氏镇某路", (110.78, 35.15), (50, 8, 2, 20),
     at(6, 21), "点长 张某 13935900001"),
    ("盐湖区某宾馆集中隔离点", "hotel", YANHU, "盐湖区解放路", (111.00, 35.03), (70, 6, 4, 20),
     at(7, 8), "点长 李某 13935900002"),
    ("临猗县方舱隔离点", "cabin", LINYI, "临猗县城郊", (110.74, 35.12), (140, 16, 4, 40),
     at(8, 18), "点长 王某 13935900003（方舱指挥部）"),
)  # fmt: skip
VEHICLES = (("晋M·D0001", 4, LINYI), ("晋M·D0002", 7, LINYI), ("晋M·D0003", 7, YANHU))


def build_sites(session: Session, commander: Actor) -> None:
    """Three vehicles, and each site with its rooms at the moment it opened."""
    for plate, seats, county in VEHICLES:
        add_vehicle(
            session, actor=commander, data=VehicleIn(plate=plate, seats=seats, base_county=county)
        )
    for name, kind, county, address, (lon, lat), layout, built, staff in SITES:
        create_site(
            session,
            actor=commander,
            now=built,
            data=SiteCreate(
                name=name,
                kind=kind,
                county_code=county,
                address=address,
                lon=lon,
                lat=lat,
                staff=staff,
                rooms=_rooms(*layout),
            ),
        )


def _rooms(singles: int, families: int, accessible: int, per_floor: int) -> list[RoomIn]:
    """Building A, floor by floor: singles, then family rooms, then accessible ones."""
    kinds = ["single"] * singles + ["family"] * families + ["accessible"] * accessible
    return [
        RoomIn(
            building="A",
            floor=1 + i // per_floor,
            number=f"{1 + i // per_floor}{i % per_floor + 1:02d}",
            kind=kind,
        )
        for i, kind in enumerate(kinds)
    ]
