"""Retention through the quarantine domain, on both backends: a released contact's stays and
swabs go with them once past retention, and keep them until then."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.people.models import Person
from fangkong.quarantine.models import Stay, Swab
from fangkong.quarantine.schemas import SwabResult
from fangkong.quarantine.stays import record_swab_result, release_due
from fangkong.retention import purge_all
from tests.builders.moments import at
from tests.builders.quarantine import placed
from tests.conftest import MakeActor

RELEASED = at(20, 22)


def _count(session: Session, table: type[Person] | type[Stay] | type[Swab]) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def test_a_released_contacts_stay_goes_with_them(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    [stay] = placed(session, tracer, make_actor("commander", None), n=1)
    for day in (7, 10, 13, 20):
        result = SwabResult(due_on=date(2022, 3, day), result="negative", sampled_at=at(day, 7))
        record_swab_result(session, actor=tracer, stay_id=stay, now=at(day, 12), data=result)
    assert len(release_due(session, actor=tracer, now=RELEASED).released) == 1
    people, swabs = _count(session, Person), _count(session, Swab)
    assert swabs > 0

    kept = purge_all(session, now=RELEASED + timedelta(days=29), retention_days=30)
    assert kept.people == 0 and _count(session, Stay) == 1

    # Past retention of the order's last phase (home monitoring after the room) too: the
    # contact goes with their stay and swabs; the infected person stays (a case record).
    gone = purge_all(session, now=RELEASED + timedelta(days=60), retention_days=30)
    assert gone.people == 1 and _count(session, Person) == people - 1
    assert (_count(session, Stay), _count(session, Swab)) == (0, 0)
