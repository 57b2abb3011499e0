"""Raising tasks: each domain says what is due and what is late as of a moment (its signals);
each signal becomes one task of its working group, a task whose signal has cleared closes
itself, and overdue tasks escalate — to the group's head, then to the commander. A pass with
nothing changed writes nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from fangkong.command.duty import duty_gaps
from fangkong.command.groups import ensure_groups
from fangkong.command.models import Task, TaskEvent, WorkingGroup
from fangkong.command.places import place_signals, register_places
from fangkong.command.rules import command_rule
from fangkong.command.schemas import RaiseResult
from fangkong.command.stock import stock_signals
from fangkong.command.tasks import open_at
from fangkong.command.teams import hand_on
from fangkong.core.db import bulk_insert, in_chunks
from fangkong.core.signals import Signal
from fangkong.healthcode.signals import appeals_waiting
from fangkong.protocol.models import CommandRule
from fangkong.quarantine.signals import sites_running_out
from fangkong.surveillance.signals import alarms_confirmed, points_late
from fangkong.testing.signals import labs_behind_plan, recalls_not_retested
from fangkong.tracing.signals import contacts_not_under_control
from fangkong.travel.signals import arrivals_late
from fangkong.treatment.signals import hospitals_filling
from fangkong.users.service import city_commander
from fangkong.zones.signals import zones_to_lift

Source = Callable[..., list[Signal]]
# Each source of signals, by the prefix of the keys it makes.
SOURCES: dict[str, Source] = {
    "contact-control": contacts_not_under_control,
    "recall": recalls_not_retested,
    "lab-behind": labs_behind_plan,
    "arrival": arrivals_late,
    "site-rooms": sites_running_out,
    "zone-lift": zones_to_lift,
    "appeal": appeals_waiting,
    "place": place_signals,
    "duty-gap": duty_gaps,
    "hospital-full": hospitals_filling,
    "stock-low": stock_signals,
    "sentinel-late": points_late,
    "sentinel-alarm": alarms_confirmed,
}


def collect_signals(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    return [s for source in SOURCES.values() for s in source(session, as_of=as_of, rule=rule)]


def source_of(key: str) -> Source:
    prefix = key.split(":", 1)[0]
    return SOURCES["place"] if prefix.startswith("place-") else SOURCES[prefix]


def signal_active(session: Session, key: str, *, as_of: datetime) -> bool:
    found = source_of(key)(session, as_of=as_of, rule=command_rule())
    return any(s.key == key for s in found)


def _blocking_keys(session: Session, as_of: datetime) -> set[str]:
    """Signals that already have their task: open at `as_of`, or raised after it (a clock set
    back never raises a second)."""
    # Long-closed tasks, the bulk of a long outbreak, are not read at all.
    rows = session.scalars(
        select(Task.signal_key).where(
            Task.signal_key.is_not(None),
            or_(Task.created_at > as_of, Task.closed_at.is_(None), Task.closed_at > as_of),
        )
    )
    return {str(key) for key in rows}


def _new_task(signal: Signal, group: WorkingGroup, as_of: datetime) -> dict[str, Any]:
    return {
        "group_id": group.id,
        "kind": signal.kind,
        "title": "",
        "signal_key": signal.key,
        "object_kind": signal.object_kind,
        "object_id": signal.object_id,
        "county_code": signal.county,
        "unit": signal.unit[:120],
        "count": signal.many,
        "responsible_user_id": group.head_user_id,
        "deadline": signal.due_at,  # born overdue if found late: supervision sees it so
        "status": "open",
        "created_at": as_of,
        "created_by": None,
        "escalation": 0,
    }


def _clear(session: Session, active: set[str], as_of: datetime) -> int:
    """Raised tasks open at `as_of` whose signal is gone close themselves, saying so."""
    rows = session.execute(
        select(Task.id, Task.signal_key).where(
            Task.signal_key.is_not(None), Task.created_at <= as_of, Task.closed_at.is_(None)
        )
    )
    gone = [task_id for task_id, key in rows if key not in active]
    for chunk in in_chunks(gone):
        session.execute(
            update(Task)
            .where(Task.id.in_(chunk))
            .values(status="done", closed_at=as_of, closed_reason="cleared")
        )
    return len(gone)


def raise_tasks(
    session: Session, *, as_of: datetime, rule: CommandRule | None = None
) -> RaiseResult:
    """One pass as of a moment: places registered, signals turned into tasks, cleared ones
    closed, overdue ones escalated, work of people off duty handed on."""
    rule = rule or command_rule()
    groups = ensure_groups(session, now=as_of)
    register_places(session, as_of=as_of)
    signals = collect_signals(session, as_of=as_of, rule=rule)
    active = {s.key: s for s in signals}
    blocking = _blocking_keys(session, as_of)
    rows = [_new_task(s, groups[s.group], as_of) for k, s in active.items() if k not in blocking]
    bulk_insert(session, Task, rows)
    cleared = _clear(session, set(active), as_of)
    escalated = escalate(session, as_of=as_of, rule=rule)
    hand_on(session, now=as_of)
    session.flush()
    return RaiseResult(
        as_of=as_of, signals=len(active), raised=len(rows), cleared=cleared, escalated=escalated
    )


def escalate(session: Session, *, as_of: datetime, rule: CommandRule) -> int:
    """Open tasks past their deadline go to their group's head; past it by the protocol's
    further hours, to the city's commander. Each escalation is kept with when and to whom."""
    heads = dict(session.execute(select(WorkingGroup.id, WorkingGroup.head_user_id)).all())
    commander = city_commander(session)
    later = as_of - timedelta(hours=rule.escalate_to_commander_hours)
    rows = session.execute(
        select(Task.id, Task.group_id, Task.deadline, Task.escalation).where(
            open_at(as_of),
            Task.deadline < as_of,
            Task.escalation < 2,
        )
    ).all()
    moves: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    for task_id, group_id, deadline, level in rows:
        if level == 0:
            target = heads.get(group_id) or commander
            moves[(1 if target != commander else 2, target)].append(task_id)
        elif deadline < later:
            moves[(2, commander)].append(task_id)
    events = []
    for (level, target), ids in moves.items():
        for chunk in in_chunks(ids):
            session.execute(
                update(Task)
                .where(Task.id.in_(chunk))
                .values(escalation=level, escalated_to_user_id=target)
            )
        events += [
            {
                "task_id": i,
                "at": as_of,
                "by": "",
                "kind": "escalated",
                "to_user_id": target,
                "detail": "",
            }
            for i in ids
        ]
    bulk_insert(session, TaskEvent, events)
    return len(events)
