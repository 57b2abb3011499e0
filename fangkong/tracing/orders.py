"""What tracing tells the domains above it about contacts' management orders: the facts a
quarantine notice prints, and who is ordered into central quarantine without a room yet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fangkong.core.db import in_chunks
from fangkong.tracing.models import Contact, Infection, ManagementOrder, OrderPhase


class OrderFacts(NamedTuple):
    category: str
    protocol_id: str
    ends_at: datetime | None  # the whole order, home monitoring included


def order_facts(session: Session, contact_ids: Sequence[int]) -> dict[int, OrderFacts]:
    """Each contact's category, the protocol it was classified under and its order's end."""
    out: dict[int, OrderFacts] = {}
    for chunk in in_chunks(contact_ids):
        rows = session.execute(
            select(Contact.id, Contact.category, Infection.protocol_id, ManagementOrder.ends_at)
            .join(Infection, Infection.id == Contact.infection_id)
            .outerjoin(ManagementOrder, ManagementOrder.contact_id == Contact.id)
            .where(Contact.id.in_(chunk))
        )
        out.update({cid: OrderFacts(cat, proto, ends) for cid, cat, proto, ends in rows})
    return out


class Ordered(NamedTuple):
    person_id: int
    ends_at: datetime  # when the central quarantine ends
    household: bool  # a household contact (placed with their household)


def in_central_quarantine(session: Session, *, now: datetime) -> dict[int, Ordered]:
    """Contacts whose order is in central quarantine now, who have not turned positive (they
    go to hospital, not to a room) and were not put under control at home instead: contact
    id -> person and when their central quarantine ends. One query (a city under strain has
    100,000 such orders: no IN lists of them)."""
    turned = (
        select(Contact.id)
        .join(Infection, Infection.person_id == Contact.person_id)
        .where(
            Contact.id == ManagementOrder.contact_id, Infection.reported_at >= Contact.exposure_at
        )
        .exists()
    )
    at_home = (Contact.control_kind == "home") & (Contact.under_control_at <= now)
    not_at_home = or_(Contact.control_kind.is_(None), ~at_home)  # NULL is not "home"
    phases = session.execute(
        select(ManagementOrder.contact_id, ManagementOrder.person_id, OrderPhase.ends_at,
               Contact.setting == "household")
        .join(OrderPhase, OrderPhase.order_id == ManagementOrder.id)
        .join(Contact, Contact.id == ManagementOrder.contact_id)
        .where(OrderPhase.kind == "central_quarantine", OrderPhase.ends_at > now, ~turned,
               not_at_home)
    ).all()  # fmt: skip
    return {contact: Ordered(person, end, bool(home)) for contact, person, end, home in phases}


class PhaseRow(NamedTuple):
    person_id: int
    category: str
    kind: str  # central_quarantine | home_quarantine | home_monitoring
    starts_at: datetime
    ends_at: datetime


def infections_reported(session: Session, person_ids: Sequence[int]) -> list[tuple[int, datetime]]:
    """(person id, reported at) of every infection of these people."""
    rows = session.execute(
        select(Infection.person_id, Infection.reported_at).where(
            Infection.person_id.in_(person_ids)
        )
    )
    return [(pid, at) for pid, at in rows]


def order_phases_of(session: Session, person_ids: Sequence[int]) -> list[PhaseRow]:
    """Every phase of these people's management orders."""
    rows = session.execute(
        select(
            ManagementOrder.person_id,
            ManagementOrder.category,
            OrderPhase.kind,
            OrderPhase.starts_at,
            OrderPhase.ends_at,
        )
        .join(OrderPhase, OrderPhase.order_id == ManagementOrder.id)
        .where(ManagementOrder.person_id.in_(person_ids))
    )
    return [PhaseRow(*row) for row in rows]


def infection_samples(session: Session, person_ids: Sequence[int]) -> list[tuple[int, datetime]]:
    """(person id, sampled at) of the samples that found these people's infections."""
    rows = session.execute(
        select(Infection.person_id, Infection.sampled_at).where(Infection.person_id.in_(person_ids))
    )
    return [(pid, at) for pid, at in rows]


class InfectionTimes(NamedTuple):
    reported_at: datetime
    sampled_at: datetime


def first_infection_times(session: Session, person_ids: Sequence[int]) -> dict[int, InfectionTimes]:
    """Each person's first infection: when it was sampled and reported."""
    rows = session.execute(
        select(Infection.person_id, Infection.reported_at, Infection.sampled_at)
        .where(Infection.person_id.in_(person_ids))
        .order_by(Infection.reported_at)
    )
    out: dict[int, InfectionTimes] = {}
    for pid, reported, sampled in rows:
        out.setdefault(pid, InfectionTimes(reported, sampled))
    return out


def in_quarantine_at(
    session: Session, person_ids: Sequence[int], *, at: datetime, kinds: Sequence[str]
) -> set[int]:
    """Those of these people whose order is in one of the phase `kinds` at `at`."""
    rows = session.scalars(
        select(ManagementOrder.person_id)
        .join(OrderPhase, OrderPhase.order_id == ManagementOrder.id)
        .where(
            ManagementOrder.person_id.in_(person_ids),
            OrderPhase.kind.in_(kinds),
            OrderPhase.starts_at <= at,
            OrderPhase.ends_at > at,
        )
    )
    return set(rows)
