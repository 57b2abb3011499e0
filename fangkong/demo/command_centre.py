"""The front command centre of 6–21 March: its groups staffed, the duty rota of the city and
临猗县, the nine places sampled, disinfected and closed on the night of 6 March, the county
teams with the Yanhu team given the train carriage and the taxi (协查), and the tasks the
platform raised as the outbreak unfolded — hour by hour over the first days, then four times
a day — each closing itself when its signal cleared."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from fangkong.command import groups, places, raising, supervision, tasks, teams
from fangkong.command.duty import CITY, add_shift
from fangkong.command.schemas import (
    DisinfectionIn,
    EnvSampleIn,
    InvestigationIn,
    ShiftIn,
    TaskChange,
    TaskIn,
    TeamIn,
)
from fangkong.core.auth import Actor
from fangkong.demo.cast import LINYI, YANHU, Login, actor
from fangkong.demo.when import at
from fangkong.users.schemas import UserCreate
from fangkong.users.service import create_user

STAFF = (
    ("cdc", "市疾控流调组长", "cdc-demo-2022", "tracer", None),
    ("duty_a", "市指挥部值班长甲", "duty-a-demo-2022", "commander", None),
    ("duty_b", "市指挥部值班长乙", "duty-b-demo-2022", "commander", None),
    ("linyi_duty", "临猗县指挥部值班员", "linyi-duty-demo-2022", "tracer", LINYI),
)
# Who heads each group, and who works in it.
HEADS = {
    "office": "duty_a",
    "coordination": "commander",
    "tracing": "cdc",
    "testing": "cdc",
    "quarantine": "commander",
    "treatment": "commander",
    "traffic": "duty_b",
}
MEMBERS = {
    "tracing": ("linyi", "yanhu", "linyi_duty"),
    "testing": ("lab",),
    "quarantine": ("hotel",),
    "traffic": ("station",),
}
# The places as a map shows them (GCJ-02, invented near the real ones); 西安北站 and the moving
# train carriage are off the city's map and listed only.
WHERE = {
    "运城北站": (111.02, 35.08),
    "出租车 晋M·T****": (110.86, 35.12),
    "家中": (110.776, 35.143),
    "临猗县某超市": (110.772, 35.147),
    "临猗县某饭店": (110.781, 35.139),
    "临猗县某大药房": (110.779, 35.141),
    "临猗县人民医院发热门诊": (110.768, 35.150),
}


def staff(session: Session) -> list[Login]:
    """The command centre's duty officers and the city CDC's head of tracing, from 1 March."""
    for username, display, password, role, county in STAFF:
        create_user(
            session,
            now=at(1, 8),
            data=UserCreate(
                username=username,
                display_name=display,
                password=password,
                role=role,
                jurisdiction=county,
            ),
        )
    return [(u, p, r, c) for u, _, p, r, c in STAFF]


def staff_groups(session: Session, commander: Actor) -> None:
    """The seven groups, opened when the index case is reported (6 March, 20:00)."""
    made = groups.ensure_groups(session, now=at(6, 20))
    for code, head in HEADS.items():
        groups.set_head(
            session,
            actor=commander,
            group_id=made[code].id,
            user_id=actor(session, head).user_id,
            now=at(6, 20),
        )
    for code, names in MEMBERS.items():
        for name in names:
            groups.add_member(
                session,
                actor=commander,
                group_id=made[code].id,
                user_id=actor(session, name).user_id,
                now=at(6, 20),
            )


def rota(session: Session, commander: Actor) -> None:
    """12-hour shifts from 6 March 20:00 to 22 March 08:00: the city's two duty chiefs, and
    临猗县's duty officer by day and its tracer by night."""
    city = (actor(session, "duty_b").user_id, actor(session, "duty_a").user_id)
    county = (actor(session, "linyi").user_id, actor(session, "linyi_duty").user_id)
    start = at(6, 20)
    for i in range(31):
        begins = start + timedelta(hours=12 * i)
        ends = begins + timedelta(hours=12)
        note = "" if i == 0 else f"交班：{_handover(begins)}"
        for scope, people in ((CITY, city), (LINYI, county)):
            add_shift(
                session,
                actor=commander,
                now=at(6, 20),
                data=ShiftIn(
                    scope=scope,
                    user_id=people[i % 2],
                    starts_at=begins,
                    ends_at=ends,
                    handover_note=note,
                ),
            )


def _handover(moment: datetime) -> str:
    if moment < at(8, 8):
        return "密接转运未完成者见任务板，盐湖区协查车厢旅客"
    return "见任务板与当日日报，未闭环事项逐项交接"


def night_of_six(session: Session, commander: Actor) -> None:
    """The nine places of the index case, registered at his report: each sampled (surfaces and
    air; goods at the supermarket and pharmacy), disinfected and closed that night."""
    places.register_places(session, as_of=at(6, 20))
    shown = places.list_places(session, actor=commander, as_of=at(6, 20))
    for i, place in enumerate(shown):
        lon, lat = WHERE.get(place.name, (None, None))
        if lon is not None and lat is not None:
            places.set_location(session, place_id=place.id, lon=lon, lat=lat)
        taken = at(6, 21) + timedelta(minutes=20 * i)
        kinds = (
            ("surface", "air", "goods")
            if "超市" in place.name or "药房" in place.name
            else ("surface", "air")
        )
        for kind in kinds:
            places.record_sample(
                session,
                actor=commander,
                place_id=place.id,
                now=taken,
                data=EnvSampleIn(
                    kind=kind, spot="门把手、台面" if kind == "surface" else "", taken_at=taken
                ),
            )
        places.close_place(session, actor=commander, place_id=place.id, closed_at=taken, now=taken)
        places.record_disinfection(
            session,
            actor=commander,
            place_id=place.id,
            now=taken + timedelta(hours=1),
            data=DisinfectionIn(done_at=taken + timedelta(hours=1), done_by="临猗县疾控消杀队"),
        )
    _results(session, commander, [p.id for p in shown])


def _results(session: Session, commander: Actor, place_ids: list[int]) -> None:
    """Every environment sample of that night negative, reported at 06:00 on 7 March."""
    for place in places.list_places(session, actor=commander, as_of=at(7, 6)):
        if place.id in place_ids:
            for sample in place.samples:
                places.record_result(
                    session,
                    actor=commander,
                    sample_id=sample.id,
                    result="negative",
                    at=at(7, 6),
                    now=at(7, 6),
                )


def tracer_teams(session: Session, commander: Actor) -> None:
    """Each county's team; 临猗县 hands the train carriage and the taxi to the Yanhu team."""
    linyi_team = teams.add_team(
        session,
        actor=commander,
        now=at(6, 20),
        data=TeamIn(
            name="临猗县流调专班",
            county_code=LINYI,
            member_ids=[actor(session, u).user_id for u in ("linyi", "linyi_duty", "cdc")],
        ),
    )
    yanhu_team = teams.add_team(
        session,
        actor=commander,
        now=at(6, 20),
        data=TeamIn(
            name="盐湖区流调专班", county_code=YANHU, member_ids=[actor(session, "yanhu").user_id]
        ),
    )
    work = [
        (linyi_team.id, "interview", "首例病例流调问询", None, at(6, 20), at(6, 23, 30)),
        (yanhu_team.id, "assist", "协查：D2535次 5车厢同车厢旅客", LINYI, at(7, 0, 30), at(8, 16)),
        (
            yanhu_team.id,
            "assist",
            "协查：出租车 晋M·T**** 司机",
            LINYI,
            at(6, 23, 30),
            at(7, 9, 30),
        ),
    ]
    for team_id, kind, title, county, opened, closed in work:
        made = teams.open_investigation(
            session,
            actor=commander,
            now=opened,
            data=InvestigationIn(
                kind=kind,
                title=title,
                from_county=county,
                hours=6 if kind == "assist" else 3,
                due_at=opened + timedelta(hours=12),
                team_id=team_id,
            ),
        )
        teams.close_investigation(session, actor=commander, investigation_id=made.id, now=closed)


# The dispatch meeting of 8 March, 08:30: what it assigned, to whom, by when, and how each went
# (group, title, county, responsible, deadline, [(moment, status, note)]).
DISPATCH = (
    (
        "testing",
        "组织临猗县第二轮全员核酸检测，3月9日20:00前完成采样",
        LINYI,
        "cdc",
        at(9, 20),
        [(at(8, 10), "in_progress", "采样点已布设，采样队伍到位"), (at(9, 19, 30), "done", "")],
    ),
    (
        "quarantine",
        "新增征用2处集中隔离点，3月10日12:00前可投入使用",
        None,
        "commander",
        at(10, 12),
        [(at(9, 9), "in_progress", "已选定两家酒店，正在改造"), (at(10, 9), "done", "")],
    ),
    (
        "tracing",
        "排查临猗县人民医院发热门诊3月6日就诊人员",
        LINYI,
        "linyi",
        at(8, 18),
        [(at(9, 2), "done", "就诊及陪诊人员已全部落位")],
    ),
    (
        "office",
        "起草3月8日疫情防控工作日报",
        None,
        "duty_a",
        at(8, 22),
        [(at(8, 21, 30), "done", "")],
    ),
)


def dispatch_meeting(session: Session, commander: Actor) -> None:
    """The morning meeting's tasks; the fever-clinic sweep runs past its deadline that evening
    and supervision escalates it to the head of tracing."""
    made = groups.ensure_groups(session, now=at(8, 8, 30))
    for code, title, county, owner, deadline, steps in DISPATCH:
        task = tasks.create_task(
            session,
            actor=commander,
            now=at(8, 8, 30),
            data=TaskIn(
                group_id=made[code].id,
                title=title,
                deadline=deadline,
                county_code=county,
                responsible_user_id=actor(session, owner).user_id,
            ),
        )
        for moment, status, note in steps:
            supervision.change_task(
                session,
                actor=commander,
                task_id=task.id,
                now=moment,
                data=TaskChange(status=status, note=note),
            )


def passes() -> list[datetime]:
    """Hourly through the night of 6 March, every two hours to the evening of the 8th, then at
    08:00 and 20:00 to the replay's end: when a command centre would look."""
    night = [at(6, 20) + timedelta(hours=h) for h in range(5)]
    days = [at(7, 2) + timedelta(hours=2 * h) for h in range(22)]
    later = [at(9, 8) + timedelta(hours=12 * h) for h in range(26)]
    return night + days + later


def raise_as_it_unfolded(session: Session) -> None:
    for moment in passes():
        raising.raise_tasks(session, as_of=moment)
