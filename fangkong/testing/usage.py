"""What testing used, as the stockpiles count it: swabs (one a person sampled), tubes opened,
sampling staff shifts (each site's staff work one shift a round) by county, and tests run (one
reaction a tube) by lab — all told by a moment and over the days before it. Counts only, no
people: every reader's."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.testing.models import SamplingSite, Shipment, Tube


class CountyUse(NamedTuple):
    county_code: str
    swabs: int
    tubes: int
    staff_shifts: int


class LabUse(NamedTuple):
    lab_id: int
    tests: int


Span = tuple[list[CountyUse], list[CountyUse]]  # by `until`, and in (since, until]


def county_use(session: Session, *, since: datetime, until: datetime) -> Span:
    """Swabs (a tube's members), tubes and staff shifts of each county's sampling sites, all
    told by `until` and in (since, until]: one pass over the tubes, not the samples."""
    recent = Tube.opened_at > since
    tubes = session.execute(
        select(
            SamplingSite.county_code,
            func.sum(Tube.members),
            func.count(),
            func.sum(Tube.members).filter(recent),
            func.count().filter(recent),
        )
        .select_from(Tube)
        .join(SamplingSite, SamplingSite.id == Tube.site_id)
        .where(Tube.opened_at <= until)
        .group_by(SamplingSite.county_code)
    ).all()
    first_tube = (
        select(Tube.site_id, func.min(Tube.opened_at).label("began"))
        .group_by(Tube.site_id)
        .subquery()
    )
    staff = {
        county: (int(total or 0), int(lately or 0))
        for county, total, lately in session.execute(
            select(
                SamplingSite.county_code,
                func.sum(SamplingSite.staff),
                func.sum(SamplingSite.staff).filter(first_tube.c.began > since),
            )
            .join(first_tube, first_tube.c.site_id == SamplingSite.id)
            .where(first_tube.c.began <= until)
            .group_by(SamplingSite.county_code)
        )
    }
    told, lately = [], []
    for county, swabs, count, recent_swabs, recent_count in tubes:
        shifts = staff.get(county, (0, 0))
        told.append(CountyUse(county, int(swabs or 0), int(count), shifts[0]))
        lately.append(CountyUse(county, int(recent_swabs or 0), int(recent_count), shifts[1]))
    return told, lately


def lab_use(
    session: Session, *, since: datetime, until: datetime
) -> tuple[list[LabUse], list[LabUse]]:
    """Tubes each lab tested by `until`, and in (since, until]."""
    rows = session.execute(
        select(Shipment.lab_id, func.count(), func.count().filter(Tube.tested_at > since))
        .select_from(Tube)
        .join(Shipment, Shipment.id == Tube.shipment_id)
        .where(Tube.tested_at.is_not(None), Tube.tested_at <= until)
        .group_by(Shipment.lab_id)
    ).all()
    return [LabUse(lab, n) for lab, n, _ in rows], [LabUse(lab, n) for lab, _, n in rows]
