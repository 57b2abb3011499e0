"""Tracing's figures for the daily briefing and the big screen: infections by day, kind and
county, and contacts found and under control — counts over the actor's jurisdiction, no
people."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.timeutil import local_date
from fangkong.people.service import county_column, readable_by
from fangkong.tracing.models import Contact, Infection


class InfectionCount(NamedTuple):
    day: date  # reported, city time
    county_code: str
    kind: str  # confirmed | asymptomatic
    n: int


def infection_counts(session: Session, *, actor: Actor, until: datetime) -> list[InfectionCount]:
    """Infections of the actor's people reported by `until`, by day, county and kind."""
    rows = session.execute(
        select(Infection.reported_at, county_column(Infection.person_id), Infection.kind).where(
            readable_by(actor, Infection.person_id), Infection.reported_at <= until
        )
    )
    counted = Counter((local_date(at), county or "", kind) for at, county, kind in rows)
    return [InfectionCount(*key, n) for key, n in sorted(counted.items())]


def first_report(session: Session, *, actor: Actor) -> datetime | None:
    """When the actor's first infection was reported: the response's first day."""
    return session.scalar(
        select(func.min(Infection.reported_at)).where(readable_by(actor, Infection.person_id))
    )


class ContactFigures(NamedTuple):
    found: int  # by `until`
    found_since: int  # in (since, until]
    secondary: int
    under_control: int
    not_under_control: int


def contact_figures(
    session: Session, *, actor: Actor, since: datetime, until: datetime
) -> ContactFigures:
    """The actor's contacts found by `until` (and since `since`), and under control by then."""
    found = Contact.identified_at <= until
    controlled = Contact.under_control_at <= until
    row = session.execute(
        select(
            func.count(),
            func.count().filter(Contact.identified_at > since),
            func.count().filter(Contact.category == "secondary"),
            func.count().filter(controlled),
        ).where(readable_by(actor, Contact.person_id), found)
    ).one()
    total, recent, secondary, under = (int(v) for v in row)
    return ContactFigures(total, recent, secondary, under, total - under)
