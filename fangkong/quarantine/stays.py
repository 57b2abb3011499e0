"""Life in quarantine: the swabs the protocol requires, their results, release and cleaning."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.db import bulk_insert, in_chunks
from fangkong.core.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.sheets import text_row
from fangkong.core.timeutil import fmt_local, future, local_date, start_of_local_day
from fangkong.people.schemas import PersonRead
from fangkong.people.service import people_by_id, readable_by, require_covers, show_person
from fangkong.quarantine.models import Room, Site, Stay, Swab, in_room_at
from fangkong.quarantine.permissions import SITE_WORK
from fangkong.quarantine.schemas import Held, ReleaseResult, StayRead, SwabRead, SwabResult
from fangkong.tracing.service import open_infection_from_test


def schedule_swabs(
    session: Session, contact_ids: Sequence[int], test_dates: dict[int, list[str]], *, today: date
) -> None:
    """A swab for every test day of the order still ahead of (or on) the placement day."""
    rows = []
    for chunk in in_chunks(contact_ids):
        query = select(Stay.id, Stay.person_id, Stay.contact_id).where(
            Stay.contact_id.in_(chunk), Stay.released_at.is_(None)
        )
        for stay_id, person_id, contact_id in session.execute(query):
            for day in test_dates.get(contact_id or 0, []):
                if date.fromisoformat(day) >= today:
                    rows.append(
                        {
                            "stay_id": stay_id,
                            "person_id": person_id,
                            "due_on": date.fromisoformat(day),
                        }
                    )
    bulk_insert(session, Swab, rows)


def require_site(actor: Actor, site_id: int) -> None:
    """Users of a site see only their site."""
    if actor.site_id is not None and actor.site_id != site_id:
        raise NotFound(_("site %(id)s not found", id=site_id))


def changeable_sites(actor: Actor) -> Select[int]:
    """The ids of the sites whose rooms an actor may change: a site's staff their site, county
    staff their county's sites, city-wide staff every site."""
    query = select(Site.id)
    if actor.site_id is not None:
        return query.where(Site.id == actor.site_id)
    if actor.jurisdiction is not None:
        return query.where(Site.county_code == actor.jurisdiction)
    return query


def _stay(session: Session, actor: Actor, stay_id: int) -> Stay:
    stay = session.get(Stay, stay_id)
    if stay is None:
        raise NotFound(_("stay %(id)s not found", id=stay_id))
    if actor.site_id is not None:
        require_site(actor, session.get_one(Room, stay.room_id).site_id)
    else:
        require_covers(actor, people_by_id(session, [stay.person_id])[stay.person_id])
    return stay


def _free_room(session: Session, room_id: int) -> None:
    """A room whose last occupant left goes to cleaning."""
    still = session.scalar(
        select(func.count())
        .select_from(Stay)
        .where(Stay.room_id == room_id, Stay.released_at.is_(None))
    )
    if not still:
        room = session.get_one(Room, room_id)
        room.status = "cleaning"


def record_swab_result(
    session: Session,
    *,
    actor: Actor,
    stay_id: int,
    data: SwabResult,
    now: datetime,
) -> Swab:
    """The result of a scheduled swab. A positive one opens an infection (tracing starts for
    the person) and ends the stay: the person goes to hospital, the room to cleaning."""
    if not actor.can(SITE_WORK):
        raise Forbidden(_("your role may not %(what)s", what=_("record swab results")))
    stay = _stay(session, actor, stay_id)
    swab = session.scalar(select(Swab).where(Swab.stay_id == stay.id, Swab.due_on == data.due_on))
    if swab is None:
        raise InvalidInput.at(
            ("due_on",),
            _(
                "no swab was scheduled on %(day)s for stay %(id)s", day=data.due_on, id=stay.id
            ),  # fmt: skip
        )
    problems = []
    if data.sampled_at > now:
        problems.append(FieldProblem(("sampled_at",), future(data.sampled_at)))
    if local_date(data.sampled_at) != data.due_on:
        problems.append(
            FieldProblem(("sampled_at",), _("is not on the swab's day %(day)s", day=data.due_on))
        )
    if problems:
        raise InvalidInput("invalid swab result", problems)
    if swab.result is not None:
        if swab.result == data.result:
            return swab  # the same result again changes nothing
        raise Conflict(_("the swab of %(day)s already has result %(result)s", day=data.due_on,
                               result=_(swab.result)))  # fmt: skip
    swab.result, swab.sampled_at, swab.resulted_at = data.result, data.sampled_at, now
    if data.result == "positive":
        open_infection_from_test(
            session,
            person_id=stay.person_id,
            sampled_at=data.sampled_at,
            reported_at=now,
            note=f"positive swab in quarantine (stay {stay.id})",
            now=now,
        )
        end_stays_of(session, person_id=stay.person_id, now=now)
    record_audit(
        session,
        actor=actor,
        action="swab",
        entity="stay",
        entity_id=stay.id,
        now=now,
        detail=f"{data.due_on} {data.result}",
    )
    session.flush()
    return swab


def end_stays_of(session: Session, *, person_id: int, now: datetime) -> int:
    """A person found infected leaves quarantine for hospital: their stay ends and the room,
    if they were its last occupant, goes to cleaning. Returns how many stays ended."""
    stays = list(
        session.scalars(select(Stay).where(Stay.person_id == person_id, Stay.released_at.is_(None)))
    )
    for stay in stays:
        stay.released_at, stay.end_reason = now, "infected"
        session.flush()
        _free_room(session, stay.room_id)
        # Swabs still ahead are cancelled: the hospital tests them now.
        session.execute(
            delete(Swab).where(
                Swab.stay_id == stay.id, Swab.result.is_(None), Swab.due_on >= local_date(now)
            )
        )
    return len(stays)


def release_due(session: Session, *, actor: Actor, now: datetime) -> ReleaseResult:
    """Release everyone whose central quarantine has ended and whose every swab so far is
    negative; hold the others and say why. The order's next phase (home monitoring) runs on."""
    if not actor.can(SITE_WORK):
        raise Forbidden(_("your role may not %(what)s", what=_("release people")))
    today = local_date(now)
    due = list(
        session.scalars(
            readable_stays(actor)
            .where(Stay.released_at.is_(None), Stay.planned_end_at <= now)
            .order_by(Stay.id)
        )
    )
    people = people_by_id(session, {s.person_id for s in due})
    swabs: dict[int, list[Swab]] = {}
    for chunk in in_chunks([s.id for s in due]):
        for swab in session.scalars(
            select(Swab).where(Swab.stay_id.in_(chunk), Swab.due_on <= today)
        ):
            swabs.setdefault(swab.stay_id, []).append(swab)
    released: list[StayRead] = []
    held: list[Held] = []
    site_of = dict(
        session.execute(
            select(Room.id, Room.site_id).where(Room.id.in_({s.room_id for s in due}))
        ).all()
    )
    for stay in due:
        person = people[stay.person_id]
        if actor.site_id is not None:
            if site_of[stay.room_id] != actor.site_id:
                continue
        elif not actor.covers(person.county_code):
            continue
        missing = sorted(s.due_on for s in swabs.get(stay.id, []) if s.result != "negative")
        if missing:
            held.append(
                Held(
                    stay_id=stay.id,
                    person=show_person(person, actor, in_care=actor.site_id is not None),
                    reason=_("no negative result for the swab of %(day)s", day=missing[0]),
                )
            )
            continue
        stay.released_at, stay.end_reason = now, "released"
        _free_room(session, stay.room_id)
        released.append(present_stay(session, actor, stay))
    record_audit(
        session,
        actor=actor,
        action="release",
        entity="stay",
        entity_id="*",
        now=now,
        detail=f"{len(released)} released, {len(held)} held",
    )
    session.flush()
    return ReleaseResult(released=released, held=held)


# Which status a room may be set to by hand, from which: occupied comes only from placement.
ROOM_MOVES = {"ready": {"cleaning", "out_of_service"}, "out_of_service": {"ready", "cleaning"}}


def set_room_status(session: Session, *, actor: Actor, room_id: int, status: str) -> Room:
    """A cleaned room is ready again; a broken one goes out of service, and back."""
    if not actor.can(SITE_WORK):
        raise Forbidden(_("your role may not %(what)s", what=_("change rooms")))
    room = session.scalar(
        select(Room).where(Room.id == room_id, Room.site_id.in_(changeable_sites(actor)))
    )
    if room is None:
        raise NotFound(_("room %(id)s not found", id=room_id))
    if room.status not in ROOM_MOVES.get(status, set()):
        raise Conflict(_("room %(id)s is %(now)s; it cannot be set %(to)s", id=room_id,
                         now=_(room.status), to=_(status)))  # fmt: skip
    room.status = status
    session.flush()
    return room


def mark_room_ready(session: Session, *, actor: Actor, room_id: int) -> Room:
    return set_room_status(session, actor=actor, room_id=room_id, status="ready")


def present_stay(session: Session, actor: Actor, stay: Stay) -> StayRead:
    room = session.get_one(Room, stay.room_id)
    person = people_by_id(session, [stay.person_id])[stay.person_id]
    swabs = session.scalars(select(Swab).where(Swab.stay_id == stay.id).order_by(Swab.due_on))
    return StayRead(
        id=stay.id,
        person=show_person(person, actor, in_care=actor.site_id == room.site_id),
        site_id=room.site_id,
        room_id=room.id,
        room=f"{room.building}{'-' if room.building else ''}{room.number}",
        placed_at=stay.placed_at,
        arrived_at=stay.arrived_at,
        planned_end_at=stay.planned_end_at,
        released_at=stay.released_at,
        end_reason=stay.end_reason,
        swabs=[SwabRead(due_on=s.due_on, result=s.result, sampled_at=s.sampled_at) for s in swabs],
    )


def active_stays(
    session: Session, *, actor: Actor, as_of: datetime | None = None
) -> list[StayRead]:
    """Everyone in a room (or on the way to one) that this actor may see: now, or at the
    moment `as_of` (placed by then, not yet released)."""
    query = (
        select(Stay)
        .join(Room, Room.id == Stay.room_id)
        .order_by(Room.site_id, Room.building, Room.number)
    )
    if as_of is None:
        query = query.where(Stay.released_at.is_(None))
    else:
        query = query.where(in_room_at(as_of))
    if actor.site_id is not None:
        query = query.where(Room.site_id == actor.site_id)
    stays = list(session.scalars(query))
    people = people_by_id(session, {s.person_id for s in stays})
    if actor.site_id is None:
        stays = [s for s in stays if actor.covers(people[s.person_id].county_code)]
    return [present_stay(session, actor, s) for s in stays]


class StayTimes(NamedTuple):
    person_id: int
    placed_at: datetime
    arrived_at: datetime | None
    released_at: datetime | None


def stay_times(session: Session, person_ids: Sequence[int]) -> list[StayTimes]:
    """When these people were placed, arrived and released, stay by stay, earliest first."""
    rows = session.execute(
        select(Stay.person_id, Stay.placed_at, Stay.arrived_at, Stay.released_at)
        .where(Stay.person_id.in_(person_ids))
        .order_by(Stay.placed_at)
    )
    return [StayTimes(*row) for row in rows]


def swab_times(session: Session, person_ids: Sequence[int]) -> list[tuple[int, datetime]]:
    """(person id, sampled at) of every swab taken of these people in quarantine."""
    rows = session.execute(
        select(Swab.person_id, Swab.sampled_at).where(
            Swab.person_id.in_(person_ids), Swab.sampled_at.is_not(None)
        )
    )
    return [(pid, at) for pid, at in rows if at is not None]


def last_negative_swabs(session: Session, person_ids: Sequence[int]) -> dict[int, datetime]:
    """Each person's last negative quarantine swab, by its result time."""
    rows = session.execute(
        select(Swab.person_id, func.max(Swab.resulted_at))
        .where(Swab.person_id.in_(person_ids), Swab.result == "negative")
        .group_by(Swab.person_id)
    )
    return {pid: at for pid, at in rows if at is not None}


class PendingSwab(NamedTuple):
    stay_id: int
    person_id: int
    stay_released_at: datetime | None


def pending_swabs(session: Session, *, due_on: date) -> list[PendingSwab]:
    """Swabs due on a day with no result yet, with their stay's release (a replay's list)."""
    rows = session.execute(
        select(Swab.stay_id, Swab.person_id, Stay.released_at)
        .join(Stay, Stay.id == Swab.stay_id)
        .where(Swab.due_on == due_on, Swab.result.is_(None))
    )
    return [PendingSwab(*row) for row in rows]


def readable_stays(actor: Actor) -> Select[Stay]:
    """The stays an actor may read: a site's staff those at their site, everyone else the stays
    of people in their jurisdiction."""
    query = select(Stay).join(Room, Room.id == Stay.room_id)
    if actor.site_id is not None:
        return query.where(Room.site_id == actor.site_id)
    return query.where(readable_by(actor, Stay.person_id))


def quarantine_record(session: Session, *, actor: Actor, person_id: int) -> list[StayRead]:
    """A person's stays, with every swab; a site's staff see their stays at the site only."""
    stays = list(
        session.scalars(
            readable_stays(actor).where(Stay.person_id == person_id).order_by(Stay.placed_at)
        )
    )
    if not stays and actor.site_id is not None:
        raise NotFound(_("person %(id)s not found", id=person_id))
    if not stays:
        person = people_by_id(session, [person_id]).get(person_id)
        if person is None:
            raise NotFound(_("person %(id)s not found", id=person_id))
        require_covers(actor, person)
    return [present_stay(session, actor, s) for s in stays]


ROSTER_HEADERS = (
    "房间",
    "姓名",
    "身份证号码",
    "联系电话",
    "入住时间",
    "预计解除",
    "今日采样",
    "最近结果",
    "备注",
)


def site_roster(session: Session, *, actor: Actor, site_id: int, day: date, now: datetime) -> bytes:
    """The day's roster of a site as .xlsx: who is in which room, who is swabbed today, the last
    result. Identities as the actor may see them; the read is audited."""
    from openpyxl import Workbook

    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(_("site %(id)s not found", id=site_id))
    require_site(actor, site_id)
    rows = _stays_on(session, site_id, day)
    people = people_by_id(session, {stay.person_id for stay, _ in rows})
    swabs = _swabs_of(session, [stay.id for stay, _ in rows])
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{day:%m%d}花名册")
    sheet.append(text_row(sheet, [f"{site.name} 在隔人员花名册 {day:%Y年%m月%d日}"]))
    sheet.append(text_row(sheet, list(ROSTER_HEADERS)))
    for stay, room in rows:
        shown = show_person(people[stay.person_id], actor, in_care=actor.site_id == site_id)
        sheet.append(text_row(sheet, _roster_line(stay, room, shown, swabs.get(stay.id, []), day)))
    out = io.BytesIO()
    book.save(out)
    record_audit(
        session,
        actor=actor,
        action="export",
        entity="site",
        entity_id=site_id,
        now=now,
        detail=f"roster {day}: {len(rows)} people",
    )
    return out.getvalue()


def _stays_on(session: Session, site_id: int, day: date) -> list[tuple[Stay, Room]]:
    """The site's stays that overlap a city-time day, room by room."""
    start = start_of_local_day(day)
    rows = session.execute(
        select(Stay, Room)
        .join(Room, Room.id == Stay.room_id)
        .where(
            Room.site_id == site_id,
            Stay.placed_at < start + timedelta(days=1),
            (Stay.released_at.is_(None)) | (Stay.released_at >= start),
        )
        .order_by(Room.building, Room.floor, Room.number, Stay.id)
    )
    return [(stay, room) for stay, room in rows]


def _swabs_of(session: Session, stay_ids: list[int]) -> dict[int, list[Swab]]:
    swabs: dict[int, list[Swab]] = {}
    for chunk in in_chunks(stay_ids):
        for swab in session.scalars(
            select(Swab).where(Swab.stay_id.in_(chunk)).order_by(Swab.due_on)
        ):
            swabs.setdefault(swab.stay_id, []).append(swab)
    return swabs


def _roster_line(
    stay: Stay, room: Room, shown: PersonRead, swabs: list[Swab], day: date
) -> list[str]:
    today = next((s for s in swabs if s.due_on == day), None)
    done = [s for s in swabs if s.result]
    return [
        f"{room.building}{'-' if room.building else ''}{room.number}",
        shown.name,
        shown.id_number or shown.age_text or "",
        shown.phone or "",
        fmt_local(stay.arrived_at) or "转运中",
        fmt_local(stay.planned_end_at),
        ("是" + (f"（{today.result}）" if today.result else "")) if today else "",
        f"{done[-1].due_on} {done[-1].result}" if done else "",
        f"已解除 {fmt_local(stay.released_at)}" if stay.released_at else "",
    ]
