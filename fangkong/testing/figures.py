"""Testing's figures for the daily briefing and the big screen: each round running in a span,
as of its end — residents, sampled (that day and in all), tubes resulted and positive, and
how long the span's reported tubes took. Counts only."""

from __future__ import annotations

from datetime import datetime
from statistics import median
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.people import service as registry
from fangkong.testing.models import Sample, ScreeningRound, Tube
from fangkong.testing.service import area_filter, list_rounds


class RoundFigures(NamedTuple):
    round_id: int
    name: str
    residents: int
    sampled: int  # by `until`
    sampled_since: int  # in (since, until]
    tubes_resulted: int
    positive_tubes: int
    turnaround_hours: float | None  # median, first swab to report, of the span's tubes


def round_figures(
    session: Session, *, actor: Actor, since: datetime, until: datetime
) -> list[RoundFigures]:
    """The rounds the actor sees that had started by `until` and not closed by `since`."""
    running = [
        r
        for r in list_rounds(session, actor=actor, as_of=until)
        if r.starts_at <= until and (r.closed_at is None or r.closed_at > since)
    ]
    return [_figures(session, r, since, until) for r in running]


def _figures(
    session: Session, found: ScreeningRound, since: datetime, until: datetime
) -> RoundFigures:
    screened = Sample.round_id == found.id, Sample.purpose == "screen", Sample.sampled_at <= until
    sampled, recent = session.execute(
        select(func.count(), func.count().filter(Sample.sampled_at > since)).where(*screened)
    ).one()
    reported = Tube.round_id == found.id, Tube.reported_at <= until
    resulted, positive = session.execute(
        select(func.count(), func.count().filter(Tube.result == "positive")).where(*reported)
    ).one()
    spans = [
        (done - began).total_seconds() / 3600
        for began, done in session.execute(
            select(Tube.opened_at, Tube.reported_at).where(*reported, Tube.reported_at > since)
        )
        if done is not None
    ]
    return RoundFigures(
        round_id=found.id,
        name=found.name,
        residents=int(session.scalar(registry.count_people(area_filter(found, session))) or 0),
        sampled=int(sampled),
        sampled_since=int(recent),
        tubes_resulted=int(resulted),
        positive_tubes=int(positive),
        turnaround_hours=round(median(spans), 1) if spans else None,
    )
