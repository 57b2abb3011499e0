"""The command centre's API: groups, tasks and supervision, places, teams, the duty rota."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from fangkong.command import duty, groups, places, raising, supervision, tasks, teams
from fangkong.command.permissions import COMMAND
from fangkong.command.schemas import (
    DisinfectionIn,
    DutyRead,
    EnvSampleIn,
    GroupIn,
    GroupRead,
    InvestigationIn,
    InvestigationRead,
    MemberIn,
    MyWork,
    PlaceClose,
    PlaceRead,
    RaiseResult,
    ShiftIn,
    ShiftRead,
    TaskChange,
    TaskIn,
    TaskRead,
    TeamIn,
    TeamRead,
)
from fangkong.command.views import group_boards
from fangkong.core.deps import CurrentActor, NowDep, SessionDep
from fangkong.core.schemas import RowId
from fangkong.core.timeutil import LocalDateTime

router = APIRouter(tags=["command"])


@router.get("/groups", response_model=list[GroupRead])
def list_groups(
    actor: CurrentActor, session: SessionDep, now: NowDep, as_of: LocalDateTime | None = None
) -> list[GroupRead]:
    """Working groups with their head, members, open and overdue tasks."""
    return group_boards(session, actor=actor, as_of=as_of or now)


@router.post("/groups", response_model=GroupRead, status_code=201)
def add_group(data: GroupIn, actor: CurrentActor, session: SessionDep, now: NowDep) -> GroupRead:
    made = groups.add_group(session, actor=actor, data=data, now=now)
    return next(g for g in group_boards(session, actor=actor, as_of=now) if g.id == made.id)


@router.post("/groups/{group_id}/members", status_code=204)
def add_member(
    group_id: RowId, data: MemberIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> None:
    groups.add_member(session, actor=actor, group_id=group_id, user_id=data.user_id, now=now)


@router.put("/groups/{group_id}/head", status_code=204)
def set_head(
    group_id: RowId, data: MemberIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> None:
    groups.set_head(session, actor=actor, group_id=group_id, user_id=data.user_id, now=now)


@router.get("/tasks", response_model=list[TaskRead])
def list_tasks(
    actor: CurrentActor,
    session: SessionDep,
    now: NowDep,
    as_of: LocalDateTime | None = None,
    group: Annotated[
        str | None, Query(max_length=32, description="a group's id or code (tracing, …)")
    ] = None,
    status: Literal["open", "in_progress", "done", "cancelled", "all"] | None = None,
) -> list[TaskRead]:
    """Tasks as of a moment (default now), soonest deadline first; open ones unless a status
    is asked for."""
    group_id = groups.group_id_of(session, actor=actor, ref=group) if group else None
    return tasks.list_tasks(
        session, actor=actor, as_of=as_of or now, group_id=group_id, status=status
    )


@router.post("/tasks", response_model=TaskRead, status_code=201)
def create_task(data: TaskIn, actor: CurrentActor, session: SessionDep, now: NowDep) -> TaskRead:
    made = tasks.create_task(session, actor=actor, data=data, now=now)
    return supervision.task_detail(session, actor=actor, task_id=made.id, as_of=now)


@router.get("/tasks/mine", response_model=MyWork)
def my_work(
    actor: CurrentActor, session: SessionDep, now: NowDep, as_of: LocalDateTime | None = None
) -> MyWork:
    return supervision.my_work(session, actor=actor, as_of=as_of or now)


@router.get("/tasks/{task_id}", response_model=TaskRead)
def read_task(
    task_id: RowId,
    actor: CurrentActor,
    session: SessionDep,
    now: NowDep,
    as_of: LocalDateTime | None = None,
) -> TaskRead:
    return supervision.task_detail(session, actor=actor, task_id=task_id, as_of=as_of or now)


@router.patch("/tasks/{task_id}", response_model=TaskRead)
def change_task(
    task_id: RowId, data: TaskChange, actor: CurrentActor, session: SessionDep, now: NowDep
) -> TaskRead:
    """Progress, owner, deadline or a note; closing a raised task is refused while its signal
    is active."""
    supervision.change_task(session, actor=actor, task_id=task_id, data=data, now=now)
    return supervision.task_detail(session, actor=actor, task_id=task_id, as_of=now)


class EscalateIn(BaseModel):
    note: str = Field(default="", max_length=2000)


@router.post("/tasks/{task_id}/escalate", response_model=TaskRead)
def escalate_task(
    task_id: RowId, data: EscalateIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> TaskRead:
    """督办 by hand: one level up now (the group's head, then the commander)."""
    supervision.escalate_by_hand(session, actor=actor, task_id=task_id, note=data.note, now=now)
    return supervision.task_detail(session, actor=actor, task_id=task_id, as_of=now)


class RaiseIn(BaseModel):
    as_of: LocalDateTime | None = None


@router.post("/tasks/raise", response_model=RaiseResult)
def raise_tasks(
    data: RaiseIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> RaiseResult:
    """One raising pass now (it runs by itself every minute while the server runs)."""
    actor.require(COMMAND, what="run the command centre")
    return raising.raise_tasks(session, as_of=data.as_of or now)


@router.get("/places", response_model=list[PlaceRead])
def list_places(
    actor: CurrentActor, session: SessionDep, now: NowDep, as_of: LocalDateTime | None = None
) -> list[PlaceRead]:
    return places.list_places(session, actor=actor, as_of=as_of or now)


def _place(session: SessionDep, actor: CurrentActor, place_id: int, now: NowDep) -> PlaceRead:
    return places.read_place(session, actor=actor, place_id=place_id, as_of=now)


@router.post("/places/{place_id}/samples", response_model=PlaceRead, status_code=201)
def record_sample(
    place_id: RowId, data: EnvSampleIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> PlaceRead:
    places.record_sample(session, actor=actor, place_id=place_id, data=data, now=now)
    return _place(session, actor, place_id, now)


class ResultIn(BaseModel):
    result: Literal["negative", "positive"]
    result_at: LocalDateTime | None = None


@router.put("/places/samples/{sample_id}/result", response_model=PlaceRead)
def record_result(
    sample_id: RowId, data: ResultIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> PlaceRead:
    sample = places.record_result(
        session,
        actor=actor,
        sample_id=sample_id,
        result=data.result,
        at=data.result_at or now,
        now=now,
    )
    return _place(session, actor, sample.place_id, now)


@router.post("/places/{place_id}/disinfections", response_model=PlaceRead, status_code=201)
def record_disinfection(
    place_id: RowId, data: DisinfectionIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> PlaceRead:
    places.record_disinfection(session, actor=actor, place_id=place_id, data=data, now=now)
    return _place(session, actor, place_id, now)


@router.post("/places/{place_id}/close", response_model=PlaceRead)
def close_place(
    place_id: RowId, data: PlaceClose, actor: CurrentActor, session: SessionDep, now: NowDep
) -> PlaceRead:
    places.close_place(session, actor=actor, place_id=place_id, closed_at=data.closed_at, now=now)
    return _place(session, actor, place_id, now)


@router.get("/teams", response_model=list[TeamRead])
def list_teams(
    actor: CurrentActor, session: SessionDep, now: NowDep, as_of: LocalDateTime | None = None
) -> list[TeamRead]:
    return teams.list_teams(session, actor=actor, as_of=as_of or now)


@router.post("/teams", response_model=TeamRead, status_code=201)
def add_team(data: TeamIn, actor: CurrentActor, session: SessionDep, now: NowDep) -> TeamRead:
    made = teams.add_team(session, actor=actor, data=data, now=now)
    return next(t for t in teams.list_teams(session, actor=actor, as_of=now) if t.id == made.id)


@router.post("/investigations", response_model=InvestigationRead, status_code=201)
def open_investigation(
    data: InvestigationIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> InvestigationRead:
    """Tracing work for a team: the named one, or the least loaded."""
    work = teams.open_investigation(session, actor=actor, data=data, now=now)
    return teams.read_investigation(session, work, as_of=now)


@router.post("/investigations/{investigation_id}/close", response_model=InvestigationRead)
def close_investigation(
    investigation_id: RowId, actor: CurrentActor, session: SessionDep, now: NowDep
) -> InvestigationRead:
    work = teams.close_investigation(
        session, actor=actor, investigation_id=investigation_id, now=now
    )
    return teams.read_investigation(session, work, as_of=now)


@router.get("/duty", response_model=list[DutyRead])
def duty_now(
    actor: CurrentActor, session: SessionDep, now: NowDep, at: LocalDateTime | None = None
) -> list[DutyRead]:
    """Who is on duty at a moment (default now) at each command centre, who is next, and the
    handover note of the shift before."""
    return duty.duty_at(session, actor=actor, at=at or now)


@router.get("/duty/shifts", response_model=list[ShiftRead])
def list_shifts(
    actor: CurrentActor,
    session: SessionDep,
    start: LocalDateTime,
    end: Annotated[LocalDateTime, Query(description="shifts overlapping [start, end)")],
) -> list[ShiftRead]:
    return duty.list_shifts(session, actor=actor, start=start, end=end)


@router.post("/duty/shifts", response_model=ShiftRead, status_code=201)
def add_shift(data: ShiftIn, actor: CurrentActor, session: SessionDep, now: NowDep) -> ShiftRead:
    """A shift; one overlapping another of the same rota is refused (409)."""
    made = duty.add_shift(session, actor=actor, data=data, now=now)
    [shown] = duty.present(session, [made])
    return shown
