"""Tracing's figures for the daily briefing and the big screen: infections by day, kind and
county, and contacts found and under control — counts over the actor's jurisdiction, no
people."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import local_date
from fangkong.people.service import county_column, readable_by
from fangkong.protocol.loader import get_protocol
from fangkong.tracing.models import Contact, Infection
from fangkong.tracing.service import scoped_infections


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


class KpiCounts(NamedTuple):
    """The 48-hour KPI over many infections, as kpi.kpi_overview counts it, in one query."""

    infections: int  # reported by `as_of`
    met: int  # past their deadline with every contact known by then under control in time
    missed: int
    target_hours: int


def kpi_counts(session: Session, *, actor: Actor, as_of: datetime) -> KpiCounts:
    scoped = scoped_infections(actor).where(Infection.reported_at <= as_of).subquery()
    rows = session.execute(
        select(
            scoped.c.id,
            scoped.c.reported_at,
            scoped.c.protocol_id,
            func.count(Contact.id) - func.count(Contact.under_control_at),
            func.max(Contact.under_control_at),
        )
        .outerjoin(
            Contact, (Contact.infection_id == scoped.c.id) & (Contact.identified_at <= as_of)
        )
        .group_by(scoped.c.id, scoped.c.reported_at, scoped.c.protocol_id)
    ).all()
    met = missed = 0
    for _, reported_at, protocol_id, never, last in rows:
        deadline = reported_at + timedelta(
            hours=get_protocol(protocol_id).tracing.control_target_hours
        )
        if as_of < deadline:
            continue
        late = never > 0 or (last is not None and last > deadline)
        missed, met = missed + late, met + (not late)
    target = get_protocol(get_settings().protocol).tracing.control_target_hours
    return KpiCounts(len(rows), met, missed, target)


class Detection(NamedTuple):
    """An infection as the forecast learns from it: its times, what it came from, and how it
    was found — no person."""

    infection_id: int
    source_id: int | None  # the infection it was traced to, if any
    sampled_at: datetime
    reported_at: datetime
    found: str  # "quarantine": under control before sampling; "contact": known, not yet
    # under control; "community": nobody had named them


def detections_until(session: Session, *, until: datetime) -> list[Detection]:
    """Every infection reported by `until` over the whole city, in report order, with how it
    was found as things stood when it was sampled."""
    known = (
        select(
            Contact.person_id,
            func.min(Contact.identified_at).label("named"),
            func.min(Contact.under_control_at).label("controlled"),
        )
        .where(Contact.identified_at <= until)
        .group_by(Contact.person_id)
        .subquery()
    )
    rows = session.execute(
        select(Infection.id, Infection.source_infection_id, Infection.sampled_at,
               Infection.reported_at, known.c.named, known.c.controlled)
        .outerjoin(known, known.c.person_id == Infection.person_id)
        .where(Infection.reported_at <= until)
        .order_by(Infection.reported_at, Infection.id)
    ).all()  # fmt: skip
    return [
        Detection(id_, source, sampled, reported, _found(sampled, named, controlled))
        for id_, source, sampled, reported, named, controlled in rows
    ]


def _found(sampled: datetime, named: datetime | None, controlled: datetime | None) -> str:
    if controlled is not None and controlled <= sampled:
        return "quarantine"
    return "contact" if named is not None and named <= sampled else "community"


class Tracing(NamedTuple):
    """How tracing has gone, as the forecast learns from it: no person."""

    named: dict[int, int]  # close contacts named so far, by infection reported by the moment
    placed: int  # close contacts put under control in the last 14 days: in a room
    at_home: int  # … at home instead


def tracing_until(session: Session, *, until: datetime) -> Tracing:
    """Close contacts named by `until` for each infection, and where the recent ones went."""
    named: dict[int, int] = dict(
        session.execute(
            select(Infection.id, func.count(Contact.id))
            .outerjoin(Contact, (Contact.infection_id == Infection.id)
                       & (Contact.category == "close") & (Contact.identified_at <= until))
            .where(Infection.reported_at <= until)
            .group_by(Infection.id)
        ).all()
    )  # fmt: skip
    recent = (Contact.under_control_at > until - timedelta(days=14)) & (
        Contact.under_control_at <= until
    )
    kinds: dict[str | None, int] = dict(
        session.execute(
            select(Contact.control_kind, func.count())
            .where(Contact.category == "close", recent)
            .group_by(Contact.control_kind)
        ).all()
    )
    return Tracing(named, int(kinds.get("placed", 0)), int(kinds.get("home", 0)))
