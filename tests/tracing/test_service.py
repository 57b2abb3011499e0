from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import Forbidden, InvalidInput, NotFound
from fangkong.tracing import chains, kpi, service
from fangkong.tracing.models import Contact, ManagementOrder, OrderPhase
from fangkong.tracing.schemas import ContactOfContactCreate, InfectionCreate, StopCreate
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor


def problems(exc: InvalidInput) -> dict[str, str]:
    """Field -> its messages, joined."""
    out: dict[str, str] = {}
    for p in exc.problems:
        key = ".".join(map(str, p.loc))
        out[key] = f"{out[key]}; {p.msg}" if key in out else p.msg
    return out


class TestRecordInfection:
    def test_viewer_may_not(self, session: Session, make_actor: MakeActor) -> None:
        with pytest.raises(Forbidden):
            make_infection(session, make_actor("viewer", None))

    def test_future_and_inverted_times_are_refused(self, session: Session, tracer: Actor) -> None:
        with pytest.raises(InvalidInput) as caught:
            make_infection(session, tracer, reported=NOW + timedelta(days=1))
        assert "reported_at" in problems(caught.value)
        with pytest.raises(InvalidInput) as caught:
            make_infection(session, tracer, sampled_at=at(7, 1), reported=at(6, 20))
        assert problems(caught.value) == {"reported_at": "早于采样时间"}

    def test_invalid_id_number_names_the_field(self, session: Session, tracer: Actor) -> None:
        person = make_person().model_copy(update={"id_number": "140821199002030421"})
        with pytest.raises(InvalidInput) as caught:
            make_infection(session, tracer, person=person)
        assert "person.id_number" in problems(caught.value)
        assert "校验码" in problems(caught.value)["person.id_number"]

    def test_other_county_person_is_out_of_reach(self, session: Session, tracer: Actor) -> None:
        with pytest.raises(InvalidInput):
            make_infection(
                session,
                tracer,
                person=make_person(county="140802").model_copy(update={"county_code": "140802"}),
            )


class TestTrajectory:
    def test_departure_before_arrival(self, session: Session, tracer: Actor) -> None:
        infection = make_infection(session, tracer)
        with pytest.raises(InvalidInput) as caught:
            service.add_stop(
                session,
                actor=tracer,
                infection_id=infection.id,
                now=NOW,
                data=StopCreate(place="超市", arrived_at=at(5, 9), departed_at=at(5, 8)),
            )
        assert problems(caught.value) == {"departed_at": "早于到达时间"}

    def test_stops_come_back_in_time_order(self, session: Session, tracer: Actor) -> None:
        infection = make_infection(session, tracer)
        for place, start in (("饭店", at(5, 18)), ("超市", at(5, 9))):
            service.add_stop(
                session,
                actor=tracer,
                infection_id=infection.id,
                now=NOW,
                data=StopCreate(
                    place=place,
                    setting="同乘出租车",
                    arrived_at=start,
                    departed_at=start + timedelta(hours=1),
                ),
            )
        stops = service.list_stops(session, actor=tracer, infection_id=infection.id)
        assert [s.place for s in stops] == ["超市", "饭店"]
        assert stops[0].setting == "taxi"


class TestRecordContacts:
    def test_close_contact_gets_the_8th_edition_order(
        self, session: Session, tracer: Actor
    ) -> None:
        infection = make_infection(session, tracer)
        [contact] = service.record_contacts(
            session,
            actor=tracer,
            infection_id=infection.id,
            now=NOW,
            items=[contact_in(category="密接", setting="共同居住", exposure=at(6, 21))],
        ).contacts
        assert (contact.category, contact.setting) == ("close", "household")
        order = session.scalars(
            select(ManagementOrder).where(ManagementOrder.contact_id == contact.id)
        ).one()
        phases = session.scalars(
            select(OrderPhase).where(OrderPhase.order_id == order.id).order_by(OrderPhase.seq)
        ).all()
        assert [(p.kind, p.test_dates) for p in phases] == [
            ("central_quarantine", ["2022-03-07", "2022-03-10", "2022-03-13", "2022-03-20"]),
            ("home_monitoring", ["2022-03-22", "2022-03-27"]),
        ]
        assert order.starts_at == at(6, 21) and order.ends_at == at(27, 21)

    def test_recording_the_same_contact_twice_changes_nothing(
        self, session: Session, tracer: Actor
    ) -> None:
        infection = make_infection(session, tracer)
        item = contact_in()
        first = service.record_contacts(
            session, actor=tracer, infection_id=infection.id, items=[item], now=NOW
        )
        again = service.record_contacts(
            session, actor=tracer, infection_id=infection.id, items=[item], now=NOW
        )
        assert again.created == 0 and again.contacts[0].id == first.contacts[0].id
        assert session.scalar(select(func.count()).select_from(ManagementOrder)) == 1

    @pytest.mark.parametrize(
        ("change", "field", "words"),
        [
            ({"category": "路人"}, "0.category", "未知的人员类别"),
            ({"setting": "火星"}, "0.setting", "未知的接触方式"),
            ({"exposure_at": NOW + timedelta(hours=1)}, "0.exposure_at", "晚于当前时间"),
            ({"exposure_at": at(1, 8)}, "0.exposure_at", "早于密接判定时段"),
            ({"identified_at": at(6, 17)}, "0.exposure_at", "晚于判定时间"),
        ],
    )
    def test_bad_contacts_are_refused_whole(
        self, session: Session, tracer: Actor, change: dict[str, object], field: str, words: str
    ) -> None:
        infection = make_infection(session, tracer)
        good = contact_in()
        bad = contact_in().model_copy(update=change)
        with pytest.raises(InvalidInput) as caught:
            service.record_contacts(
                session, actor=tracer, infection_id=infection.id, items=[bad, good], now=NOW
            )
        assert words in problems(caught.value)[field]
        assert session.scalar(select(func.count()).select_from(Contact)) == 0

    def test_secondary_contacts_follow_from_a_close_contact(
        self, session: Session, tracer: Actor
    ) -> None:
        infection = make_infection(session, tracer)
        [close] = service.record_contacts(
            session, actor=tracer, infection_id=infection.id, items=[contact_in()], now=NOW
        ).contacts
        [secondary] = service.record_contacts_of_contact(
            session,
            actor=tracer,
            contact_id=close.id,
            now=NOW,
            items=[
                ContactOfContactCreate(
                    person=make_person("陈某某"),
                    setting="household",
                    exposure_at=at(6, 7, 30),
                    identified_at=at(7, 9),
                )
            ],
        ).contacts
        assert (secondary.category, secondary.via_contact_id) == ("secondary", close.id)
        order = session.scalars(
            select(ManagementOrder).where(ManagementOrder.contact_id == secondary.id)
        ).one()
        assert order.ends_at - order.starts_at == timedelta(days=7)
        with pytest.raises(InvalidInput, match="不追踪次密接的接触者"):
            service.record_contacts_of_contact(
                session,
                actor=tracer,
                contact_id=secondary.id,
                now=NOW,
                items=[
                    ContactOfContactCreate(
                        person=make_person(), setting="household", exposure_at=at(7, 8)
                    )
                ],
            )

    def test_a_secondary_contact_needs_its_close_contact(
        self, session: Session, tracer: Actor
    ) -> None:
        infection = make_infection(session, tracer)
        with pytest.raises(InvalidInput) as caught:
            service.record_contacts(
                session,
                actor=tracer,
                infection_id=infection.id,
                now=NOW,
                items=[contact_in(category="次密接")],
            )
        assert "0.via_contact_id" in problems(caught.value)

    def test_unknown_infection(self, session: Session, tracer: Actor) -> None:
        with pytest.raises(NotFound):
            service.record_contacts(
                session, actor=tracer, infection_id=9999, items=[contact_in()], now=NOW
            )


class TestChain:
    def test_a_contact_who_turns_positive_links_the_chain(
        self, session: Session, tracer: Actor
    ) -> None:
        index = make_infection(session, tracer)
        wife = make_person("王某某")
        [contact] = service.record_contacts(
            session, actor=tracer, infection_id=index.id, items=[contact_in(wife)], now=NOW
        ).contacts
        second = make_infection(session, tracer, person=wife, reported=at(7, 4))
        assert second.source_infection_id == index.id
        grandchild = make_person("孙某")
        [grandchild_contact] = service.record_contacts(
            session,
            actor=tracer,
            infection_id=second.id,
            now=NOW,
            items=[contact_in(grandchild, exposure=at(6, 22), identified=at(7, 6))],
        ).contacts
        third = make_infection(session, tracer, person=grandchild, reported=at(8, 5))
        assert third.source_infection_id == second.id

        chain = chains.transmission_chain(session, actor=tracer, infection_id=third.id)
        assert chain.root_infection_id == index.id
        assert (chain.infections, chain.generations) == (3, 3)
        generations = {n.id: n.generation for n in chain.nodes if n.kind == "infection"}
        assert generations == {f"i{index.id}": 1, f"i{second.id}": 2, f"i{third.id}": 3}
        edges = {(e.source, e.target, e.kind) for e in chain.edges}
        assert (f"i{index.id}", f"i{second.id}", "transmission") in edges
        assert (f"i{second.id}", f"i{third.id}", "transmission") in edges
        assert contact.id and grandchild_contact.id

    def test_infection_recorded_before_its_contact_record_links_too(
        self, session: Session, tracer: Actor
    ) -> None:
        index = make_infection(session, tracer)
        wife = make_person("王某某")
        second = make_infection(session, tracer, person=wife, reported=at(7, 4))
        service.record_contacts(
            session, actor=tracer, infection_id=index.id, items=[contact_in(wife)], now=NOW
        )
        session.refresh(second)
        assert second.source_infection_id == index.id


class TestKpi:
    def test_24_and_48_hour_marks(self, session: Session, tracer: Actor) -> None:
        index = make_infection(session, tracer, reported=at(6, 20))
        quick, slow, late = service.record_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            now=NOW,
            items=[contact_in(identified=at(6, 21)) for _ in range(3)],
        ).contacts
        service.control_contact(
            session, actor=tracer, contact_id=quick.id, how="placed", at=at(7, 2), now=NOW
        )
        service.control_contact(
            session, actor=tracer, contact_id=slow.id, how="home", at=at(8, 2), now=NOW
        )

        early = kpi.kpi_for(session, actor=tracer, infection_id=index.id, as_of=at(7, 12))
        assert (early.contacts, early.under_control, early.met_target) == (3, 1, None)
        assert early.not_controlled_at_24h == []  # the 24 h mark is still ahead
        assert len(early.not_controlled_now) == 2

        day_two = kpi.kpi_for(session, actor=tracer, infection_id=index.id, as_of=at(8, 12))
        assert {c.contact_id for c in day_two.not_controlled_at_24h} == {slow.id, late.id}
        assert day_two.met_target is None

        after = kpi.kpi_for(session, actor=tracer, infection_id=index.id, as_of=at(9, 0))
        assert [c.contact_id for c in after.not_controlled_at_48h] == [late.id]
        assert after.met_target is False and after.hours_to_full_control is None

        service.control_contact(
            session, actor=tracer, contact_id=late.id, how="placed", at=at(8, 10), now=NOW
        )
        final = kpi.kpi_for(session, actor=tracer, infection_id=index.id, as_of=at(9, 0))
        assert final.met_target is True and final.hours_to_full_control == 38.0
        overview = kpi.kpi_overview(session, actor=tracer, as_of=at(9, 0))
        assert (overview.infections, overview.infections_met_target, overview.contacts) == (1, 1, 3)

    def test_control_time_cannot_be_in_the_future(self, session: Session, tracer: Actor) -> None:
        index = make_infection(session, tracer)
        [c] = service.record_contacts(
            session, actor=tracer, infection_id=index.id, items=[contact_in()], now=NOW
        ).contacts
        with pytest.raises(InvalidInput):
            service.control_contact(
                session,
                actor=tracer,
                contact_id=c.id,
                how="placed",
                at=NOW + timedelta(minutes=5),
                now=NOW,
            )


class TestJurisdiction:
    def test_county_tracer_sees_only_their_county(
        self, session: Session, tracer: Actor, make_actor: MakeActor
    ) -> None:
        index = make_infection(session, tracer)
        yanhu_person = make_person("张某", county="140802")
        service.record_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            now=NOW,
            items=[contact_in(), contact_in(yanhu_person, setting="taxi")],
        )
        yanhu = make_actor("tracer", "140802")
        visible, elsewhere = service.list_contacts(session, actor=yanhu, infection_id=index.id)
        assert [c.person_id for c in visible] != [] and elsewhere == 1
        linyi_visible, linyi_elsewhere = service.list_contacts(
            session, actor=tracer, infection_id=index.id
        )
        assert len(linyi_visible) == 1 and linyi_elsewhere == 1
        other = make_actor("tracer", "140822")
        with pytest.raises(NotFound):
            service.get_infection(session, actor=other, infection_id=index.id)

    def test_protocol_order_uses_the_day_numbering(self, session: Session) -> None:
        from fangkong.protocol.loader import get_protocol

        plan = get_protocol("cn-9").plan_management(
            "close", clock_start=at(6, 21), local_day=date(2022, 3, 6)
        )
        assert [p.kind for p in plan] == ["central_quarantine", "home_monitoring"]
        assert plan[0].test_dates == tuple(date(2022, 3, d) for d in (7, 8, 9, 11, 13))
        assert plan[1].test_dates == (date(2022, 3, 16),)


def test_infection_create_schema_reads_naive_times_as_city_time() -> None:
    data = InfectionCreate.model_validate(
        {
            "person_id": 1,
            "kind": "confirmed",
            "sampled_at": "2022-03-06T10:30",
            "reported_at": "2022-03-06 19:50",
        }
    )
    assert data.reported_at == at(6, 19, 50)
