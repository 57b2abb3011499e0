"""Quarantine sites and rooms, and placing people under central-quarantine orders in them."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.db import bulk_insert, in_chunks
from fangkong.core.errors import FieldProblem, InvalidInput
from fangkong.core.ids import division, divisions_in
from fangkong.core.settings import get_settings
from fangkong.core.sheets import Layout, read_sheet
from fangkong.core.timeutil import local_date
from fangkong.people.service import people_by_id, show_person
from fangkong.quarantine.models import Room, Site, Stay, Transfer
from fangkong.quarantine.permissions import MANAGE_SITES, PLACE_CONTACTS
from fangkong.quarantine.schemas import (
    Placed,
    PlacementResult,
    RoomIn,
    SiteCreate,
    SiteImportResult,
    SiteRead,
    Unplaced,
)
from fangkong.quarantine.stays import schedule_swabs
from fangkong.tracing.service import contacts_in_reach, mark_under_control, orders_for

if TYPE_CHECKING:
    from fangkong.people.models import Person
    from fangkong.tracing.models import Contact, OrderPhase

FAMILY_CAPACITY = 4


# -- sites and rooms ----------------------------------------------------------------------------


def create_site(session: Session, *, actor: Actor, data: SiteCreate, now: datetime) -> Site:
    actor.require(MANAGE_SITES, what="manage_sites")
    if division(data.county_code) is None or not data.county_code.startswith(
        get_settings().city_code
    ):
        raise InvalidInput.at(("county_code",), f"{data.county_code} is not a county of this city")
    site = session.scalar(select(Site).where(Site.name == data.name))
    if site is None:
        site = Site(
            name=data.name,
            kind=data.kind,
            county_code=data.county_code,
            address=data.address,
            lon=data.lon,
            lat=data.lat,
            staff=data.staff,
            created_at=now,
        )
        session.add(site)
        session.flush()
    add_rooms(session, site_id=site.id, rooms=data.rooms)
    return site


def add_rooms(session: Session, *, site_id: int, rooms: Sequence[RoomIn]) -> tuple[int, int]:
    """Add rooms to a site; a room already there (same building and number) is left as it is.
    Returns (created, already there)."""
    query = select(Room.building, Room.number).where(Room.site_id == site_id)
    known: set[tuple[str, str]] = {
        (building, number) for building, number in session.execute(query)
    }
    fresh = []
    for room in rooms:
        key = (room.building, room.number)
        if key in known:
            continue
        known.add(key)
        capacity = room.capacity or (FAMILY_CAPACITY if room.kind == "family" else 1)
        fresh.append(
            {
                "site_id": site_id,
                "building": room.building,
                "floor": room.floor,
                "number": room.number,
                "kind": room.kind,
                "capacity": capacity,
                "status": "ready",
            }
        )
    bulk_insert(session, Room, fresh)
    return len(fresh), len(rooms) - len(fresh)


def list_sites(session: Session, *, site_id: int | None = None) -> list[SiteRead]:
    """Every site (or one) with its rooms by status and the people staying now."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for room_site, status, n in session.execute(
        select(Room.site_id, Room.status, func.count()).group_by(Room.site_id, Room.status)
    ):
        counts[room_site][status] = n
    people = dict(
        session.execute(
            select(Room.site_id, func.count())
            .join(Stay, Stay.room_id == Room.id)
            .where(Stay.released_at.is_(None))
            .group_by(Room.site_id)
        ).all()
    )
    out = []
    query = select(Site).order_by(Site.county_code, Site.name)
    if site_id is not None:
        query = query.where(Site.id == site_id)
    for site in session.scalars(query):
        by_status = counts.get(site.id, {})
        d = division(site.county_code)
        out.append(
            SiteRead.model_validate(site).model_copy(
                update={
                    "county_name": d.name if d else None,
                    "rooms": sum(by_status.values()),
                    "ready": by_status.get("ready", 0),
                    "occupied": by_status.get("occupied", 0),
                    "cleaning": by_status.get("cleaning", 0),
                    "out_of_service": by_status.get("out_of_service", 0),
                    "people": people.get(site.id, 0),
                }
            )
        )
    return out


# -- placement ----------------------------------------------------------------------------------


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


def place_contacts(
    session: Session,
    *,
    actor: Actor,
    contact_ids: Sequence[int],
    now: datetime,
    accessible: Sequence[int] = (),
    by_transfer: bool = False,
    site_id: int | None = None,
    all_or_nothing: bool = False,
) -> PlacementResult:
    """Put a batch of contacts under central-quarantine orders into rooms.

    One person a single room; a household (the batch's household contacts at one address,
    an infant with a parent) shares a family room; people who need an accessible room get one.
    The county's own sites come first, then the nearest (or only `site_id`). Each room is
    claimed with a conditional update, so concurrent placements never put two households in
    one room. Anyone who cannot be placed is returned with the reason; everyone else is placed,
    unless `all_or_nothing`, when any of them is an error and nothing is written.

    `by_transfer`: the room is held and a point-to-point transfer planned for each household;
    the person is under control when the transfer arrives. Otherwise they are there now."""
    with session.begin_nested():  # a refused batch leaves no room claimed
        return _place_contacts(
            session,
            actor=actor,
            contact_ids=contact_ids,
            now=now,
            accessible=accessible,
            by_transfer=by_transfer,
            site_id=site_id,
            all_or_nothing=all_or_nothing,
        )


def _place_contacts(
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
    actor.require(PLACE_CONTACTS, what="place_contacts")
    if site_id is not None and session.get(Site, site_id) is None:
        raise InvalidInput.at(("site_id",), f"site {site_id} does not exist")
    today = local_date(now)
    unplaced: list[Unplaced] = []
    reach = contacts_in_reach(session, actor=actor, contact_ids=contact_ids)
    contacts = [reach[i] for i in dict.fromkeys(contact_ids) if i in reach]
    unplaced += [
        Unplaced(contact_id=i, reason="no such contact")  # absent, or outside the jurisdiction
        for i in dict.fromkeys(contact_ids)
        if i not in reach
    ]
    people = people_by_id(session, {c.person_id for c in contacts})
    orders = orders_for(session, [c.id for c in contacts])
    staying = {
        person_id: room_id
        for chunk in in_chunks(people)
        for person_id, room_id in session.execute(
            select(Stay.person_id, Stay.room_id).where(
                Stay.person_id.in_(chunk), Stay.released_at.is_(None)
            )
        )
    }

    groups: dict[str, _Group] = {}
    test_dates: dict[int, list[str]] = {}
    for contact in contacts:
        person = people[contact.person_id]
        phase = _central_phase(orders[contact.id][1], now) if contact.id in orders else None
        if phase is None:
            unplaced.append(Unplaced(contact_id=contact.id, reason="no central-quarantine order"))
            continue
        if person.id in staying:
            reason = f"already placed in room {staying[person.id]}"
            unplaced.append(Unplaced(contact_id=contact.id, reason=reason))
            continue
        key = (
            f"household:{_household_key(person)}"
            if contact.setting == "household" and person.address
            else f"person:{person.id}"
        )
        group = groups.setdefault(key, _Group(key=key, county=person.county_code))
        if any(c.person_id == person.id for c in group.contacts):
            continue
        group.contacts.append(contact)
        group.ends_at = max(group.ends_at or phase.ends_at, phase.ends_at)
        test_dates[contact.id] = phase.test_dates
        group.accessible |= contact.id in accessible

    for group in list(groups.values()):
        infants = [c for c in group.contacts if _is_infant(people[c.person_id], today)]
        if infants and len(infants) == len(group.contacts):
            for c in group.contacts:
                unplaced.append(
                    Unplaced(
                        contact_id=c.id,
                        reason="an infant is placed with a parent: add "
                        "the parent's contact to the batch",
                    )
                )
            del groups[group.key]

    open_sites = select(Site).where(Site.created_at <= now)  # open by then
    if site_id is not None:
        open_sites = open_sites.where(Site.id == site_id)
    sites = list(session.scalars(open_sites))
    site_names = {s.id: s.name for s in sites}
    ready: dict[tuple[int, str], list[Room]] = defaultdict(list)
    for free in session.scalars(
        select(Room)
        .where(Room.status == "ready", Room.site_id.in_([site.id for site in sites]))
        .order_by(Room.site_id, Room.building, Room.floor, Room.number)
    ):
        ready[(free.site_id, free.kind)].append(free)
    for rooms in ready.values():
        rooms.reverse()  # taken from the end: the first room in order is the last item
    orders_by_county = {
        county: _site_order(sites, county) for county in {g.county for g in groups.values()}
    }

    stays: list[dict[str, object]] = []
    placed: list[Placed] = []
    arrived: list[Contact] = []
    # Larger households first: family rooms are the scarce ones.
    for group in sorted(groups.values(), key=lambda g: (-len(g.contacts), g.key)):
        size = len(group.contacts)
        kinds: tuple[str, ...]
        if size > 1:
            kinds, wanted = ("family",), "family room"
        elif group.accessible:
            kinds, wanted = ("accessible",), "accessible room"
        else:
            kinds, wanted = ("single", "accessible"), "single room"
        room = _claim(session, ready, orders_by_county[group.county], kinds, size)
        if room is None:
            for c in group.contacts:
                unplaced.append(Unplaced(contact_id=c.id, reason=f"no {wanted} free at any site"))
            continue
        assert group.ends_at is not None
        transfer_id = None
        if by_transfer:
            first = people[group.contacts[0].person_id]
            transfer = Transfer(
                household=group.key[:64],
                people=size,
                pickup_address=first.address,
                pickup_county=first.county_code,
                site_id=room.site_id,
                destination=site_names[room.site_id],
                status="planned",
                planned_at=now,
            )
            session.add(transfer)
            session.flush()
            transfer_id = transfer.id
        for c in group.contacts:
            person = people[c.person_id]
            stays.append(
                {
                    "person_id": person.id,
                    "room_id": room.id,
                    "contact_id": c.id,
                    "household": group.key[:64],
                    "placed_at": now,
                    "arrived_at": None if by_transfer else now,
                    "transfer_id": transfer_id,
                    "planned_end_at": group.ends_at,
                    "released_at": None,
                }
            )
            placed.append(
                Placed(
                    contact_id=c.id,
                    person=show_person(person, actor),
                    site_id=room.site_id,
                    site_name=site_names[room.site_id],
                    room_id=room.id,
                    room=f"{room.building}{'-' if room.building else ''}{room.number}",
                    household=group.key,
                    placed_at=now,
                )
            )
            if not by_transfer:
                arrived.append(c)
    # Placed counts as under control for the 48-hour KPI. Set after the claims, so the room
    # updates above do not each flush a changed contact first.
    mark_under_control(session, contact_ids=[c.id for c in arrived], at=now, how="placed")
    if all_or_nothing and unplaced:
        problems = [FieldProblem(("contact_ids", u.contact_id), u.reason) for u in unplaced]
        raise InvalidInput("not every contact could be placed; nothing was", problems)
    bulk_insert(session, Stay, stays)
    schedule_swabs(session, [int(str(row["contact_id"])) for row in stays], test_dates, today=today)
    record_audit(
        session,
        actor=actor,
        action="place",
        entity="placement",
        entity_id=len(placed),
        now=now,
        detail=f"{len(placed)} placed, {len(unplaced)} not placed",
    )
    session.flush()
    return PlacementResult(placed=placed, unplaced=sorted(unplaced, key=lambda u: u.contact_id))


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


# -- sites and rooms from a spreadsheet ----------------------------------------------------------

SITE_LAYOUT = Layout(
    headers={
        "site": ("隔离点名称", "隔离点", "场所名称", "名称", "site", "site name"),
        "kind": ("类型", "场所类型", "隔离点类型", "kind", "type"),
        "county": ("县区", "所属县区", "县(市、区)", "county"),
        "address": ("地址", "详细地址", "address"),
        "lon": ("经度", "lon", "longitude"),
        "lat": ("纬度", "lat", "latitude"),
        "staff": ("联系人及电话", "负责人", "联系人", "staff", "contact"),
        "building": ("楼栋", "楼号", "栋", "building"),
        "floor": ("楼层", "层", "floor"),
        "number": ("房间号", "房号", "房间", "room", "number"),
        "room_kind": ("房型", "房间类型", "room kind", "room type"),
        "capacity": ("容纳人数", "床位数", "capacity", "beds"),
    },
    required=("site", "kind", "county", "number"),
    anchor="site",
)
SITE_KINDS = {
    "酒店": "hotel",
    "宾馆": "hotel",
    "hotel": "hotel",
    "宿舍": "dormitory",
    "dormitory": "dormitory",
    "方舱": "cabin",
    "方舱医院": "cabin",
    "cabin": "cabin",
}
ROOM_KINDS = {
    "单人间": "single",
    "单间": "single",
    "single": "single",
    "家庭间": "family",
    "家庭房": "family",
    "family": "family",
    "无障碍间": "accessible",
    "无障碍": "accessible",
    "accessible": "accessible",
    "": "single",
}


def _county_code(text: str) -> str | None:
    if text.isdigit():
        return text
    for d in divisions_in(get_settings().city_code):
        if text in (d.name, d.name[:-1]):
            return d.code
    return None


def import_sites(
    session: Session, *, actor: Actor, filename: str, content: bytes, now: datetime
) -> SiteImportResult:
    """Sites and rooms from one sheet, a row a room ("160 cabin rooms built in two days" arrive
    this way). All rows or none; a room already loaded is left as it is."""
    actor.require(MANAGE_SITES, what="manage_sites")
    table = read_sheet(filename, content, SITE_LAYOUT)
    problems: list[FieldProblem] = []
    sites: dict[str, SiteCreate] = {}
    for r, row in table:
        loc = f"row {r}"
        kind = SITE_KINDS.get(table.text(row, "kind").lower())
        county = _county_code(table.text(row, "county"))
        room_kind = ROOM_KINDS.get(table.text(row, "room_kind").lower())
        for column, value, known in (
            ("kind", kind, "酒店, 宿舍, 方舱"),
            ("county", county, "a county of this city"),
            ("room_kind", room_kind, "单人间, 家庭间, 无障碍间"),
        ):
            if value is None:
                problems.append(
                    FieldProblem((loc, table.heading(column)), f"unknown value; use {known}")
                )
        name = table.text(row, "site")
        try:
            room = RoomIn(
                building=table.text(row, "building"),
                floor=int(table.text(row, "floor") or 1),
                number=table.text(row, "number"),
                kind=room_kind or "single",
                capacity=int(table.text(row, "capacity")) if table.text(row, "capacity") else None,
            )
            site = sites.get(name) or SiteCreate(
                name=name,
                kind=kind or "hotel",
                county_code=county or "000000",
                address=table.text(row, "address"),
                lon=float(table.text(row, "lon")) if table.text(row, "lon") else None,
                lat=float(table.text(row, "lat")) if table.text(row, "lat") else None,
                staff=table.text(row, "staff"),
            )
        except (ValidationError, ValueError) as exc:
            problems.append(FieldProblem((loc,), str(exc).splitlines()[0]))
            continue
        if site.county_code != (county or site.county_code) or site.kind != (kind or site.kind):
            problems.append(
                FieldProblem(
                    (loc, table.heading("site")),
                    f"{name} appears with another county or type on an earlier row",
                )
            )
        site.rooms.append(room)
        sites[name] = site
    if problems:
        raise InvalidInput(f"{filename}: {len(problems)} problem(s)", problems)
    created_sites = created_rooms = existing_rooms = 0
    with session.begin_nested():
        for data in sites.values():
            known = session.scalar(select(Site.id).where(Site.name == data.name))
            bare = data.model_copy(update={"rooms": []})
            saved = create_site(session, actor=actor, data=bare, now=now)
            created, existing = add_rooms(session, site_id=saved.id, rooms=data.rooms)
            created_sites += known is None
            created_rooms += created
            existing_rooms += existing
    return SiteImportResult(
        sites_created=created_sites, rooms_created=created_rooms, rooms_existing=existing_rooms
    )
