"""The 48-hour KPI: every contact of an infection under control within the target of its report."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import hours_between
from fangkong.people.service import people_by_id, show_person
from fangkong.protocol.loader import get_protocol
from fangkong.tracing.models import Contact, Infection
from fangkong.tracing.schemas import ContactLate, InfectionKpi, KpiOverview
from fangkong.tracing.service import get_infection, scoped_infections

if TYPE_CHECKING:
    from fangkong.people.models import Person


def _late(
    contact: Contact, person: Person, infection: Infection, actor: Actor, as_of: datetime
) -> ContactLate:
    """A contact not under control at some mark; when it came under control, if by `as_of`."""
    done = (
        contact.under_control_at
        if contact.under_control_at and contact.under_control_at <= as_of
        else None
    )
    return ContactLate(
        contact_id=contact.id,
        person=show_person(person, actor),
        category=contact.category,
        identified_at=contact.identified_at,
        under_control_at=done,
        hours_after_report=round(hours_between(infection.reported_at, done), 1) if done else None,
    )


def infection_kpi(
    session: Session, *, actor: Actor, infection: Infection, as_of: datetime
) -> InfectionKpi:
    """The KPI as it stood at `as_of`: only contacts known by then count, and a contact counts
    as under control only from the moment it was."""
    target = get_protocol(infection.protocol_id).tracing.control_target_hours
    # unscoped: the KPI counts every contact; people outside the actor's jurisdiction are
    # shown masked by show_person.
    contacts = list(
        session.scalars(
            select(Contact)
            .where(Contact.infection_id == infection.id, Contact.identified_at <= as_of)
            .order_by(Contact.id)
        )
    )
    people = people_by_id(session, {c.person_id for c in contacts} | {infection.person_id})
    rows = [(c, people[c.person_id]) for c in contacts]
    person = people[infection.person_id]

    def controlled_by(contact: Contact, moment: datetime) -> bool:
        return contact.under_control_at is not None and contact.under_control_at <= moment

    controlled = [c for c, _ in rows if controlled_by(c, as_of)]
    last = max((c.under_control_at for c in controlled if c.under_control_at), default=None)
    all_in = bool(rows) and len(controlled) == len(rows)

    def missed(hours: int) -> list[ContactLate]:
        mark = infection.reported_at + timedelta(hours=hours)
        if as_of < mark:
            return []
        return [_late(c, p, infection, actor, as_of) for c, p in rows if not controlled_by(c, mark)]

    deadline = infection.reported_at + timedelta(hours=target)
    missed_target = missed(target)
    met: bool | None
    if as_of >= deadline:
        met = not missed_target
    else:
        met = None
    return InfectionKpi(
        infection_id=infection.id,
        person=show_person(person, actor),
        reported_at=infection.reported_at,
        as_of=as_of,
        hours_since_report=round(hours_between(infection.reported_at, as_of), 1),
        contacts=len(rows),
        under_control=len(controlled),
        last_controlled_at=last,
        hours_to_full_control=(
            round(hours_between(infection.reported_at, last), 1) if all_in and last else None
        ),
        met_target=met,
        not_controlled_at_24h=missed(24),
        not_controlled_at_48h=missed_target if target == 48 else missed(48),
        not_controlled_now=[
            _late(c, p, infection, actor, as_of) for c, p in rows if not controlled_by(c, as_of)
        ],
        control_curve=_curve(infection, [c.under_control_at for c in controlled]),
    )


def _curve(infection: Infection, moments: list[datetime | None]) -> list[tuple[float, int]]:
    """(hours after the report, contacts under control by then), one point per control."""
    hours = sorted(max(0.0, hours_between(infection.reported_at, m)) for m in moments if m)
    return [(round(h, 2), n) for n, h in enumerate(hours, start=1)]


def kpi_for(session: Session, *, actor: Actor, infection_id: int, as_of: datetime) -> InfectionKpi:
    infection = get_infection(session, actor=actor, infection_id=infection_id)
    return infection_kpi(session, actor=actor, infection=infection, as_of=as_of)


def kpi_overview(session: Session, *, actor: Actor, as_of: datetime) -> KpiOverview:
    """Every infection reported by `as_of`, with its KPI as of then."""
    infections = session.scalars(
        scoped_infections(actor)
        .where(Infection.reported_at <= as_of)
        .order_by(Infection.reported_at)
    )
    rows = [infection_kpi(session, actor=actor, infection=i, as_of=as_of) for i in infections]
    target = get_protocol(get_settings().protocol).tracing.control_target_hours
    return KpiOverview(
        as_of=as_of,
        target_hours=target,
        infections=len(rows),
        contacts=sum(r.contacts for r in rows),
        under_control=sum(r.under_control for r in rows),
        infections_fully_controlled=sum(1 for r in rows if r.contacts == r.under_control),
        infections_met_target=sum(1 for r in rows if r.met_target is True),
        infections_missed_target=sum(1 for r in rows if r.met_target is False),
        rows=rows,
    )
