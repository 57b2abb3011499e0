"""The duty rota (应急值守): shifts at the city's command centre and each county's; who is on
duty at a moment, who is next, the handover note; overlaps refused, gaps raised as tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, and_, false, func, select
from sqlalchemy.orm import Session

from fangkong.command.groups import works_in
from fangkong.command.models import Shift
from fangkong.command.permissions import COMMAND, READ_COMMAND
from fangkong.command.records import keep
from fangkong.command.schemas import DutyRead, ShiftIn, ShiftRead
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, InvalidInput
from fangkong.core.i18n import _
from fangkong.core.signals import Signal
from fangkong.core.timeutil import fmt_local
from fangkong.protocol.models import CommandRule
from fangkong.users.service import display_names

CITY = "city"


def readable_shifts(actor: Actor) -> Select[Shift]:
    """The city's rota and one's own county's."""
    if not actor.can(READ_COMMAND):
        return select(Shift).where(false())
    if actor.jurisdiction is None:
        return select(Shift)
    return select(Shift).where(Shift.scope.in_([CITY, actor.jurisdiction]))


def _check(session: Session, actor: Actor, data: ShiftIn) -> None:
    if data.ends_at <= data.starts_at:
        raise InvalidInput.at(("ends_at",), _("the shift ends before it starts"))
    if data.scope != CITY and not actor.covers(data.scope):
        raise InvalidInput.at(("scope",), _("county %(code)s is not yours", code=data.scope))
    if data.scope == CITY and actor.jurisdiction is not None:
        raise InvalidInput.at(("scope",), _("only the city's command centre keeps its rota"))
    works_in(session, data.user_id, None if data.scope == CITY else data.scope, "user_id")


def add_shift(session: Session, *, actor: Actor, data: ShiftIn, now: datetime) -> Shift:
    """A shift, refused if it overlaps another of the same rota (one officer on duty at a time)."""
    actor.require(COMMAND, what="keep the duty rota")
    _check(session, actor, data)
    clash = session.scalar(
        select(Shift).where(
            Shift.scope == data.scope,
            Shift.starts_at < data.ends_at,
            Shift.ends_at > data.starts_at,
        )
    )
    if clash is not None:
        raise Conflict(
            _(
                "the shift overlaps shift %(id)s (%(start)s–%(end)s)",
                id=clash.id,
                start=fmt_local(clash.starts_at),
                end=fmt_local(clash.ends_at),
            )
        )
    shift = Shift(
        scope=data.scope,
        user_id=data.user_id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        handover_note=data.handover_note,
        created_at=now,
        created_by=actor.username,
    )
    keep(session, shift, actor=actor, action="shift", entity="duty", now=now, detail=data.scope)
    return shift


def present(session: Session, shifts: list[Shift]) -> list[ShiftRead]:
    names = display_names(session, [s.user_id for s in shifts])
    return [
        ShiftRead(
            id=s.id,
            scope=s.scope,
            user_id=s.user_id,
            officer=names.get(s.user_id, "?"),
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            handover_note=s.handover_note,
        )
        for s in shifts
    ]


def list_shifts(
    session: Session, *, actor: Actor, start: datetime, end: datetime
) -> list[ShiftRead]:
    rows = session.scalars(
        readable_shifts(actor)
        .where(Shift.starts_at < end, Shift.ends_at > start)
        .order_by(Shift.scope, Shift.starts_at)
    )
    return present(session, list(rows))


def duty_at(session: Session, *, actor: Actor, at: datetime) -> list[DutyRead]:
    """For each rota the actor may read: who is on duty at `at`, who is next, and the note
    handed over by the shift before."""
    scopes = sorted(set(session.scalars(readable_shifts(actor).with_only_columns(Shift.scope))))
    return [_duty(session, actor, scope, at) for scope in scopes]


def _duty(session: Session, actor: Actor, scope: str, at: datetime) -> DutyRead:
    rota = readable_shifts(actor).where(Shift.scope == scope)
    now_on = session.scalar(rota.where(Shift.starts_at <= at, Shift.ends_at > at))
    after = session.scalar(rota.where(Shift.starts_at > at).order_by(Shift.starts_at).limit(1))
    before = session.scalar(
        rota.where(Shift.ends_at <= (now_on.starts_at if now_on else at))
        .order_by(Shift.ends_at.desc())
        .limit(1)
    )
    shown = present(session, [s for s in (now_on, after, before) if s is not None])
    by_id = {s.id: s for s in shown}
    return DutyRead(
        scope=scope,
        at=at,
        on_duty=by_id.get(now_on.id) if now_on else None,
        next=by_id.get(after.id) if after else None,
        handover_from=by_id.get(before.id) if before else None,
    )


def on_duty(session: Session, user_ids: list[int], *, at: datetime) -> set[int]:
    """Which of these users are on a shift of any rota at `at`."""
    return set(
        session.scalars(
            select(Shift.user_id).where(
                Shift.user_id.in_(user_ids), Shift.starts_at <= at, Shift.ends_at > at
            )
        )
    )


def duty_gaps(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    """Each rota in force (a shift in the next hours): any time from now to the horizon that
    nobody holds, keyed by when the gap began (so it is one task until filled)."""
    horizon = as_of + timedelta(hours=rule.duty_horizon_hours)
    out = []
    for scope in sorted(set(session.scalars(select(Shift.scope)))):
        shifts = session.scalars(
            select(Shift)
            .where(Shift.scope == scope, and_(Shift.ends_at > as_of, Shift.starts_at < horizon))
            .order_by(Shift.starts_at)
        ).all()
        if not shifts:
            continue  # no rota in force here
        ended = session.scalar(
            select(func.max(Shift.ends_at)).where(Shift.scope == scope, Shift.ends_at <= as_of)
        )
        covered = ended if ended is not None else shifts[0].starts_at
        for shift in [*shifts, None]:
            start = shift.starts_at if shift else horizon
            if start > covered and start > as_of:  # a gap not yet over
                out.append(_gap(scope, covered, shift))
            if shift:
                covered = max(covered, shift.ends_at)
    return out


def _gap(scope: str, begins: datetime, following: Shift | None) -> Signal:
    return Signal(
        key=f"duty-gap:{scope}:{begins.astimezone(UTC).isoformat()}",
        kind="duty_gap",
        group="office",
        object_kind="duty",
        object_id=following.id if following else 0,
        county=None if scope == CITY else scope,
        due_at=begins,
        unit=scope,
    )
