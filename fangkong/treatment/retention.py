"""Retention of treatment records: a patient's admissions, clinical types and tests go with
them once no admission is open or ended within the retention period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.orm import Session

from fangkong.treatment.models import Admission, ClinicalRecord, PcrRecord


def treated_within(now: datetime, retention_days: int) -> Select[int]:
    """Ids of people in hospital, or out of it (and its monitoring) within the period."""
    cutoff = now - timedelta(days=retention_days)
    return select(Admission.person_id).where(
        or_(
            Admission.left_at.is_(None),
            Admission.left_at > cutoff,
            Admission.monitoring_until > cutoff,
        )
    )


def forget_people(session: Session, person_ids: Sequence[int]) -> None:
    """Delete the treatment records of people being purged (retention.py decides who)."""
    for model in (PcrRecord, ClinicalRecord, Admission):
        session.execute(delete(model).where(model.person_id.in_(person_ids)))
