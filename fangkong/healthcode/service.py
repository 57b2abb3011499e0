"""A person's episodes from the live state: their infections, their contact orders' phases,
their arrivals and the closed rounds of their area that missed them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor, Permission
from fangkong.core.errors import Conflict, InvalidInput, NotFound
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import fmt_local
from fangkong.healthcode.models import Appeal
from fangkong.healthcode.rules import Episode, Verdict, colour_at, history
from fangkong.people.models import Person
from fangkong.people.service import require_covers
from fangkong.protocol.loader import get_protocol
from fangkong.testing.models import Sample, ScreeningRound
from fangkong.testing.service import area_filter
from fangkong.tracing.models import Infection, ManagementOrder, OrderPhase
from fangkong.travel.models import Arrival

PHASE_LABEL = {"central_quarantine": "集中隔离", "home_quarantine": "居家隔离",
               "home_monitoring": "居家健康监测"}  # fmt: skip
MISSED_ROUND_DAYS = timedelta(days=7)
CATEGORY_LABEL = {"close": "密接", "secondary": "次密接", "companion": "时空伴随者",
                  "general": "一般接触者"}  # fmt: skip


def episodes(session: Session, person: Person) -> list[Episode]:
    rule = get_protocol(get_settings().protocol).healthcode
    out: list[Episode] = []
    for infection in session.scalars(select(Infection).where(Infection.person_id == person.id)):
        red_end = infection.reported_at + timedelta(days=rule.infection_red_days)
        out.append(
            Episode(
                "red",
                f"感染者（{infection.reported_at:%m-%d} 报告）",
                infection.reported_at,
                red_end,
            )
        )
        if rule.infection_yellow_days:
            out.append(
                Episode(
                    "yellow",
                    "感染者出院后健康监测",
                    red_end,
                    red_end + timedelta(days=rule.infection_yellow_days),
                )
            )
    phases = session.execute(
        select(ManagementOrder.category, OrderPhase.kind, OrderPhase.starts_at, OrderPhase.ends_at)
        .join(OrderPhase, OrderPhase.order_id == ManagementOrder.id)
        .where(ManagementOrder.person_id == person.id)
    ).all()
    for category, kind, start, end in phases:
        colours = rule.contacts.get(category)  # type: ignore[call-overload]
        if colours is None:
            continue
        colour = colours.monitoring if kind == "home_monitoring" else colours.quarantine
        label = f"{CATEGORY_LABEL.get(category, category)}{PHASE_LABEL.get(kind, kind)}"
        out.append(Episode(colour, label, start, end))
    for arrival in session.scalars(select(Arrival).where(Arrival.person_id == person.id)):
        if arrival.risk_level in ("medium", "high"):
            out.append(
                Episode(
                    rule.arrival_awaiting_test,
                    f"来自{arrival.origin}，待落地检",
                    arrival.arrived_at,
                    arrival.tested_at,
                )
            )
        if arrival.path == "central_quarantine" and arrival.placed_at is not None:
            end = arrival.released_at or arrival.placed_at + timedelta(days=arrival.days)
            out.append(Episode(rule.arrival_quarantine, "入境人员集中隔离", arrival.placed_at, end))
    out += _missed_rounds(session, person, rule.missed_round)
    out += appeal_episodes(session, person)
    return out


def _missed_rounds(session: Session, person: Person, colour: str) -> list[Episode]:
    """应检未检: a closed round of the person's area that has no sample of theirs, from its
    close until their next sample, a week at most (no test in 7 days turns yellow [S31], so
    a week later a new round decides). People already infected, or in quarantine (tested
    there), were not missed."""
    samples = sorted(
        session.scalars(select(Sample.sampled_at).where(Sample.person_id == person.id))
    )
    infected = session.scalars(
        select(Infection.reported_at).where(Infection.person_id == person.id)
    ).all()
    held = session.execute(
        select(OrderPhase.starts_at, OrderPhase.ends_at)
        .join(ManagementOrder, ManagementOrder.id == OrderPhase.order_id)
        .where(ManagementOrder.person_id == person.id, OrderPhase.kind != "home_monitoring")
    ).all()
    sampled_in = set(session.scalars(select(Sample.round_id).where(Sample.person_id == person.id)))
    out = []
    for found in session.scalars(
        select(ScreeningRound).where(ScreeningRound.closed_at.is_not(None))
    ):
        closed = found.closed_at
        assert closed is not None
        if any(r <= closed for r in infected):
            continue
        if any(start <= closed and end >= found.starts_at for start, end in held):
            continue
        if found.id in sampled_in:
            continue
        # unscoped: one person's membership of a round's area, nothing else leaves.
        inside = session.scalar(
            select(Person.id).where(Person.id == person.id, area_filter(found, session))
        )
        if inside is None:
            continue
        later = next((s for s in samples if s > closed), None)
        end = min(later, closed + MISSED_ROUND_DAYS) if later else closed + MISSED_ROUND_DAYS
        out.append(Episode(colour, f"应检未检（{found.name}）", closed, end))
    return out


def healthcode(
    session: Session, *, actor: Actor, person_id: int, as_of: datetime
) -> tuple[Verdict, list[tuple[datetime, str, str]]]:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"person {person_id} not found")
    require_covers(actor, person)
    found = episodes(session, person)
    return colour_at(found, as_of), [h for h in history(found) if h[0] <= as_of]


# -- appeals ----------------------------------------------------------------------------------


def appeal_episodes(session: Session, person: Person) -> list[Episode]:
    upheld = session.scalars(
        select(Appeal).where(Appeal.person_id == person.id, Appeal.status == "upheld")
    )
    return [
        Episode(a.colour or "green", f"申诉复核改码（{a.decision}）", a.decided_at, a.until, True)
        for a in upheld
        if a.decided_at is not None
    ]


def file_appeal(
    session: Session, *, actor: Actor, person_id: int, reason: str, now: datetime
) -> Appeal:
    """Filed by someone who may see the person (their county's staff, the community worker):
    an appeal on someone else's behalf without that right is refused."""
    actor.require(Permission.EDIT_TRACING, Permission.REVIEW_APPEALS, what="file appeals")
    person = session.get(Person, person_id)
    if person is None or not actor.covers(person.county_code):
        raise NotFound(f"person {person_id} not found")
    verdict, _ = healthcode(session, actor=actor, person_id=person_id, as_of=now)
    appeal = Appeal(person_id=person_id, filed_at=now, filed_by=actor.username, reason=reason,
                    colour_then=verdict.colour)  # fmt: skip
    session.add(appeal)
    session.flush()
    record_audit(session, actor=actor, action="appeal", entity="person", entity_id=person_id,
                 now=now, detail=reason[:200])  # fmt: skip
    return appeal


def decide_appeal(
    session: Session, *, actor: Actor, appeal_id: int, uphold: bool, decision: str,
    colour: str | None, until: datetime | None, now: datetime,
) -> Appeal:  # fmt: skip
    actor.require(Permission.REVIEW_APPEALS, what="decide appeals")
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(f"appeal {appeal_id} not found")
    if appeal.status != "pending":
        raise Conflict(f"appeal {appeal_id} was decided at {fmt_local(appeal.decided_at)}")
    if uphold and (colour is None or until is None or until <= now):
        raise InvalidInput.at(("until",), "an upheld appeal sets a colour until a later time")
    appeal.status = "upheld" if uphold else "rejected"
    appeal.decided_at, appeal.decided_by, appeal.decision = now, actor.username, decision
    appeal.colour, appeal.until = (colour, until) if uphold else (None, None)
    record_audit(session, actor=actor, action="decide", entity="appeal", entity_id=appeal.id,
                 now=now, detail=f"{appeal.status}: {decision[:200]}")  # fmt: skip
    session.flush()
    return appeal


def appeal_queue(session: Session, *, actor: Actor) -> list[tuple[Appeal, Person]]:
    # unscoped: the people of the appeals the actor's jurisdiction covers, shown masked.
    rows = session.execute(
        select(Appeal, Person)
        .join(Person, Person.id == Appeal.person_id)
        .order_by(Appeal.status != "pending", Appeal.filed_at.desc())
    ).all()
    return [(a, p) for a, p in rows if actor.covers(p.county_code)]


def person_for(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"person {person_id} not found")
    return person
