"""Point-to-point transfer (点对点转运): vehicles, the dispatch plan, and each task's progress.
Arrival at the site puts the people under control (the 48-hour KPI)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.timeutil import fmt_local, future
from fangkong.people.addresses import community_of
from fangkong.people.permissions import READ_PEOPLE, SEE_FULL_IDENTITY
from fangkong.people.service import people_by_id
from fangkong.quarantine.models import Stay, Transfer, Vehicle
from fangkong.quarantine.permissions import MANAGE_SITES, PLACE_CONTACTS, SITE_WORK
from fangkong.quarantine.schemas import DispatchPlan, Run, TransferRead, TransferStatus, VehicleIn
from fangkong.tracing.service import infection_to_change, mark_under_control

NEXT = {"planned": "dispatched", "dispatched": "picked_up", "picked_up": "arrived"}
STAMP = {"dispatched": "dispatched_at", "picked_up": "picked_up_at", "arrived": "arrived_at"}


def add_vehicle(session: Session, *, actor: Actor, data: VehicleIn) -> Vehicle:
    if not actor.can(MANAGE_SITES):
        raise Forbidden(_("your role may not %(what)s", what=_("manage vehicles")))
    if session.scalar(select(Vehicle.id).where(Vehicle.plate == data.plate)) is not None:
        raise Conflict(_("vehicle %(plate)s is registered already", plate=data.plate))
    vehicle = Vehicle(
        plate=data.plate, seats=data.seats, kind=data.kind, base_county=data.base_county
    )
    session.add(vehicle)
    session.flush()
    return vehicle


def list_vehicles(session: Session) -> list[Vehicle]:
    return list(session.scalars(select(Vehicle).order_by(Vehicle.plate)))


def plan_case_transfer(
    session: Session, *, actor: Actor, infection_id: int, destination: str, now: datetime
) -> Transfer:
    """A confirmed or asymptomatic case to hospital: always a vehicle of its own, planned by
    the county that traces the case."""
    actor.require(PLACE_CONTACTS, what="run transfers")
    infection = infection_to_change(session, actor=actor, infection_id=infection_id)
    person = people_by_id(session, [infection.person_id])[infection.person_id]
    transfer = Transfer(
        household=f"case:{infection.id}",
        people=1,
        pickup_address=person.address,
        pickup_county=person.county_code,
        destination=destination,
        is_case=True,
        infection_id=infection.id,
        status="planned",
        planned_at=now,
    )
    session.add(transfer)
    session.flush()
    return transfer


def plan_dispatch(session: Session, *, actor: Actor) -> DispatchPlan:
    """Assign every planned transfer without a vehicle to a vehicle run: pickups batched by
    area (county), a household never split, a case never with anyone else, no run over the
    vehicle's seats; each vehicle's runs numbered in order. Vehicles of the same county first.
    Only the transfers the actor runs (their county's, or the city's for city-wide staff)."""
    waiting = list(
        session.scalars(
            changeable_transfers(actor)
            .where(Transfer.status == "planned", Transfer.vehicle_id.is_(None))
            .order_by(Transfer.id)
        )
    )
    vehicles = list(
        session.scalars(select(Vehicle).where(Vehicle.active.is_(True)).order_by(Vehicle.id))
    )
    if not vehicles:
        raise InvalidInput.at(("vehicles",), _("no active vehicle is registered"))
    runs_of = _runs_so_far(session, vehicles)
    largest = max(v.seats for v in vehicles)
    by_area: dict[str | None, list[Transfer]] = defaultdict(list)
    for t in waiting:
        by_area[t.pickup_county].append(t)
    runs: list[Run] = []
    unassigned: list[int] = []
    for area, tasks in sorted(by_area.items(), key=lambda kv: kv[0] or ""):
        loads, too_big = _loads(tasks, largest)
        unassigned += too_big
        runs += [_assign(load, area, vehicles, runs_of) for load in loads]
    session.flush()
    return DispatchPlan(runs=runs, unassigned=unassigned)


def _runs_so_far(session: Session, vehicles: list[Vehicle]) -> dict[int, int]:
    """Each vehicle's last run number: new runs go on from there."""
    runs_of: dict[int, int] = dict.fromkeys((v.id for v in vehicles), 0)
    for vehicle_id, run in session.execute(
        select(Transfer.vehicle_id, func.max(Transfer.run)).group_by(Transfer.vehicle_id)
    ):
        if vehicle_id in runs_of:
            runs_of[vehicle_id] = run or 0
    return runs_of


def _loads(tasks: list[Transfer], largest: int) -> tuple[list[list[Transfer]], list[int]]:
    """Cases ride alone; households pack first-fit decreasing into loads of seats. A household
    larger than any vehicle is left unassigned."""
    loads: list[list[Transfer]] = [[t] for t in tasks if t.is_case]
    too_big: list[int] = []
    for t in sorted((t for t in tasks if not t.is_case), key=lambda t: -t.people):
        if t.people > largest:
            too_big.append(t.id)
            continue
        for load in loads:
            if not load[0].is_case and sum(x.people for x in load) + t.people <= largest:
                load.append(t)
                break
        else:
            loads.append([t])
    return loads, too_big


def _assign(
    load: list[Transfer], area: str | None, vehicles: list[Vehicle], runs_of: dict[int, int]
) -> Run:
    """The county's own vehicles first, then the least used, among those with the seats."""
    size = sum(t.people for t in load)
    fitting = [v for v in vehicles if v.seats >= size]
    vehicle = min(fitting, key=lambda v: (v.base_county != area, runs_of[v.id], v.seats, v.id))
    runs_of[vehicle.id] += 1
    for t in load:
        t.vehicle_id, t.run = vehicle.id, runs_of[vehicle.id]
    return Run(
        vehicle=vehicle.plate,
        run=runs_of[vehicle.id],
        area=area,
        transfers=[t.id for t in load],
        people=size,
        seats=vehicle.seats,
    )


def advance_transfer(
    session: Session,
    *,
    actor: Actor,
    transfer_id: int,
    status: TransferStatus,
    at: datetime,
    now: datetime,
) -> Transfer:
    """Move a transfer to its next status at `at`. Arrival puts its people under control."""
    actor.require(PLACE_CONTACTS, what="run transfers")
    transfer = session.scalar(changeable_transfers(actor).where(Transfer.id == transfer_id))
    if transfer is None:
        raise NotFound(_("transfer %(id)s not found", id=transfer_id))
    expected = NEXT.get(transfer.status)
    if status != expected:
        raise InvalidInput.at(
            ("status",),
            _(
                "transfer %(id)s is %(now)s; next is %(next)s",
                id=transfer.id,
                now=_(f"status_{transfer.status}"),
                next=_(f"status_{expected}") if expected else _("nothing"),
            ),  # fmt: skip
        )
    if status == "dispatched" and transfer.vehicle_id is None:
        raise InvalidInput.at(("status",), _("no vehicle assigned yet: plan the dispatch first"))
    problems = []
    if at > now:
        problems.append(FieldProblem(("at",), future(at)))
    previous = [getattr(transfer, STAMP[s]) for s in STAMP if getattr(transfer, STAMP[s])]
    if previous and at < max(previous):
        problems.append(
            FieldProblem(
                ("at",), _("is before the previous step (%(at)s)", at=fmt_local(max(previous)))
            )  # fmt: skip
        )
    if at < transfer.planned_at:
        problems.append(FieldProblem(("at",), _("is before the transfer was planned")))
    if problems:
        raise InvalidInput("invalid transfer step", problems)
    transfer.status = status
    setattr(transfer, STAMP[status], at)
    if status == "arrived" and not transfer.is_case:
        stays = list(session.scalars(select(Stay).where(Stay.transfer_id == transfer.id)))
        for stay in stays:
            stay.arrived_at = at
        contact_ids = [s.contact_id for s in stays if s.contact_id]
        mark_under_control(session, contact_ids=contact_ids, at=at, how="placed")
    session.flush()
    return transfer


def readable_transfers(actor: Actor) -> Select[Transfer]:
    """The transfers an actor may read: a site's staff those bound for their site, county staff
    those picking up in their county, city-wide staff all. Labs and checkpoints have none."""
    actor.require(
        PLACE_CONTACTS,
        SITE_WORK,
        READ_PEOPLE,
        what="see transfers",
    )
    query = select(Transfer)
    if actor.site_id is not None:
        return query.where(Transfer.site_id == actor.site_id)
    if actor.jurisdiction is not None:
        return query.where(Transfer.pickup_county == actor.jurisdiction)
    return query


def changeable_transfers(actor: Actor) -> Select[Transfer]:
    """The transfers an actor may move on: those they may read, if they run transfers."""
    actor.require(PLACE_CONTACTS, what="run transfers")
    return readable_transfers(actor)


def list_transfers(
    session: Session, *, actor: Actor, status: str | None = None
) -> list[TransferRead]:
    """Transfers as the actor may see them: the pickup address (a home) in full for staff who
    see the county's people in full or whose site receives them, its community for others."""
    query = readable_transfers(actor).order_by(Transfer.id)
    if status:
        query = query.where(Transfer.status == status)
    return [show_transfer(actor, t) for t in session.scalars(query)]


def show_transfer(actor: Actor, transfer: Transfer) -> TransferRead:
    shown = TransferRead.model_validate(transfer)
    in_care = actor.site_id is not None and actor.site_id == transfer.site_id
    if in_care or (actor.can(SEE_FULL_IDENTITY) and actor.covers(transfer.pickup_county)):
        return shown
    return shown.model_copy(update={"pickup_address": community_of(transfer.pickup_address)})
