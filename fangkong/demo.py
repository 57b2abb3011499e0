"""The demo outbreak: a synthetic reconstruction of the Linyi county outbreak of March 2022.

The people are invented; the shape follows DESIGN.md: an index case back from Xi'an reported
on the evening of 6 March, his wife positive at 04:00 on 7 March, his parents and infant at
05:00 on 8 March, nine places, household, train-carriage, taxi, workplace and restaurant
contacts in Linyi (临猗县) and Yanhu (盐湖区), their secondary contacts, and each contact
put under control on a timeline that lets the 48-hour KPI be read as of any moment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.ids import make_id_number
from fangkong.demo_companions import find_companions
from fangkong.demo_round import screening_round
from fangkong.demo_time import at
from fangkong.healthcode.scan import add_scanner, issue_missing_tokens
from fangkong.people.schemas import PersonIn
from fangkong.people.service import people_by_id, upsert_people
from fangkong.quarantine.models import Room, Site
from fangkong.quarantine.schemas import RoomIn, SiteCreate, SwabResult, VehicleIn
from fangkong.quarantine.service import create_site, place_contacts
from fangkong.quarantine.stays import (
    end_stays_of,
    mark_room_ready,
    pending_swabs,
    quarantine_record,
    record_swab_result,
    release_due,
)
from fangkong.quarantine.transfers import add_vehicle, advance_transfer, plan_dispatch
from fangkong.testing.models import Lab
from fangkong.tracing import service as tracing
from fangkong.tracing.schemas import (
    ContactCreate,
    ContactOfContactCreate,
    ControlKind,
    InfectionCreate,
    StopCreate,
)
from fangkong.travel.models import Checkpoint
from fangkong.travel.schemas import ArrivalIn, CheckpointIn
from fangkong.travel.service import add_checkpoint, import_risk_areas, register_arrival
from fangkong.users.models import User
from fangkong.users.schemas import UserCreate
from fangkong.users.service import actor_of, create_user
from fangkong.zones.schemas import ZoneCreate, ZoneRoundIn
from fangkong.zones.service import approve_change, draw_zone, record_round
from fangkong.zones.service import population as population_of

if TYPE_CHECKING:
    from fangkong.tracing.models import Contact

LINYI, YANHU = "140821", "140802"
HOME = "临猗县猗氏镇某小区3号楼2单元"

DEMO_USERS = (
    ("admin", "系统管理员", "admin-demo-2022", "admin", None),
    ("commander", "指挥长", "command-demo-2022", "commander", None),
    ("linyi", "临猗县流调组", "linyi-demo-2022", "tracer", LINYI),
    ("yanhu", "盐湖区流调组", "yanhu-demo-2022", "tracer", YANHU),
    ("viewer", "值班查看", "viewer-demo-2022", "viewer", None),
)


@dataclass
class DemoSummary:
    scanner_key: str  # the 运城北站 exit gate's scanner, for trying POST /api/scan
    users: list[tuple[str, str, str, str | None]]
    infections: int
    contacts: int
    secondary: int
    stops: int


class _People:
    """Invented residents with well-formed ID numbers and mobiles, reproducible by seed."""

    SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红"

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sequence = 100

    def make(
        self, region: str, address: str, *, born_from: int = 1955, born_to: int = 2004
    ) -> PersonIn:
        rng = self.rng
        born = date(rng.randint(born_from, born_to), rng.randint(1, 12), rng.randint(1, 28))
        self.sequence += 2
        name = rng.choice(self.SURNAMES) + "某" + rng.choice(self.GIVEN)
        return PersonIn(
            name=name,
            id_number=make_id_number(region, born, self.sequence + rng.randint(0, 1)),
            phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
            address=address,
        )


def _contact(
    person: PersonIn,
    category: str,
    setting: str,
    exposure: datetime,
    identified: datetime,
    **extra: str,
) -> ContactCreate:
    return ContactCreate(
        person=person,
        category=category,
        setting=setting,
        exposure_at=exposure,
        identified_at=identified,
        **extra,
    )


def _every(first: datetime, minutes: int, count: int = 20) -> list[datetime]:
    return [first + timedelta(minutes=minutes * i) for i in range(count)]


def _control(
    session: Session,
    actor: Actor,
    contacts: list[Contact],
    times: list[datetime],
    how: ControlKind,
) -> None:
    """Put contacts under control at the given times (the last time repeats if short):
    "placed" places them in rooms (people placed at the same moment go as one batch, so a
    household shares a family room); "home" records home quarantine."""
    batches: dict[datetime, list[int]] = {}
    for i, contact in enumerate(contacts):
        batches.setdefault(times[min(i, len(times) - 1)], []).append(contact.id)
    for when, ids in batches.items():
        if how == "placed":
            result = place_contacts(session, actor=actor, contact_ids=ids, now=when)
            if result.unplaced:
                raise RuntimeError(f"demo placement failed: {result.unplaced}")
            continue
        for contact_id in ids:
            tracing.control_contact(
                session, actor=actor, contact_id=contact_id, how=how, at=when, now=at(9, 0)
            )


def _by_transfer(session: Session, actor: Actor, contacts: list[Contact]) -> None:
    """Rooms held at 10:30, the dispatch planned, and each vehicle's run driven to the door
    and back: the contacts are under control when they arrive."""
    place_contacts(
        session,
        actor=actor,
        contact_ids=[c.id for c in contacts],
        now=at(7, 10, 30),
        by_transfer=True,
    )
    plan = plan_dispatch(session, actor=actor)
    for n, run in enumerate(plan.runs):
        leave = at(7, 10, 45) + timedelta(minutes=70 * n)
        for transfer_id in run.transfers:
            for step, minutes in (("dispatched", 0), ("picked_up", 25), ("arrived", 55)):
                advance_transfer(
                    session,
                    actor=actor,
                    transfer_id=transfer_id,
                    status=step,  # type: ignore[arg-type]
                    at=leave + timedelta(minutes=minutes),
                    now=at(9, 0),
                )


def _build_sites(session: Session, commander: Actor) -> None:
    """The county's hotel the first night, Yanhu's hotel next morning, and the 160-room cabin
    facility built in two days."""

    def rooms(singles: int, families: int, accessible: int, per_floor: int = 20) -> list[RoomIn]:
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

    sites = [
        (
            "临猗县某酒店集中隔离点",
            "hotel",
            LINYI,
            "临猗县猗氏镇某路",
            110.78,
            35.15,
            rooms(50, 8, 2),
            at(6, 21),
        ),
        (
            "盐湖区某宾馆集中隔离点",
            "hotel",
            YANHU,
            "盐湖区解放路",
            111.00,
            35.03,
            rooms(70, 6, 4),
            at(7, 8),
        ),
        (
            "临猗县方舱隔离点",
            "cabin",
            LINYI,
            "临猗县城郊",
            110.74,
            35.12,
            rooms(140, 16, 4, 40),
            at(8, 18),
        ),
    ]
    for plate, seats, county in (
        ("晋M·D0001", 4, LINYI),
        ("晋M·D0002", 7, LINYI),
        ("晋M·D0003", 7, YANHU),
    ):
        add_vehicle(
            session, actor=commander, data=VehicleIn(plate=plate, seats=seats, base_county=county)
        )
    for name, kind, county, address, lon, lat, room_list, built in sites:
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
                staff="负责人 张某 13900000000",
                rooms=room_list,
            ),
        )


def _daily_swabs_until(session: Session, linyi: Actor, yanhu: Actor, *, last_day: int) -> None:
    """Swabs every morning before breakfast (07:00), results by 12:00, all negative, up to
    `last_day` of March; then the evening's releases, and rooms cleaned the next morning."""
    for day in range(7, last_day + 1):
        due = date(2022, 3, day)
        for swab in pending_swabs(session, due_on=due):
            stay_released = swab.stay_released_at
            if stay_released is not None and stay_released < at(day, 12):
                continue
            county = people_by_id(session, [swab.person_id])[swab.person_id].county_code
            record_swab_result(
                session,
                actor=yanhu if county == YANHU else linyi,
                stay_id=swab.stay_id,
                now=at(day, 12),
                data=SwabResult(due_on=due, result="negative", sampled_at=at(day, 7)),
            )
        for actor in (linyi, yanhu):
            release_due(session, actor=actor, now=at(day, 21))
        for room in session.scalars(select(Room).where(Room.status == "cleaning")):
            mark_room_ready(session, actor=linyi, room_id=room.id)


# Eight sealed zones and two controlled ones inside a county-wide precaution zone, drawn on
# the night of 6 March; whole-zone rounds on 9 (the county's screening round), 13 and 19
# March, all negative; every zone
# lifted at 00:00 on 21 March, as the protocol allowed.
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


def _zones(session: Session, commander: Actor, linyi: Actor, seed: int) -> None:
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
            note="全县划为防范区",
        ),
    )
    drawn = []
    for kind, zones in (("sealed", SEALED), ("controlled", CONTROLLED)):
        for name, match, population in zones:
            drawn.append(
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
                        declared_population=population,
                        drawn_at=at(6, 23, 30),
                    ),
                )
            )
    # Round two (9 March) is a real screening round; it counts for the zones when its last
    # result is in. Rounds three and four are entered per zone.
    screening_round(session, commander, linyi, seed)
    for zone in drawn:
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
    for zone in drawn:
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


def _arrival(session: Session, commander: Actor, index_person: PersonIn) -> None:
    """The index case's journey home through the inbound loop, as it would have run: 运城北站
    registers him off D2535 on 4 March at 18:00; his district of Xi'an is on the (invented)
    risk list as medium from 3 March, so the protocol gives him a landing test within 24 hours
    and home monitoring. No test was taken: the board shows the step late from 5 March 18:00,
    and his fever-clinic sample of 6 March 10:30 came 16.5 hours after that deadline."""
    station = add_checkpoint(
        session, actor=commander, data=CheckpointIn(name="运城北站", kind="hsr", county_code=YANHU)
    )
    add_checkpoint(
        session,
        actor=commander,
        data=CheckpointIn(name="运城关公机场", kind="airport", county_code=YANHU),
    )
    risk = "地区,风险等级,起始日期,解除日期\n陕西省西安市未央区,中风险,2022-03-03,2022-03-17\n"
    import_risk_areas(session, actor=commander, filename="risk-areas.csv", content=risk.encode(),
                      now=at(4, 8))  # fmt: skip
    register_arrival(
        session,
        actor=commander,
        now=at(4, 18, 5),
        data=ArrivalIn(
            person=index_person,
            checkpoint_id=station.id,
            origin="陕西省西安市未央区",
            mode="train",
            vehicle="D2535",
            seat="05车",
            departed_at=at(4, 15, 46),
            arrived_at=at(4, 18, 0),
        ),
    )


def _place_staff(session: Session) -> list[tuple[str, str, str, str | None]]:
    """The exit gate's staff at 运城北站 and the city base lab's staff: each sees their place."""
    station = session.scalars(select(Checkpoint).where(Checkpoint.name == "运城北站")).one()
    base = session.scalars(select(Lab).where(Lab.name == "运城市中心医院检测基地")).one()
    create_user(
        session,
        now=at(1, 8),
        data=UserCreate(username="station", display_name="运城北站卡口", role="checkpoint",
                        password="station-demo-2022", jurisdiction=YANHU,
                        checkpoint_id=station.id),
    )  # fmt: skip
    create_user(
        session,
        now=at(1, 8),
        data=UserCreate(username="lab", display_name="市中心医院检测基地", role="lab",
                        password="lab-demo-2022", lab_id=base.id),
    )  # fmt: skip
    return [
        ("station", "station-demo-2022", "checkpoint", f"运城北站 ({YANHU})"),
        ("lab", "lab-demo-2022", "lab", "运城市中心医院检测基地"),
    ]


def _codes(session: Session, commander: Actor) -> str:
    """Everyone gets a health code (a token for its QR), and 运城北站's exit gate a scanner."""
    issue_missing_tokens(session, now=at(1, 8))
    station = session.scalars(select(Checkpoint).where(Checkpoint.name == "运城北站")).one()
    _, key = add_scanner(
        session, actor=commander, checkpoint_id=station.id, label="出站口 1", now=at(1, 8)
    )
    return key


def _companions(
    session: Session,
    commander: Actor,
    linyi: Actor,
    gen: _People,
    index_person: int,
    folder: Path,
    seed: int,
) -> None:
    """Shoppers who shared the supermarket's cell with the index case on 5 March, found by
    the companion job on the night of 6 March and put under home monitoring the next day."""
    shoppers = upsert_people(
        session, items=[gen.make(LINYI, "临猗县猗氏镇某街") for _ in range(8)], now=at(5, 20)
    ).people
    find_companions(
        session, commander, folder=folder, index_person=index_person,
        shoppers=[p.id for p in shoppers], seed=seed,
    )  # fmt: skip
    found = tracing.contacts_by_category(session, actor=linyi, category="companion")
    _control(session, linyi, found, _every(at(7, 9), 30), "home")


def build_demo(
    session: Session, *, seed: int = 20220306, location_dir: Path | None = None
) -> DemoSummary:
    """Create the demo users and the outbreak. Every record is made at its scenario time."""
    users = []
    for username, display, password, role, county in DEMO_USERS:
        create_user(
            session,
            data=UserCreate(
                username=username,
                display_name=display,
                password=password,
                role=role,
                jurisdiction=county,
            ),
            now=at(1, 8),
        )
        users.append((username, password, role, county))
    commander = actor_of(session.scalars(select(User).where(User.username == "commander")).one())
    _build_sites(session, commander)
    # The county hotel's medical team: they see their site and nothing else.
    hotel = session.scalars(select(Site).where(Site.name == "临猗县某酒店集中隔离点")).one()
    create_user(
        session,
        now=at(6, 21),
        data=UserCreate(
            username="hotel",
            display_name="酒店隔离点医护组",
            password="hotel-demo-2022",
            role="site",
            site_id=hotel.id,
        ),
    )
    users.append(("hotel", "hotel-demo-2022", "site", f"site {hotel.id}"))
    linyi = actor_of(session.scalars(select(User).where(User.username == "linyi")).one())
    yanhu = actor_of(session.scalars(select(User).where(User.username == "yanhu")).one())
    gen = _People(seed)
    stops = 0

    # -- the index case ---------------------------------------------------------------------
    index_person = PersonIn(
        name="王某强",
        id_number=make_id_number(LINYI, date(1988, 6, 12), 31),
        phone="13934560001",
        address=HOME,
    )
    _arrival(session, commander, index_person)
    index = tracing.record_infection(
        session,
        actor=linyi,
        now=at(6, 20, 10),
        data=InfectionCreate(
            person=index_person,
            kind="confirmed",
            onset_at=at(5, 20),
            sampled_at=at(6, 10, 30),
            reported_at=at(6, 19, 50),
            note="西安返回人员；3月6日发热门诊就诊采样，晚间报告阳性",
        ),
    )
    places = [
        ("西安北站", "陕西省西安市未央区", None, at(4, 15, 10), at(4, 15, 40)),
        ("D2535次 5车厢", "西安北→运城北", "train_carriage", at(4, 15, 46), at(4, 17, 58)),
        ("运城北站", "运城市盐湖区", None, at(4, 18, 0), at(4, 18, 20)),
        ("出租车 晋M·T****", "运城北站→临猗县", "taxi", at(4, 18, 25), at(4, 19, 40)),
        ("家中", HOME, "household", at(4, 19, 45), at(5, 8, 30)),
        ("临猗县某超市", "临猗县猗氏镇某街", "workplace", at(5, 8, 50), at(5, 17, 30)),
        ("临猗县某饭店", "临猗县猗氏镇某路", "meal", at(5, 18, 0), at(5, 19, 30)),
        ("临猗县某大药房", "临猗县猗氏镇某路", "shop", at(6, 8, 40), at(6, 8, 50)),
        ("临猗县人民医院发热门诊", "临猗县猗氏镇", "healthcare", at(6, 9, 30), at(6, 11, 30)),
    ]
    for place, address, setting, arrived, departed in places:
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
        stops += 1

    # -- the index case's close contacts ------------------------------------------------------
    household = [
        PersonIn(name="王某某", id_number="140821199002030420", phone="13834561234", address=HOME),
        PersonIn(name="王某", id_number="140821196107090119", phone="13834561235", address=HOME),
        PersonIn(name="李某某", id_number="14082119630122028X", phone="13934561236", address=HOME),
        PersonIn(name="王某宝", sex="male", age_text="6月龄", address=HOME),
    ]
    relations = ["妻子", "父亲", "母亲", "儿子"]
    linyi_contacts = [
        _contact(p, "close", "household", at(6, 20, 30), at(6, 20, 40), relation=r, place="家中")
        for p, r in zip(household, relations, strict=True)
    ]
    coworker = PersonIn(
        name="刘某", id_number="140821198409140774", phone="13734561239", address="临猗县临晋镇某村"
    )
    linyi_contacts.append(
        _contact(
            coworker,
            "close",
            "workplace",
            at(5, 17, 30),
            at(6, 22, 30),
            relation="同事",
            place="临猗县某超市",
        )
    )
    for _ in range(5):
        linyi_contacts.append(
            _contact(
                gen.make(LINYI, "临猗县猗氏镇某小区"),
                "close",
                "workplace",
                at(5, 17, 30),
                at(6, 23),
                relation="同事",
                place="临猗县某超市",
            )
        )
    for _ in range(6):
        linyi_contacts.append(
            _contact(
                gen.make(LINYI, "临猗县猗氏镇某村"),
                "close",
                "meal",
                at(5, 19, 30),
                at(7, 1),
                relation="同桌就餐",
                place="临猗县某饭店",
            )
        )
    linyi_contacts.append(
        _contact(
            gen.make(LINYI, "临猗县猗氏镇某路"),
            "close",
            "shop",
            at(6, 8, 50),
            at(7, 2),
            relation="药店店员",
            place="临猗县某大药房",
        )
    )
    recorded = tracing.record_contacts(
        session, actor=linyi, infection_id=index.id, items=linyi_contacts, now=at(7, 2, 10)
    )
    control_times = (
        [at(6, 23, 30)] * 4
        + [at(7, 3, 10), at(7, 3, 40), at(7, 4, 0), at(7, 4, 30), at(7, 5, 0), at(7, 5, 20)]
        + [at(7, 6) + timedelta(minutes=40 * i) for i in range(6)]
        + [at(7, 9, 30)]
    )
    _control(session, linyi, recorded.contacts, control_times, "placed")
    close_linyi = recorded.contacts

    # Yanhu: the taxi driver and the train carriage, handed over to Yanhu's tracers.
    yanhu_contacts = [
        _contact(
            PersonIn(
                name="张某",
                id_number="140802197711300552",
                phone="15935461237",
                address="盐湖区解放路某小区",
            ),
            "close",
            "taxi",
            at(4, 19, 40),
            at(6, 23, 30),
            relation="出租车司机",
            place="运城北站至临猗县（出租车）",
        ),
        _contact(
            PersonIn(
                name="赵某某",
                id_number="610113199504080668",
                phone="18734561238",
                address="盐湖区河东东街某小区",
            ),
            "close",
            "train_carriage",
            at(4, 18, 5),
            at(7, 0, 30),
            relation="同车厢旅客",
            place="D2535次 5车厢",
        ),
    ]
    for i in range(12):
        yanhu_contacts.append(
            _contact(
                gen.make(YANHU, f"盐湖区某街道某小区{i + 1}号楼"),
                "close",
                "train_carriage",
                at(4, 18, 5),
                at(7, 0, 30) + timedelta(hours=i),
                relation="同车厢旅客",
                place="D2535次 5车厢",
            )
        )
    recorded = tracing.record_contacts(
        session, actor=linyi, infection_id=index.id, items=yanhu_contacts, now=at(7, 12)
    )
    # The last two passengers were found late: one at 30 h, one at 44 h after the report.
    yanhu_times = _every(at(7, 9, 10), 45)[:12] + [at(8, 1, 50), at(8, 15, 50)]
    _control(session, yanhu, recorded.contacts, yanhu_times, "placed")

    # Secondary contacts: the close contacts' own households.
    secondary = 0
    for contact in close_linyi[4:10]:
        family = [gen.make(LINYI, "临猗县某镇某村") for _ in range(2)]
        made = tracing.record_contacts_of_contact(
            session,
            actor=linyi,
            contact_id=contact.id,
            now=at(7, 10),
            items=[
                ContactOfContactCreate(
                    person=p,
                    setting="household",
                    exposure_at=at(6, 7, 30),
                    identified_at=at(7, 9),
                    relation="家属",
                )
                for p in family
            ],
        )
        _control(
            session,
            linyi,
            made.contacts,
            _every(at(7, 13) + timedelta(minutes=30 * secondary), 30),
            "placed",
        )
        secondary += len(made.contacts)
    for contact in close_linyi[10:12]:
        made = tracing.record_contacts_of_contact(
            session,
            actor=linyi,
            contact_id=contact.id,
            now=at(7, 11),
            items=[
                ContactOfContactCreate(
                    person=gen.make(LINYI, "临猗县某镇某村"),
                    setting="household",
                    exposure_at=at(6, 8),
                    identified_at=at(7, 10),
                    relation="家属",
                )
            ],
        )
        _control(session, linyi, made.contacts, [at(7, 18)], "home")
        secondary += len(made.contacts)

    # -- the wife, positive at 04:00 on 7 March ------------------------------------------------
    wife = tracing.record_infection(
        session,
        actor=linyi,
        now=at(7, 4, 20),
        data=InfectionCreate(
            person_id=close_linyi[0].person_id,
            kind="confirmed",
            onset_at=None,
            sampled_at=at(6, 23, 40),
            reported_at=at(7, 4),
        ),
    )
    end_stays_of(session, person_id=wife.person_id, now=at(7, 4, 20))
    bank = [
        _contact(
            gen.make(LINYI, "临猗县猗氏镇某小区"),
            "close",
            "workplace",
            at(6, 17),
            at(7, 7),
            relation="同事",
            place="临猗县某银行网点",
        )
        for _ in range(5)
    ]
    recorded = tracing.record_contacts(
        session, actor=linyi, infection_id=wife.id, items=bank, now=at(7, 8)
    )
    _by_transfer(session, linyi, recorded.contacts)

    # -- the parents and the infant, positive at 05:00 on 8 March ------------------------------
    # Their day-1 swabs in quarantine, taken late on 7 March, come back positive: each becomes
    # an infection (tracing starts) and leaves for hospital.
    for contact in close_linyi[1:4]:
        [stay] = [
            s
            for s in quarantine_record(session, actor=linyi, person_id=contact.person_id)
            if s.released_at is None
        ]
        record_swab_result(
            session,
            actor=linyi,
            stay_id=stay.id,
            now=at(8, 5),
            data=SwabResult(due_on=date(2022, 3, 7), result="positive", sampled_at=at(7, 23)),
        )
    [father] = [
        i
        for i in tracing.list_infections(session, actor=linyi)
        if i.person_id == close_linyi[1].person_id
    ]
    market = [
        _contact(
            gen.make(LINYI, "临猗县猗氏镇某村", born_from=1945, born_to=1965),
            "close",
            "market",
            at(6, 7, 20),
            at(8, 8),
            relation="同逛菜市场",
            place="猗氏镇农贸市场",
        )
        for _ in range(3)
    ]
    recorded = tracing.record_contacts(
        session, actor=linyi, infection_id=father.id, items=market, now=at(8, 9)
    )
    _control(session, linyi, recorded.contacts, _every(at(8, 12), 60), "home")

    _daily_swabs_until(session, linyi, yanhu, last_day=13)
    if location_dir is not None:
        _companions(session, commander, linyi, gen, index.person_id, location_dir, seed)
    _zones(session, commander, linyi, seed)
    scanner_key = _codes(session, commander)
    users += _place_staff(session)

    totals = tracing.count_all(session)
    return DemoSummary(
        scanner_key=scanner_key,
        users=users,
        infections=totals[0],
        contacts=totals[1],
        secondary=secondary,
        stops=stops,
    )
