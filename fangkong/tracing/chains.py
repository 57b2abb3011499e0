"""Chains of transmission: which infection infected which, by generation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.ids import mask_name
from fangkong.people.service import people_by_id, sees_in_full
from fangkong.tracing.models import Contact, Infection
from fangkong.tracing.schemas import Chain, ChainEdge, ChainNode
from fangkong.tracing.service import get_infection

if TYPE_CHECKING:
    from fangkong.people.models import Person


def cluster_of(session: Session, root_id: int) -> dict[int, Infection]:
    """Every infection descended from `root_id`, the root included."""
    found = {root_id: session.get_one(Infection, root_id)}
    frontier = [root_id]
    while frontier:
        children = list(
            session.scalars(select(Infection).where(Infection.source_infection_id.in_(frontier)))
        )
        frontier = [c.id for c in children if c.id not in found]
        found.update({c.id: c for c in children})
    return found


def root_of(session: Session, infection: Infection) -> Infection:
    seen = {infection.id}
    while infection.source_infection_id is not None:
        parent = session.get_one(Infection, infection.source_infection_id)
        if parent.id in seen:
            break
        seen.add(parent.id)
        infection = parent
    return infection


def transmission_chain(
    session: Session, *, actor: Actor, infection_id: int, include_contacts: bool = True
) -> Chain:
    """The whole cluster around an infection, from its root case down, with generations
    (the root is generation 1) and, if asked, every traced contact hanging off each case."""
    start = get_infection(session, actor=actor, infection_id=infection_id)
    root = root_of(session, start)
    cluster = cluster_of(session, root.id)
    people = people_by_id(session, {i.person_id for i in cluster.values()})
    generation = _generations(cluster, root.id)
    nodes = [
        ChainNode(
            id=f"i{inf.id}",
            kind="infection",
            label=_label(actor, people[inf.person_id]),
            generation=generation.get(inf.id),
            infection_kind=inf.kind,
            reported_at=inf.reported_at,
        )
        for inf in sorted(cluster.values(), key=lambda i: i.reported_at)
    ]
    edges = [
        ChainEdge(source=f"i{inf.source_infection_id}", target=f"i{inf.id}", kind="transmission")
        for inf in cluster.values()
        if inf.source_infection_id in cluster
    ]
    if include_contacts:
        _add_contacts(session, actor, cluster, nodes, edges)
    return Chain(
        root_infection_id=root.id,
        infections=len(cluster),
        generations=max(generation.values()),
        nodes=nodes,
        edges=edges,
    )


def _label(actor: Actor, person: Person) -> str:
    return person.name if sees_in_full(actor, person) else mask_name(person.name)


def _generations(cluster: dict[int, Infection], root_id: int) -> dict[int, int]:
    generation = {root_id: 1}
    pending = [root_id]
    while pending:
        parent = pending.pop()
        for child in cluster.values():
            if child.source_infection_id == parent and child.id not in generation:
                generation[child.id] = generation[parent] + 1
                pending.append(child.id)
    return generation


def _add_contacts(
    session: Session,
    actor: Actor,
    cluster: dict[int, Infection],
    nodes: list[ChainNode],
    edges: list[ChainEdge],
) -> None:
    """Every traced contact of the cluster's cases (labels masked outside the actor's
    jurisdiction), hanging off its case or the contact it was exposed through."""
    contacts = list(
        session.scalars(
            select(Contact).where(Contact.infection_id.in_(list(cluster))).order_by(Contact.id)
        )
    )
    people = people_by_id(session, {c.person_id for c in contacts})
    infection_of_person = {inf.person_id: inf.id for inf in cluster.values()}
    person_of_contact = {c.id: c.person_id for c in contacts}
    for contact in contacts:
        if contact.person_id in infection_of_person:
            continue
        nodes.append(
            ChainNode(
                id=f"c{contact.id}",
                kind="contact",
                label=_label(actor, people[contact.person_id]),
                category=contact.category,
                under_control=contact.under_control_at is not None,
            )
        )
        if contact.via_contact_id is None:
            edges.append(
                ChainEdge(
                    source=f"i{contact.infection_id}", target=f"c{contact.id}", kind="exposure"
                )
            )
            continue
        # A secondary contact reached through someone who turned out infected hangs off that
        # case.
        via_person = person_of_contact.get(contact.via_contact_id)
        source = (
            f"i{infection_of_person[via_person]}"
            if via_person in infection_of_person
            else f"c{contact.via_contact_id}"
        )
        edges.append(ChainEdge(source=source, target=f"c{contact.id}", kind="via"))
