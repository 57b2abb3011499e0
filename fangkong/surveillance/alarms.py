"""The alarms as people see and decide them: each in the actor's county as of a moment, with
its point or its cluster's points; confirmed (a task for the tracing group until it is
closed), dismissed, or closed once looked into. Every decision is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, NotFound
from fangkong.core.i18n import _
from fangkong.core.timeutil import local_date
from fangkong.surveillance.models import SentinelAlarm, SentinelPoint
from fangkong.surveillance.permissions import DECIDE_ALARMS
from fangkong.surveillance.schemas import AlarmDecision, AlarmRead, AlarmStatus

# What each decision takes an alarm from, and to.
MOVES: dict[str, tuple[str, AlarmStatus]] = {
    "confirm": ("open", "confirmed"),
    "dismiss": ("open", "dismissed"),
    "close": ("confirmed", "closed"),
}


def readable_alarms(actor: Actor) -> Select[SentinelAlarm]:
    return select(SentinelAlarm).where(actor.in_county(SentinelAlarm.county_code))


def status_at(alarm: SentinelAlarm, as_of: datetime) -> AlarmStatus:
    """What the alarm was at `as_of` (a decision after it not yet taken)."""
    if alarm.closed_at is not None and alarm.closed_at <= as_of:
        return "closed"
    if alarm.decided_at is not None and alarm.decided_at <= as_of:
        return "dismissed" if alarm.status == "dismissed" else "confirmed"
    return "open"


def _notes_until(note: str, status: AlarmStatus) -> str:
    """The decisions' notes taken by then: one a decision, in order (none while open)."""
    taken = {"open": 0, "dismissed": 1, "confirmed": 1, "closed": 2}[status]
    return "\n".join(note.split("\n")[:taken]) if note else ""


def _read(alarm: SentinelAlarm, points: dict[int, SentinelPoint], as_of: datetime) -> AlarmRead:
    point = points[alarm.point_id]
    status = status_at(alarm, as_of)
    seen_until = local_date(as_of) - timedelta(days=1)  # a pass then judged up to yesterday
    decided = status != "open"
    return AlarmRead(
        id=alarm.id, kind=alarm.kind, method=alarm.method, measure=alarm.measure,
        day=alarm.day, last_day=max(alarm.day, min(alarm.last_day, seen_until)),
        days=alarm.days, point_code=point.code,
        point_name=point.name,
        county_code=alarm.county_code, lon=point.lon, lat=point.lat,
        members=[points[p].code for p in alarm.points if p in points],
        observed=alarm.observed, expected=alarm.expected, threshold=alarm.threshold,
        p_value=alarm.p_value, status=status, created_at=alarm.created_at,
        decided_at=alarm.decided_at if decided else None,
        decided_by=alarm.decided_by if decided else None,
        closed_at=alarm.closed_at if status == "closed" else None,
        note=_notes_until(alarm.note, status),
    )  # fmt: skip


def list_alarms(
    session: Session, *, actor: Actor, as_of: datetime, status: AlarmStatus | None = None
) -> list[AlarmRead]:
    """The alarms raised by `as_of` in the actor's county, newest day first."""
    found = session.scalars(
        readable_alarms(actor)
        .where(SentinelAlarm.created_at <= as_of)
        .order_by(SentinelAlarm.day.desc(), SentinelAlarm.id)
    ).all()
    points = {p.id: p for p in session.scalars(select(SentinelPoint))}
    shown = [_read(a, points, as_of) for a in found]
    return [a for a in shown if status is None or a.status == status]


def decide_alarm(
    session: Session, *, actor: Actor, alarm_id: int, decision: AlarmDecision, now: datetime
) -> AlarmRead:
    actor.require(DECIDE_ALARMS, what="decide sentinel alarms")
    alarm = session.scalar(readable_alarms(actor).where(SentinelAlarm.id == alarm_id))
    if alarm is None or alarm.created_at > now:
        raise NotFound(_("no alarm #%(id)s", id=alarm_id))
    before, after = MOVES[decision.action]
    if alarm.status != before:
        raise Conflict(
            _("alarm #%(id)s is %(status)s", id=alarm_id, status=_(f"alarm_{alarm.status}"))
        )
    if after == "closed":
        alarm.closed_at = now
    else:
        alarm.decided_at, alarm.decided_by = now, actor.username
    earlier = alarm.note.split("\n") if before != "open" else []  # a line a decision
    alarm.status = after
    alarm.note = "\n".join([*earlier, decision.note.replace("\n", " ")])[:500]
    record_audit(
        session, actor=actor, action=decision.action, entity="sentinel_alarm",
        entity_id=alarm.id, now=now, detail=decision.note[:200],
    )  # fmt: skip
    session.flush()
    points = {p.id: p for p in session.scalars(select(SentinelPoint))}
    return _read(alarm, points, now)


def confirmed_at(session: Session, as_of: datetime) -> list[SentinelAlarm]:
    """Alarms confirmed by `as_of` and not closed by then: the tracing group's to look into."""
    return list(
        session.scalars(
            select(SentinelAlarm).where(
                SentinelAlarm.status.in_(("confirmed", "closed")),
                SentinelAlarm.decided_at <= as_of,
                or_(SentinelAlarm.closed_at.is_(None), SentinelAlarm.closed_at > as_of),
            )
        )
    )
