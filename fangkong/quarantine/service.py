"""Quarantine sites and rooms, and placing people under central-quarantine orders in them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from pydantic import ValidationError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.db import bulk_insert
from fangkong.core.errors import FieldProblem, InvalidInput
from fangkong.core.ids import division, divisions_in
from fangkong.core.settings import get_settings
from fangkong.core.sheets import Layout, Row, Table, read_sheet
from fangkong.quarantine import placement
from fangkong.quarantine.models import Room, Site, Stay, in_room_at
from fangkong.quarantine.permissions import MANAGE_SITES
from fangkong.quarantine.schemas import (
    PlacementResult,
    RoomIn,
    SiteCreate,
    SiteImportResult,
    SiteRead,
)

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


def count_rooms_in_service(session: Session) -> int:
    count = session.scalar(
        select(func.count()).select_from(Room).where(Room.status != "out_of_service")
    )
    return int(count or 0)


class RoomCounts(NamedTuple):
    """Each site's rooms by status, and how many people stay there."""

    by_status: dict[int, dict[str, int]]
    people: dict[int, int]


def list_sites(
    session: Session,
    *,
    actor: Actor | None = None,
    site_id: int | None = None,
    as_of: datetime | None = None,
) -> list[SiteRead]:
    """Every site (or one) with its rooms by status and how many people stay (counts, no
    one's name): now, or as they were `as_of` (sites opened by then, rooms occupied by the
    stays of that moment). A site's staff see their own site only."""
    if actor is not None and actor.site_id is not None:
        site_id = actor.site_id
    counts = _live_counts(session) if as_of is None else _counts_as_of(session, as_of)
    query = select(Site).order_by(Site.county_code, Site.name)
    if site_id is not None:
        query = query.where(Site.id == site_id)
    if as_of is not None:
        query = query.where(Site.created_at <= as_of)
    return [_site_read(site, counts) for site in session.scalars(query)]


def _site_read(site: Site, counts: RoomCounts) -> SiteRead:
    by_status = counts.by_status.get(site.id, {})
    d = division(site.county_code)
    return SiteRead.model_validate(site).model_copy(
        update={
            "county_name": d.name if d else None,
            "rooms": sum(by_status.values()),
            "ready": by_status.get("ready", 0),
            "occupied": by_status.get("occupied", 0),
            "cleaning": by_status.get("cleaning", 0),
            "out_of_service": by_status.get("out_of_service", 0),
            "people": counts.people.get(site.id, 0),
        }
    )


def _live_counts(session: Session) -> RoomCounts:
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for room_site, status, n in session.execute(
        select(Room.site_id, Room.status, func.count()).group_by(Room.site_id, Room.status)
    ):
        by_status[room_site][status] = n
    in_force = Stay.released_at.is_(None)
    return RoomCounts(by_status, _people_by_site(session, in_force))


def _counts_as_of(session: Session, moment: datetime) -> RoomCounts:
    """Rooms as they were at `moment`: occupied by the stays then in force; out of service as
    now (no history is kept of it); the rest ready. A room's hours of cleaning between
    occupants are not kept either, so a past moment shows none."""
    in_force = in_room_at(moment)
    occupied = dict(
        session.execute(
            select(Room.site_id, func.count(func.distinct(Room.id)))
            .join(Stay, Stay.room_id == Room.id)
            .where(in_force)
            .group_by(Room.site_id)
        ).all()
    )
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for room_site, out_of_service, n in session.execute(
        select(Room.site_id, Room.status == "out_of_service", func.count()).group_by(
            Room.site_id, Room.status == "out_of_service"
        )
    ):
        key = "out_of_service" if out_of_service else "ready"
        by_status[room_site][key] = by_status[room_site].get(key, 0) + n
    for room_site, n in occupied.items():
        by_status[room_site]["occupied"] = n
        by_status[room_site]["ready"] = by_status[room_site].get("ready", 0) - n
    return RoomCounts(by_status, _people_by_site(session, in_force))


def _people_by_site(session: Session, in_force: ColumnElement[bool]) -> dict[int, int]:
    return dict(
        session.execute(
            select(Room.site_id, func.count())
            .join(Stay, Stay.room_id == Room.id)
            .where(in_force)
            .group_by(Room.site_id)
        ).all()
    )


# -- placement ----------------------------------------------------------------------------------


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
        return placement.place(
            session,
            actor=actor,
            contact_ids=contact_ids,
            now=now,
            accessible=accessible,
            by_transfer=by_transfer,
            site_id=site_id,
            all_or_nothing=all_or_nothing,
        )


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
        problems += _site_row(table, f"row {r}", row, sites)
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


def _site_row(table: Table, loc: str, row: Row, sites: dict[str, SiteCreate]) -> list[FieldProblem]:
    """One row: its room added to its site (the site made on its first row); its problems."""
    kind = SITE_KINDS.get(table.text(row, "kind").lower())
    county = _county_code(table.text(row, "county"))
    room_kind = ROOM_KINDS.get(table.text(row, "room_kind").lower())
    problems = [
        FieldProblem((loc, table.heading(column)), f"unknown value; use {known}")
        for column, value, known in (
            ("kind", kind, "酒店, 宿舍, 方舱"),
            ("county", county, "a county of this city"),
            ("room_kind", room_kind, "单人间, 家庭间, 无障碍间"),
        )
        if value is None
    ]
    name = table.text(row, "site")
    cell = table.text
    try:
        room = RoomIn(
            building=cell(row, "building"),
            floor=int(cell(row, "floor") or 1),
            number=cell(row, "number"),
            kind=room_kind or "single",
            capacity=int(cell(row, "capacity")) if cell(row, "capacity") else None,
        )
        site = sites.get(name) or SiteCreate(
            name=name,
            kind=kind or "hotel",
            county_code=county or "000000",
            address=cell(row, "address"),
            lon=float(cell(row, "lon")) if cell(row, "lon") else None,
            lat=float(cell(row, "lat")) if cell(row, "lat") else None,
            staff=cell(row, "staff"),
        )
    except (ValidationError, ValueError) as exc:
        return [*problems, FieldProblem((loc,), str(exc).splitlines()[0])]
    if site.county_code != (county or site.county_code) or site.kind != (kind or site.kind):
        problems.append(
            FieldProblem(
                (loc, table.heading("site")),
                f"{name} appears with another county or type on an earlier row",
            )
        )
    site.rooms.append(room)
    sites[name] = site
    return problems
