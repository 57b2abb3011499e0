"""How the demo's people come under control: rooms (one batch a moment, so a household shares
a family room), home quarantine, point-to-point transfers; and life in quarantine day after
day (swabs at 07:00, results by 12:00, releases in the evening, rooms cleaned next morning)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.demo.cast import YANHU
from fangkong.demo.when import at
from fangkong.people.service import people_by_id
from fangkong.quarantine.models import Room, Site
from fangkong.quarantine.schemas import SwabResult
from fangkong.quarantine.service import place_contacts
from fangkong.quarantine.stays import (
    mark_room_ready,
    pending_swabs,
    record_swab_result,
    release_due,
)
from fangkong.quarantine.transfers import advance_transfer, plan_dispatch
from fangkong.tracing import service as tracing
from fangkong.tracing.schemas import ControlKind

if TYPE_CHECKING:
    from fangkong.tracing.models import Contact


def control(
    session: Session,
    actor: Actor,
    contacts: list[Contact],
    times: list[datetime],
    how: ControlKind,
) -> None:
    """Put contacts under control at the given times (the last time repeats if short):
    "placed" places them in rooms (people placed at the same moment go as one batch, so a
    household shares a family room); "home" records home quarantine."""
    batches: dict[datetime, list[int]] = {}
    for i, contact in enumerate(contacts):
        batches.setdefault(times[min(i, len(times) - 1)], []).append(contact.id)
    for when, ids in batches.items():
        if how == "placed":
            result = place_contacts(session, actor=actor, contact_ids=ids, now=when)
            if result.unplaced:
                raise RuntimeError(f"demo placement failed: {result.unplaced}")
            continue
        for contact_id in ids:
            tracing.control_contact(
                session, actor=actor, contact_id=contact_id, how=how, at=when, now=at(9, 0)
            )


def by_transfer(session: Session, actor: Actor, contacts: list[Contact]) -> None:
    """Rooms held at 10:30, the dispatch planned, and each vehicle's run driven to the door
    and back: the contacts are under control when they arrive."""
    place_contacts(
        session,
        actor=actor,
        contact_ids=[c.id for c in contacts],
        now=at(7, 10, 30),
        by_transfer=True,
    )
    plan = plan_dispatch(session, actor=actor)
    for n, run in enumerate(plan.runs):
        leave = at(7, 10, 45) + timedelta(minutes=70 * n)
        for transfer_id in run.transfers:
            for step, minutes in (("dispatched", 0), ("picked_up", 25), ("arrived", 55)):
                advance_transfer(
                    session,
                    actor=actor,
                    transfer_id=transfer_id,
                    status=step,  # type: ignore[arg-type]
                    at=leave + timedelta(minutes=minutes),
                    now=at(9, 0),
                )


def daily_swabs_until(session: Session, linyi: Actor, yanhu: Actor, *, last_day: int) -> None:
    """Swabs every morning before breakfast (07:00), results by 12:00, all negative, up to
    `last_day` of March; then the evening's releases, and rooms cleaned the next morning."""
    for day in range(7, last_day + 1):
        due = date(2022, 3, day)
        for swab in pending_swabs(session, due_on=due):
            stay_released = swab.stay_released_at
            if stay_released is not None and stay_released < at(day, 12):
                continue
            county = people_by_id(session, [swab.person_id])[swab.person_id].county_code
            record_swab_result(
                session,
                actor=yanhu if county == YANHU else linyi,
                stay_id=swab.stay_id,
                now=at(day, 12),
                data=SwabResult(due_on=due, result="negative", sampled_at=at(day, 7)),
            )
        for actor in (linyi, yanhu):
            release_due(session, actor=actor, now=at(day, 21))
        cleaned = select(Room.id, Site.county_code).join(Site).where(Room.status == "cleaning")
        for room_id, county in session.execute(cleaned):
            mark_room_ready(session, actor=yanhu if county == YANHU else linyi, room_id=room_id)
