"""A person's episodes from the live state: their infections, their contact orders' phases,
their arrivals and the closed rounds of their area that missed them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import fmt_local, local
from fangkong.healthcode.models import Appeal
from fangkong.healthcode.permissions import REVIEW_APPEALS
from fangkong.healthcode.rules import Episode, Verdict, colour_at, history
from fangkong.people.permissions import READ_PEOPLE
from fangkong.people.service import find_person, people_by_id, readable_by, require_covers
from fangkong.protocol.loader import get_protocol
from fangkong.protocol.models import HealthCodeRule
from fangkong.testing.service import closed_rounds, residents_among, samples_of
from fangkong.tracing.orders import infections_reported, order_phases_of
from fangkong.tracing.permissions import EDIT_TRACING
from fangkong.travel.service import arrivals_of, observed_steps

if TYPE_CHECKING:
    from fangkong.people.models import Person

MISSED_ROUND_DAYS = timedelta(days=7)


def _infected(rule: HealthCodeRule, reported: datetime) -> list[Episode]:
    """Red from the report, then yellow while monitored after discharge, if the rule says."""
    red_end = reported + timedelta(days=rule.infection_red_days)
    reason = _("infected (reported %(day)s)", day=f"{local(reported):%m-%d}")
    found = [Episode("red", reason, reported, red_end)]
    if rule.infection_yellow_days:
        yellow_end = red_end + timedelta(days=rule.infection_yellow_days)
        found.append(Episode("yellow", _("health monitoring after discharge"), red_end, yellow_end))
    return found


def episodes_of(
    session: Session, ids: Sequence[int], *, rounds_since: datetime | None = None
) -> dict[int, list[Episode]]:
    """Each person's episodes, read for all of them at once (a scanner's batch or one
    person's page). `rounds_since` skips rounds closed before it: a missed round lasts a week
    at most, so a colour now needs only the last week's rounds."""
    out: dict[int, list[Episode]] = {i: [] for i in ids}
    if not ids:
        return out
    rule = get_protocol(get_settings().protocol).healthcode
    infected: dict[int, list[datetime]] = {i: [] for i in ids}
    for person_id, reported in infections_reported(session, ids):
        infected[person_id].append(reported)
        out[person_id] += _infected(rule, reported)
    held: dict[int, list[tuple[datetime, datetime]]] = {i: [] for i in ids}
    for person_id, category, kind, start, end in order_phases_of(session, ids):
        if kind != "home_monitoring":
            held[person_id].append((start, end))
        colours = rule.contacts.get(category)  # type: ignore[call-overload]
        if colours is None:
            continue
        colour = colours.monitoring if kind == "home_monitoring" else colours.quarantine
        label = _("%(category)s, %(phase)s", category=_(category), phase=_(kind))
        out[person_id].append(Episode(colour, label, start, end))
    arrivals = arrivals_of(session, ids)
    steps = observed_steps(session, arrivals)
    for arrival in arrivals:
        episodes = out[arrival.person_id]
        seen = steps[arrival.id]
        if arrival.risk_level in ("medium", "high"):
            episodes.append(
                Episode(
                    rule.arrival_awaiting_test,
                    _("from %(origin)s, awaiting the landing test", origin=arrival.origin),
                    arrival.arrived_at,
                    seen["tested"],
                )
            )
        placed = seen.get("placed")
        if arrival.path == "central_quarantine" and placed is not None:
            end = seen.get("released") or placed + timedelta(days=arrival.days)
            episodes.append(
                Episode(rule.arrival_quarantine, _("arrival in central quarantine"), placed, end)
            )
    for person_id, missed in _missed_rounds(
        session, ids, rule.missed_round, infected=infected, held=held, since=rounds_since
    ).items():
        out[person_id] += missed
    for appeal in session.scalars(
        select(Appeal).where(Appeal.person_id.in_(ids), Appeal.status == "upheld")
    ):
        if appeal.decided_at is not None:
            why = _("set on appeal (%(decision)s)", decision=appeal.decision)
            out[appeal.person_id].append(
                Episode(appeal.colour or "green", why, appeal.decided_at, appeal.until,
                        override=True)
            )  # fmt: skip
    return out


def _missed_rounds(
    session: Session,
    ids: Sequence[int],
    colour: str,
    *,
    infected: dict[int, list[datetime]],
    held: dict[int, list[tuple[datetime, datetime]]],
    since: datetime | None,
) -> dict[int, list[Episode]]:
    """应检未检: a closed round of the person's area that has no sample of theirs, from its
    close until their next sample, a week at most (no test in 7 days turns yellow [S31], so
    a week later a new round decides). People already infected, or in quarantine (tested
    there), were not missed."""
    rounds = closed_rounds(session, since=since - MISSED_ROUND_DAYS if since else None)
    out: dict[int, list[Episode]] = {}
    if not rounds:
        return out
    samples: dict[int, list[datetime]] = {i: [] for i in ids}
    sampled_in: set[tuple[int, int]] = set()
    for person_id, round_id, sampled_at in samples_of(session, ids):
        samples[person_id].append(sampled_at)
        sampled_in.add((person_id, round_id))
    for found in rounds:
        closed = found.closed_at
        assert closed is not None
        for person_id in residents_among(session, found, ids):
            if (person_id, found.id) in sampled_in or any(r <= closed for r in infected[person_id]):
                continue
            if any(s <= closed and e >= found.starts_at for s, e in held[person_id]):
                continue
            later = min((s for s in samples[person_id] if s > closed), default=None)
            end = closed + MISSED_ROUND_DAYS
            out.setdefault(person_id, []).append(
                Episode(
                    colour,
                    _("missed a screening (%(round)s)", round=found.name),
                    closed,
                    min(later, end) if later else end,
                )
            )
    return out


def healthcode(
    session: Session, *, actor: Actor, person_id: int, as_of: datetime
) -> tuple[Verdict, list[tuple[datetime, str, str]]]:
    person = find_person(session, person_id)
    if person is None:
        raise NotFound(_("person %(id)s not found", id=person_id))
    require_covers(actor, person)
    found = episodes_of(session, [person.id])[person.id]
    return colour_at(found, as_of), [h for h in history(found) if h[0] <= as_of]


# -- appeals ----------------------------------------------------------------------------------


def file_appeal(
    session: Session, *, actor: Actor, person_id: int, reason: str, now: datetime
) -> Appeal:
    """Filed by someone who may see the person (their county's staff, the community worker):
    an appeal on someone else's behalf without that right is refused."""
    actor.require(EDIT_TRACING, REVIEW_APPEALS, what="file appeals")
    person = find_person(session, person_id)
    if person is None or not actor.covers(person.county_code):
        raise NotFound(_("person %(id)s not found", id=person_id))
    verdict, _history = healthcode(session, actor=actor, person_id=person_id, as_of=now)
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
    actor.require(REVIEW_APPEALS, what="decide appeals")
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound(_("appeal %(id)s not found", id=appeal_id))
    if appeal.status != "pending":
        raise Conflict(
            _("appeal %(id)s was decided at %(at)s", id=appeal_id, at=fmt_local(appeal.decided_at))
        )
    if uphold and (colour is None or until is None or until <= now):
        raise InvalidInput.at(("until",), _("an upheld appeal sets a colour until a later time"))
    appeal.status = "upheld" if uphold else "rejected"
    appeal.decided_at, appeal.decided_by, appeal.decision = now, actor.username, decision
    appeal.colour, appeal.until = (colour, until) if uphold else (None, None)
    record_audit(session, actor=actor, action="decide", entity="appeal", entity_id=appeal.id,
                 now=now, detail=f"{appeal.status}: {decision[:200]}")  # fmt: skip
    session.flush()
    return appeal


def appeal_queue(session: Session, *, actor: Actor) -> list[tuple[Appeal, Person]]:
    """Appeals of people in the actor's jurisdiction, pending first (shown masked per role)."""
    actor.require(READ_PEOPLE, REVIEW_APPEALS, what="see appeals")
    appeals = list(
        session.scalars(
            select(Appeal)
            .where(readable_by(actor, Appeal.person_id))
            .order_by(Appeal.status != "pending", Appeal.filed_at.desc())
        )
    )
    people = people_by_id(session, {a.person_id for a in appeals})
    return [(a, people[a.person_id]) for a in appeals]


def person_for(session: Session, person_id: int) -> Person:
    person = find_person(session, person_id)
    if person is None:
        raise NotFound(_("person %(id)s not found", id=person_id))
    return person
