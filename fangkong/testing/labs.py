"""The lab network as data: labs, their capacity and routes, what they hold and owe, and
who sees which (a lab's staff their own lab)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import FieldProblem, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.ids import division
from fangkong.testing.models import (
    Lab,
    LabRoute,
    Shipment,
    Tube,
)
from fangkong.testing.permissions import LAB_RESULTS, RUN_TESTING
from fangkong.testing.schemas import (
    LabChange,
    LabIn,
    LabRead,
)


def save_labs(session: Session, *, actor: Actor, labs: Sequence[LabIn]) -> list[Lab]:
    """Create or update labs by name, with their routes replaced: all or nothing."""
    actor.require(RUN_TESTING, what="manage labs")
    problems = []
    for i, given in enumerate(labs):
        if given.county_code is not None and division(given.county_code) is None:
            problems.append(FieldProblem(("labs", i, "county_code"), _("not a county code")))
        for county, minutes in given.routes.items():
            if division(county) is None:
                problems.append(FieldProblem(("labs", i, "routes", county), _("not a county code")))
            elif not 0 <= minutes <= 24 * 60:
                problems.append(FieldProblem(("labs", i, "routes", county), _("minutes 0 to 1440")))
    if len({given.name for given in labs}) != len(labs):
        problems.append(FieldProblem(("labs",), _("a lab is named twice")))
    if problems:
        raise InvalidInput("invalid labs", problems)
    existing = {lab.name: lab for lab in session.scalars(select(Lab))}
    saved = []
    for data in labs:
        lab = existing.get(data.name) or Lab(name=data.name)
        lab.kind, lab.county_code, lab.tubes_per_day = (
            data.kind,
            data.county_code,
            data.tubes_per_day,
        )
        if lab.behind_min is None:
            lab.behind_min = 0.0
        session.add(lab)
        session.flush()
        session.execute(delete(LabRoute).where(LabRoute.lab_id == lab.id))
        session.add_all(
            LabRoute(lab_id=lab.id, county_code=c, minutes=m) for c, m in data.routes.items()
        )
        saved.append(lab)
    session.flush()
    return saved


def change_lab(
    session: Session, *, actor: Actor, lab_id: int, data: LabChange, now: datetime
) -> Lab:
    """A lab reports it is behind (or its capacity changed); the next plan takes it in."""
    actor.require(RUN_TESTING, LAB_RESULTS, what="change a lab")
    lab = lab_for(session, actor=actor, lab_id=lab_id)
    if data.tubes_per_day is not None:
        lab.tubes_per_day = data.tubes_per_day
    if data.behind_min is not None:
        lab.behind_min = data.behind_min
    record_audit(
        session,
        actor=actor,
        action="update",
        entity="lab",
        entity_id=lab.id,
        now=now,
        detail=f"{lab.tubes_per_day}/day, {lab.behind_min:.0f} min behind",
    )
    session.flush()
    return lab


def tubes_in_hand(session: Session) -> dict[int, int]:
    """Tubes each lab has been sent (on the road or delivered) without a result yet."""
    rows = session.execute(
        select(Shipment.lab_id, func.count(Tube.id))
        .join(Tube, Tube.shipment_id == Shipment.id)
        .where(Tube.result.is_(None))
        .group_by(Shipment.lab_id)
    )
    return {lab_id: int(n) for lab_id, n in rows}


def _late(session: Session, now: datetime) -> dict[int, int]:
    """Tubes each lab should have reported by now, by the plan, and has not: it is behind."""
    rows = session.execute(
        select(Shipment.lab_id, func.count(Tube.id))
        .join(Tube, Tube.shipment_id == Shipment.id)
        .where(Tube.result.is_(None), Shipment.expected_result_at < now)
        .group_by(Shipment.lab_id)
    )
    return {lab_id: int(n) for lab_id, n in rows}


def tubes_per_day(session: Session) -> int:
    """What the whole lab network can test in a day."""
    return int(session.scalar(select(func.sum(Lab.tubes_per_day))) or 0)


def list_labs(session: Session, *, now: datetime | None = None) -> list[LabRead]:
    """Labs with their routes, the tubes they hold and, as of `now`, how many are late."""
    routes: dict[int, dict[str, float]] = defaultdict(dict)
    for r in session.scalars(select(LabRoute)):
        routes[r.lab_id][r.county_code] = r.minutes
    hand = tubes_in_hand(session)
    late = _late(session, now) if now is not None else {}
    return [
        LabRead(
            id=lab.id,
            name=lab.name,
            kind=lab.kind,
            county_code=lab.county_code,
            tubes_per_day=lab.tubes_per_day,
            behind_min=lab.behind_min,
            routes=routes[lab.id],
            in_hand=hand.get(lab.id, 0),
            late=late.get(lab.id, 0),
        )
        for lab in session.scalars(select(Lab).order_by(Lab.kind, Lab.id))
    ]


def readable_labs(actor: Actor) -> Select[Lab]:
    """A lab's staff see their own lab; everyone else the city's labs."""
    query = select(Lab)
    return query if actor.lab_id is None else query.where(Lab.id == actor.lab_id)


def lab_for(session: Session, *, actor: Actor, lab_id: int) -> Lab:
    lab = session.scalar(readable_labs(actor).where(Lab.id == lab_id))
    if lab is None:
        raise NotFound(_("lab %(id)s not found", id=lab_id))
    return lab


def worklist(session: Session, *, actor: Actor, lab_id: int) -> list[str]:
    """Barcodes a lab has been sent and owes a result for, in the order they were planned."""
    actor.require(LAB_RESULTS, what="see a lab's worklist")
    lab_for(session, actor=actor, lab_id=lab_id)
    return list(
        session.scalars(
            select(Tube.barcode)
            .join(Shipment, Shipment.id == Tube.shipment_id)
            .where(Shipment.lab_id == lab_id, Tube.result.is_(None))
            .order_by(Shipment.id, Tube.id)
        )
    )
