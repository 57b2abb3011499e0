"""Placing a batch of contacts under central-quarantine orders in rooms, step by step:
gather who may be placed and group households, keep infants with a parent, claim rooms
(largest households first), then write the stays and swabs at once."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.db import bulk_insert, in_chunks
from fangkong.core.errors import FieldProblem, InvalidInput
from fangkong.core.i18n import _
from fangkong.core.timeutil import local_date
from fangkong.people.service import people_by_id, show_person
from fangkong.quarantine.models import Room, Site, Stay, Transfer, in_room_at
from fangkong.quarantine.permissions import PLACE_CONTACTS
from fangkong.quarantine.schemas import Placed, PlacementResult, Unplaced
from fangkong.quarantine.stays import schedule_swabs
from fangkong.tracing.service import contacts_in_reach, mark_under_control, orders_for

if TYPE_CHECKING:
    from fangkong.people.models import Person
    from fangkong.tracing.models import Contact, OrderPhase


@dataclass
class _Group:
    """People who share a room: a household, or one person."""

    key: str
    county: str | None
    contacts: list[Contact] = field(default_factory=list)
    ends_at: datetime | None = None
    accessible: bool = False


def _household_key(person: Person) -> str:
    return re.sub(r"\s+", "", person.address)


def _is_infant(person: Person, today: date) -> bool:
    if person.age_text and "月" in person.age_text:
        return True
    return person.birth_date is not None and (today - person.birth_date).days < 3 * 365


def _central_phase(phases: Sequence[OrderPhase], now: datetime) -> OrderPhase | None:
    return next((p for p in phases if p.kind == "central_quarantine" and p.ends_at > now), None)


def _site_order(sites: Sequence[Site], county: str | None) -> list[int]:
    """The county's own sites first, then the others nearest first: distance from the centre
    of the county's sites (or of all sites, for a county without one)."""
    own = [s for s in sites if s.county_code == county]
    located = [s for s in (own or sites) if s.lon is not None and s.lat is not None]
    if located:
        lon0 = sum(s.lon or 0 for s in located) / len(located)
        lat0 = sum(s.lat or 0 for s in located) / len(located)
    else:
        lon0 = lat0 = 0.0

    def distance(site: Site) -> float:
        if site.lon is None or site.lat is None:
            return math.inf
        dx = (site.lon - lon0) * math.cos(math.radians(lat0))
        return math.hypot(dx, site.lat - lat0)

    return [s.id for s in sorted(sites, key=lambda s: (s.county_code != county, distance(s), s.id))]


@dataclass
class _Batch:
    """A placement on its way: who is placed where, who is not and why."""

    actor: Actor
    now: datetime
    by_transfer: bool
    people: dict[int, Person] = field(default_factory=dict)
    groups: dict[str, _Group] = field(default_factory=dict)
    test_dates: dict[int, list[str]] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)
    stays: list[dict[str, object]] = field(default_factory=list)
    placed: list[Placed] = field(default_factory=list)
    arrived: list[int] = field(default_factory=list)  # contact ids in a room now

    def refuse(self, contacts: Sequence[Contact], reason: str) -> None:
        self.unplaced += [Unplaced(contact_id=c.id, reason=reason) for c in contacts]


@dataclass
class _FreeRooms:
    """Ready rooms by (site, kind), each list taken from its end; sites in the order each
    county uses them."""

    ready: dict[tuple[int, str], list[Room]]
    site_names: dict[int, str]
    order_for: dict[str | None, list[int]]


def place(
    session: Session,
    *,
    actor: Actor,
    contact_ids: Sequence[int],
    now: datetime,
    accessible: Sequence[int],
    by_transfer: bool,
    site_id: int | None,
    all_or_nothing: bool,
) -> PlacementResult:
    """service.place_contacts, inside its savepoint."""
    actor.require(PLACE_CONTACTS, what="place_contacts")
    if site_id is not None and session.get(Site, site_id) is None:
        raise InvalidInput.at(("site_id",), f"site {site_id} does not exist")
    batch = _Batch(actor=actor, now=now, by_transfer=by_transfer)
    _gather(session, batch, contact_ids, set(accessible))
    _keep_infants_with_parents(batch, today=local_date(now))
    rooms = _free_rooms(session, batch, site_id)
    # Larger households first: family rooms are the scarce ones. Then in the batch's order
    # (a stable sort): first asked, first housed, whatever the ids.
    for group in sorted(batch.groups.values(), key=lambda g: -len(g.contacts)):
        _house(session, batch, rooms, group)
    # Placed counts as under control for the 48-hour KPI. Set after the claims, so the room
    # updates above do not each flush a changed contact first.
    mark_under_control(session, contact_ids=batch.arrived, at=now, how="placed")
    if all_or_nothing and batch.unplaced:
        problems = [FieldProblem(("contact_ids", u.contact_id), u.reason) for u in batch.unplaced]
        raise InvalidInput("not every contact could be placed; nothing was", problems)
    return _write(session, batch)


def _gather(
    session: Session, batch: _Batch, contact_ids: Sequence[int], accessible: set[int]
) -> None:
    """The contacts the actor reaches, grouped into households, with their central phase;
    the others unplaced with why."""
    wanted = list(dict.fromkeys(contact_ids))
    reach = contacts_in_reach(session, actor=batch.actor, contact_ids=wanted)
    # Absent, or outside the jurisdiction: nobody learns which.
    absent = [i for i in wanted if i not in reach]
    batch.unplaced += [Unplaced(contact_id=i, reason=_("no such contact")) for i in absent]
    contacts = [reach[i] for i in wanted if i in reach]
    batch.people = people_by_id(session, {c.person_id for c in contacts})
    orders = orders_for(session, [c.id for c in contacts])
    staying = _staying(session, list(batch.people), batch.now)
    for contact in contacts:
        person = batch.people[contact.person_id]
        phases = orders[contact.id][1] if contact.id in orders else []
        phase = _central_phase(phases, batch.now)
        # Someone in a room is told so first: their order may well have moved on since.
        if person.id in staying:
            batch.refuse([contact], _("already placed in room %(room)s", room=staying[person.id]))
        elif phase is None:
            batch.refuse([contact], _("no central-quarantine order"))
        else:
            _join_group(batch, contact, person, phase, contact.id in accessible)


def _staying(session: Session, person_ids: list[int], now: datetime) -> dict[int, int]:
    """Person -> the room they are in at `now` (a replay's moment may precede a release)."""
    return {
        person_id: room_id
        for chunk in in_chunks(person_ids)
        for person_id, room_id in session.execute(
            select(Stay.person_id, Stay.room_id).where(Stay.person_id.in_(chunk), in_room_at(now))
        )
    }


def _join_group(
    batch: _Batch, contact: Contact, person: Person, phase: OrderPhase, accessible: bool
) -> None:
    """Household contacts at one address share a room; everyone else has one of their own."""
    key = (
        f"household:{_household_key(person)}"
        if contact.setting == "household" and person.address
        else f"person:{person.id}"
    )
    group = batch.groups.setdefault(key, _Group(key=key, county=person.county_code))
    if any(c.person_id == person.id for c in group.contacts):
        return
    group.contacts.append(contact)
    group.ends_at = max(group.ends_at or phase.ends_at, phase.ends_at)
    batch.test_dates[contact.id] = phase.test_dates
    group.accessible |= accessible


def _keep_infants_with_parents(batch: _Batch, *, today: date) -> None:
    """A group of infants alone is not placed: an infant goes with a parent."""
    for group in list(batch.groups.values()):
        infants = [c for c in group.contacts if _is_infant(batch.people[c.person_id], today)]
        if infants and len(infants) == len(group.contacts):
            batch.refuse(
                group.contacts,
                _("an infant is placed with a parent: add the parent's contact to the batch"),
            )
            del batch.groups[group.key]


def _free_rooms(session: Session, batch: _Batch, site_id: int | None) -> _FreeRooms:
    open_sites = select(Site).where(Site.created_at <= batch.now)  # open by then
    if site_id is not None:
        open_sites = open_sites.where(Site.id == site_id)
    sites = list(session.scalars(open_sites))
    ready: dict[tuple[int, str], list[Room]] = defaultdict(list)
    for free in session.scalars(
        select(Room)
        .where(Room.status == "ready", Room.site_id.in_([site.id for site in sites]))
        .order_by(Room.site_id, Room.building, Room.floor, Room.number)
    ):
        ready[(free.site_id, free.kind)].append(free)
    for rooms in ready.values():
        rooms.reverse()  # taken from the end: the first room in order is the last item
    counties = {g.county for g in batch.groups.values()}
    return _FreeRooms(
        ready=ready,
        site_names={s.id: s.name for s in sites},
        order_for={county: _site_order(sites, county) for county in counties},
    )


def _house(session: Session, batch: _Batch, rooms: _FreeRooms, group: _Group) -> None:
    """Claim a room that fits the group, plan its transfer if asked, and note its stays."""
    size = len(group.contacts)
    kinds: tuple[str, ...]
    if size > 1:
        kinds, wanted = ("family",), _("family room")
    elif group.accessible:
        kinds, wanted = ("accessible",), _("accessible room")
    else:
        kinds, wanted = ("single", "accessible"), _("single room")
    room = _claim(session, rooms.ready, rooms.order_for[group.county], kinds, size)
    if room is None:
        batch.refuse(group.contacts, _("no %(room)s free at any site", room=wanted))
        return
    assert group.ends_at is not None
    site_name = rooms.site_names[room.site_id]
    transfer_id = _plan_transfer(session, batch, group, room, site_name)
    for c in group.contacts:
        person = batch.people[c.person_id]
        batch.stays.append(
            {
                "person_id": person.id,
                "room_id": room.id,
                "contact_id": c.id,
                "household": group.key[:64],
                "placed_at": batch.now,
                "arrived_at": None if batch.by_transfer else batch.now,
                "transfer_id": transfer_id,
                "planned_end_at": group.ends_at,
                "released_at": None,
            }
        )
        batch.placed.append(
            Placed(
                contact_id=c.id,
                person=show_person(person, batch.actor),
                site_id=room.site_id,
                site_name=site_name,
                room_id=room.id,
                room=f"{room.building}{'-' if room.building else ''}{room.number}",
                household=group.key,
                placed_at=batch.now,
            )
        )
        if not batch.by_transfer:
            batch.arrived.append(c.id)


def _plan_transfer(
    session: Session, batch: _Batch, group: _Group, room: Room, site_name: str
) -> int | None:
    """With `by_transfer`, the room is held and a point-to-point transfer planned."""
    if not batch.by_transfer:
        return None
    first = batch.people[group.contacts[0].person_id]
    transfer = Transfer(
        household=group.key[:64],
        people=len(group.contacts),
        pickup_address=first.address,
        pickup_county=first.county_code,
        site_id=room.site_id,
        destination=site_name,
        status="planned",
        planned_at=batch.now,
    )
    session.add(transfer)
    session.flush()
    return transfer.id


def _write(session: Session, batch: _Batch) -> PlacementResult:
    bulk_insert(session, Stay, batch.stays)
    contact_ids = [int(str(row["contact_id"])) for row in batch.stays]
    schedule_swabs(session, contact_ids, batch.test_dates, today=local_date(batch.now))
    record_audit(
        session,
        actor=batch.actor,
        action="place",
        entity="placement",
        entity_id=len(batch.placed),
        now=batch.now,
        detail=f"{len(batch.placed)} placed, {len(batch.unplaced)} not placed",
    )
    session.flush()
    unplaced = sorted(batch.unplaced, key=lambda u: u.contact_id)
    return PlacementResult(placed=batch.placed, unplaced=unplaced)


# Core, not the ORM: thousands of claims per batch, each a single-row conditional update.
_rooms = Room.__table__
CLAIM = (
    update(_rooms)  # type: ignore[arg-type]
    .where(_rooms.c.id == bindparam("room_id"), _rooms.c.status == "ready")
    .values(status="occupied")
)


def _claim(
    session: Session,
    ready: dict[tuple[int, str], list[Room]],
    site_order: Sequence[int],
    kinds: Sequence[str],
    size: int,
) -> Room | None:
    """Take the first free room that fits, site by site. The UPDATE only succeeds while the
    room is still ready, so a room another placement took meanwhile is skipped."""
    connection = session.connection()
    for site_id in site_order:
        for kind in kinds:  # accessible rooms only once singles run out
            candidates = ready.get((site_id, kind), [])
            i = len(candidates) - 1
            while i >= 0:
                room = candidates[i]
                if room.capacity < size:
                    i -= 1
                    continue
                del candidates[i]
                i -= 1
                taken = connection.execute(CLAIM, {"room_id": room.id})
                if taken.rowcount == 1:
                    return room
    return None
