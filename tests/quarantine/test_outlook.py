from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.quarantine.outlook import capacity_outlook
from fangkong.quarantine.service import place_contacts
from fangkong.tracing import service as tracing
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.quarantine import make_site
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor


def test_the_day_rooms_run_out(session: Session, tracer: Actor, make_actor: MakeActor) -> None:
    make_site(session, make_actor("commander", None), singles=3, families=0, accessible=0)
    index = make_infection(session, tracer)
    # Three placed: exposed 6 March 21:00, 14 days of central quarantine, out 20 March 21:00.
    placed = tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[
            contact_in(make_person(f"甲{i}"), setting="workplace", exposure=at(6, 21))
            for i in range(3)
        ],
    ).contact_ids
    assert len(place_contacts(session, actor=tracer, contact_ids=placed, now=at(7, 12)).placed) == 3
    # One more waiting, exposed on 9 March: needs a room until 23 March.
    tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[
            contact_in(
                make_person("乙"), setting="workplace", exposure=at(9, 8), identified=at(9, 20)
            )
        ],
    )
    outlook = capacity_outlook(session, now=NOW, days=14)
    assert outlook.days[0] == date(2022, 3, 10) and len(outlook.needed) == 14
    assert (outlook.available, outlook.occupied_today, outlook.waiting_now) == (3, 3, 1)
    assert outlook.needed[0] == 4 and outlook.runs_out_on == date(2022, 3, 10)
    # 20 March: the three are still in until 21:00; 21 March only the waiting one.
    assert outlook.needed[10] == 4 and outlook.needed[11] == 1
    [site] = outlook.sites
    assert site.needed[0] == 3 and site.runs_out_on is None


def test_people_waiting_count_by_household_and_not_when_kept_at_home(
    session: Session, tracer: Actor
) -> None:
    """A household at one address waits for one family room; a colleague for a room of their
    own; a contact put under control at home waits for none."""
    index = make_infection(session, tracer)
    # make_person gives everyone in a county one address: a household's, a colleague's too.
    waiting = [
        contact_in(make_person("妻"), setting="household"),
        contact_in(make_person("子"), setting="household"),
        contact_in(make_person("同事"), setting="workplace"),
        contact_in(make_person("邻居"), setting="workplace"),
    ]
    ids = tracing.record_contacts(
        session, actor=tracer, infection_id=index.id, now=NOW, items=waiting
    ).contact_ids
    tracing.control_contact(session, actor=tracer, contact_id=ids[3], how="home", at=at(7, 9),
                            now=NOW)  # fmt: skip
    outlook = capacity_outlook(session, now=NOW, days=3)
    assert outlook.waiting_now == 3 and outlook.waiting_people[0] == 3
    assert outlook.waiting_needed[0] == 2 and outlook.needed[0] == 2
