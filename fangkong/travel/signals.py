"""What the inbound loop says is late: an arrival whose next step is past its deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from fangkong.core.signals import Signal
from fangkong.people.service import county_column
from fangkong.protocol.models import CommandRule
from fangkong.tracing.orders import first_infection_times
from fangkong.travel.models import Arrival, Checkpoint
from fangkong.travel.service import due_times, next_step, observed_steps

# No path runs longer (14 days of quarantine and the days to reach it): older arrivals are done.
LOOKBACK = timedelta(days=30)


def closed_by_hand(as_of: datetime) -> ColumnElement[bool]:
    """A loop whose last step was recorded by `as_of` (tested, for a test-only path; released
    for the others): nothing of it can be late."""
    return or_(
        and_(Arrival.path == "test_only", Arrival.tested_at <= as_of),
        Arrival.released_at <= as_of,
    )


def arrivals_late(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    rows = session.execute(
        select(Arrival, county_column(Arrival.person_id)).where(
            Arrival.arrived_at <= as_of,
            Arrival.arrived_at > as_of - LOOKBACK,
            ~closed_by_hand(as_of),
        )
    ).all()
    arrivals = [a for a, _ in rows]
    observed = observed_steps(session, arrivals)
    gates = {c.id: c.name for c in session.scalars(select(Checkpoint))}
    infected = first_infection_times(session, [a.person_id for a in arrivals])
    out = []
    for arrival, county in rows:
        found = infected.get(arrival.person_id)
        if found is not None and arrival.arrived_at <= found.reported_at <= as_of:
            continue  # found infected: the loop ends in treatment, not at a step
        _, step = next_step(arrival, observed[arrival.id], as_of=as_of)
        if step is None or due_times(arrival)[step] >= as_of:
            continue
        out.append(
            Signal(
                key=f"arrival:{arrival.id}:{step}",
                kind=f"arrival_{step}_late",
                group="traffic",
                object_kind="arrival",
                object_id=arrival.id,
                county=county,
                due_at=due_times(arrival)[step] + timedelta(hours=rule.late_response_hours),
                unit=gates.get(arrival.checkpoint_id or 0, ""),
            )
        )
    return out
