"""The city's sentinel points and a year of their counts, 22 March 2021 – 21 March 2022: weekly
rhythm, a winter rise, noise; and from 1 March 2022 the fever clinic of 临猗县人民医院 (where
the index case was found on 6 March) and the pharmacies near his places selling more fever and
cough medicine, day by day, before anyone was reported. Each day's counts are reported at
08:00 the next morning (the last, 21 March's, that evening)."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import numpy as np
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.demo.cast import LINYI, YANHU
from fangkong.demo.when import CST, at
from fangkong.surveillance import alarms, detection, points
from fangkong.surveillance.schemas import AlarmDecision, PointIn, ReportIn

FIRST, LAST, RISE = date(2021, 3, 22), date(2022, 3, 21), date(2022, 3, 1)
# code, name, kind, county, lon, lat, {measure: daily mean}, rises in March 2022
POINTS = (
    (
        "LY-FC-1",
        "临猗县人民医院发热门诊",
        "fever_clinic",
        LINYI,
        110.774,
        35.146,
        {"fever_visits": 12.0},
        True,
    ),
    (
        "LY-PH-1",
        "临猗县某大药房",
        "pharmacy",
        LINYI,
        110.779,
        35.141,
        {"antipyretics": 30.0, "cough": 22.0, "antivirals": 4.0, "antibiotics": 15.0},
        True,
    ),
    (
        "LY-PH-2",
        "临猗县猗氏镇某药店",
        "pharmacy",
        LINYI,
        110.771,
        35.148,
        {"antipyretics": 18.0, "cough": 14.0, "antivirals": 2.0, "antibiotics": 9.0},
        True,
    ),
    ("LY-SC-1", "临猗县猗氏镇某小学", "school", LINYI, 110.768, 35.150, {"absent": 9.0}, False),
    (
        "YH-FC-1",
        "运城市中心医院发热门诊",
        "fever_clinic",
        YANHU,
        111.006,
        35.027,
        {"fever_visits": 25.0},
        False,
    ),
    (
        "YH-PH-1",
        "盐湖区解放路某药店",
        "pharmacy",
        YANHU,
        111.003,
        35.031,
        {"antipyretics": 26.0, "cough": 20.0, "antivirals": 3.0, "antibiotics": 12.0},
        False,
    ),
)


def _mean(base: float, day: date, rises: bool) -> float:
    """Weekly rhythm (Mondays busiest), a winter peak in January, and the March rise."""
    weekday = 1.15 if day.weekday() == 0 else 0.9 if day.weekday() >= 5 else 1.0
    winter = 1 + 0.3 * math.cos(2 * math.pi * ((day - date(2022, 1, 15)).days / 365.25))
    outbreak = 1.35 ** ((day - RISE).days + 1) if rises and day >= RISE else 1.0
    return base * weekday * winter * min(outbreak, 6.0)


def sentinel_year(session: Session, commander: Actor, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for code, name, kind, county, lon, lat, _, _ in POINTS:
        data = PointIn(
            code=code, name=name, kind=kind, county_code=county, lon=lon, lat=lat, due_hour=10
        )
        points.add_point(session, actor=commander, data=data, now=at(1, 8) - timedelta(days=365))
    day = FIRST
    while day <= LAST:
        items = [
            ReportIn(
                point=code,
                day=day,
                measure=measure,
                count=int(rng.poisson(_mean(base, day, rises))),
            )
            for code, _, _, _, _, _, measures, rises in POINTS
            for measure, base in measures.items()
        ]
        told = min(_morning_after(day), at(21, 20))
        points.record_reports(session, actor=commander, items=items, now=told)
        day += timedelta(days=1)


def _morning_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(8, 0), tzinfo=CST)


def alarms_as_they_came(session: Session, cdc: Actor) -> None:
    """A detection pass each morning at 10:30 from 20 February (yesterday's counts are in by
    10:00). The alarms of February, before the rise, were dismissed by the city CDC's head of
    tracing the morning they came; March's are left for the command centre to decide (the
    sentinels came after the outbreak: they show what it would have been told, and when)."""
    day = date(2022, 2, 20)
    while day <= LAST + timedelta(days=1):
        detection.detect(session, as_of=datetime.combine(day, time(10, 30), tzinfo=CST))
        day += timedelta(days=1)
    raised = alarms.list_alarms(session, actor=cdc, as_of=at(21, 23))
    for early in (a for a in raised if a.day < RISE):
        decision = AlarmDecision(action="dismiss", note="节后就诊、购药常规波动，无聚集")
        moment = early.created_at + timedelta(minutes=40)
        alarms.decide_alarm(session, actor=cdc, alarm_id=early.id, decision=decision, now=moment)
