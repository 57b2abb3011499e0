"""Will the rooms last? Rooms needed each day by the stays already running and the contacts
still waiting for a room, against the rooms there are."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.timeutil import local_date, start_of_local_day
from fangkong.people.service import addresses_where, is_person
from fangkong.quarantine.models import Room, Site, Stay, in_room_at
from fangkong.quarantine.schemas import CapacityOutlook, SiteOutlook
from fangkong.tracing.orders import Ordered, in_central_quarantine


def capacity_outlook(
    session: Session, *, now: datetime, days: int = 14, site_id: int | None = None
) -> CapacityOutlook:
    """For each site and in total: rooms occupied today and, for each of the next `days` days,
    rooms needed, against rooms available; and the first day need exceeds what there is.

    A stay needs its room until its planned end. A contact whose order is in central
    quarantine but who has no room yet (waiting) needs one from today to the phase's end;
    waiting people are counted a room each (households placed together need fewer)."""
    span, starts, sites = site_outlooks(session, now=now, days=days)
    if site_id is not None:
        return _one_site(now, span, sites, site_id)
    pending = waiting_for_rooms(session, now=now)
    households = _rooms_for(session, pending)
    waiting = [sum(1 for end in households if end > start) for start in starts]
    total_available = sum(s.available for s in sites)
    total = [sum(s.needed[i] for s in sites) + waiting[i] for i in range(days)]
    return CapacityOutlook(
        as_of=now,
        days=span,
        sites=sites,
        available=total_available,
        occupied_today=sum(s.occupied_today for s in sites),
        waiting_now=len(pending),
        needed=total,
        waiting_needed=waiting,
        waiting_people=[sum(1 for w in pending.values() if w.ends_at > start) for start in starts],
        runs_out_on=_runs_out(span, total, total_available),
    )


def site_outlooks(
    session: Session, *, now: datetime, days: int
) -> tuple[list[date], list[datetime], list[SiteOutlook]]:
    """Each site's rooms held to their planned end against rooms in service, day by day."""
    today = local_date(now)
    span = [today + timedelta(days=d) for d in range(days)]
    starts = [start_of_local_day(d) for d in span]
    available: dict[int, int] = dict(
        session.execute(
            select(Room.site_id, func.count())
            .where(Room.status != "out_of_service")
            .group_by(Room.site_id)
        ).all()
    )
    occupied_today, needed = _rooms_held(session, now, starts)
    sites = [
        SiteOutlook(
            site_id=site.id,
            name=site.name,
            available=available.get(site.id, 0),
            occupied_today=occupied_today[site.id],
            needed=list(needed[site.id]),
            runs_out_on=_runs_out(span, needed[site.id], available.get(site.id, 0)),
        )
        for site in session.scalars(select(Site).order_by(Site.county_code, Site.name))
    ]
    return span, starts, sites


def _rooms_held(
    session: Session, now: datetime, starts: list[datetime]
) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Per site: rooms occupied at `now` (a replay's moment too), and rooms still held at the
    start of each day (a family room holds several stays: rooms are counted, not people)."""
    rows = session.execute(
        select(Room.site_id, Stay.room_id, Stay.planned_end_at)
        .join(Room, Room.id == Stay.room_id)
        .where(in_room_at(now))
    ).all()
    site_of = {room_id: site for site, room_id, _ in rows}
    ends: dict[int, datetime] = {}
    for _, room_id, end in rows:
        ends[room_id] = max(end, ends.get(room_id, end))
    occupied: dict[int, int] = defaultdict(int)
    needed: dict[int, list[int]] = defaultdict(lambda: [0] * len(starts))
    for room_id, end in ends.items():
        occupied[site_of[room_id]] += 1
        for i, start in enumerate(starts):
            if end > start:
                needed[site_of[room_id]][i] += 1
    return occupied, needed


def _one_site(
    now: datetime, span: list[date], sites: list[SiteOutlook], site_id: int
) -> CapacityOutlook:
    """A site's staff see their site alone; people waiting are not theirs to place."""
    own = next((s for s in sites if s.site_id == site_id), None)
    return CapacityOutlook(
        as_of=now,
        days=span,
        sites=[own] if own else [],
        available=own.available if own else 0,
        occupied_today=own.occupied_today if own else 0,
        waiting_now=0,
        needed=own.needed if own else [0] * len(span),
        runs_out_on=own.runs_out_on if own else None,
    )


def waiting_for_rooms(session: Session, *, now: datetime) -> dict[int, Ordered]:
    """Contacts whose order is in central quarantine now but who have never had a room (and
    have not turned positive, nor been kept at home): contact id -> person and when their
    central quarantine ends."""
    ordered = in_central_quarantine(session, now=now)
    placed = set(
        session.scalars(
            select(Stay.contact_id).where(Stay.contact_id.is_not(None), Stay.placed_at <= now)
        )
    )
    return {c: end for c, end in ordered.items() if c not in placed}


def _rooms_for(session: Session, waiting: dict[int, Ordered]) -> list[datetime]:
    """The rooms the people waiting will take, each to its end: household contacts at one
    address share a family room, as placement puts them (placement.py); others a room each."""
    ends = {w.person_id: w.ends_at for w in waiting.values()}
    together = {w.person_id for w in waiting.values() if w.household}
    rooms: dict[str, datetime] = {}
    for person_id, address in addresses_where(session, is_person(list(ends))):
        home = re.sub(r"\s+", "", address)
        key = home if home and person_id in together else f"#{person_id}"
        rooms[key] = max(ends[person_id], rooms.get(key, ends[person_id]))
    return list(rooms.values())


def _runs_out(span: list[date], needed: list[int], available: int) -> date | None:
    return next((day for day, n in zip(span, needed, strict=True) if n > available), None)
