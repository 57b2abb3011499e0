"""8 March: the parents' and the infant's day-1 swabs, taken late on 7 March in quarantine,
come back positive at 05:00; each becomes an infection and leaves for hospital; the father's
morning at the market gives three more close contacts, quarantined at home from noon."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.demo.cast import LINYI, Residents, contact, every
from fangkong.demo.handling import control
from fangkong.demo.when import at
from fangkong.quarantine.schemas import SwabResult
from fangkong.quarantine.stays import quarantine_record, record_swab_result
from fangkong.tracing import service as tracing

if TYPE_CHECKING:
    from fangkong.tracing.models import Contact


def parents_and_infant(
    session: Session, linyi: Actor, close: list[Contact], residents: Residents
) -> None:
    for relative in close[1:4]:
        [stay] = [
            s
            for s in quarantine_record(session, actor=linyi, person_id=relative.person_id)
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
        if i.person_id == close[1].person_id
    ]
    market = [
        contact(residents.make(LINYI, "临猗县猗氏镇某村", born_from=1945, born_to=1965),
                "close", "market", at(6, 7, 20), at(8, 8), relation="同逛菜市场",
                place="猗氏镇农贸市场")
        for _ in range(3)
    ]  # fmt: skip
    recorded = tracing.record_contacts(
        session, actor=linyi, infection_id=father.id, items=market, now=at(8, 9)
    )
    control(session, linyi, recorded.contacts, every(at(8, 12), 60), "home")
