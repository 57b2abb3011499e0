"""The demo's area-wide rounds: Linyi county's second round of 9 March 2022 (and, told the
same way, 盐湖区's round of 13 March, all negative).

Residents (invented) of eight of the county's communities, three of them inside the sealed
zones (single tubes there), sampled at three sites through the day, pooled 10:1 elsewhere;
the city's base and the 13 county labs share the tubes as the plan says; one pool comes back
positive at night, its ten members are retested in single tubes the next morning and are all
negative; 4 % of residents were missed and are on the missing list. The finished round is the
sealed and controlled zones' whole-zone round of 10 March."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.ids import make_id_number
from fangkong.demo.when import at
from fangkong.people import service as registry
from fangkong.people.schemas import PersonIn
from fangkong.people.service import upsert_people
from fangkong.testing import labs, recalls, results, service, shipments
from fangkong.testing import plan as planning
from fangkong.testing.models import ScreeningRound, Tube
from fangkong.testing.schemas import LabIn, PlanRead, RoundCreate, SiteIn

# County seats (approximate lon, lat), for the road minutes from each county to each lab.
SEATS = {
    "140802": ("盐湖区", 111.00, 35.03),
    "140821": ("临猗县", 110.77, 35.14),
    "140822": ("万荣县", 110.84, 35.42),
    "140823": ("闻喜县", 111.22, 35.36),
    "140824": ("稷山县", 110.98, 35.60),
    "140825": ("新绛县", 111.22, 35.62),
    "140826": ("绛县", 111.57, 35.49),
    "140827": ("垣曲县", 111.67, 35.30),
    "140828": ("夏县", 111.22, 35.14),
    "140829": ("平陆县", 111.22, 34.84),
    "140830": ("芮城县", 110.69, 34.69),
    "140881": ("永济市", 110.45, 34.87),
    "140882": ("河津市", 110.71, 35.60),
}
LINYI = "140821"
YANHU = "140802"


@dataclass(frozen=True)
class RoundStory:
    """One area-wide round of the story: whose, which day, where people queued."""

    name: str
    county: str
    day: int  # of March: registered the evening before, sampled 07:00–18:00
    communities: tuple[tuple[str, int], ...]  # (address, residents)
    sites: tuple[tuple[str, tuple[int, ...]], ...]  # (site, the communities it samples)
    positive_pool: bool  # one pool positive at night, its ten retested next morning


COMMUNITIES = (
    ("临猗县猗氏镇某小区", 420),  # sealed
    ("临猗县猗氏镇东关村", 380),  # sealed
    ("临猗县猗氏镇西街社区", 360),  # sealed
    ("临猗县猗氏镇南街社区", 520),
    ("临猗县猗氏镇北关村", 450),
    ("临猗县临晋镇东街村", 480),
    ("临猗县临晋镇西街村", 410),
    ("临猗县嵋阳镇嵋阳村", 380),
)
SITES = (
    ("猗氏镇东关村采样点", (0, 1, 2)),
    ("猗氏镇南街采样点", (3, 4)),
    ("临晋镇采样点", (5, 6, 7)),
)


def road_minutes(a: str, b: str) -> float:
    """20 minutes to load and unload, then the straight line × 1.3 at 60 km/h."""
    _, lon1, lat1 = SEATS[a]
    _, lon2, lat2 = SEATS[b]
    dx = (lon2 - lon1) * 111.32 * math.cos(math.radians((lat1 + lat2) / 2))
    dy = (lat2 - lat1) * 110.57
    return round(20 + 1.3 * math.hypot(dx, dy))


def city_labs() -> list[LabIn]:
    central = LabIn(
        name="运城市中心医院检测基地",
        kind="central",
        tubes_per_day=30_000,
        routes={c: road_minutes(c, "140802") for c in SEATS},
    )
    counties = [
        LabIn(
            name=f"{name}疾控中心实验室",
            kind="county",
            county_code=code,
            tubes_per_day=2_400,
            routes={c: road_minutes(c, code) for c in SEATS},
        )
        for code, (name, _, _) in SEATS.items()
    ]
    return [central, *counties]


LINYI_ROUND = RoundStory("临猗县第二轮全员核酸检测", LINYI, 9, COMMUNITIES, SITES, True)
YANHU_ROUND = RoundStory(
    "盐湖区全员核酸检测", YANHU, 13,
    (("盐湖区解放路某小区", 520), ("盐湖区河东东街某小区", 460), ("盐湖区北城街道某村", 380)),
    (("解放路采样点", (0,)), ("河东东街采样点", (1, 2))),
    False,
)  # fmt: skip


def screening_round(
    session: Session, commander: Actor, tracer: Actor, seed: int, story: RoundStory = LINYI_ROUND
) -> int:
    """The round from its residents to its results (and its recall closed); returns its id."""
    rng = random.Random(seed)
    residents = _residents(session, rng, story)
    if not labs.list_labs(session):
        labs.save_labs(session, actor=commander, labs=city_labs())
    day = story.day
    found = service.create_round(
        session,
        actor=commander,
        now=at(day - 1, 21),
        data=RoundCreate(
            name=story.name, area="county", county_code=story.county, pool_size=10,
            starts_at=at(day, 7),
            sites=[SiteIn(name=n, county_code=story.county, per_hour=300, staff=6)
                   for n, _ in story.sites],
        ),
    )  # fmt: skip
    site_ids = [s.id for s in service.present_round(session, found).sites]
    for (site_name, communities), site_id in zip(story.sites, site_ids, strict=True):
        queue = [key for c in communities for key in residents[c] if rng.random() > 0.04]
        rng.shuffle(queue)
        scans = _scans(session, found, queue, site_name, site_id, day)
        service.register_samples(
            session, actor=tracer, round_id=found.id, scans=scans, now=at(day, 18)
        )
    service.close_round(session, actor=commander, round_id=found.id, now=at(day, 18))
    plan = planning.plan_round(session, actor=commander, round_id=found.id, now=at(day, 18, 10))
    pools = sorted(session.scalars(select(Tube.barcode).where(Tube.round_id == found.id,
                                                               Tube.kind == "pooled")))  # fmt: skip
    positive = {pools[len(pools) // 3]} if story.positive_pool else set()
    _labs_report(
        session, commander, plan, arrive=at(day, 19, 30), tested=at(day + 1, 1, 30),
        reported=at(day + 1, 2, 40), positive=positive,
    )  # fmt: skip
    if story.positive_pool:
        _retest_the_pool(session, commander, tracer, found.id, site_ids[0], residents)
    return found.id


def _residents(session: Session, rng: random.Random, story: RoundStory) -> list[list[str]]:
    """The communities' residents (invented), registered the evening before; their keys,
    community by community."""
    residents: list[list[str]] = []
    serial = 0
    taken: set[str] = set()
    for address, count in story.communities:
        items = []
        for _ in range(count):
            serial += 1
            number = ""
            while not number or number in taken:
                born = date(rng.randint(1937, 2019), rng.randint(1, 12), rng.randint(1, 28))
                number = make_id_number(story.county, born, rng.randint(1, 999))
            taken.add(number)
            items.append(
                PersonIn(
                    name=f"{rng.choice('王李张刘陈杨赵')}某{'甲乙丙丁戊己庚辛'[serial % 8]}",
                    id_number=number,
                    phone=f"13{rng.randint(100000000, 999999999)}",
                    address=f"{address}{rng.randint(1, 60)}号",
                    county_code=story.county,
                )
            )
        made = upsert_people(
            session, items=items, now=at(story.day - 1, 20), default_county=story.county
        ).people
        residents.append([p.person_key for p in made])
    return residents


def _scans(
    session: Session,
    found: ScreeningRound,
    queue: list[str],
    site_name: str,
    site_id: int,
    day: int,
) -> list[service.Registration]:
    """A site's day, 07:00 to 18:00: single tubes for who needs one, pools of ten for the
    rest."""
    ids = registry.resolve_people(session, queue)
    single = service.needs_single_tube(session, found, list(ids.values()), at=at(day, 7))
    scans = []
    pooled, pooled_n, single_n = None, 0, 0
    for i, key in enumerate(queue):
        moment = at(day, 7) + timedelta(seconds=i * 11 * 3600 // len(queue))
        if ids[key] in single:
            single_n += 1
            code = f"{site_id}S{single_n:05d}"
        else:
            if pooled is None or pooled_n == 10:
                pooled = f"{site_id}P{i:05d}"
                pooled_n = 0
            pooled_n += 1
            code = pooled
        scans.append(service.Registration(key, code, site_id, moment, (site_name, i)))
    return scans


def _retest_the_pool(
    session: Session,
    commander: Actor,
    linyi: Actor,
    round_id: int,
    site_id: int,
    residents: list[list[str]],
) -> None:
    """The pool's ten are found at home at 07:00 on 10 March and retested in single tubes:
    all negative by 11:00, and the recall closes."""
    [recall] = recalls.list_recalls(session, actor=commander, round_id=round_id)
    member_ids = {m.person_id for m in recall.members}
    keys = [k for group in residents for k in group]
    by_id = registry.resolve_people(session, keys)
    retest = [k for k, pid in by_id.items() if pid in member_ids]
    service.register_samples(
        session,
        actor=linyi,
        round_id=round_id,
        now=at(10, 8),
        purpose="retest",
        scans=[
            service.Registration(k, f"R{recall.id}-{i:02d}", site_id, at(10, 7, i), ("retest", i))
            for i, k in enumerate(retest)
        ],
    )
    replan = planning.plan_round(session, actor=commander, round_id=round_id, now=at(10, 8))
    _labs_report(
        session, commander, replan, arrive=at(10, 8, 40), tested=at(10, 10, 30),
        reported=at(10, 11),
    )  # fmt: skip


def _labs_report(
    session: Session,
    commander: Actor,
    plan: PlanRead,
    *,
    arrive: datetime,
    tested: datetime,
    reported: datetime,
    positive: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Every lab signs for its boxes, fills in its worklist and uploads it."""
    shipments.receive_shipments(
        session, actor=commander, shipment_ids=[s.id for s in plan.shipments], at=arrive, now=arrive
    )
    for lab in labs.list_labs(session):
        codes = labs.worklist(session, actor=commander, lab_id=lab.id)
        if not codes:
            continue
        content = results.results_csv(
            (c, "阳性" if c in positive else "阴性", tested, reported) for c in codes
        )
        rows = results.parse_results("results.csv", content, now=reported)
        results.record_results(session, actor=commander, lab_id=lab.id, rows=rows, now=reported)
