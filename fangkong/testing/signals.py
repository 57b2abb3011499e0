"""What testing says is late: a positive pool's members not all retested in single tubes
within the protocol's hours of the recall, and a lab holding tubes past its plan's time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from fangkong.core.signals import Signal
from fangkong.protocol.models import CommandRule
from fangkong.testing.models import Lab, Recall, ScreeningRound, Shipment, Tube


def recalls_not_retested(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    wait = timedelta(hours=rule.recall_retest_hours)
    respond = timedelta(hours=rule.late_response_hours)
    rows = session.execute(
        select(Recall.id, Recall.tube_id, Recall.raised_at, ScreeningRound.county_code)
        .join(ScreeningRound, ScreeningRound.id == Recall.round_id)
        .where(
            Recall.raised_at <= as_of - wait,
            or_(Recall.done_at.is_(None), Recall.done_at > as_of),
        )
    )
    return [
        Signal(
            key=f"recall:{recall_id}",
            kind="recall_not_retested",
            group="testing",
            object_kind="pool",
            object_id=tube_id,
            county=county,
            due_at=raised + wait + respond,
        )
        for recall_id, tube_id, raised, county in rows
    ]


def labs_behind_plan(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    """A lab with tubes whose results were due by its shipments' plan and had not come by
    `as_of`; one signal per lab until it catches up."""
    unreported = or_(Tube.reported_at.is_(None), Tube.reported_at > as_of)
    rows = session.execute(
        select(
            Shipment.lab_id,
            func.min(Shipment.expected_result_at),
            func.count(Tube.id),
        )
        .join(Tube, Tube.shipment_id == Shipment.id)
        .where(Shipment.expected_result_at < as_of, Shipment.planned_at <= as_of, unreported)
        .group_by(Shipment.lab_id)
    )
    labs = {lab.id: lab for lab in session.scalars(select(Lab))}
    return [
        Signal(
            key=f"lab-behind:{lab_id}",
            kind="lab_behind_plan",
            group="testing",
            object_kind="lab",
            object_id=lab_id,
            county=labs[lab_id].county_code,
            due_at=due + timedelta(hours=rule.late_response_hours),
            unit=labs[lab_id].name,
            many=int(late),
        )
        for lab_id, due, late in rows
    ]
