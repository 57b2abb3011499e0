"""After sampling: labs, the plan of which lab tests which tubes, shipments, results, and the
recall of a positive pool's members."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.db import in_chunks
from fangkong.core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from fangkong.core.ids import division
from fangkong.core.sheets import Layout, cell_datetime, read_sheet
from fangkong.core.timeutil import fmt_local, local
from fangkong.people.permissions import READ_PEOPLE, SEE_FULL_IDENTITY
from fangkong.people.service import people_by_id, show_person
from fangkong.testing.labs import Batch, PlanError, plan_labs
from fangkong.testing.labs import Lab as PlanLab
from fangkong.testing.models import (
    Lab,
    LabRoute,
    Recall,
    Sample,
    SamplingSite,
    ScreeningRound,
    Shipment,
    Tube,
)
from fangkong.testing.permissions import LAB_RESULTS, RUN_TESTING, SAMPLE
from fangkong.testing.schemas import (
    LabChange,
    LabIn,
    LabRead,
    PlanRead,
    RecallMember,
    RecallRead,
    ResultsRead,
    ShipmentRead,
)
from fangkong.testing.service import get_round
from fangkong.tracing.service import open_infection_from_test
from fangkong.zones.models import ZoneRound
from fangkong.zones.service import RoundArea, record_whole_zone_rounds

# -- labs -------------------------------------------------------------------------------------


def save_labs(session: Session, *, actor: Actor, labs: Sequence[LabIn]) -> list[Lab]:
    """Create or update labs by name, with their routes replaced: all or nothing."""
    actor.require(RUN_TESTING, what="manage labs")
    problems = []
    for i, given in enumerate(labs):
        if given.county_code is not None and division(given.county_code) is None:
            problems.append(FieldProblem(("labs", i, "county_code"), "not a county code"))
        for county, minutes in given.routes.items():
            if division(county) is None:
                problems.append(FieldProblem(("labs", i, "routes", county), "not a county code"))
            elif not 0 <= minutes <= 24 * 60:
                problems.append(FieldProblem(("labs", i, "routes", county), "minutes 0 to 1440"))
    if len({given.name for given in labs}) != len(labs):
        problems.append(FieldProblem(("labs",), "a lab is named twice"))
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


def _in_hand(session: Session) -> dict[int, int]:
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


def list_labs(session: Session, *, now: datetime | None = None) -> list[LabRead]:
    """Labs with their routes, the tubes they hold and, as of `now`, how many are late."""
    routes: dict[int, dict[str, float]] = defaultdict(dict)
    for r in session.scalars(select(LabRoute)):
        routes[r.lab_id][r.county_code] = r.minutes
    hand = _in_hand(session)
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


# -- the plan ---------------------------------------------------------------------------------


def plan_round(session: Session, *, actor: Actor, round_id: int, now: datetime) -> PlanRead:
    """Send every closed tube not yet on the road to a lab, so the round's last result comes
    as early as the labs allow. Shipments that have not left are planned again with the rest:
    this is also the re-plan when a lab falls behind."""
    actor.require(RUN_TESTING, what="plan the labs")
    found = get_round(session, actor=actor, round_id=round_id)
    waiting = select(Shipment.id).where(
        Shipment.round_id == found.id, Shipment.departed_at.is_(None)
    )
    replanned = (
        session.scalar(select(func.count()).select_from(Tube).where(Tube.shipment_id.in_(waiting)))
        or 0
    )
    session.execute(
        update(Tube).where(Tube.shipment_id.in_(waiting)).values(shipment_id=None),
        execution_options={"synchronize_session": False},
    )
    session.execute(delete(Shipment).where(Shipment.id.in_(waiting)))
    pending = session.execute(
        select(Tube.id, Tube.site_id, SamplingSite.county_code)
        .join(SamplingSite, SamplingSite.id == Tube.site_id)
        .where(
            Tube.round_id == found.id,
            Tube.closed_at.is_not(None),
            Tube.shipment_id.is_(None),
            Tube.result.is_(None),
        )
        .order_by(SamplingSite.county_code, Tube.site_id, Tube.id)
    ).all()
    by_county: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for tube_id, site_id, county in pending:
        by_county[county].append((site_id, tube_id))
    labs = list(session.scalars(select(Lab).order_by(Lab.id)))
    routes = {(r.county_code, str(r.lab_id)): r.minutes for r in session.scalars(select(LabRoute))}
    hand = _in_hand(session)
    today = _used_today(session, now)
    plan_input = [
        PlanLab(
            id=str(lab.id),
            tubes_per_hour=lab.tubes_per_day / 24,
            capacity=max(lab.tubes_per_day - today.get(lab.id, 0), 0),
            backlog_min=lab.behind_min + hand.get(lab.id, 0) * 24 * 60 / lab.tubes_per_day,
        )
        for lab in labs
    ]
    batches = [Batch(county, county, len(tubes), 0.0) for county, tubes in by_county.items()]
    try:
        plan = plan_labs(batches, plan_input, routes)
    except PlanError as exc:
        raise Conflict(f"the labs cannot take round {found.id}'s tubes: {exc}") from None
    names = {lab.id: lab.name for lab in labs}
    sites = {
        s.id: s.name
        for s in session.scalars(select(SamplingSite).where(SamplingSite.round_id == found.id))
    }
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
                    round_id=found.id,
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
    record_audit(
        session,
        actor=actor,
        action="plan",
        entity="screening_round",
        entity_id=found.id,
        now=now,
        detail=f"{len(pending)} tubes, {len(made)} shipments",
    )
    return PlanRead(
        tubes=len(pending),
        replanned=int(replanned),
        last_result_at=now + timedelta(minutes=plan.makespan_min) if made else None,
        shipments=[_show_shipment(s, sites, names) for s, _ in made],
    )


def _used_today(session: Session, now: datetime) -> dict[int, int]:
    """Tubes planned for each lab since the city's midnight: today's capacity already used."""
    midnight = local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = session.execute(
        select(Shipment.lab_id, func.sum(Shipment.tubes))
        .where(Shipment.planned_at >= midnight)
        .group_by(Shipment.lab_id)
    )
    return {lab_id: int(n or 0) for lab_id, n in rows}


def _show_shipment(s: Shipment, sites: dict[int, str], labs: dict[int, str]) -> ShipmentRead:
    return ShipmentRead(
        id=s.id,
        site=sites.get(s.site_id, str(s.site_id)),
        lab=labs.get(s.lab_id, str(s.lab_id)),
        tubes=s.tubes,
        planned_at=s.planned_at,
        expected_result_at=s.expected_result_at,
        departed_at=s.departed_at,
        delivered_at=s.delivered_at,
    )


def list_shipments(session: Session, *, actor: Actor, round_id: int) -> list[ShipmentRead]:
    found = get_round(session, actor=actor, round_id=round_id)
    sites = {
        s.id: s.name
        for s in session.scalars(select(SamplingSite).where(SamplingSite.round_id == found.id))
    }
    labs = {lab.id: lab.name for lab in session.scalars(select(Lab))}
    shipments = session.scalars(
        select(Shipment).where(Shipment.round_id == found.id).order_by(Shipment.id)
    )
    return [_show_shipment(s, sites, labs) for s in shipments]


def changeable_shipments(actor: Actor) -> Select[Shipment]:
    """A lab's staff move the boxes sent to their lab; sampling staff those leaving their
    county's sites; city-wide staff any."""
    query = select(Shipment)
    if actor.lab_id is not None:
        return query.where(Shipment.lab_id == actor.lab_id)
    if actor.jurisdiction is not None:
        county_sites = select(SamplingSite.id).where(SamplingSite.county_code == actor.jurisdiction)
        return query.where(Shipment.site_id.in_(county_sites))
    return query


def shipment_step(
    session: Session, *, actor: Actor, shipment_id: int, step: str, at: datetime, now: datetime
) -> ShipmentRead:
    """The courier left the site (`departed`) or the lab received the box (`delivered`)."""
    actor.require(SAMPLE, LAB_RESULTS, what="move shipments")
    shipment = session.scalar(changeable_shipments(actor).where(Shipment.id == shipment_id))
    if shipment is None:
        raise NotFound(f"shipment {shipment_id} not found")
    if at > now:
        raise InvalidInput.at(("at",), f"{fmt_local(at)} is in the future")
    if step == "departed":
        if at < shipment.planned_at:
            raise InvalidInput.at(("at",), "is before the shipment was planned")
        shipment.departed_at = shipment.departed_at or at
    else:
        if at < (shipment.departed_at or shipment.planned_at):
            raise InvalidInput.at(("at",), "is before the shipment left")
        shipment.departed_at = shipment.departed_at or at
        shipment.delivered_at = shipment.delivered_at or at
    session.flush()
    return _show_shipment(shipment, {}, {})


def receive_shipments(
    session: Session, *, actor: Actor, shipment_ids: Sequence[int], at: datetime, now: datetime
) -> int:
    """A lab signs for boxes as they arrive (a courier's run brings many)."""
    for shipment_id in shipment_ids:
        shipment_step(
            session, actor=actor, shipment_id=shipment_id, step="delivered", at=at, now=now
        )
    return len(shipment_ids)


# -- results ----------------------------------------------------------------------------------

RESULT_LAYOUT = Layout(
    headers={
        "barcode": ("管号", "条码", "样本编号", "试管编号", "tube", "barcode"),
        "result": ("结果", "检测结果", "result"),
        "tested_at": ("检测时间", "上机时间", "tested_at"),
        "reported_at": ("报告时间", "审核时间", "reported_at"),
    },
    required=("barcode", "result"),
    anchor="barcode",
)
RESULT_WORDS = {
    "阴性": "negative",
    "negative": "negative",
    "neg": "negative",
    "-": "negative",
    "阳性": "positive",
    "positive": "positive",
    "pos": "positive",
    "+": "positive",
    "无效": "invalid",
    "invalid": "invalid",
}


def readable_labs(actor: Actor) -> Select[Lab]:
    """A lab's staff see their own lab; everyone else the city's labs."""
    query = select(Lab)
    return query if actor.lab_id is None else query.where(Lab.id == actor.lab_id)


def lab_for(session: Session, *, actor: Actor, lab_id: int) -> Lab:
    lab = session.scalar(readable_labs(actor).where(Lab.id == lab_id))
    if lab is None:
        raise NotFound(f"lab {lab_id} not found")
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


def results_csv(rows: Iterable[tuple[str, str, datetime | None, datetime | None]]) -> bytes:
    """The results file in the layout `parse_results` reads: a worklist to fill in, or results
    to upload. UTF-8 with a byte-order mark so Excel opens the Chinese headers as they are."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["管号", "结果", "检测时间", "报告时间"])
    for barcode, result, tested, reported in rows:
        writer.writerow([barcode, result, _cell(tested), _cell(reported)])
    return ("\ufeff" + out.getvalue()).encode()


def _cell(value: datetime | None) -> str:
    return f"{local(value):%Y-%m-%d %H:%M}" if value is not None else ""


@dataclass(frozen=True)
class ResultRow:
    barcode: str
    result: str
    tested_at: datetime | None
    reported_at: datetime
    loc: tuple[str | int, ...]


@lru_cache(maxsize=4096)
def _when(value: Any) -> datetime:
    """A lab's file repeats a few run times over thousands of rows: parse each once."""
    return cell_datetime(value)


def parse_results(filename: str, content: bytes, *, now: datetime) -> list[ResultRow]:
    table = read_sheet(filename, content, RESULT_LAYOUT)
    rows: list[ResultRow] = []
    problems: list[FieldProblem] = []
    for number, row in table:
        loc = (f"row {number}",)
        word = table.text(row, "result").lower()
        result = RESULT_WORDS.get(word)
        if result is None:
            problems.append(
                FieldProblem((*loc, table.heading("result")), f"unknown result {word!r}")
            )
            continue
        times: dict[str, datetime | None] = {}
        for field in ("tested_at", "reported_at"):
            value = table.get(row, field)
            try:
                times[field] = _when(value) if value not in (None, "") else None
            except InvalidInput as exc:
                problems.append(FieldProblem((*loc, table.heading(field)), str(exc)))
                times[field] = None
        rows.append(
            ResultRow(
                table.text(row, "barcode"),
                result,
                times["tested_at"],
                times["reported_at"] or now,
                loc,
            )
        )
    if problems:
        raise InvalidInput("problems in the results; nothing was recorded", problems[:50])
    return rows


def record_results(
    session: Session, *, actor: Actor, lab_id: int, rows: Sequence[ResultRow], now: datetime
) -> ResultsRead:
    """A lab's results, all or nothing. A positive pool raises a recall of its members for
    single-tube retests; a positive single tube opens an infection. The same result again
    changes nothing; a different one for a tube that has a result is refused."""
    actor.require(LAB_RESULTS, what="upload lab results")
    lab = lab_for(session, actor=actor, lab_id=lab_id)
    tubes: dict[str, Any] = {}  # rows, not ORM objects: a lab's file holds 10,000s of tubes
    for chunk in in_chunks(r.barcode for r in rows):
        found = session.execute(
            select(
                Tube.id,
                Tube.barcode,
                Tube.round_id,
                Tube.kind,
                Tube.closed_at,
                Tube.shipment_id,
                Tube.result,
            ).where(Tube.barcode.in_(chunk))
        )
        tubes.update({t.barcode: t for t in found})
    lab_of = _lab_of_shipments(session, [t.shipment_id for t in tubes.values() if t.shipment_id])
    problems: list[FieldProblem] = []
    todo: list[tuple[Any, ResultRow]] = []
    seen: dict[str, str] = {}
    already = 0
    for row in rows:
        tube = tubes.get(row.barcode)
        where = (*row.loc, "barcode")
        if tube is None:
            problems.append(FieldProblem(where, f"no tube {row.barcode!r} was registered"))
            continue
        if row.barcode in seen and seen[row.barcode] != row.result:
            problems.append(FieldProblem(where, f"tube {row.barcode} twice with other results"))
            continue
        if tube.closed_at is None:
            problems.append(FieldProblem(where, f"tube {row.barcode} is still open at its site"))
            continue
        if tube.shipment_id is not None and lab_of.get(tube.shipment_id) != lab.id:
            problems.append(FieldProblem(where, f"tube {row.barcode} was sent to another lab"))
            continue
        for field, value in (("tested_at", row.tested_at), ("reported_at", row.reported_at)):
            if value is not None and value > now:
                problems.append(
                    FieldProblem((*row.loc, field), f"{fmt_local(value)} is in the future")
                )
            elif value is not None and value < tube.closed_at:
                problems.append(FieldProblem((*row.loc, field), "is before the tube was closed"))
        if tube.result is not None:
            if tube.result != row.result:
                problems.append(
                    FieldProblem(where, f"tube {row.barcode} already has result {tube.result}")
                )
            else:
                already += 1
            continue
        if row.barcode not in seen:
            todo.append((tube, row))
        seen[row.barcode] = row.result
        if len(problems) >= 50:
            break
    if problems:
        raise InvalidInput("problems in the results; nothing was recorded", problems[:50])
    if todo:
        session.execute(
            update(Tube),
            [
                {
                    "id": tube.id,
                    "result": row.result,
                    "tested_at": row.tested_at or row.reported_at,
                    "reported_at": row.reported_at,
                }
                for tube, row in todo
            ],
        )
    positives = [(tube, row) for tube, row in todo if row.result == "positive"]
    recalls, infections = _act_on_positives(session, positives, now=now)
    _close_recalls(session, [tube.id for tube, _ in todo], now=now)
    for round_id in {tube.round_id for tube, _ in todo}:
        feed_zone_rounds(session, round_id)
    record_audit(
        session,
        actor=actor,
        action="results",
        entity="lab",
        entity_id=lab.id,
        now=now,
        detail=f"{len(todo)} results, {len(positives)} positive",
    )
    session.flush()
    return ResultsRead(
        recorded=len(todo),
        already=already,
        positive_pools=sum(1 for t, _ in positives if t.kind == "pooled"),
        recalls=recalls,
        infections=infections,
    )


def _lab_of_shipments(session: Session, shipment_ids: Sequence[int | None]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in in_chunks(i for i in shipment_ids if i is not None):
        rows = session.execute(select(Shipment.id, Shipment.lab_id).where(Shipment.id.in_(chunk)))
        found.update({sid: lab for sid, lab in rows})
    return found


def _act_on_positives(
    session: Session, positives: Sequence[tuple[Any, ResultRow]], *, now: datetime
) -> tuple[list[int], list[int]]:
    recalls: list[int] = []
    infections: list[int] = []
    for tube, row in positives:
        if tube.kind == "pooled":
            recall = Recall(round_id=tube.round_id, tube_id=tube.id, raised_at=now)
            session.add(recall)
            session.flush()
            recalls.append(recall.id)
            continue
        [sample] = session.scalars(select(Sample).where(Sample.tube_id == tube.id)).all()
        infection = open_infection_from_test(
            session,
            person_id=sample.person_id,
            sampled_at=sample.sampled_at,
            reported_at=row.reported_at,
            note=f"单采阳性 tube {tube.barcode} (round {tube.round_id}, {sample.purpose})",
            now=now,
        )
        infections.append(infection.id)
    return recalls, infections


def _close_recalls(session: Session, tube_ids: Sequence[int], *, now: datetime) -> None:
    """A recall is done when every member of the pool has a retest result."""
    touched_rounds: set[int] = set()
    for chunk in in_chunks(tube_ids):
        touched_rounds.update(
            session.scalars(
                select(Sample.round_id).where(Sample.tube_id.in_(chunk), Sample.purpose == "retest")
            )
        )
    for round_id in touched_rounds:
        for recall in session.scalars(
            select(Recall).where(Recall.round_id == round_id, Recall.done_at.is_(None))
        ):
            members = recall_members_status(session, recall)
            if all(result is not None for _, _, result in members):
                recall.done_at = now


def recall_members_status(
    session: Session, recall: Recall
) -> list[tuple[int, str | None, str | None]]:
    """Each member of the pool with their retest tube and its result, if any."""
    members = list(
        session.scalars(select(Sample.person_id).where(Sample.tube_id == recall.tube_id))
    )
    retests = dict(
        (pid, (barcode, result))
        for pid, barcode, result in session.execute(
            select(Sample.person_id, Tube.barcode, Tube.result)
            .join(Tube, Tube.id == Sample.tube_id)
            .where(
                Sample.round_id == recall.round_id,
                Sample.purpose == "retest",
                Sample.person_id.in_(members),
            )
        )
    )
    return [(pid, *retests.get(pid, (None, None))) for pid in members]


def _require_recalls(actor: Actor) -> None:
    """Recalls name the people to retest: sampling teams and tracers, not sites or labs."""
    actor.require(READ_PEOPLE, SAMPLE, RUN_TESTING, what="see recalls")


def list_recalls(session: Session, *, actor: Actor, round_id: int) -> list[RecallRead]:
    _require_recalls(actor)
    found = get_round(session, actor=actor, round_id=round_id)
    recalls = session.scalars(
        select(Recall).where(Recall.round_id == found.id).order_by(Recall.raised_at, Recall.id)
    )
    return [
        show_recall(session, actor=actor, recall=r, now=None)
        for r in recalls
        if _recall_covered(session, actor, r)
    ]


def _recall_covered(session: Session, actor: Actor, recall: Recall) -> bool:
    """A recall belongs to the county of the site that took the pool."""
    county = session.scalar(
        select(SamplingSite.county_code)
        .join(Tube, Tube.site_id == SamplingSite.id)
        .where(Tube.id == recall.tube_id)
    )
    return actor.covers(county)


def get_recall(session: Session, *, actor: Actor, recall_id: int, now: datetime) -> RecallRead:
    _require_recalls(actor)
    recall = session.get(Recall, recall_id)
    if recall is None or not _recall_covered(session, actor, recall):
        raise NotFound(f"recall {recall_id} not found")
    get_round(session, actor=actor, round_id=recall.round_id)
    return show_recall(session, actor=actor, recall=recall, now=now)


def show_recall(
    session: Session, *, actor: Actor, recall: Recall, now: datetime | None
) -> RecallRead:
    """The sampling team's job: who to find and retest. Masked for roles without full
    identity; a full read is audited."""
    tube = session.get(Tube, recall.tube_id)
    assert tube is not None
    site = session.get(SamplingSite, tube.site_id)
    status = recall_members_status(session, recall)
    # unscoped: the members of a pool the caller's round covers; shown masked per role.
    people = {p.id: p for p in people_by_id(session, [s[0] for s in status]).values()}
    members = []
    for pid, barcode, result in status:
        shown = show_person(people[pid], actor)
        members.append(
            RecallMember(
                person_id=pid,
                name=shown.name,
                id_number=shown.id_number,
                phone=shown.phone,
                address=shown.address,
                retest_barcode=barcode,
                retest_result=result,
            )
        )
    if now is not None and actor.can(SEE_FULL_IDENTITY):
        record_audit(
            session,
            actor=actor,
            action="read",
            entity="recall",
            entity_id=recall.id,
            now=now,
            detail=f"{len(members)} people",
        )
    return RecallRead(
        id=recall.id,
        round_id=recall.round_id,
        barcode=tube.barcode,
        site=site.name if site else "",
        raised_at=recall.raised_at,
        done_at=recall.done_at,
        members=members,
    )


def feed_zone_rounds(session: Session, round_id: int) -> list[ZoneRound]:
    """Once a closed round has every result and every recall retested, it is a whole-zone
    round for each zone it covered, as the lifting rule counts them: done when the last
    result was reported, positive if any resident's single tube was. Idempotent."""
    found = session.get(ScreeningRound, round_id)
    if found is None or found.closed_at is None:
        return []
    unresulted = session.scalar(
        select(func.count())
        .select_from(Tube)
        .where(Tube.round_id == found.id, Tube.result.is_(None))
    )
    open_recalls = session.scalar(
        select(func.count())
        .select_from(Recall)
        .where(Recall.round_id == found.id, Recall.done_at.is_(None))
    )
    done_at = session.scalar(select(func.max(Tube.reported_at)).where(Tube.round_id == found.id))
    if unresulted or open_recalls or done_at is None:
        return []
    sampled = select(Sample.person_id).where(
        Sample.round_id == found.id, Sample.purpose == "screen"
    )
    positive = (
        select(Sample.person_id)
        .join(Tube, Tube.id == Sample.tube_id)
        .where(Sample.round_id == found.id, Tube.kind == "single", Tube.result == "positive")
    )
    area = RoundArea(found.area, found.zone_id, found.county_code, found.match)
    return record_whole_zone_rounds(
        session, area=area, done_at=done_at, sampled=sampled, positive=positive
    )
