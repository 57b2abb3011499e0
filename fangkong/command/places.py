"""Places (场所): every place on an infection's trajectory in one register, with the cases who
were there; its environment sampled, disinfected and closed (人物环境同检同防), each a task with
the protocol's deadline; a positive environment sample widens tracing."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from fangkong.command.models import (
    Disinfection,
    EnvironmentSample,
    Investigation,
    Place,
    PlaceVisit,
)
from fangkong.command.permissions import READ_COMMAND, RECORD_PLACES
from fangkong.command.rules import command_rule
from fangkong.command.schemas import (
    DisinfectionIn,
    DisinfectionRead,
    EnvSampleIn,
    EnvSampleRead,
    InvestigationIn,
    PlaceRead,
    PlaceVisitRead,
)
from fangkong.command.teams import open_investigation
from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.signals import GroupCode, Signal
from fangkong.core.timeutil import refuse_future
from fangkong.people.service import county_from_address, shown_home
from fangkong.protocol.models import CommandRule
from fangkong.tracing.signals import place_stops

HOME = "household"  # the setting of a stop at someone's home
PlaceState = Literal["to_sample", "sampled", "positive", "disinfected"]
STEPS: tuple[tuple[str, GroupCode], ...] = (
    ("sample", "testing"),
    ("disinfect", "coordination"),
    ("close", "traffic"),
)


def register_places(session: Session, *, as_of: datetime) -> int:
    """Every stop known by `as_of` becomes a visit of its place (made once by name and
    address). Returns how many visits were new."""
    seen = set(session.scalars(select(PlaceVisit.stop_id)))
    places = {(p.name, p.address): p for p in session.scalars(select(Place))}
    new = 0
    for stop in place_stops(session, as_of=as_of):
        if stop.stop_id in seen:
            continue
        place = places.get((stop.place, stop.address))
        if place is None:
            county = county_from_address(stop.address) or stop.county
            place = Place(
                name=stop.place,
                address=stop.address,
                kind=stop.setting or "",
                county_code=county,
                registered_at=stop.known_at,
            )
            session.add(place)
            session.flush()
            places[(stop.place, stop.address)] = place
        session.add(
            PlaceVisit(
                place_id=place.id,
                stop_id=stop.stop_id,
                infection_id=stop.infection_id,
                arrived_at=stop.arrived_at,
                departed_at=stop.departed_at,
                known_at=stop.known_at,
            )
        )
        new += 1
    session.flush()
    return new


def read_place(session: Session, *, actor: Actor, place_id: int, as_of: datetime) -> PlaceRead:
    """One place as `list_places` shows it (a place the actor may not read: 404)."""
    found = list_places(session, actor=actor, as_of=as_of, place_id=place_id)
    if not found:
        raise NotFound(_("place %(id)s not found", id=place_id))
    return found[0]


def readable_places(actor: Actor) -> Select[Place]:
    """A county's readers see its places and those outside every county (协查); the city all."""
    if not actor.can(READ_COMMAND):
        return select(Place).where(false())
    if actor.jurisdiction is None:
        return select(Place)
    return select(Place).where(
        or_(Place.county_code == actor.jurisdiction, Place.county_code.is_(None))
    )


def get_place(session: Session, *, actor: Actor, place_id: int) -> Place:
    place = session.scalar(readable_places(actor).where(Place.id == place_id))
    if place is None:
        raise NotFound(_("place %(id)s not found", id=place_id))
    return place


def _state(samples: list[EnvSampleRead], cleaned: list[DisinfectionRead]) -> PlaceState:
    if cleaned:
        return "disinfected"
    if any(s.result == "positive" for s in samples):
        return "positive"
    return "sampled" if samples else "to_sample"


def list_places(
    session: Session, *, actor: Actor, as_of: datetime, place_id: int | None = None
) -> list[PlaceRead]:
    """Places registered by `as_of` (or the one asked for) with their cases, samples and
    disinfections as of then."""
    query = readable_places(actor).order_by(Place.id)
    if place_id is None:
        query = query.where(Place.registered_at <= as_of)
    else:
        query = query.where(Place.id == place_id)
    places = list(session.scalars(query))
    ids = [p.id for p in places]
    visits: dict[int, list[PlaceVisitRead]] = defaultdict(list)
    for v in session.scalars(
        select(PlaceVisit).where(PlaceVisit.place_id.in_(ids), PlaceVisit.known_at <= as_of)
    ):
        visits[v.place_id].append(PlaceVisitRead.model_validate(v, from_attributes=True))
    samples: dict[int, list[EnvSampleRead]] = defaultdict(list)
    for s in session.scalars(
        select(EnvironmentSample)
        .where(EnvironmentSample.place_id.in_(ids), EnvironmentSample.taken_at <= as_of)
        .order_by(EnvironmentSample.taken_at)
    ):
        shown = EnvSampleRead.model_validate(s, from_attributes=True)
        if s.result_at is None or s.result_at > as_of:
            shown = shown.model_copy(update={"result": None, "result_at": None})
        samples[s.place_id].append(shown)
    cleaned: dict[int, list[DisinfectionRead]] = defaultdict(list)
    for d in session.scalars(
        select(Disinfection).where(Disinfection.place_id.in_(ids), Disinfection.done_at <= as_of)
    ):
        cleaned[d.place_id].append(DisinfectionRead.model_validate(d, from_attributes=True))
    return [
        PlaceRead(
            id=p.id,
            name=p.name,
            # A home on a trajectory is someone's address: shown as their address would be.
            address=shown_home(actor, p.address, p.county_code) if p.kind == HOME else p.address,
            kind=p.kind,
            county_code=p.county_code,
            lon=p.lon,
            lat=p.lat,
            registered_at=p.registered_at,
            closed_at=p.closed_at if p.closed_at and p.closed_at <= as_of else None,
            state=_state(samples[p.id], cleaned[p.id]),
            visits=visits[p.id],
            samples=samples[p.id],
            disinfections=cleaned[p.id],
        )
        for p in places
    ]


def record_sample(
    session: Session, *, actor: Actor, place_id: int, data: EnvSampleIn, now: datetime
) -> EnvironmentSample:
    """An environment sample; a positive one opens tracing work for a team at once."""
    actor.require(RECORD_PLACES, what="record a place's sampling")
    place = get_place(session, actor=actor, place_id=place_id)
    refuse_future(data.taken_at, now, "taken_at")
    if data.result is not None:
        refuse_future(data.result_at or now, now, "result_at")
        if (data.result_at or now) < data.taken_at:
            raise InvalidInput.at(("result_at",), _("the result is before the sample"))
    sample = EnvironmentSample(
        place_id=place.id,
        kind=data.kind,
        spot=data.spot,
        taken_at=data.taken_at,
        taken_by=actor.username,
        result=data.result,
        result_at=(data.result_at or now) if data.result else None,
    )
    session.add(sample)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="sample",
        entity="place",
        entity_id=place.id,
        now=now,
        detail=f"{data.kind} {data.result or 'pending'}",
    )
    if sample.result == "positive":
        _widen(session, actor, place, sample, now)
    return sample


def _widen(
    session: Session, actor: Actor, place: Place, sample: EnvironmentSample, now: datetime
) -> None:
    """A positive sample: the people who were at the place are to be found — tracing work for
    the least loaded team at once (its task stays open until that work is closed)."""
    hours = command_rule().positive_place_hours
    title = _(
        "%(place)s: positive environment sample, find everyone who was there", place=place.name
    )
    try:
        open_investigation(
            session,
            actor=actor,
            now=now,
            env_sample_id=sample.id,
            data=InvestigationIn(
                kind="contacts", title=title[:200], due_at=now + timedelta(hours=hours)
            ),
        )
    except InvalidInput:
        pass  # no team yet: the raised task says what is to be done


def record_result(
    session: Session, *, actor: Actor, sample_id: int, result: str, at: datetime, now: datetime
) -> EnvironmentSample:
    actor.require(RECORD_PLACES, what="record a place's sampling")
    sample = session.get(EnvironmentSample, sample_id)
    if sample is None:
        raise NotFound(_("sample %(id)s not found", id=sample_id))
    get_place(session, actor=actor, place_id=sample.place_id)
    refuse_future(at, now, "result_at")
    if at < sample.taken_at:
        raise InvalidInput.at(("result_at",), _("the result is before the sample"))
    was = sample.result
    sample.result, sample.result_at = result, at
    if result == "positive" and was != "positive":
        _widen(
            session, actor, get_place(session, actor=actor, place_id=sample.place_id), sample, now
        )
    record_audit(
        session,
        actor=actor,
        action="result",
        entity="place",
        entity_id=sample.place_id,
        now=now,
        detail=result,
    )
    return sample


def record_disinfection(
    session: Session, *, actor: Actor, place_id: int, data: DisinfectionIn, now: datetime
) -> Disinfection:
    actor.require(RECORD_PLACES, what="record a place's disinfection")
    place = get_place(session, actor=actor, place_id=place_id)
    refuse_future(data.done_at, now, "done_at")
    done = Disinfection(
        place_id=place.id, done_at=data.done_at, done_by=data.done_by, recorded_by=actor.username
    )
    session.add(done)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="disinfect",
        entity="place",
        entity_id=place.id,
        now=now,
        detail=data.done_by,
    )
    return done


def close_place(
    session: Session, *, actor: Actor, place_id: int, closed_at: datetime, now: datetime
) -> Place:
    actor.require(RECORD_PLACES, what="close a place")
    place = get_place(session, actor=actor, place_id=place_id)
    refuse_future(closed_at, now, "closed_at")
    place.closed_at, place.closed_by = closed_at, actor.username
    record_audit(
        session, actor=actor, action="close", entity="place", entity_id=place.id, now=now, detail=""
    )
    return place


def set_location(session: Session, *, place_id: int, lon: float, lat: float) -> None:
    place = session.get(Place, place_id)
    if place is not None:
        place.lon, place.lat = lon, lat


def place_signals(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    """Each place known by `as_of`: to sample, disinfect and close by the protocol's hours from
    when it was known, until done; a positive sample until its tracing work is closed."""
    first_known = dict(
        session.execute(
            select(PlaceVisit.place_id, func.min(PlaceVisit.known_at))
            .where(PlaceVisit.known_at <= as_of)
            .group_by(PlaceVisit.place_id)
        ).all()
    )
    sampled = set(
        session.scalars(
            select(EnvironmentSample.place_id).where(EnvironmentSample.taken_at <= as_of)
        )
    )
    cleaned = set(
        session.scalars(select(Disinfection.place_id).where(Disinfection.done_at <= as_of))
    )
    out: list[Signal] = []
    for place in session.scalars(select(Place).where(Place.id.in_(list(first_known)))):
        known = first_known[place.id]
        closed = place.closed_at is not None and place.closed_at <= as_of
        done = {"sample": place.id in sampled, "disinfect": place.id in cleaned, "close": closed}
        hours = {
            "sample": rule.place_sampling_hours,
            "disinfect": rule.place_disinfection_hours,
            "close": rule.place_closing_hours,
        }
        for step, group in STEPS:
            if not done[step]:
                out.append(
                    Signal(
                        key=f"place-{step}:{place.id}",
                        kind=f"place_{step}",
                        group=group,
                        object_kind="place",
                        object_id=place.id,
                        county=place.county_code,
                        unit=place.name,
                        due_at=known + timedelta(hours=hours[step]),
                    )
                )
    return out + _positives(session, as_of=as_of, rule=rule)


def _positives(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    followed = (
        select(Investigation.id)
        .where(
            Investigation.env_sample_id == EnvironmentSample.id,
            Investigation.closed_at <= as_of,
        )
        .exists()
    )
    rows = session.execute(
        select(
            EnvironmentSample.id,
            EnvironmentSample.result_at,
            Place.id,
            Place.name,
            Place.county_code,
        )
        .join(Place, Place.id == EnvironmentSample.place_id)
        .where(
            EnvironmentSample.result == "positive", EnvironmentSample.result_at <= as_of, ~followed
        )
    )
    return [
        Signal(
            key=f"place-positive:{sample_id}",
            kind="place_positive",
            group="tracing",
            object_kind="place",
            object_id=place_id,
            county=county,
            unit=name,
            due_at=(result_at or as_of) + timedelta(hours=rule.positive_place_hours),
        )
        for sample_id, result_at, place_id, name, county in rows
    ]


class PlaceFigures(NamedTuple):
    places: int
    sampled: int
    sampled_since: int
    positive: int
    disinfected: int
    disinfected_since: int


def place_figures(
    session: Session, *, actor: Actor, since: datetime, until: datetime
) -> PlaceFigures:
    """The actor's places registered by `until`: how many sampled and disinfected by then (and
    first in (since, until]), and with a positive sample by then."""
    ids = readable_places(actor).where(Place.registered_at <= until).with_only_columns(Place.id)
    first_sample = dict(
        session.execute(
            select(EnvironmentSample.place_id, func.min(EnvironmentSample.taken_at))
            .where(EnvironmentSample.place_id.in_(ids), EnvironmentSample.taken_at <= until)
            .group_by(EnvironmentSample.place_id)
        ).all()
    )
    first_clean = dict(
        session.execute(
            select(Disinfection.place_id, func.min(Disinfection.done_at))
            .where(Disinfection.place_id.in_(ids), Disinfection.done_at <= until)
            .group_by(Disinfection.place_id)
        ).all()
    )
    positive = session.scalar(
        select(func.count(func.distinct(EnvironmentSample.place_id))).where(
            EnvironmentSample.place_id.in_(ids),
            EnvironmentSample.result == "positive",
            EnvironmentSample.result_at <= until,
        )
    )
    return PlaceFigures(
        places=int(session.scalar(select(func.count()).select_from(ids.subquery())) or 0),
        sampled=len(first_sample),
        sampled_since=sum(1 for at in first_sample.values() if at > since),
        positive=int(positive or 0),
        disinfected=len(first_clean),
        disinfected_since=sum(1 for at in first_clean.values() if at > since),
    )
