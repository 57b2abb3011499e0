"""Fixtures of the screening tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from fangkong.testing import labs, service
from fangkong.testing.schemas import RoundCreate, SiteIn
from tests.builders.moments import at
from tests.builders.testing import LINYI, RoundSetup, city_labs, residents
from tests.conftest import MakeActor


@pytest.fixture
def linyi_round(session: Session, make_actor: MakeActor) -> RoundSetup:
    commander = make_actor("commander", None)
    people = residents(session, 60)
    made = service.create_round(
        session,
        actor=commander,
        now=at(9, 6),
        data=RoundCreate(
            name="临猗县第一轮全员核酸",
            area="county",
            county_code=LINYI,
            pool_size=10,
            starts_at=at(9, 7),
            sites=[
                SiteIn(name="猗氏镇东关村采样点", county_code=LINYI, per_hour=300, staff=6),
                SiteIn(name="临晋镇采样点", county_code=LINYI, per_hour=200, staff=4),
            ],
        ),
    )
    labs.save_labs(session, actor=commander, labs=city_labs())
    sites = [s.id for s in service.present_round(session, made).sites]
    return RoundSetup(made, sites, people, commander)
