"""What testing used between two moments, as the stockpiles count it: swabs (one a person
sampled), tubes opened, sampling staff shifts (each site's staff work one shift a round) by
county, and tests run (one reaction a tube) by lab. Counts only, no people: every reader's."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from fangkong.testing.models import Sample, SamplingSite, Shipment, Tube


class CountyUse(NamedTuple):
    county_code: str
    swabs: int
    tubes: int
    staff_shifts: int


class LabUse(NamedTuple):
    lab_id: int
    tests: int


def _between(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], since: datetime | None, until: datetime
) -> list[ColumnElement[bool]]:
    found = [column <= until]
    if since is not None:
        found.append(column > since)
    return found


def county_use(session: Session, *, since: datetime | None, until: datetime) -> list[CountyUse]:
    """Swabs, tubes and staff shifts of each county's sampling sites in (since, until]."""
    swabs = dict(
        session.execute(
            select(SamplingSite.county_code, func.count())
            .select_from(Sample)
            .join(Tube, Tube.id == Sample.tube_id)
            .join(SamplingSite, SamplingSite.id == Tube.site_id)
            .where(*_between(Sample.sampled_at, since, until))
            .group_by(SamplingSite.county_code)
        ).all()
    )
    tubes = dict(
        session.execute(
            select(SamplingSite.county_code, func.count())
            .select_from(Tube)
            .join(SamplingSite, SamplingSite.id == Tube.site_id)
            .where(*_between(Tube.opened_at, since, until))
            .group_by(SamplingSite.county_code)
        ).all()
    )
    first_tube = (
        select(Tube.site_id, func.min(Tube.opened_at).label("began"))
        .group_by(Tube.site_id)
        .subquery()
    )
    staff = dict(
        session.execute(
            select(SamplingSite.county_code, func.sum(SamplingSite.staff))
            .select_from(SamplingSite)
            .join(first_tube, first_tube.c.site_id == SamplingSite.id)
            .where(*_between(first_tube.c.began, since, until))
            .group_by(SamplingSite.county_code)
        ).all()
    )
    counties = sorted(set(swabs) | set(tubes) | set(staff))
    return [
        CountyUse(c, int(swabs.get(c, 0)), int(tubes.get(c, 0)), int(staff.get(c) or 0))
        for c in counties
    ]


def lab_use(session: Session, *, since: datetime | None, until: datetime) -> list[LabUse]:
    """Tubes each lab tested in (since, until]."""
    rows = session.execute(
        select(Shipment.lab_id, func.count())
        .select_from(Tube)
        .join(Shipment, Shipment.id == Tube.shipment_id)
        .where(Tube.tested_at.is_not(None), *_between(Tube.tested_at, since, until))
        .group_by(Shipment.lab_id)
    )
    return [LabUse(int(lab), int(n)) for lab, n in rows]
