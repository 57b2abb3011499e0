"""Treatment's figures for the daily briefing and the big screen: beds per hospital at a
moment, admissions and discharges of a span, and the patients in hospital by their clinical
type then. Counts only."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.treatment.models import Admission, ClinicalRecord
from fangkong.treatment.schemas import HospitalRead
from fangkong.treatment.service import in_bed, list_hospitals


class TreatmentFigures(NamedTuple):
    hospitals: list[HospitalRead]
    admitted: int  # first admissions in (since, until], transfers not counted
    discharged: int
    by_type: Counter[str]  # patients in a bed at `until` by their latest clinical type


def treatment_figures(session: Session, *, since: datetime, until: datetime) -> TreatmentFigures:
    first = (
        select(Admission.infection_id, func.min(Admission.admitted_at).label("at"))
        .group_by(Admission.infection_id)
        .subquery()
    )
    admitted = session.scalar(
        select(func.count()).select_from(first).where(first.c.at > since, first.c.at <= until)
    )
    discharged = session.scalar(
        select(func.count()).where(
            Admission.left_reason == "discharged",
            Admission.left_at > since,
            Admission.left_at <= until,
        )
    )
    return TreatmentFigures(
        hospitals=list_hospitals(session, at=until),
        admitted=int(admitted or 0),
        discharged=int(discharged or 0),
        by_type=_by_type(session, until),
    )


def _by_type(session: Session, until: datetime) -> Counter[str]:
    """Each in-bed patient's clinical type as last recorded by `until` ("" if none yet)."""
    latest = (
        select(
            ClinicalRecord.infection_id,
            ClinicalRecord.clinical_type,
            func.row_number()
            .over(
                partition_by=ClinicalRecord.infection_id,
                order_by=(ClinicalRecord.at.desc(), ClinicalRecord.id.desc()),
            )
            .label("nth"),
        )
        .where(ClinicalRecord.at <= until)
        .subquery()
    )
    rows = session.execute(
        select(latest.c.clinical_type)
        .select_from(Admission)
        .outerjoin(latest, (latest.c.infection_id == Admission.infection_id) & (latest.c.nth == 1))
        .where(in_bed(until))
    ).scalars()
    return Counter(kind or "" for kind in rows)
