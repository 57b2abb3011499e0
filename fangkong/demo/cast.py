"""The demo's cast: its counties, the index case's home, its users, and invented residents
with well-formed ID numbers and mobiles, reproducible by seed."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.ids import make_id_number
from fangkong.demo.when import at
from fangkong.people.schemas import PersonIn
from fangkong.quarantine.models import Site
from fangkong.testing.models import Lab
from fangkong.tracing.schemas import ContactCreate
from fangkong.travel.models import Checkpoint
from fangkong.users.models import User
from fangkong.users.schemas import UserCreate
from fangkong.users.service import actor_of, create_user

LINYI, YANHU = "140821", "140802"
HOME = "临猗县猗氏镇某小区3号楼2单元"
DEMO_USERS = (
    ("admin", "系统管理员", "admin-demo-2022", "admin", None),
    ("commander", "指挥长", "command-demo-2022", "commander", None),
    ("linyi", "临猗县流调组", "linyi-demo-2022", "tracer", LINYI),
    ("yanhu", "盐湖区流调组", "yanhu-demo-2022", "tracer", YANHU),
    ("viewer", "值班查看", "viewer-demo-2022", "viewer", None),
)
Login = tuple[str, str, str, str | None]  # user, password, role, where


def create_users(session: Session) -> list[Login]:
    """The command centre's and the counties' users, from 1 March."""
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
    return [(u, p, r, c) for u, _, p, r, c in DEMO_USERS]


def actor(session: Session, username: str) -> Actor:
    return actor_of(session.scalars(select(User).where(User.username == username)).one())


def site_staff(session: Session) -> Login:
    """The county hotel's medical team (6 March, 21:00): they see their site and nothing else."""
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
    return ("hotel", "hotel-demo-2022", "site", f"site {hotel.id}")


def place_staff(session: Session) -> list[Login]:
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


class Residents:
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


def contact(
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


def every(first: datetime, minutes: int, count: int = 20) -> list[datetime]:
    return [first + timedelta(minutes=minutes * i) for i in range(count)]
