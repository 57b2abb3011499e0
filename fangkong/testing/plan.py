"""The plan of a round: closed tubes to labs for the earliest last result (planner.py
solves it), re-planned for what has not left."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict
from fangkong.core.i18n import _
from fangkong.core.timeutil import local
from fangkong.testing.labs import tubes_in_hand
from fangkong.testing.models import (
    Lab,
    LabRoute,
    SamplingSite,
    Shipment,
    Tube,
)
from fangkong.testing.permissions import RUN_TESTING
from fangkong.testing.planner import Batch, LabCapacity, LabPlan, PlanError, plan_labs
from fangkong.testing.schemas import (
    PlanRead,
)
from fangkong.testing.service import get_round
from fangkong.testing.shipments import show_shipment


def plan_round(session: Session, *, actor: Actor, round_id: int, now: datetime) -> PlanRead:
    """Send every closed tube not yet on the road to a lab, so the round's last result comes
    as early as the labs allow. Shipments that have not left are planned again with the rest:
    this is also the re-plan when a lab falls behind."""
    actor.require(RUN_TESTING, what="plan the labs")
    found = get_round(session, actor=actor, round_id=round_id)
    replanned = _take_back_waiting(session, found.id)
    by_county = _tubes_to_send(session, found.id)
    labs = list(session.scalars(select(Lab).order_by(Lab.id)))
    routes = {(r.county_code, str(r.lab_id)): r.minutes for r in session.scalars(select(LabRoute))}
    batches = [Batch(county, county, len(tubes), 0.0) for county, tubes in by_county.items()]
    try:
        plan = plan_labs(batches, _capacities(session, labs, now), routes)
    except PlanError as exc:
        raise Conflict(
            _("the labs cannot take the tubes of round %(name)s: %(why)s", name=found.name, why=exc)
        ) from None
    made = _ship(session, found.id, by_county, plan, now)
    tubes = sum(len(t) for t in by_county.values())
    record_audit(
        session,
        actor=actor,
        action="plan",
        entity="screening_round",
        entity_id=found.id,
        now=now,
        detail=f"{tubes} tubes, {len(made)} shipments",
    )
    sites = {
        s.id: s.name
        for s in session.scalars(select(SamplingSite).where(SamplingSite.round_id == found.id))
    }
    names = {lab.id: lab.name for lab in labs}
    return PlanRead(
        tubes=tubes,
        replanned=replanned,
        last_result_at=now + timedelta(minutes=plan.makespan_min) if made else None,
        shipments=[show_shipment(s, sites, names) for s in made],
    )


def _take_back_waiting(session: Session, round_id: int) -> int:
    """Shipments that have not left are undone, their tubes planned again; how many tubes."""
    waiting = select(Shipment.id).where(
        Shipment.round_id == round_id, Shipment.departed_at.is_(None)
    )
    replanned = session.scalar(
        select(func.count()).select_from(Tube).where(Tube.shipment_id.in_(waiting))
    )
    session.execute(
        update(Tube).where(Tube.shipment_id.in_(waiting)).values(shipment_id=None),
        execution_options={"synchronize_session": False},
    )
    session.execute(delete(Shipment).where(Shipment.id.in_(waiting)))
    return int(replanned or 0)


def _tubes_to_send(session: Session, round_id: int) -> dict[str, list[tuple[int, int]]]:
    """Closed tubes with no shipment and no result, by county: (site, tube) in order."""
    pending = session.execute(
        select(Tube.id, Tube.site_id, SamplingSite.county_code)
        .join(SamplingSite, SamplingSite.id == Tube.site_id)
        .where(
            Tube.round_id == round_id,
            Tube.closed_at.is_not(None),
            Tube.shipment_id.is_(None),
            Tube.result.is_(None),
        )
        .order_by(SamplingSite.county_code, Tube.site_id, Tube.id)
    ).all()
    by_county: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for tube_id, site_id, county in pending:
        by_county[county].append((site_id, tube_id))
    return by_county


def _capacities(session: Session, labs: list[Lab], now: datetime) -> list[LabCapacity]:
    """What each lab can still take today, and the work it already has queued."""
    hand = tubes_in_hand(session)
    today = _used_today(session, now)
    return [
        LabCapacity(
            id=str(lab.id),
            tubes_per_hour=lab.tubes_per_day / 24,
            capacity=max(lab.tubes_per_day - today.get(lab.id, 0), 0),
            backlog_min=lab.behind_min + hand.get(lab.id, 0) * 24 * 60 / lab.tubes_per_day,
        )
        for lab in labs
    ]


def _ship(
    session: Session,
    round_id: int,
    by_county: dict[str, list[tuple[int, int]]],
    plan: LabPlan,
    now: datetime,
) -> list[Shipment]:
    """The plan's whole tubes as shipments, one per site and lab, and each tube put in its."""
    made: list[tuple[Shipment, list[int]]] = []
    for county, tubes in by_county.items():
        cursor = 0
        for lab_key, n in sorted(plan.labs_of(county).items(), key=lambda kv: int(kv[0])):
            share = tubes[cursor : cursor + n]
            cursor += n
            finish = now + timedelta(minutes=plan.finish_min[lab_key])
            per_site: dict[int, list[int]] = defaultdict(list)
            for site_id, tube_id in share:
                per_site[site_id].append(tube_id)
            for site_id, ids in per_site.items():
                shipment = Shipment(
                    round_id=round_id,
                    site_id=site_id,
                    lab_id=int(lab_key),
                    tubes=len(ids),
                    planned_at=now,
                    expected_result_at=finish,
                )
                session.add(shipment)
                made.append((shipment, ids))
    session.flush()
    rows = [{"id": tube_id, "shipment_id": s.id} for s, ids in made for tube_id in ids]
    if rows:  # ORM bulk UPDATE by primary key: one executemany
        session.execute(update(Tube), rows)
    return [s for s, _ in made]


def _used_today(session: Session, now: datetime) -> dict[int, int]:
    """Tubes planned for each lab since the city's midnight: today's capacity already used."""
    midnight = local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = session.execute(
        select(Shipment.lab_id, func.sum(Shipment.tubes))
        .where(Shipment.planned_at >= midnight)
        .group_by(Shipment.lab_id)
    )
    return {lab_id: int(n or 0) for lab_id, n in rows}
