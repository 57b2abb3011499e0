"""What the command board shows of the working groups: each with its head, members, and open
and overdue tasks as of a moment."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.orm import Session

from fangkong.command.briefing_schemas import GroupLine
from fangkong.command.groups import group_label, members_of, readable_groups
from fangkong.command.models import Task, WorkingGroup
from fangkong.command.schemas import GroupRead
from fangkong.command.tasks import open_at, readable_tasks
from fangkong.core.auth import Actor
from fangkong.users.service import display_names


def group_boards(session: Session, *, actor: Actor, as_of: datetime) -> list[GroupRead]:
    found = list(session.scalars(readable_groups(actor).order_by(WorkingGroup.id)))
    members = members_of(session, [g.id for g in found])
    names = display_names(
        session, [g.head_user_id for g in found] + [u for us in members.values() for u in us]
    )
    open_rows = session.execute(
        readable_tasks(actor).with_only_columns(Task.group_id, Task.deadline).where(open_at(as_of))
    ).all()
    opened = Counter(group_id for group_id, _ in open_rows)
    overdue = Counter(group_id for group_id, deadline in open_rows if deadline < as_of)
    return [
        GroupRead(
            id=g.id,
            code=g.code,
            name=group_label(g),
            county_code=g.county_code,
            head_user_id=g.head_user_id,
            head=names.get(g.head_user_id or 0),
            members=[names.get(u, "?") for u in members[g.id]],
            open_tasks=opened[g.id],
            overdue=overdue[g.id],
        )
        for g in found
    ]


def task_figures(
    session: Session, *, actor: Actor, since: datetime, until: datetime
) -> list[GroupLine]:
    """Each group's tasks done in (since, until] (by hand or cleared by their signal), open
    and overdue at `until`."""
    done = Counter(
        session.scalars(
            readable_tasks(actor)
            .with_only_columns(Task.group_id)
            .where(
                Task.closed_reason.in_(("done", "cleared")),
                Task.closed_at > since,
                Task.closed_at <= until,
            )
        )
    )
    return [
        GroupLine(group=g.name, done_today=done[g.id], open=g.open_tasks, overdue=g.overdue)
        for g in group_boards(session, actor=actor, as_of=until)
    ]
