"""A person's episodes from the live state: their infections, their contact orders' phases,
their arrivals and the closed rounds of their area that missed them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import NotFound
from fangkong.core.settings import get_settings
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
    return out


def _missed_rounds(session: Session, person: Person, colour: str) -> list[Episode]:
    """应检未检: a closed round of the person's area that has no sample of theirs, from its
    close until their next sample in any round."""
    samples = sorted(
        session.scalars(select(Sample.sampled_at).where(Sample.person_id == person.id))
    )
    out = []
    for found in session.scalars(
        select(ScreeningRound).where(ScreeningRound.closed_at.is_not(None))
    ):
        # unscoped: one person's membership of a round's area, nothing else leaves.
        inside = session.scalar(
            select(Person.id).where(Person.id == person.id, area_filter(found, session))
        )
        if inside is None:
            continue
        mine = session.scalar(
            select(Sample.id).where(Sample.round_id == found.id, Sample.person_id == person.id)
        )
        if mine is not None:
            continue
        assert found.closed_at is not None
        later = next((s for s in samples if s > found.closed_at), None)
        out.append(Episode(colour, f"应检未检（{found.name}）", found.closed_at, later))
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
