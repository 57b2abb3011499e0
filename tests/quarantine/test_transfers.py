from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import InvalidInput
from fangkong.people.schemas import PersonIn
from fangkong.quarantine.models import Site
from fangkong.quarantine.schemas import VehicleIn
from fangkong.quarantine.service import place_contacts
from fangkong.quarantine.transfers import (
    add_vehicle,
    advance_transfer,
    plan_case_transfer,
    plan_dispatch,
)
from fangkong.tracing import kpi
from fangkong.tracing import service as tracing
from fangkong.tracing.models import Infection
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.quarantine import make_site
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor


def setup(
    session: Session, tracer: Actor, make_actor: MakeActor, *, families: int = 3
) -> tuple[Site, Infection]:
    commander = make_actor("commander", None)
    site = make_site(session, commander, singles=6, families=families, accessible=0)
    add_vehicle(
        session, actor=commander, data=VehicleIn(plate="晋M·A0001", seats=4, base_county="140821")
    )
    add_vehicle(
        session, actor=commander, data=VehicleIn(plate="晋M·A0002", seats=7, base_county="140802")
    )
    index = make_infection(session, tracer, reported=at(6, 20))
    return site, index


def household(address: str, n: int) -> list[PersonIn]:
    return [
        make_person(f"户{address[-2:]}{i}").model_copy(update={"address": address})
        for i in range(n)
    ]


def test_dispatch_batches_by_area_and_seats(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    site, index = setup(session, tracer, make_actor)
    family = tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[contact_in(p, setting="household") for p in household("临猗县某村1号", 3)],
    ).contact_ids
    singles = tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[contact_in(make_person(f"单{i}"), setting="workplace") for i in range(3)],
    ).contact_ids
    result = place_contacts(
        session, actor=tracer, contact_ids=family + singles, now=at(7, 1), by_transfer=True
    )
    assert len(result.placed) == 6 and not result.unplaced
    case = plan_case_transfer(
        session, actor=tracer, infection_id=index.id, destination="运城市定点医院", now=at(7, 1)
    )
    plan = plan_dispatch(session, actor=tracer)
    loads = [(r.people, r.seats, r.transfers) for r in plan.runs]
    assert all(people <= seats for people, seats, _ in loads)
    [case_run] = [r for r in plan.runs if case.id in r.transfers]
    assert case_run.transfers == [case.id]  # a case rides alone
    from sqlalchemy import select

    from fangkong.quarantine.models import Transfer

    family_task = session.scalars(select(Transfer).where(Transfer.people == 3)).one()
    assert [r for r in plan.runs if family_task.id in r.transfers]  # one task: they ride together
    assert sum(r.people for r in plan.runs) == 7 and plan.unassigned == []
    # Planning again assigns nothing new.
    assert plan_dispatch(session, actor=tracer).runs == []


def test_arrival_counts_for_the_kpi(session: Session, tracer: Actor, make_actor: MakeActor) -> None:
    site, index = setup(session, tracer, make_actor)
    [contact_id] = tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[contact_in(make_person("乘客"), setting="train_carriage")],
    ).contact_ids
    [placed] = place_contacts(
        session, actor=tracer, contact_ids=[contact_id], now=at(7, 1), by_transfer=True
    ).placed
    before = kpi.kpi_for(session, actor=tracer, infection_id=index.id, as_of=at(7, 6))
    assert before.under_control == 0  # a room held is not a person under control
    [run] = plan_dispatch(session, actor=tracer).runs
    [transfer_id] = run.transfers
    with pytest.raises(InvalidInput, match="下一步应为“已派车”"):
        advance_transfer(
            session, actor=tracer, transfer_id=transfer_id, status="arrived", at=at(7, 3), now=NOW
        )
    advance_transfer(
        session, actor=tracer, transfer_id=transfer_id, status="dispatched", at=at(7, 2), now=NOW
    )
    with pytest.raises(InvalidInput, match="早于上一步"):
        advance_transfer(
            session,
            actor=tracer,
            transfer_id=transfer_id,
            status="picked_up",
            at=at(7, 1, 30),
            now=NOW,
        )
    advance_transfer(
        session, actor=tracer, transfer_id=transfer_id, status="picked_up", at=at(7, 2, 40), now=NOW
    )
    done = advance_transfer(
        session, actor=tracer, transfer_id=transfer_id, status="arrived", at=at(7, 3, 20), now=NOW
    )
    assert done.status == "arrived"
    after = kpi.kpi_for(session, actor=tracer, infection_id=index.id, as_of=at(7, 6))
    assert after.under_control == 1 and after.last_controlled_at == at(7, 3, 20)
    assert placed.site_id == site.id


def test_a_transfer_to_a_full_site_writes_nothing(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    from sqlalchemy import func, select

    from fangkong.quarantine import service  # the same call the API makes
    from fangkong.quarantine.models import Stay, Transfer

    site, index = setup(session, tracer, make_actor, families=0)
    ids = tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[contact_in(make_person(f"乘客{i}"), setting="train_carriage") for i in range(7)],
    ).contact_ids
    with pytest.raises(InvalidInput, match="各隔离点均无空余单人间") as caught:
        service.place_contacts(
            session,
            actor=tracer,
            contact_ids=ids,
            now=at(7, 1),
            by_transfer=True,
            site_id=site.id,
            all_or_nothing=True,
        )
    assert caught.value.problems[0].msg == "各隔离点均无空余单人间"
    assert session.scalar(select(func.count()).select_from(Stay)) == 0
    assert session.scalar(select(func.count()).select_from(Transfer)) == 0
    with pytest.raises(InvalidInput, match="site 999 does not exist"):
        service.place_contacts(
            session, actor=tracer, contact_ids=ids[:1], now=at(7, 1), site_id=999
        )
