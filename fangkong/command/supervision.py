"""Supervision (督办) of one task: its progress, owner, deadline and notes, each kept with who
and when; a raised task closes only when its signal has cleared. And each user's own work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from fangkong.command.groups import check_fits, get_group, groups_of_user
from fangkong.command.models import Task, TaskEvent
from fangkong.command.permissions import COMMAND
from fangkong.command.raising import signal_active
from fangkong.command.schemas import MyWork, TaskChange, TaskEventRead, TaskRead
from fangkong.command.tasks import (
    get_task,
    may_work,
    open_at,
    present,
    readable_tasks,
)
from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, Forbidden, InvalidInput
from fangkong.core.i18n import _, gettext
from fangkong.users.service import city_commander

MY_WORK_LIMIT = 200


def _event(
    session: Session,
    task: Task,
    actor: Actor,
    kind: str,
    now: datetime,
    detail: str = "",
    to: int | None = None,
) -> None:
    session.add(
        TaskEvent(
            task_id=task.id, at=now, by=actor.username, kind=kind, to_user_id=to, detail=detail
        )
    )


def _close(session: Session, task: Task, status: str, now: datetime) -> None:
    if task.signal_key and signal_active(session, task.signal_key, as_of=now):
        raise Conflict(
            _(
                "the task's signal %(key)s is still active: it closes by itself when it clears",
                key=task.signal_key,
            )
        )
    task.closed_at, task.closed_reason = now, status


def change_task(
    session: Session, *, actor: Actor, task_id: int, data: TaskChange, now: datetime
) -> Task:
    """Progress, a new owner, a new deadline or a note, each kept as an event."""
    task = get_task(session, actor=actor, task_id=task_id)
    if not may_work(session, actor, task):
        raise Forbidden(_("your role may not %(what)s", what=_("work this task")))
    if task.closed_at is not None:
        raise Conflict(_("task %(id)s is closed", id=task.id))
    if data.deadline is not None and data.deadline < task.created_at:
        raise InvalidInput.at(("deadline",), _("the deadline is before the task is made"))
    if data.responsible_user_id is not None:
        group = get_group(session, actor=actor, group_id=task.group_id)
        check_fits(session, group, data.responsible_user_id, "responsible_user_id")
    if data.status in ("done", "cancelled"):
        _close(session, task, data.status, now)
    if data.status is not None and data.status != task.status:
        task.status = data.status
        _event(session, task, actor, "status", now, detail=data.status)
    if data.responsible_user_id not in (None, task.responsible_user_id):
        task.responsible_user_id = data.responsible_user_id
        _event(session, task, actor, "reassigned", now, to=data.responsible_user_id)
    if data.deadline is not None and data.deadline != task.deadline:
        _event(session, task, actor, "deadline", now, detail=data.deadline.isoformat())
        task.deadline = data.deadline
    if data.note.strip():
        _event(session, task, actor, "note", now, detail=data.note.strip())
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="update",
        entity="task",
        entity_id=task.id,
        now=now,
        detail=data.status or "",
    )
    return task


def escalate_by_hand(
    session: Session, *, actor: Actor, task_id: int, note: str, now: datetime
) -> Task:
    """督办 by hand: the task goes one level up now — to its group's head, then to the city's
    commander — whatever its deadline, with who did it and why."""
    actor.require(COMMAND, what="supervise tasks")
    task = get_task(session, actor=actor, task_id=task_id)
    if task.closed_at is not None:
        raise Conflict(_("task %(id)s is closed", id=task.id))
    if task.escalation >= 2:
        raise Conflict(_("task %(id)s is already with the commander", id=task.id))
    group = get_group(session, actor=actor, group_id=task.group_id)
    head = group.head_user_id if task.escalation == 0 else None
    target = head or city_commander(session)
    task.escalation, task.escalated_to_user_id = (1 if head else 2), target
    _event(session, task, actor, "escalated", now, detail=note.strip(), to=target)
    session.flush()
    return task


def task_detail(session: Session, *, actor: Actor, task_id: int, as_of: datetime) -> TaskRead:
    """A task with its whole history: raised (or made), every change, and closing."""
    task = get_task(session, actor=actor, task_id=task_id)
    [shown] = present(session, [task], as_of=max(as_of, task.created_at), history=True)
    opened = TaskEventRead(
        at=task.created_at,
        by=task.created_by or gettext("the platform"),
        kind="raised" if task.created_by is None else "made",
        to=None,
        detail=task.signal_key or "",
    )
    history = [opened, *shown.history]
    if shown.closed_reason == "cleared" and shown.closed_at:
        history.append(
            TaskEventRead(
                at=shown.closed_at,
                by=gettext("the platform"),
                kind="cleared",
                to=None,
                detail=task.signal_key or "",
            )
        )
    return shown.model_copy(update={"history": history})


def my_work(session: Session, *, actor: Actor, as_of: datetime) -> MyWork:
    """A user's tasks, their groups', and what was escalated to them, newest first."""
    base = (
        readable_tasks(actor).where(open_at(as_of)).order_by(Task.created_at.desc(), Task.id.desc())
    )

    def fetch(where: ColumnElement[bool]) -> list[TaskRead]:
        rows = session.scalars(base.where(where).limit(MY_WORK_LIMIT))
        return present(session, list(rows), as_of=as_of)

    escalated = select(TaskEvent.task_id).where(
        TaskEvent.kind == "escalated", TaskEvent.to_user_id == actor.user_id, TaskEvent.at <= as_of
    )
    return MyWork(
        as_of=as_of,
        mine=fetch(Task.responsible_user_id == actor.user_id),
        my_groups=fetch(Task.group_id.in_(groups_of_user(actor.user_id))),
        escalated_to_me=fetch(Task.id.in_(escalated)),
    )
