"""Each domain's signals become one task each; a task closes itself when its signal clears;
overdue tasks escalate to the group's head, then to the commander; a pass with nothing
changed writes nothing — on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.command.models import Task, TaskEvent
from fangkong.command.raising import raise_tasks
from fangkong.command.tasks import list_tasks
from fangkong.core.auth import Actor
from fangkong.tracing.service import mark_under_control
from tests.builders.moments import at
from tests.command.builders import outbreak, staff, writes
from tests.conftest import MakeActor


def contact_tasks(session: Session) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.kind == "contact_not_under_control")))


def test_a_contact_not_under_control_at_24_hours_raises_one_task_and_no_sooner(
    session: Session, tracer: Actor
) -> None:
    _, contacts = outbreak(session, tracer)
    assert raise_tasks(session, as_of=at(7, 19)).raised >= 0
    assert contact_tasks(session) == []  # 23 h 10 min after the report: not yet due
    raise_tasks(session, as_of=at(7, 20))
    tasks = contact_tasks(session)
    assert sorted(t.object_id or 0 for t in tasks) == sorted(c.id for c in contacts)
    assert {t.signal_key for t in tasks} == {f"contact-control:{c.id}" for c in contacts}
    assert all(t.deadline == at(8, 19, 50) for t in tasks)  # the 48-hour target
    raise_tasks(session, as_of=at(7, 21))
    assert len(contact_tasks(session)) == len(contacts)  # the same signal never raises two


def test_a_second_pass_with_nothing_changed_writes_nothing(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    outbreak(session, tracer)
    staff(session, make_actor("commander", None), make_actor("tracer", None))
    first = raise_tasks(session, as_of=at(8, 21))
    assert first.raised > 0 and first.escalated > 0  # the 48-hour deadline passed: escalated
    session.flush()
    with writes(session) as seen:
        again = raise_tasks(session, as_of=at(8, 21))
    assert (again.raised, again.cleared, again.escalated) == (0, 0, 0)
    assert seen == []


def test_a_task_closes_itself_when_its_signal_clears_and_says_so(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    commander = make_actor("commander", None)
    _, contacts = outbreak(session, tracer)
    raise_tasks(session, as_of=at(7, 20))
    mark_under_control(session, contact_ids=[contacts[0].id], at=at(8, 1, 50), how="placed")
    done = raise_tasks(session, as_of=at(8, 2))
    assert done.cleared == 1
    [closed] = [t for t in contact_tasks(session) if t.object_id == contacts[0].id]
    assert (closed.status, closed.closed_reason, closed.closed_at) == ("done", "cleared", at(8, 2))
    # As of 7 March 21:00 it was open; as of 8 March 02:00 it is closed, by itself.
    shown = {t.id: t for t in list_tasks(session, actor=commander, as_of=at(7, 21))}
    assert closed.id in shown and shown[closed.id].status == "open"
    later = list_tasks(session, actor=commander, as_of=at(8, 3), status="done")
    assert [t.closed_reason for t in later if t.id == closed.id] == ["cleared"]


def test_overdue_tasks_escalate_to_the_head_then_to_the_commander(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    commander, head = make_actor("commander", None), make_actor("tracer", None)
    outbreak(session, tracer, contacts=1)
    staff(session, commander, head)
    raise_tasks(session, as_of=at(7, 20))
    [task] = contact_tasks(session)
    assert task.responsible_user_id == head.user_id  # the head answers for the group's tasks
    raise_tasks(session, as_of=at(8, 20))  # past the deadline (8 March 19:50)
    assert (task.escalation, task.escalated_to_user_id) == (1, head.user_id)
    raise_tasks(session, as_of=at(9, 7))  # 11 h 10 min later: not yet the commander's
    assert task.escalation == 1
    raise_tasks(session, as_of=at(9, 8))  # 12 h after the deadline
    assert (task.escalation, task.escalated_to_user_id) == (2, commander.user_id)
    events = session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id)).all()
    assert [(e.kind, e.to_user_id, e.at) for e in events] == [
        ("escalated", head.user_id, at(8, 20)),
        ("escalated", commander.user_id, at(9, 8)),
    ]


def test_a_clock_set_back_never_raises_a_second_task(session: Session, tracer: Actor) -> None:
    outbreak(session, tracer, contacts=1)
    raise_tasks(session, as_of=at(8, 10))
    raise_tasks(session, as_of=at(7, 22))  # a replay stepped back
    assert len(contact_tasks(session)) == 1
