from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import Forbidden, InvalidInput
from fangkong.people.schemas import PersonIn
from fangkong.quarantine.models import Room, Stay
from fangkong.quarantine.service import list_sites, place_contacts
from fangkong.tracing import service as tracing
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.quarantine import make_site
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor

HOME = "临猗县猗氏镇某小区3号楼2单元"


def household(session: Session, actor: Actor, infection_id: int) -> list[int]:
    members = [
        PersonIn(name="王某某", id_number="140821199002030420", address=HOME),
        PersonIn(name="王某", id_number="140821196107090119", address=HOME),
        PersonIn(name="李某某", id_number="14082119630122028X", address=HOME),
        PersonIn(name="王某宝", age_text="6月龄", address=HOME),
    ]
    recorded = tracing.record_contacts(
        session,
        actor=actor,
        infection_id=infection_id,
        now=NOW,
        items=[contact_in(p, setting="household", exposure=at(6, 20, 30)) for p in members],
    )
    return recorded.contact_ids


class TestSites:
    def test_sites_count_their_rooms_and_loading_again_adds_nothing(
        self, session: Session, make_actor: MakeActor
    ) -> None:
        commander = make_actor("commander", None)
        make_site(session, commander)
        make_site(session, commander)
        [site] = list_sites(session)
        assert (site.rooms, site.ready, site.county_name) == (8, 8, "临猗县")

    def test_a_tracer_may_not_build_sites(self, session: Session, tracer: Actor) -> None:
        with pytest.raises(Forbidden):
            make_site(session, tracer)

    def test_county_must_be_in_the_city(self, session: Session, make_actor: MakeActor) -> None:
        with pytest.raises(InvalidInput, match="county_code"):
            make_site(session, make_actor("commander", None), county="610113")


class TestPlacement:
    def test_a_household_shares_a_family_room_and_singles_get_singles(
        self, session: Session, tracer: Actor, make_actor: MakeActor
    ) -> None:
        commander = make_actor("commander", None)
        make_site(session, commander, name="盐湖区某宾馆", county="140802", lon=111.0, lat=35.02)
        make_site(session, commander)
        index = make_infection(session, tracer)
        family = household(session, tracer, index.id)
        others = tracing.record_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            now=NOW,
            items=[contact_in(make_person(f"同事{i}"), setting="workplace") for i in range(2)],
        ).contact_ids
        result = place_contacts(session, actor=tracer, contact_ids=family + others, now=NOW)
        assert result.unplaced == []
        rooms = {p.contact_id: (p.site_name, p.room) for p in result.placed}
        assert {rooms[c] for c in family} == {("临猗县某酒店", "B-F001")}
        assert {rooms[c][1] for c in others} == {"A-S001", "A-S002"}
        # The county's own site came first, and every contact now counts as under control.
        contacts = [tracing.get_contact(session, actor=tracer, contact_id=c) for c in family]
        assert all(c.under_control_at == NOW and c.control_kind == "placed" for c in contacts)
        assert (
            session.scalar(select(func.count()).select_from(Room).where(Room.status == "occupied"))
            == 3
        )

    def test_who_cannot_be_placed_is_told_why(
        self, session: Session, tracer: Actor, make_actor: MakeActor
    ) -> None:
        make_site(session, make_actor("commander", None), singles=1, families=0, accessible=0)
        index = make_infection(session, tracer)
        infant = tracing.record_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            now=NOW,
            items=[
                contact_in(
                    PersonIn(name="李某宝", age_text="3月龄", address="临猗县某村"),
                    setting="household",
                )
            ],
        ).contact_ids
        general = tracing.record_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            now=NOW,
            items=[contact_in(make_person("路某"), category="一般接触者", setting="shop")],
        ).contact_ids
        singles = tracing.record_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            now=NOW,
            items=[contact_in(make_person(f"乘客{i}"), setting="train_carriage") for i in range(2)],
        ).contact_ids
        first = place_contacts(
            session, actor=tracer, contact_ids=infant + general + singles + [999999], now=NOW
        )
        reasons = {u.contact_id: u.reason for u in first.unplaced}
        assert "婴幼儿" in reasons[infant[0]]
        assert reasons[general[0]] == "无集中隔离管理措施"
        assert reasons[999999] == "没有此接触者"
        assert len(first.placed) == 1 and reasons[singles[1]] == "各隔离点均无空余单人间"
        again = place_contacts(session, actor=tracer, contact_ids=singles[:1], now=NOW)
        assert again.unplaced[0].reason.startswith("已入住房间")
        assert session.scalar(select(func.count()).select_from(Stay)) == 1

    def test_accessible_rooms_go_to_who_needs_them(
        self, session: Session, tracer: Actor, make_actor: MakeActor
    ) -> None:
        make_site(session, make_actor("commander", None), singles=2, families=0, accessible=1)
        index = make_infection(session, tracer)
        ids = tracing.record_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            now=NOW,
            items=[contact_in(make_person(f"乘客{i}"), setting="train_carriage") for i in range(3)],
        ).contact_ids
        result = place_contacts(
            session, actor=tracer, contact_ids=ids, accessible=[ids[2]], now=NOW
        )
        rooms = {p.contact_id: p.room for p in result.placed}
        assert rooms[ids[2]] == "C-W001" and {rooms[ids[0]], rooms[ids[1]]} == {"A-S001", "A-S002"}
