"""The inbound closed loop: arrivals matched against the risk-area list as it stood on the day
they left, the path the protocol gives them, and the loop's steps with their deadlines; an
arrival whose next step is late raises an alert naming the person, the step and by how much."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.ids import division
from fangkong.core.settings import get_settings
from fangkong.core.sheets import Layout, cell_datetime, read_sheet
from fangkong.core.timeutil import future, local_date
from fangkong.people.service import people_by_id, readable_by, show_person, upsert_people
from fangkong.protocol.loader import get_protocol
from fangkong.quarantine.stays import StayTimes, stay_times, swab_times
from fangkong.testing.service import samples_of
from fangkong.tracing.orders import first_infection_times, infection_samples
from fangkong.tracing.permissions import EDIT_TRACING
from fangkong.travel.models import Arrival, Checkpoint, RiskArea
from fangkong.travel.permissions import ARRIVALS
from fangkong.travel.schemas import ArrivalIn, ArrivalRead, CheckpointIn, RiskImportRead, StepIn

LEVELS = {"高风险": "high", "高": "high", "high": "high", "中风险": "medium", "中": "medium",
          "medium": "medium", "低风险": "low", "低": "low", "low": "low"}  # fmt: skip
RANK = {"high": 3, "medium": 2, "low": 1}
# The loop's steps for each path, in order.
STEPS = {
    "test_only": ("tested",),
    "test_home_monitoring": ("tested", "placed", "released"),
    "central_quarantine": ("tested", "transferred", "placed", "released"),
}


def add_checkpoint(session: Session, *, actor: Actor, data: CheckpointIn) -> Checkpoint:
    actor.require(EDIT_TRACING, what="manage arrivals")
    if division(data.county_code) is None:
        raise InvalidInput.at(
            ("county_code",), _("%(code)s is not a county code", code=data.county_code)
        )
    if not actor.covers(data.county_code):
        raise Forbidden(
            _("your jurisdiction does not cover county %(code)s", code=data.county_code)
        )
    if session.scalar(select(Checkpoint.id).where(Checkpoint.name == data.name)):
        raise InvalidInput.at(("name",), _("%(name)s already exists", name=data.name))
    found = Checkpoint(**data.model_dump())
    session.add(found)
    session.flush()
    return found


def list_checkpoints(session: Session) -> list[Checkpoint]:
    return list(session.scalars(select(Checkpoint).order_by(Checkpoint.id)))


RISK_LAYOUT = Layout(
    headers={
        "region": ("地区", "风险地区", "区域", "region"),
        "level": ("风险等级", "等级", "level"),
        "from_date": ("起始日期", "开始日期", "公布日期", "from"),
        "to_date": ("解除日期", "调整日期", "截止日期", "to"),
    },
    required=("region", "level", "from_date"),
    anchor="region",
)


def require_risk_list_editor(actor: Actor) -> None:
    """The national risk-area list belongs to no county: tracing staff keep it."""
    actor.require(EDIT_TRACING, what="manage arrivals")


def import_risk_areas(
    session: Session, *, actor: Actor, filename: str, content: bytes, now: datetime
) -> RiskImportRead:
    """The national list as a spreadsheet (地区, 风险等级, 起始日期, 解除日期): all or nothing;
    rows already known are kept as they are, a later 解除日期 updates them."""
    require_risk_list_editor(actor)
    table = read_sheet(filename, content, RISK_LAYOUT)
    problems: list[FieldProblem] = []
    rows: list[tuple[str, str, date, date | None]] = []
    for number, row in table:
        loc = (f"row {number}",)
        region = table.text(row, "region")
        level = LEVELS.get(table.text(row, "level").lower())
        if level is None:
            problems.append(FieldProblem((*loc, table.heading("level")), _("high, medium or low")))
            continue
        try:
            start = cell_datetime(table.get(row, "from_date"))
            end_cell = table.get(row, "to_date")
            end = cell_datetime(end_cell) if end_cell not in (None, "") else None
        except InvalidInput as exc:
            problems.append(FieldProblem((*loc, table.heading("from_date")), str(exc)))
            continue
        if start > now + timedelta(days=1):
            problems.append(FieldProblem((*loc, table.heading("from_date")), _("is in the future")))
            continue
        if end is not None and end < start:
            problems.append(FieldProblem((*loc, table.heading("to_date")), _("is before 起始日期")))
            continue
        rows.append((region, level, local_date(start), local_date(end) if end else None))
    if problems:
        raise InvalidInput(_("problems in the risk-area list; nothing was imported"), problems[:50])
    digest = hashlib.sha256(content).hexdigest()
    added = already = 0
    for region, level, start_day, end_day in rows:
        found = session.scalar(
            select(RiskArea).where(
                RiskArea.region == region, RiskArea.level == level, RiskArea.from_date == start_day
            )
        )
        if found is not None:
            already += 1
            if end_day is not None and found.to_date != end_day:
                found.to_date = end_day
            continue
        session.add(RiskArea(region=region, level=level, from_date=start_day, to_date=end_day,
                             import_sha256=digest))  # fmt: skip
        added += 1
    session.flush()
    record_audit(session, actor=actor, action="import", entity="risk_area", entity_id="*",
                 now=now, detail=f"{added} added, {already} known")  # fmt: skip
    return RiskImportRead(added=added, already=already)


def match_risk(session: Session, origin: str, day: date) -> RiskArea | None:
    """The most severe area in force on `day` whose region the origin lies in."""
    areas = session.scalars(
        select(RiskArea).where(
            RiskArea.from_date <= day, or_(RiskArea.to_date.is_(None), RiskArea.to_date > day)
        )
    )
    inside = [a for a in areas if origin.startswith(a.region) or a.region in origin]
    return max(inside, key=lambda a: (RANK[a.level], len(a.region)), default=None)


def register_arrival(session: Session, *, actor: Actor, data: ArrivalIn, now: datetime) -> Arrival:
    actor.require(ARRIVALS, what="manage arrivals")
    problems = []
    if data.checkpoint_id is not None and session.get(Checkpoint, data.checkpoint_id) is None:
        problems.append(
            FieldProblem(("checkpoint_id",), _("no checkpoint %(id)s", id=data.checkpoint_id))
        )
    elif actor.checkpoint_id is not None and data.checkpoint_id != actor.checkpoint_id:
        raise Forbidden(_("a checkpoint's staff register arrivals at their own checkpoint"))
    if data.departed_at > data.arrived_at:
        problems.append(FieldProblem(("departed_at",), _("is after arrived_at")))
    if data.departed_at > now:
        problems.append(FieldProblem(("departed_at",), future(data.departed_at)))
    if problems:
        raise InvalidInput("invalid arrival", problems)
    [person] = upsert_people(session, items=[data.person], now=now, loc_prefix=[("person",)]).people
    protocol = get_protocol(get_settings().protocol)
    area = match_risk(session, data.origin, local_date(data.departed_at))
    rule = protocol.inbound.path_for(area.level if area else None)
    arrival = Arrival(
        person_id=person.id,
        checkpoint_id=data.checkpoint_id,
        origin=data.origin,
        mode=data.mode,
        vehicle=data.vehicle,
        seat=data.seat,
        departed_at=data.departed_at,
        arrived_at=data.arrived_at,
        reported_at=now,
        risk_level=area.level if area else None,
        risk_area_id=area.id if area else None,
        path=rule.path,
        days=rule.days,
        protocol_id=protocol.id,
    )
    session.add(arrival)
    session.flush()
    return arrival


def due_times(arrival: Arrival) -> dict[str, datetime]:
    """Each step's deadline: the landing test and the transfer by the protocol's hours from
    arrival, the room or home an hour after transfer, release after the path's days."""
    rule = get_protocol(arrival.protocol_id).inbound
    landed = arrival.arrived_at
    due = {"tested": landed + timedelta(hours=rule.landing_test_within_hours)}
    if arrival.path == "central_quarantine":
        due["transferred"] = landed + timedelta(hours=rule.transfer_within_hours)
        due["placed"] = due["transferred"] + timedelta(hours=1)
    elif arrival.path == "test_home_monitoring":
        due["placed"] = due["tested"]
    if arrival.path != "test_only":
        started = arrival.placed_at or due["placed"]
        due["released"] = started + timedelta(days=arrival.days)
    return due


def observed_steps(
    session: Session, arrivals: Sequence[Arrival]
) -> dict[int, dict[str, datetime | None]]:
    """Each arrival's steps as they happened: what was recorded by hand, else what the other
    domains saw — the first sample or swab taken since landing (a screening tube, a
    quarantine swab, the sample that found an infection) is the landing test; the first
    quarantine stay since landing is the transfer (arrival at the site) and the room; its
    release is the release. So the loop closes without anyone typing the steps twice."""
    if not arrivals:  # most people a code is computed for never arrived from elsewhere
        return {}
    ids = [a.person_id for a in arrivals]
    tests: dict[int, list[datetime]] = {}
    taken = [
        *((pid, at) for pid, _, at in samples_of(session, ids)),
        *swab_times(session, ids),
        *infection_samples(session, ids),
    ]
    for person_id, at in taken:
        tests.setdefault(person_id, []).append(at)
    stays: dict[int, list[StayTimes]] = {}
    for held in stay_times(session, ids):
        stays.setdefault(held.person_id, []).append(held)
    out: dict[int, dict[str, datetime | None]] = {}
    for a in arrivals:
        since = a.arrived_at - timedelta(hours=1)
        tested = min((t for t in tests.get(a.person_id, []) if t >= since), default=None)
        stay = next((s for s in stays.get(a.person_id, []) if s.placed_at >= since), None)
        seen: dict[str, datetime | None] = {"tested": tested}
        if a.path == "central_quarantine" and stay is not None:
            seen |= {"transferred": stay.arrived_at, "placed": stay.arrived_at,
                     "released": stay.released_at}  # fmt: skip
        out[a.id] = {step: getattr(a, f"{step}_at") or seen.get(step) for step in STEPS[a.path]}
    return out


def next_step(
    arrival: Arrival, observed: dict[str, datetime | None], *, as_of: datetime
) -> tuple[dict[str, datetime], str | None]:
    """The steps done by `as_of` (a step done later is not done yet) and the next one."""
    done = {s: t for s, t in observed.items() if t is not None and t <= as_of}
    return done, next((s for s in STEPS[arrival.path] if s not in done), None)


def record_step(
    session: Session, *, actor: Actor, arrival_id: int, data: StepIn, now: datetime
) -> Arrival:
    actor.require(ARRIVALS, what="manage arrivals")
    arrival = _get(session, actor, arrival_id)
    if data.step not in STEPS[arrival.path]:
        raise InvalidInput.at(
            ("step",),
            _("%(step)s is not a step of path %(path)s", step=_(data.step), path=_(arrival.path)),
        )
    if data.at > now:
        raise InvalidInput.at(("at",), future(data.at))
    if data.at < arrival.arrived_at - timedelta(hours=1):
        raise InvalidInput.at(("at",), _("is before the arrival"))
    order = STEPS[arrival.path]
    steps = observed_steps(session, [arrival])[arrival.id]
    for earlier in order[: order.index(data.step)]:
        if steps[earlier] is None:
            raise InvalidInput.at(("step",), _("%(step)s comes first", step=_(earlier)))
    if getattr(arrival, f"{data.step}_at") is None:
        setattr(arrival, f"{data.step}_at", data.at)
    session.flush()
    return arrival


def _get(session: Session, actor: Actor, arrival_id: int) -> Arrival:
    found = session.scalar(readable_arrivals(actor).where(Arrival.id == arrival_id))
    if found is None:
        raise NotFound(_("arrival %(id)s not found", id=arrival_id))
    return found


def present(
    session: Session, actor: Actor, arrivals: Sequence[Arrival], *, as_of: datetime
) -> list[ArrivalRead]:
    """Arrivals as this actor may see them (their jurisdiction, masked per role), with each
    step's deadline and how late the next one is as of `as_of`."""
    ids = [a.person_id for a in arrivals]
    people = people_by_id(session, ids)  # the arrivals are the actor's: readable_arrivals
    checkpoints = {c.id: c.name for c in session.scalars(select(Checkpoint))}
    area_ids = [a.risk_area_id for a in arrivals if a.risk_area_id]
    areas = {
        a.id: a.region for a in session.scalars(select(RiskArea).where(RiskArea.id.in_(area_ids)))
    }
    infections = first_infection_times(session, ids)
    observed = observed_steps(session, arrivals)
    out = []
    for a in arrivals:
        person = people.get(a.person_id)
        if person is None:
            continue
        shown = show_person(person, actor)
        due = due_times(a)
        done, step = next_step(a, observed[a.id], as_of=as_of)
        late = None
        if step is not None and due[step] < as_of:
            late = round((as_of - due[step]).total_seconds() / 3600, 1)
        out.append(
            ArrivalRead(
                id=a.id, person_id=a.person_id, name=shown.name, id_number=shown.id_number,
                checkpoint=checkpoints.get(a.checkpoint_id or 0), origin=a.origin, mode=a.mode,
                vehicle=a.vehicle, seat=a.seat, departed_at=a.departed_at,
                arrived_at=a.arrived_at, risk_level=a.risk_level,
                risk_region=areas.get(a.risk_area_id or 0), path=a.path, days=a.days,
                steps={s: done.get(s) for s in STEPS[a.path]},
                due=due, next_step=step, late_hours=late,
            )
        )  # fmt: skip
        found = infections.get(a.person_id)
        if found is not None and found.reported_at >= a.arrived_at:
            # What the loop would have done: the landing test by its deadline, against the
            # sample that found them.
            sooner = (found.sampled_at - due["tested"]).total_seconds() / 3600
            out[-1] = out[-1].model_copy(
                update={
                    "infected_reported_at": found.reported_at,
                    "infected_sampled_at": found.sampled_at,
                    "test_hours_sooner": round(sooner, 1) if sooner > 0 else None,
                }
            )
    return out


def readable_arrivals(actor: Actor) -> Select[Arrival]:
    """A checkpoint's staff see the arrivals at their checkpoint; everyone else the arrivals of
    people in their jurisdiction."""
    if actor.checkpoint_id is not None:
        return select(Arrival).where(Arrival.checkpoint_id == actor.checkpoint_id)
    return select(Arrival).where(readable_by(actor, Arrival.person_id))


def arrivals_of(session: Session, person_ids: Sequence[int]) -> list[Arrival]:
    """These people's arrivals (for their health codes)."""
    return list(session.scalars(select(Arrival).where(Arrival.person_id.in_(person_ids))))


def list_arrivals(session: Session, *, actor: Actor, as_of: datetime) -> list[ArrivalRead]:
    arrivals = list(
        session.scalars(
            readable_arrivals(actor)
            .where(Arrival.arrived_at <= as_of)
            .order_by(Arrival.arrived_at.desc())
        )
    )
    return present(session, actor, arrivals, as_of=as_of)


def alerts(session: Session, *, actor: Actor, as_of: datetime) -> list[ArrivalRead]:
    """Arrivals whose next step is overdue as of `as_of`, the latest first."""
    late = [a for a in list_arrivals(session, actor=actor, as_of=as_of) if a.late_hours]
    return sorted(late, key=lambda a: -(a.late_hours or 0))
