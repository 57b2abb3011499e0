"""Scoping cases the walks over the demo cannot reach: each role sees and changes what its work
needs, and nothing of another's."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import Forbidden, InvalidInput, NotFound
from fangkong.people import service as people
from fangkong.people.schemas import PersonIn, PersonUpdate
from fangkong.quarantine import stays
from fangkong.quarantine.service import place_contacts
from fangkong.quarantine.transfers import list_transfers
from fangkong.testing import labs, recalls
from fangkong.tracing import service as tracing
from fangkong.tracing.schemas import StopCreate
from fangkong.travel import service as travel
from fangkong.travel.schemas import ArrivalIn, CheckpointIn
from tests.builders.moments import NOW, at
from tests.builders.people import YANHU, make_person
from tests.builders.quarantine import make_site
from tests.builders.testing import city_labs
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import MakeActor

HOME = "临猗县猗氏镇某小区3号楼2单元"


def placed_household(
    session: Session, tracer: Actor, make_actor: MakeActor, *, by_transfer: bool = False
) -> tuple[int, int]:
    """A household contact placed at the county's hotel; returns (site id, person id)."""
    site = make_site(session, make_actor("commander", None), singles=2, families=1)
    index = make_infection(session, tracer, person=make_person("王某强"))
    person = PersonIn(name="王某某", id_number="140821199002030420", address=HOME)
    recorded = tracing.record_contacts(
        session, actor=tracer, infection_id=index.id, now=NOW, items=[contact_in(person)]
    )
    place_contacts(
        session,
        actor=tracer,
        contact_ids=recorded.contact_ids,
        now=at(7, 8),
        by_transfer=by_transfer,
    )
    return site.id, recorded.contacts[0].person_id


class TestSiteStaff:
    def test_see_their_residents_in_full_and_nobody_else(
        self, session: Session, tracer: Actor, make_actor: MakeActor
    ) -> None:
        site_id, person_id = placed_household(session, tracer, make_actor)
        staff = make_actor("site", None, site_id=site_id)
        [stay] = stays.quarantine_record(session, actor=staff, person_id=person_id)
        assert stay.person.id_number == "140821199002030420" and not stay.person.masked
        stranger = people.upsert_people(session, items=[make_person()], now=NOW).people[0]
        with pytest.raises(NotFound):
            stays.quarantine_record(session, actor=staff, person_id=stranger.id)
        # Outside their site's stays they are masked, and recalls are not their work.
        shown = people.show_person(stranger, staff)
        assert shown.masked and "*" in (shown.id_number or "")
        with pytest.raises(Forbidden):
            recalls.list_recalls(session, actor=staff, round_id=1)

    def test_another_sites_staff_see_no_stay_of_it(
        self, session: Session, tracer: Actor, make_actor: MakeActor
    ) -> None:
        site_id, person_id = placed_household(session, tracer, make_actor)
        other = make_site(session, make_actor("commander", None), name="盐湖区某宾馆", county=YANHU)
        staff = make_actor("site", None, site_id=other.id)
        with pytest.raises(NotFound):
            stays.quarantine_record(session, actor=staff, person_id=person_id)


class TestCounties:
    def test_a_trajectory_stops_at_the_community_for_another_county(
        self, session: Session, tracer: Actor, make_actor: MakeActor
    ) -> None:
        index = make_infection(session, tracer)
        tracing.add_stop(
            session,
            actor=tracer,
            infection_id=index.id,
            now=NOW,
            data=StopCreate(place="家中", address=HOME, arrived_at=at(4, 20), departed_at=at(5, 8)),
        )
        # 盐湖区 sees the infection once one of its people is a contact of it (协查).
        tracing.record_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            now=NOW,
            items=[contact_in(make_person("张某", county=YANHU), setting="taxi")],
        )
        yanhu = make_actor("tracer", YANHU)
        [own] = tracing.list_stops(session, actor=tracer, infection_id=index.id)
        [shared] = tracing.list_stops(session, actor=yanhu, infection_id=index.id)
        assert own.address == HOME and shared.address == "临猗县猗氏镇某小区"
        # …and may not add to its trajectory or its contacts: the case is 临猗县's.
        stop = StopCreate(place="x", address="y", arrived_at=at(5, 8), departed_at=at(5, 9))
        with pytest.raises(Forbidden):
            tracing.add_stop(session, actor=yanhu, infection_id=index.id, now=NOW, data=stop)
        with pytest.raises(Forbidden):
            tracing.record_contacts(
                session, actor=yanhu, infection_id=index.id, now=NOW, items=[contact_in()]
            )

    def test_a_person_moves_only_to_a_real_county_both_sides_may_see(
        self, session: Session, tracer: Actor, make_actor: MakeActor
    ) -> None:
        [p] = people.upsert_people(session, items=[make_person()], now=NOW).people
        for code in ("999999", "140800", "140801"):
            with pytest.raises(InvalidInput) as bad:
                people.update_person(
                    session, actor=tracer, person_id=p.id, data=PersonUpdate(county_code=code),
                    now=NOW,
                )  # fmt: skip
            assert bad.value.problems[0].loc == ("county_code",)
        with pytest.raises(Forbidden):
            people.update_person(
                session, actor=tracer, person_id=p.id, data=PersonUpdate(county_code=YANHU),
                now=NOW,
            )  # fmt: skip
        moved = people.update_person(
            session, actor=make_actor("commander", None), person_id=p.id,
            data=PersonUpdate(county_code=YANHU), now=NOW,
        )  # fmt: skip
        assert moved.county_code == YANHU

    def test_transfers_show_a_home_only_to_its_county(
        self, session: Session, tracer: Actor, make_actor: MakeActor
    ) -> None:
        placed_household(session, tracer, make_actor, by_transfer=True)
        [own] = list_transfers(session, actor=tracer)
        assert own.pickup_address == HOME
        assert list_transfers(session, actor=make_actor("tracer", YANHU)) == []
        [seen] = list_transfers(session, actor=make_actor("viewer", None))
        assert seen.pickup_address == "临猗县猗氏镇某小区"
        with pytest.raises(Forbidden):
            list_transfers(session, actor=make_actor("lab", None, lab_id=_a_lab(session)))


def _a_lab(session: Session) -> int:
    saved = labs.save_labs(session, actor=_admin(session), labs=city_labs())
    return saved[0].id


def _admin(session: Session) -> Actor:
    return Actor(user_id=0, username="system", role="admin", jurisdiction=None)


class TestPlaces:
    def test_a_labs_staff_work_for_their_lab(self, session: Session, make_actor: MakeActor) -> None:
        saved = labs.save_labs(session, actor=_admin(session), labs=city_labs())
        mine, other = saved[0].id, saved[1].id
        staff = make_actor("lab", None, lab_id=mine)
        assert labs.worklist(session, actor=staff, lab_id=mine) == []
        with pytest.raises(NotFound):
            labs.worklist(session, actor=staff, lab_id=other)
        assert [lab.id for lab in session.scalars(labs.readable_labs(staff))] == [mine]

    def test_a_checkpoints_staff_register_and_see_their_checkpoints_arrivals(
        self, session: Session, make_actor: MakeActor
    ) -> None:
        commander = make_actor("commander", None)
        station = travel.add_checkpoint(
            session,
            actor=commander,
            data=CheckpointIn(name="运城北站", kind="hsr", county_code=YANHU),
        )
        airport = travel.add_checkpoint(
            session, actor=commander,
            data=CheckpointIn(name="运城关公机场", kind="airport", county_code=YANHU),
        )  # fmt: skip
        staff = make_actor("checkpoint", YANHU, checkpoint_id=station.id)

        def arrival(checkpoint: int, name: str) -> ArrivalIn:
            return ArrivalIn(
                person=make_person(name), checkpoint_id=checkpoint, origin="山西省太原市",
                mode="train", departed_at=at(4, 15), arrived_at=at(4, 18),
            )  # fmt: skip

        travel.register_arrival(session, actor=staff, data=arrival(station.id, "甲"), now=NOW)
        with pytest.raises(Forbidden):
            travel.register_arrival(session, actor=staff, data=arrival(airport.id, "乙"), now=NOW)
        travel.register_arrival(session, actor=commander, data=arrival(airport.id, "丙"), now=NOW)
        seen = travel.list_arrivals(session, actor=staff, as_of=NOW)
        assert [a.checkpoint for a in seen] == ["运城北站"]
        assert seen[0].name.startswith("甲") and "*" in (seen[0].id_number or "")
