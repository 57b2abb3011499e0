"""Tasks of the working groups and their supervision (督办): who may read and change which,
made by hand or raised by a signal, each change kept with who and when."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from fangkong.command.groups import check_fits, get_group, group_label, groups_of_user
from fangkong.command.models import Task, TaskEvent, WorkingGroup
from fangkong.command.permissions import COMMAND, READ_COMMAND, WORK_TASKS
from fangkong.command.records import keep
from fangkong.command.schemas import (
    STATUSES,
    TaskEventRead,
    TaskIn,
    TaskRead,
    TaskStatus,
)
from fangkong.core.auth import Actor
from fangkong.core.errors import FieldProblem, InvalidInput, NotFound
from fangkong.core.i18n import _, gettext
from fangkong.users.service import display_names

LIMIT = 500


def city_wide(actor: Actor) -> bool:
    return actor.jurisdiction is None and not (actor.site_id or actor.lab_id or actor.checkpoint_id)


def answerable(actor: Actor) -> ColumnElement[bool]:
    """Tasks this user answers for: theirs, escalated to them, or their groups'."""
    return or_(
        Task.responsible_user_id == actor.user_id,
        Task.escalated_to_user_id == actor.user_id,
        Task.group_id.in_(groups_of_user(actor.user_id)),
    )


def readable_tasks(actor: Actor) -> Select[Task]:
    """The city's readers see every task; a county's its county's and those it answers for; a
    site's, a lab's or a checkpoint's staff those they answer for."""
    if not actor.can(READ_COMMAND):
        return select(Task).where(false())
    if city_wide(actor):
        return select(Task)
    if actor.jurisdiction is not None:
        return select(Task).where(or_(Task.county_code == actor.jurisdiction, answerable(actor)))
    return select(Task).where(answerable(actor))


def open_at(as_of: datetime) -> ColumnElement[bool]:
    """Raised or made by `as_of` and not closed by then."""
    return and_(Task.created_at <= as_of, or_(Task.closed_at.is_(None), Task.closed_at > as_of))


def get_task(session: Session, *, actor: Actor, task_id: int) -> Task:
    task = session.scalar(readable_tasks(actor).where(Task.id == task_id))
    if task is None:
        raise NotFound(_("task %(id)s not found", id=task_id))
    return task


def title_of(task: Task) -> str:
    """A raised task says what its signal is, in the reader's language; a hand-made one its own
    words."""
    if task.kind == "manual":
        return task.title
    return gettext(f"signal_{task.kind}", count=task.count, unit=task.unit or "—")


def status_at(task: Task, events: Sequence[TaskEvent], as_of: datetime) -> TaskStatus:
    if task.closed_at is not None and task.closed_at <= as_of:
        return "cancelled" if task.closed_reason == "cancelled" else "done"
    started = [e for e in events if e.kind == "status" and e.at <= as_of]
    return "in_progress" if started and started[-1].detail == "in_progress" else "open"


def present(
    session: Session, tasks: Sequence[Task], *, as_of: datetime, history: bool = False
) -> list[TaskRead]:
    """Tasks as they stood at `as_of`, each with its group, people and (if asked) history."""
    ids = [t.id for t in tasks]
    events: dict[int, list[TaskEvent]] = defaultdict(list)
    if ids:
        for event in session.scalars(
            select(TaskEvent)
            .where(TaskEvent.task_id.in_(ids), TaskEvent.at <= as_of)
            .order_by(TaskEvent.at, TaskEvent.id)
        ):
            events[event.task_id].append(event)
    groups = {g.id: g for g in session.scalars(select(WorkingGroup))}
    names = display_names(
        session,
        [t.responsible_user_id for t in tasks]
        + [t.escalated_to_user_id for t in tasks]
        + [e.to_user_id for es in events.values() for e in es],
    )
    return [_read(t, groups[t.group_id], events[t.id], names, as_of, history) for t in tasks]


def _read(
    task: Task,
    group: WorkingGroup,
    events: list[TaskEvent],
    names: dict[int, str],
    as_of: datetime,
    history: bool,
) -> TaskRead:
    status = status_at(task, events, as_of)
    escalations = [e for e in events if e.kind == "escalated"]
    return TaskRead(
        id=task.id,
        group_id=group.id,
        group=group_label(group),
        kind=task.kind,
        title=title_of(task),
        signal_key=task.signal_key,
        object_kind=task.object_kind,
        object_id=task.object_id,
        link=f"/go/{task.object_kind}/{task.object_id}" if task.object_kind else None,
        county_code=task.county_code,
        department=group_label(group),
        unit=task.unit,
        responsible_user_id=task.responsible_user_id,
        responsible=names.get(task.responsible_user_id or 0),
        deadline=task.deadline,
        status=status,
        overdue=status in ("open", "in_progress") and task.deadline < as_of,
        created_at=task.created_at,
        created_by=task.created_by,
        closed_at=task.closed_at if status in ("done", "cancelled") else None,
        closed_reason=task.closed_reason if status in ("done", "cancelled") else None,
        escalation=len(escalations),
        escalated_to=names.get(escalations[-1].to_user_id or 0) if escalations else None,
        history=[
            TaskEventRead(
                at=e.at,
                by=e.by or gettext("the platform"),
                kind=e.kind,
                to=names.get(e.to_user_id or 0),
                detail=e.detail,
            )
            for e in events
        ]
        if history
        else [],
    )


def list_tasks(
    session: Session,
    *,
    actor: Actor,
    as_of: datetime,
    group_id: int | None = None,
    status: str | None = None,
    limit: int = LIMIT,
) -> list[TaskRead]:
    """Tasks as of a moment, soonest deadline first: the open ones (open and in progress) by
    default, or those of one status, or all."""
    if status is not None and status not in (*STATUSES, "all"):
        raise InvalidInput.at(("status",), _("unknown status %(s)s", s=repr(status)))
    query = readable_tasks(actor).where(Task.created_at <= as_of)
    if group_id is not None:
        query = query.where(Task.group_id == get_group(session, actor=actor, group_id=group_id).id)
    if status in (None, "open", "in_progress"):
        query = query.where(or_(Task.closed_at.is_(None), Task.closed_at > as_of))
    elif status in ("done", "cancelled"):
        query = query.where(Task.closed_at <= as_of)
    fetched = list(session.scalars(query.order_by(Task.deadline, Task.id).limit(limit * 4)))
    shown = present(session, fetched, as_of=as_of)
    if status not in (None, "all"):
        shown = [t for t in shown if t.status == status]
    return shown[:limit]


def count_tasks(session: Session, *, actor: Actor, as_of: datetime) -> tuple[int, int]:
    """Open tasks and how many of them are overdue, as of a moment."""
    rows = session.scalars(
        readable_tasks(actor).with_only_columns(Task.deadline).where(open_at(as_of))
    ).all()
    return len(rows), sum(1 for deadline in rows if deadline < as_of)


def _check_new(data: TaskIn, now: datetime) -> list[FieldProblem]:
    problems = []
    if data.group_id is None:
        problems.append(FieldProblem(("group_id",), _("a task needs a working group")))
    if data.deadline < now:
        problems.append(FieldProblem(("deadline",), _("the deadline is before the task is made")))
    if (data.object_kind is None) != (data.object_id is None):
        problems.append(FieldProblem(("object_id",), _("give both the object's kind and id")))
    return problems


def create_task(session: Session, *, actor: Actor, data: TaskIn, now: datetime) -> Task:
    actor.require(COMMAND, what="assign tasks")
    problems = _check_new(data, now)
    if problems:
        raise InvalidInput(_("the task was not made"), problems)
    assert data.group_id is not None
    group = get_group(session, actor=actor, group_id=data.group_id)
    if data.responsible_user_id is not None:
        check_fits(session, group, data.responsible_user_id, "responsible_user_id")
    task = Task(
        group_id=group.id,
        kind="manual",
        title=data.title,
        object_kind=data.object_kind,
        object_id=data.object_id,
        county_code=data.county_code or group.county_code,
        unit=data.unit,
        responsible_user_id=data.responsible_user_id or group.head_user_id,
        deadline=data.deadline,
        status="open",
        created_at=now,
        created_by=actor.username,
    )
    keep(session, task, actor=actor, action="create", entity="task", now=now, detail=group.code)
    return task


def may_work(session: Session, actor: Actor, task: Task) -> bool:
    if actor.can(COMMAND):
        return True
    if not actor.can(WORK_TASKS):
        return False
    return session.scalar(select(Task.id).where(Task.id == task.id, answerable(actor))) is not None
