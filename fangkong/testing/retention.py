"""Retention of screening data: who was sampled when is personal data, kept while a round may
still need it (recalls, coverage, a zone's lifting) and deleted after."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from fangkong.testing.models import Sample, ScreeningRound


def purge_samples(session: Session, *, now: datetime, retention_days: int) -> int:
    """Delete the samples of rounds closed more than `retention_days` ago. Tubes, results and
    the rounds' counts stay: they name nobody."""
    cutoff = now - timedelta(days=retention_days)
    expired = select(ScreeningRound.id).where(ScreeningRound.closed_at <= cutoff)
    count = session.scalar(
        select(func.count()).select_from(Sample).where(Sample.round_id.in_(expired))
    )
    session.execute(delete(Sample).where(Sample.round_id.in_(expired)))
    return int(count or 0)


def sampled_within(now: datetime, retention_days: int) -> Select[int]:
    """Ids of people sampled in a round that is open or closed within the retention period."""
    cutoff = now - timedelta(days=retention_days)
    live = select(ScreeningRound.id).where(
        ScreeningRound.closed_at.is_(None) | (ScreeningRound.closed_at > cutoff)
    )
    return select(Sample.person_id).where(Sample.round_id.in_(live))
