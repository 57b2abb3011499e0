"""6 March: the index case is reported at 19:50 after his fever-clinic sample of the morning;
his trajectory is traced that night (nine places); at 23:30 the command centre draws eight
sealed and two controlled zones inside a county-wide precaution zone; overnight the companion
job finds the shoppers who shared the supermarket's cell with him the day before."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.ids import make_id_number
from fangkong.demo.cast import HOME, LINYI, Residents, every
from fangkong.demo.companions import find_companions
from fangkong.demo.handling import control
from fangkong.demo.shapes import shape_of
from fangkong.demo.when import at
from fangkong.people.schemas import PersonIn
from fangkong.people.service import upsert_people
from fangkong.tracing import service as tracing
from fangkong.tracing.schemas import InfectionCreate, StopCreate
from fangkong.zones.schemas import ZoneCreate
from fangkong.zones.service import draw_zone

if TYPE_CHECKING:
    from fangkong.tracing.models import Infection
    from fangkong.zones.models import Zone

INDEX_PERSON = PersonIn(
    name="王某强",
    id_number=make_id_number(LINYI, date(1988, 6, 12), 31),
    phone="13934560001",
    address=HOME,
)
PLACES = (
    ("西安北站", "陕西省西安市未央区", None, at(4, 15, 10), at(4, 15, 40)),
    ("D2535次 5车厢", "西安北→运城北", "train_carriage", at(4, 15, 46), at(4, 17, 58)),
    ("运城北站", "运城市盐湖区", None, at(4, 18, 0), at(4, 18, 20)),
    ("出租车 晋M·T****", "运城北站→临猗县", "taxi", at(4, 18, 25), at(4, 19, 40)),
    ("家中", HOME, "household", at(4, 19, 45), at(5, 8, 30)),
    ("临猗县某超市", "临猗县猗氏镇某街", "workplace", at(5, 8, 50), at(5, 17, 30)),
    ("临猗县某饭店", "临猗县猗氏镇某路", "meal", at(5, 18, 0), at(5, 19, 30)),
    ("临猗县某大药房", "临猗县猗氏镇某路", "shop", at(6, 8, 40), at(6, 8, 50)),
    ("临猗县人民医院发热门诊", "临猗县猗氏镇", "healthcare", at(6, 9, 30), at(6, 11, 30)),
)
# Eight sealed zones and two controlled ones (name, the address they cover, the population
# declared where the registry holds fewer).
SEALED = (
    ("猗氏镇某小区", "猗氏镇某小区", None),
    ("猗氏镇某村", "猗氏镇某村", None),
    ("临晋镇某村", "临晋镇某村", None),
    ("猗氏镇某路沿街", "猗氏镇某路", None),
    ("某镇某村", "某镇某村", None),
    ("猗氏镇某小区5号楼", "某小区5号楼", 120),
    ("猗氏镇西街片区", "猗氏镇西街", 860),
    ("猗氏镇东关村", "猗氏镇东关村", 1430),
)
CONTROLLED = (
    ("临猗县某超市周边", "临猗县某超市", 2300),
    ("临猗县某饭店周边", "临猗县某饭店", 1750),
)


def index_case(session: Session, linyi: Actor) -> Infection:
    """Reported at 19:50, recorded at 20:10, his nine places traced by 22:00."""
    index = tracing.record_infection(
        session,
        actor=linyi,
        now=at(6, 20, 10),
        data=InfectionCreate(
            person=INDEX_PERSON,
            kind="confirmed",
            onset_at=at(5, 20),
            sampled_at=at(6, 10, 30),
            reported_at=at(6, 19, 50),
            note="西安返回人员；3月6日发热门诊就诊采样，晚间报告阳性",
        ),
    )
    for place, address, setting, arrived, departed in PLACES:
        tracing.add_stop(
            session,
            actor=linyi,
            infection_id=index.id,
            now=at(6, 22),
            data=StopCreate(
                place=place,
                address=address,
                setting=setting,
                arrived_at=arrived,
                departed_at=departed,
            ),
        )
    return index


def draw_zones(session: Session, commander: Actor) -> tuple[Zone, list[Zone]]:
    """At 23:30: the whole county a precaution zone, and the sealed and controlled zones
    inside it."""
    county = draw_zone(
        session,
        actor=commander,
        now=at(6, 23, 30),
        data=ZoneCreate(
            name="临猗县防范区",
            kind="precaution",
            county_code=LINYI,
            unit="admin",
            drawn_at=at(6, 23, 30),
            note="全县划为防范区",  # drawn as the county's boundary
        ),
    )
    drawn = [
        draw_zone(
            session,
            actor=commander,
            now=at(6, 23, 30),
            data=ZoneCreate(
                name=name,
                kind=kind,
                parent_id=county.id,
                county_code=LINYI,
                unit="address",
                match=match,
                geometry=shape_of(name),
                declared_population=population,
                drawn_at=at(6, 23, 30),
            ),
        )
        for kind, zones in (("sealed", SEALED), ("controlled", CONTROLLED))
        for name, match, population in zones
    ]
    return county, drawn


def companions(
    session: Session,
    commander: Actor,
    linyi: Actor,
    residents: Residents,
    index_person: int,
    folder: Path,
    seed: int,
) -> None:
    """Shoppers who shared the supermarket's cell with the index case on 5 March, found by
    the companion job on the night of 6 March and put under home monitoring the next day."""
    shoppers = upsert_people(
        session, items=[residents.make(LINYI, "临猗县猗氏镇某街") for _ in range(8)], now=at(5, 20)
    ).people
    find_companions(
        session, commander, folder=folder, index_person=index_person,
        shoppers=[p.id for p in shoppers], seed=seed,
    )  # fmt: skip
    found = tracing.contacts_by_category(session, actor=linyi, category="companion")
    control(session, linyi, found, every(at(7, 9), 30), "home")
