"""Turning rows into what the API and the pages show, masked for the viewer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.people.service import people_by_id, show_person
from fangkong.protocol.loader import get_protocol
from fangkong.tracing.models import Contact, Infection
from fangkong.tracing.schemas import ContactRead, InfectionRead, OrderRead, PhaseRead
from fangkong.tracing.service import count_contacts, orders_for


def present_contacts(
    session: Session, *, actor: Actor, contacts: Sequence[Contact]
) -> list[ContactRead]:
    people = people_by_id(session, {c.person_id for c in contacts})
    infections = {
        i.id: i
        for i in session.scalars(
            select(Infection).where(Infection.id.in_({c.infection_id for c in contacts}))
        )
    }
    orders = orders_for(session, [c.id for c in contacts])
    out = []
    for c in contacts:
        protocol = get_protocol(infections[c.infection_id].protocol_id)
        order = orders.get(c.id)
        out.append(
            ContactRead(
                id=c.id,
                infection_id=c.infection_id,
                person=show_person(people[c.person_id], actor),
                category=c.category,
                category_label=protocol.category(c.category).label,
                setting=c.setting,
                setting_label=protocol.settings[c.setting].label,
                exposure_at=c.exposure_at,
                identified_at=c.identified_at,
                via_contact_id=c.via_contact_id,
                relation=c.relation,
                place=c.place,
                note=c.note,
                under_control_at=c.under_control_at,
                control_kind=c.control_kind,
                order=(
                    OrderRead(
                        protocol_id=order[0].protocol_id,
                        category=order[0].category,
                        starts_at=order[0].starts_at,
                        ends_at=order[0].ends_at,
                        phases=[
                            PhaseRead(
                                kind=p.kind,
                                starts_at=p.starts_at,
                                ends_at=p.ends_at,
                                test_dates=[date.fromisoformat(d) for d in p.test_dates],
                            )
                            for p in order[1]
                        ],
                    )
                    if order
                    else None
                ),
            )
        )
    return out


def present_infections(
    session: Session, *, actor: Actor, infections: Sequence[Infection]
) -> list[InfectionRead]:
    people = people_by_id(session, {i.person_id for i in infections})
    counts = count_contacts(session, [i.id for i in infections])
    return [
        InfectionRead(
            id=i.id,
            person=show_person(people[i.person_id], actor),
            kind=i.kind,
            onset_at=i.onset_at,
            sampled_at=i.sampled_at,
            reported_at=i.reported_at,
            protocol_id=i.protocol_id,
            source_infection_id=i.source_infection_id,
            note=i.note,
            contacts=counts.get(i.id, (0, 0))[0],
            under_control=counts.get(i.id, (0, 0))[1],
        )
        for i in infections
    ]
