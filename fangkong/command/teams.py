"""Tracer teams (流调专班) drawn from several counties, and their investigations: assigned to
the team with the least open work per member on duty, to its least loaded member; handed on
when someone goes off duty."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from fangkong.command.duty import on_duty
from fangkong.command.models import Investigation, Team, TeamMember
from fangkong.command.permissions import COMMAND, READ_COMMAND, RECORD_PLACES
from fangkong.command.records import keep
from fangkong.command.schemas import (
    InvestigationIn,
    InvestigationRead,
    TeamIn,
    TeamMemberRead,
    TeamRead,
)
from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.users.service import actor_by_id, display_names


def readable_teams(actor: Actor) -> Select[Team]:
    """Teams cross counties: every reader of the command centre sees them all."""
    return select(Team) if actor.can(READ_COMMAND) else select(Team).where(false())


def add_team(session: Session, *, actor: Actor, data: TeamIn, now: datetime) -> Team:
    actor.require(COMMAND, what="form tracer teams")
    if session.scalar(select(Team.id).where(Team.name == data.name)):
        raise Conflict(_("a team %(name)s exists", name=data.name))
    for i, user_id in enumerate(data.member_ids):
        if actor_by_id(session, user_id) is None:
            raise InvalidInput.at(("member_ids", i), _("no active user %(name)s", name=user_id))
    team = Team(name=data.name, county_code=data.county_code, created_at=now)
    session.add(team)
    session.flush()
    session.add_all(TeamMember(team_id=team.id, user_id=u) for u in dict.fromkeys(data.member_ids))
    record_audit(
        session,
        actor=actor,
        action="create",
        entity="team",
        entity_id=team.id,
        now=now,
        detail=data.name,
    )
    return team


def _members(session: Session) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in session.execute(select(TeamMember.team_id, TeamMember.user_id)):
        out[team_id].append(user_id)
    return out


def _open_hours(session: Session, *, at: datetime) -> tuple[dict[int, float], dict[int, float]]:
    """Open work's hours by team and by assignee."""
    by_team: dict[int, float] = defaultdict(float)
    by_user: dict[int, float] = defaultdict(float)
    for team_id, user_id, hours in session.execute(
        select(Investigation.team_id, Investigation.assignee_user_id, Investigation.hours).where(
            Investigation.opened_at <= at, Investigation.closed_at.is_(None)
        )
    ):
        by_team[team_id] += hours
        if user_id is not None:
            by_user[user_id] += hours
    return by_team, by_user


def _pick(session: Session, team_id: int | None, *, at: datetime) -> tuple[int, int | None]:
    """The team with the least open hours per member on duty (any member if none is), and its
    member on duty with the least open hours."""
    members = _members(session)
    if team_id is not None:
        if team_id not in members and session.get(Team, team_id) is None:
            raise NotFound(_("team %(id)s not found", id=team_id))
        candidates = [team_id]
    else:
        candidates = sorted(members)
    if not candidates:
        raise InvalidInput.at(("team_id",), _("there is no tracer team to assign it to"))
    duty = on_duty(session, [u for t in candidates for u in members[t]], at=at)
    by_team, by_user = _open_hours(session, at=at)

    def team_load(t: int) -> tuple[float, int]:
        staff = [u for u in members[t] if u in duty] or members[t]
        return by_team[t] / max(1, len(staff)), t

    chosen = min(candidates, key=team_load)
    staff = [u for u in members[chosen] if u in duty] or members[chosen]
    person = min(staff, key=lambda u: (by_user[u], u)) if staff else None
    return chosen, person


def open_investigation(
    session: Session,
    *,
    actor: Actor,
    data: InvestigationIn,
    now: datetime,
    env_sample_id: int | None = None,
) -> Investigation:
    actor.require(RECORD_PLACES, what="assign tracing work")
    if data.due_at < now:
        raise InvalidInput.at(("due_at",), _("the deadline is before the task is made"))
    team_id, person = _pick(session, data.team_id, at=now)
    work = Investigation(
        team_id=team_id,
        assignee_user_id=person,
        kind=data.kind,
        title=data.title,
        infection_id=data.infection_id,
        from_county=data.from_county,
        hours=data.hours,
        opened_at=now,
        due_at=data.due_at,
        env_sample_id=env_sample_id,
    )
    keep(
        session,
        work,
        actor=actor,
        action="assign",
        entity="investigation",
        now=now,
        detail=f"team {team_id}",
    )
    return work


def close_investigation(
    session: Session, *, actor: Actor, investigation_id: int, now: datetime
) -> Investigation:
    actor.require(RECORD_PLACES, what="assign tracing work")
    work = session.get(Investigation, investigation_id)
    mine = work is not None and (
        actor.can(COMMAND) or session.get(TeamMember, (work.team_id, actor.user_id)) is not None
    )
    if work is None or not mine:  # another team's work: theirs to close
        raise NotFound(_("investigation %(id)s not found", id=investigation_id))
    if work.closed_at is None:
        work.closed_at = now
    return work


def hand_on(session: Session, *, now: datetime) -> int:
    """Open work of members off duty goes to their team's least loaded member on duty."""
    members = _members(session)
    duty = on_duty(session, [u for us in members.values() for u in us], at=now)
    _, by_user = _open_hours(session, at=now)
    moved = 0
    for work in session.scalars(
        select(Investigation).where(
            Investigation.closed_at.is_(None), Investigation.opened_at <= now
        )
    ):
        if work.assignee_user_id in duty:
            continue
        staff = [u for u in members[work.team_id] if u in duty]
        if not staff:
            continue  # nobody of the team on duty: it waits for them
        person = min(staff, key=lambda u: (by_user[u], u))
        by_user[person] += work.hours
        work.assignee_user_id = person
        moved += 1
    return moved


def list_teams(session: Session, *, actor: Actor, as_of: datetime) -> list[TeamRead]:
    """Teams with their members (on duty or not, their open work) and investigations as of a
    moment."""
    teams = list(session.scalars(readable_teams(actor).order_by(Team.id)))
    members = _members(session)
    everyone = [u for us in members.values() for u in us]
    duty = on_duty(session, everyone, at=as_of)
    by_team, by_user = _open_hours(session, at=as_of)
    works = list(
        session.scalars(
            select(Investigation)
            .where(Investigation.opened_at <= as_of)
            .order_by(Investigation.due_at, Investigation.id)
        )
    )
    names = display_names(session, everyone + [w.assignee_user_id for w in works])
    counties = {u: a.jurisdiction for u in everyone if (a := actor_by_id(session, u))}
    return [
        TeamRead(
            id=t.id,
            name=t.name,
            county_code=t.county_code,
            members=[
                TeamMemberRead(
                    user_id=u,
                    name=names.get(u, "?"),
                    county_code=counties.get(u),
                    on_duty=u in duty,
                    open_work=round(by_user[u], 1),
                )
                for u in members[t.id]
            ],
            open_work=round(by_team[t.id], 1),
            load=round(by_team[t.id] / max(1, len([u for u in members[t.id] if u in duty])), 1),
            investigations=[_read(w, t.name, names, as_of) for w in works if w.team_id == t.id],
        )
        for t in teams
    ]


def _read(
    work: Investigation, team: str, names: dict[int, str], as_of: datetime
) -> InvestigationRead:
    closed = work.closed_at if work.closed_at and work.closed_at <= as_of else None
    return InvestigationRead(
        id=work.id,
        team_id=work.team_id,
        team=team,
        assignee=names.get(work.assignee_user_id or 0),
        kind=work.kind,
        title=work.title,
        infection_id=work.infection_id,
        from_county=work.from_county,
        hours=work.hours,
        opened_at=work.opened_at,
        due_at=work.due_at,
        closed_at=closed,
    )


def read_investigation(
    session: Session, work: Investigation, *, as_of: datetime
) -> InvestigationRead:
    team = session.get(Team, work.team_id)
    names = display_names(session, [work.assignee_user_id])
    return _read(work, team.name if team else "?", names, as_of)
