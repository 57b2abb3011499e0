from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.ids import make_id_number
from fangkong.people.schemas import PersonIn
from fangkong.tracing import service
from fangkong.tracing.models import Infection
from fangkong.tracing.schemas import ContactCreate, InfectionCreate
from tests.conftest import CST, DATA, NOW

# Distinct ID numbers for the whole session: 449 odd sequence codes a birth day, then the
# next day.
_seq = itertools.count()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2022, 3, day, hour, minute, tzinfo=CST)


def make_person(
    name: str = "测试某", county: str = "140821", born: date = date(1980, 5, 1)
) -> PersonIn:
    address = "临猗县猗氏镇某小区" if county == "140821" else "盐湖区某街道"
    k = next(_seq)
    born = born + timedelta(days=k // 449)
    return PersonIn(
        name=name, id_number=make_id_number(county, born, 101 + 2 * (k % 449)), address=address
    )


def make_infection(
    session: Session,
    actor: Actor,
    *,
    person: PersonIn | None = None,
    reported: datetime | None = None,
    **extra: object,
) -> Infection:
    reported = reported or at(6, 19, 50)
    data = {
        "kind": "confirmed",
        "onset_at": reported - timedelta(days=1),
        "sampled_at": reported - timedelta(hours=9),
        "reported_at": reported,
        **extra,
    }
    return service.record_infection(
        session,
        actor=actor,
        now=NOW,
        data=InfectionCreate(person=person or make_person("王某强"), **data),  # type: ignore[arg-type]
    )


def contact_in(
    person: PersonIn | None = None,
    *,
    category: str = "close",
    setting: str = "household",
    exposure: datetime | None = None,
    identified: datetime | None = None,
) -> ContactCreate:
    return ContactCreate(
        person=person or make_person(),
        category=category,
        setting=setting,
        exposure_at=exposure or at(6, 18),
        identified_at=identified or at(6, 21),
    )


SAMPLE_PATH = DATA / "contacts-linyi-2022-03-07.xlsx"
