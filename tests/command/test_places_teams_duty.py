"""Places from the trajectories with their sampling, disinfection and closing as tasks; a
positive environment sample widens tracing; teams balance their work and hand it on at the
end of a shift; the rota says who is on duty and refuses overlaps; a gap raises a task."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.command import duty, places, teams
from fangkong.command.models import Investigation, Shift, Task
from fangkong.command.raising import raise_tasks
from fangkong.command.schemas import (
    DisinfectionIn,
    EnvSampleIn,
    InvestigationIn,
    ShiftIn,
    TeamIn,
)
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, InvalidInput
from tests.builders.moments import NOW, at
from tests.command.builders import outbreak
from tests.conftest import Login, MakeActor


def open_kinds(session: Session) -> set[str]:
    rows = session.scalars(select(Task.kind).where(Task.closed_at.is_(None)))
    return set(rows)


def test_a_place_on_a_trajectory_is_registered_and_its_work_raised_until_done(
    session: Session, tracer: Actor
) -> None:
    infection, _ = outbreak(session, tracer, contacts=0)
    raise_tasks(session, as_of=at(6, 20))
    [place] = places.list_places(session, actor=tracer, as_of=at(6, 20))
    assert (place.name, place.county_code, place.state) == ("临猗县某超市", "140821", "to_sample")
    assert [v.infection_id for v in place.visits] == [infection.id]
    assert {"place_sample", "place_disinfect", "place_close"} <= open_kinds(session)
    places.record_sample(
        session,
        actor=tracer,
        place_id=place.id,
        now=at(6, 22),
        data=EnvSampleIn(kind="goods", spot="冷柜", taken_at=at(6, 22)),
    )
    places.close_place(session, actor=tracer, place_id=place.id, closed_at=at(6, 22), now=at(6, 22))
    places.record_disinfection(
        session,
        actor=tracer,
        place_id=place.id,
        now=at(6, 23),
        data=DisinfectionIn(done_at=at(6, 23), done_by="消杀队"),
    )
    assert raise_tasks(session, as_of=at(6, 23)).cleared == 3
    assert not open_kinds(session) & {"place_sample", "place_disinfect", "place_close"}
    [after] = places.list_places(session, actor=tracer, as_of=at(6, 23))
    assert after.state == "disinfected" and after.closed_at == at(6, 22)


def test_a_positive_environment_sample_widens_tracing_until_its_work_is_closed(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    commander = make_actor("commander", None)
    outbreak(session, tracer, contacts=0)
    raise_tasks(session, as_of=at(7, 8))
    [place] = places.list_places(session, actor=tracer, as_of=at(7, 8))
    team = teams.add_team(
        session,
        actor=commander,
        now=at(7, 8),
        data=TeamIn(name="临猗县流调专班", member_ids=[tracer.user_id]),
    )
    sample = places.record_sample(
        session,
        actor=tracer,
        place_id=place.id,
        now=at(7, 9),
        data=EnvSampleIn(kind="surface", taken_at=at(7, 8), result="positive", result_at=at(7, 9)),
    )
    raise_tasks(session, as_of=at(7, 10))
    assert "place_positive" in open_kinds(session)
    [work] = session.scalars(select(Investigation).where(Investigation.env_sample_id == sample.id))
    assert (work.team_id, work.kind, work.assignee_user_id) == (team.id, "contacts", tracer.user_id)
    teams.close_investigation(session, actor=tracer, investigation_id=work.id, now=at(7, 20))
    raise_tasks(session, as_of=at(7, 21))
    assert "place_positive" not in open_kinds(session)


def test_sampling_a_place_in_the_future_is_refused(session: Session, tracer: Actor) -> None:
    outbreak(session, tracer, contacts=0)
    raise_tasks(session, as_of=at(7, 8))
    [place] = places.list_places(session, actor=tracer, as_of=at(7, 8))
    with pytest.raises(InvalidInput) as refused:
        places.record_sample(
            session,
            actor=tracer,
            place_id=place.id,
            now=at(7, 8),
            data=EnvSampleIn(kind="air", taken_at=at(7, 9)),
        )
    assert refused.value.problems[0].loc == ("taken_at",)


def test_work_goes_to_the_least_loaded_team_and_is_handed_on_off_duty(
    session: Session, make_actor: MakeActor
) -> None:
    commander = make_actor("commander", None)
    a1, a2, b1 = (make_actor("tracer", c) for c in ("140821", "140821", "140802"))
    team_a = teams.add_team(
        session,
        actor=commander,
        now=at(7, 8),
        data=TeamIn(name="A", member_ids=[a1.user_id, a2.user_id]),
    )
    team_b = teams.add_team(
        session, actor=commander, now=at(7, 8), data=TeamIn(name="B", member_ids=[b1.user_id])
    )
    for who, start in ((a1, at(7, 8)), (a2, at(7, 20)), (b1, at(7, 8))):
        duty.add_shift(
            session,
            actor=commander,
            now=at(7, 8),
            data=ShiftIn(
                scope=who.jurisdiction or "city",
                user_id=who.user_id,
                starts_at=start,
                ends_at=start + timedelta(hours=12),
            ),
        )

    def work(title: str, hours: float, moment: datetime) -> Investigation:
        return teams.open_investigation(
            session,
            actor=commander,
            now=moment,
            data=InvestigationIn(kind="assist", title=title, hours=hours, due_at=at(8, 8)),
        )

    first = work("车厢", 6, at(7, 9))
    second = work("出租车", 2, at(7, 10))
    assert {first.team_id, second.team_id} == {team_a.id, team_b.id}  # the loaded one is skipped
    third = work("超市", 1, at(7, 11))
    assert third.team_id == second.team_id  # 2 h per member on duty beats 6
    on_a = first if first.team_id == team_a.id else second
    assert on_a.assignee_user_id == a1.user_id  # a2 is not on duty until 20:00
    moved = teams.hand_on(session, now=at(7, 20, 30))  # a1 went off duty at 20:00
    assert moved >= 1 and on_a.assignee_user_id == a2.user_id


def test_the_rota_says_who_is_on_duty_and_refuses_overlaps_and_backwards_shifts(
    client: TestClient, login: Login, session: Session, make_actor: MakeActor
) -> None:
    boss = login("commander", None)
    a, b = make_actor("commander", None, "duty_a"), make_actor("commander", None, "duty_b")
    session.commit()

    def shift(user: Actor, start: str, end: str, note: str = "") -> Response:
        response: Response = client.post(
            "/api/duty/shifts",
            headers=boss,
            json={
                "scope": "city",
                "user_id": user.user_id,
                "starts_at": f"2022-03-10T{start}+08:00",
                "ends_at": f"2022-03-{end}+08:00",
                "handover_note": note,
            },
        )
        return response

    assert shift(a, "08:00", "10T20:00").status_code == 201
    assert shift(b, "20:00", "11T08:00", "接班：任务板已交接").status_code == 201
    overlap = shift(b, "19:00", "10T21:00")
    assert overlap.status_code == 409 and "20:00" in overlap.json()["message"]
    backwards = shift(b, "22:00", "10T21:00")
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["loc"][-1] == "ends_at"
    assert len(session.scalars(select(Shift)).all()) == 2  # neither refusal wrote a shift
    [noon] = client.get("/api/duty?at=2022-03-10T12:00:00%2B08:00", headers=boss).json()
    assert (noon["on_duty"]["officer"], noon["next"]["officer"]) == ("commander", "commander")
    assert noon["on_duty"]["user_id"] == a.user_id and noon["next"]["user_id"] == b.user_id
    [night] = client.get("/api/duty?at=2022-03-10T21:00:00%2B08:00", headers=boss).json()
    assert night["on_duty"]["user_id"] == b.user_id
    assert night["on_duty"]["handover_note"] == "接班：任务板已交接"
    assert night["handover_from"]["user_id"] == a.user_id


def test_a_gap_in_the_rota_raises_a_task_until_it_is_filled(
    session: Session, make_actor: MakeActor
) -> None:
    commander = make_actor("commander", None)

    def shift(start: datetime, end: datetime) -> None:
        duty.add_shift(
            session,
            actor=commander,
            now=NOW,
            data=ShiftIn(scope="140821", user_id=commander.user_id, starts_at=start, ends_at=end),
        )

    shift(at(10, 8), at(10, 20))
    shift(at(10, 22), at(11, 8))
    raise_tasks(session, as_of=NOW)
    gaps = {t.deadline: t for t in session.scalars(select(Task).where(Task.kind == "duty_gap"))}
    # 20:00–22:00 tonight, and from 08:00 tomorrow, within the 24 hours the rota is read ahead.
    assert sorted(gaps) == [at(10, 20), at(11, 8)]
    gap = gaps[at(10, 20)]
    assert gap.signal_key == "duty-gap:140821:2022-03-10T12:00:00+00:00"  # stable: UTC
    with pytest.raises(Conflict):  # an overlapping shift is not kept
        shift(at(10, 19), at(10, 22))
    shift(at(10, 20), at(10, 22))
    raise_tasks(session, as_of=at(10, 13))
    assert gap.closed_reason == "cleared" and gaps[at(11, 8)].closed_at is None
