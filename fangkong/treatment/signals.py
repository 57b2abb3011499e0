"""What treatment says is due: a hospital within a day of full — fewer free beds than it took
in over the last day."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.signals import Signal
from fangkong.protocol.models import CommandRule
from fangkong.treatment.models import Admission, Hospital, Ward
from fangkong.treatment.service import occupied


def hospitals_filling(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    wards = {w.id: w for w in session.scalars(select(Ward))}
    taken = occupied(session, as_of)
    admitted = Counter(
        wards[ward_id].hospital_id
        for ward_id in session.scalars(
            select(Admission.ward_id).where(
                Admission.admitted_at > as_of - timedelta(days=1), Admission.admitted_at <= as_of
            )
        )
    )
    out = []
    for hospital in session.scalars(select(Hospital)):
        own = [w for w in wards.values() if w.hospital_id == hospital.id]
        free = sum(w.beds - taken.get(w.id, 0) for w in own)
        if own and admitted[hospital.id] and free <= admitted[hospital.id]:
            out.append(
                Signal(
                    key=f"hospital-full:{hospital.id}",
                    kind="hospital_filling",
                    group="treatment",
                    object_kind="hospital",
                    object_id=hospital.id,
                    county=hospital.county_code,
                    unit=hospital.name,
                    many=free,
                    due_at=as_of + timedelta(hours=rule.late_response_hours),
                )
            )
    return out
