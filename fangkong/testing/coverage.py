"""Who a round missed (应检尽检), per community, and how long its tubes took."""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import openpyxl
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.sheets import text_row
from fangkong.core.timeutil import fmt_local
from fangkong.people import service as registry
from fangkong.people.addresses import community_of
from fangkong.people.service import in_jurisdiction, show_person
from fangkong.testing.models import Sample, ScreeningRound, Shipment, Tube
from fangkong.testing.schemas import CommunityCoverage, CoverageRead, StageTimes, TurnaroundRead
from fangkong.testing.service import area_filter, get_round

if TYPE_CHECKING:
    from fangkong.people.models import Person


def _sampled(session: Session, round_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Sample.person_id).where(Sample.round_id == round_id, Sample.purpose == "screen")
        )
    )


def coverage(session: Session, *, actor: Actor, round_id: int) -> CoverageRead:
    found = get_round(session, actor=actor, round_id=round_id)
    sampled = _sampled(session, found.id)
    residents: Counter[str] = Counter()
    covered: Counter[str] = Counter()
    area = area_filter(found, session)
    for pid, address in registry.addresses_where(session, area, in_jurisdiction(actor)):
        place = community_of(address)
        residents[place] += 1
        covered[place] += pid in sampled
    communities = sorted(
        (
            CommunityCoverage(community=c, residents=n, sampled=covered[c], missing=n - covered[c])
            for c, n in residents.items()
        ),
        key=lambda c: (-c.missing, c.community),
    )
    total, done = sum(residents.values()), sum(covered.values())
    return CoverageRead(
        residents=total, sampled=done, missing=total - done, communities=communities
    )


def missing_people(session: Session, *, actor: Actor, round_id: int, now: datetime) -> list[Person]:
    found = get_round(session, actor=actor, round_id=round_id)
    sampled = select(Sample.person_id).where(
        Sample.round_id == found.id, Sample.purpose == "screen"
    )
    missing = registry.people_where(
        session, area_filter(found, session), in_jurisdiction(actor), ~registry.is_person(sampled)
    )
    record_audit(
        session,
        actor=actor,
        action="export",
        entity="screening_round",
        entity_id=found.id,
        now=now,
        detail=f"missing list, {len(missing)} people",
    )
    return missing


def missing_xlsx(session: Session, *, actor: Actor, round_id: int, now: datetime) -> bytes:
    """The missing list per community, masked per role, for the community's door-knockers."""
    found = get_round(session, actor=actor, round_id=round_id)
    people = missing_people(session, actor=actor, round_id=round_id, now=now)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("应检未检")
    sheet.append(
        text_row(
            sheet, [f"{found.name} 应检未检人员名单（截至 {fmt_local(now)}，共 {len(people)} 人）"]
        )
    )
    sheet.append(text_row(sheet, ["社区/村", "姓名", "身份证号码", "联系电话", "住址"]))
    for person in sorted(people, key=lambda p: (community_of(p.address), p.id)):
        shown = show_person(person, actor)
        sheet.append(
            text_row(
                sheet,
                [
                    community_of(person.address),
                    shown.name,
                    shown.id_number,
                    shown.phone,
                    shown.address,
                ],
            )
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


STAGES = (
    ("collect", "opened_at", "closed_at"),  # first swab into the tube until it is sealed
    ("deliver", "closed_at", "delivered_at"),  # sealed until the lab has it
    ("test", "delivered_at", "tested_at"),
    ("report", "tested_at", "reported_at"),
    ("total", "opened_at", "reported_at"),
)


def turnaround(session: Session, *, actor: Actor, round_id: int) -> TurnaroundRead:
    """Per tube, the hours of each step from first swab to report, and their distribution."""
    found: ScreeningRound = get_round(session, actor=actor, round_id=round_id)
    rows = session.execute(
        select(
            Tube.opened_at, Tube.closed_at, Shipment.delivered_at, Tube.tested_at, Tube.reported_at
        )
        .outerjoin(Shipment, Shipment.id == Tube.shipment_id)
        .where(Tube.round_id == found.id, Tube.reported_at.is_not(None))
    ).all()
    columns = ("opened_at", "closed_at", "delivered_at", "tested_at", "reported_at")
    stages = []
    totals = np.array([])
    for name, start, end in STAGES:
        i, j = columns.index(start), columns.index(end)
        spans = []
        for r in rows:
            a, b = r[i], r[j]
            if a is not None and b is not None and b >= a:
                spans.append((b - a).total_seconds() / 3600)
        hours = np.array(spans)
        if name == "total":
            totals = hours
        stages.append(
            StageTimes(
                stage=name,
                count=len(hours),
                median_h=round(float(np.median(hours)), 2) if len(hours) else None,
                p90_h=round(float(np.percentile(hours, 90)), 2) if len(hours) else None,
                max_h=round(float(hours.max()), 2) if len(hours) else None,
            )
        )
    if len(totals):
        top = max(float(np.ceil(totals.max())), 1.0)
        edges = np.linspace(0, top, min(int(top), 24) + 1)
        counts, edges = np.histogram(totals, bins=edges)
    else:
        counts, edges = np.array([], dtype=int), np.array([0.0])
    return TurnaroundRead(
        stages=stages,
        histogram_edges_h=[round(float(e), 2) for e in edges],
        histogram_counts=[int(c) for c in counts],
    )
