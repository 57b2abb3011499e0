"""Residents to sample, the lab network, and a round as tests set it up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.ids import make_id_number
from fangkong.people.schemas import PersonIn
from fangkong.people.service import upsert_people
from fangkong.testing.models import ScreeningRound
from fangkong.testing.schemas import LabIn
from tests.builders.moments import NOW

LINYI, YANHU = "140821", "140802"
COMMUNITIES = ("临猗县猗氏镇东关村", "临猗县猗氏镇某小区", "临猗县临晋镇某村")


@dataclass
class RoundSetup:
    round: ScreeningRound
    site_ids: list[int]
    people: list[str]  # person keys (身份证号), in order
    commander: Actor


def residents(session: Session, n: int, *, start: int = 0) -> list[str]:
    """n Linyi residents spread over three communities; returns their ID numbers."""
    items = [
        PersonIn(
            name=f"居民{start + i}",
            id_number=make_id_number(LINYI, date(1970 + (start + i) % 40, 3, 1), 500 + start + i),
            address=f"{COMMUNITIES[(start + i) % 3]}{(start + i) % 50}号",
            phone=f"139{start + i:08d}",
        )
        for i in range(n)
    ]
    made = upsert_people(session, items=items, now=NOW, default_county=LINYI).people
    return [p.person_key for p in made]


def city_labs() -> list[LabIn]:
    return [
        LabIn(
            name="运城市中心医院基地",
            kind="central",
            tubes_per_day=24_000,
            routes={LINYI: 60, YANHU: 20},
        ),
        LabIn(
            name="临猗县实验室",
            kind="county",
            county_code=LINYI,
            tubes_per_day=4_800,
            routes={LINYI: 15},
        ),
    ]
