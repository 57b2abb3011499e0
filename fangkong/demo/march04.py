"""4 March: the index case comes home from Xi'an through 运城北站, and the inbound loop
registers him (the story's day 0); 1 March: everyone's health code and the station's
scanner."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.demo.cast import YANHU
from fangkong.demo.when import at
from fangkong.healthcode.scan import add_scanner, issue_missing_tokens
from fangkong.people.schemas import PersonIn
from fangkong.travel.models import Checkpoint
from fangkong.travel.schemas import ArrivalIn, CheckpointIn
from fangkong.travel.service import add_checkpoint, import_risk_areas, register_arrival


def arrival(session: Session, commander: Actor, index_person: PersonIn) -> None:
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


def codes(session: Session, commander: Actor) -> str:
    """Everyone gets a health code (a token for its QR), and 运城北站's exit gate a scanner."""
    issue_missing_tokens(session, now=at(1, 8))
    station = session.scalars(select(Checkpoint).where(Checkpoint.name == "运城北站")).one()
    _, key = add_scanner(
        session, actor=commander, checkpoint_id=station.id, label="出站口 1", now=at(1, 8)
    )
    return key
