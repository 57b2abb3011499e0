"""Zones: drawn the night a case is found, lifted only when the protocol's rule holds and the
command centre approves. The platform proposes; people decide."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pydantic import ValidationError
from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.citymap import county_boundary
from fangkong.core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from fangkong.core.i18n import _, validation_message
from fangkong.core.ids import division
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import future
from fangkong.people import service as registry
from fangkong.people.service import HomeArea
from fangkong.protocol.loader import get_protocol
from fangkong.tracing.service import area_cases
from fangkong.zones.models import Zone, ZoneEvent, ZoneRound
from fangkong.zones.permissions import MANAGE_ZONES
from fangkong.zones.rules import ZoneFacts, evaluate_zone
from fangkong.zones.schemas import (
    VerdictRead,
    ZoneCreate,
    ZoneEventRead,
    ZoneImportResult,
    ZoneRead,
    ZoneRoundIn,
)


def readable_zones(actor: Actor) -> Select[Zone]:
    return select(Zone).where(actor.in_county(Zone.county_code))


def get_zone(session: Session, *, actor: Actor, zone_id: int) -> Zone:
    zone = session.scalar(readable_zones(actor).where(Zone.id == zone_id))
    if zone is None:
        raise NotFound(_("zone %(id)s not found", id=zone_id))
    return zone


def check_geometry(geometry: dict[str, Any] | None, *, loc: tuple[str | int, ...]) -> None:
    """A zone's polygon must be a valid Polygon or MultiPolygon: no self-intersections."""
    if geometry is None:
        raise InvalidInput.at(loc, _("a polygon zone needs a GeoJSON geometry"))
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidInput.at(
            loc, _("must be a Polygon or MultiPolygon, not %(type)s", type=geometry.get("type"))
        )
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise InvalidInput.at(
            loc, _("not a readable GeoJSON geometry (%(why)s)", why=exc)
        ) from None
    if polygon.is_empty or not polygon.is_valid:
        raise InvalidInput.at(loc, _("invalid polygon: %(why)s", why=explain_validity(polygon)))


def _area_problems(data: ZoneCreate) -> list[FieldProblem]:
    """What the zone's area lacks: an address zone's text, a grid's cells, a valid shape."""
    problems = []
    if data.unit == "address" and not data.match.strip():
        problems.append(
            FieldProblem(("match",), _("an address zone needs the text its addresses share"))
        )
    if data.unit == "cells" and not data.cells:
        problems.append(FieldProblem(("cells",), _("a grid zone needs its cells")))
    if data.unit == "polygon" or data.geometry is not None:
        try:
            check_geometry(data.geometry, loc=("geometry",))
        except InvalidInput as exc:
            problems.extend(exc.problems)
    return problems


def draw_zone(session: Session, *, actor: Actor, data: ZoneCreate, now: datetime) -> Zone:
    actor.require(MANAGE_ZONES, what="draw or change zones")
    protocol = get_protocol(get_settings().protocol)
    problems: list[FieldProblem] = []
    if data.kind not in protocol.zones:
        known = ", ".join(f"{k} ({r.label})" for k, r in protocol.zones.items())
        problems.append(
            FieldProblem(
                ("kind",),
                _("unknown zone kind %(kind)s; %(known)s", kind=repr(data.kind), known=known),
            )
        )
    if division(data.county_code) is None or not data.county_code.startswith(
        get_settings().city_code
    ):
        problems.append(FieldProblem(("county_code",), _("is not a county of this city")))
    elif not actor.covers(data.county_code):
        problems.append(FieldProblem(("county_code",), _("is outside your jurisdiction")))
    if data.drawn_at > now:
        problems.append(FieldProblem(("drawn_at",), future(data.drawn_at)))
    problems += _area_problems(data)
    if data.parent_id is not None:
        parent = session.get(Zone, data.parent_id)
        if parent is None or parent.status != "active":
            problems.append(
                FieldProblem(
                    ("parent_id",), _("zone %(id)s is not an active zone", id=data.parent_id)
                )
            )
    if problems:
        raise InvalidInput("invalid zone", problems)
    zone = Zone(
        name=data.name,
        kind=data.kind,
        protocol_id=protocol.id,
        parent_id=data.parent_id,
        county_code=data.county_code,
        unit=data.unit,
        match=data.match.strip(),
        cells=data.cells,
        geometry=data.geometry if data.unit != "admin" else _county_shape(data),
        declared_population=data.declared_population,
        status="active",
        drawn_at=data.drawn_at,
        changed_at=data.drawn_at,
        note=data.note,
    )
    session.add(zone)
    session.flush()
    _event(session, zone, "drawn", None, zone.kind, actor.username, data.note, data.drawn_at)
    return zone


def _county_shape(data: ZoneCreate) -> dict[str, Any] | None:
    """A county-wide zone is drawn as its county: the shape given, else the boundary from the
    city map installed at set-up."""
    return data.geometry or county_boundary(data.county_code)


def _event(
    session: Session,
    zone: Zone,
    action: str,
    from_kind: str | None,
    to_kind: str | None,
    by: str,
    reason: str,
    at: datetime,
) -> None:
    session.add(
        ZoneEvent(
            zone_id=zone.id,
            at=at,
            action=action,
            from_kind=from_kind,
            to_kind=to_kind,
            by=by,
            reason=reason,
        )
    )
    session.flush()


def count_live_zones(session: Session, *, at: datetime) -> int:
    """Zones drawn and not lifted at a moment."""
    count = session.scalar(
        select(func.count())
        .select_from(Zone)
        .where(Zone.drawn_at <= at, (Zone.lifted_at.is_(None)) | (Zone.lifted_at > at))
    )
    return int(count or 0)


def residents_of(session: Session, zone: Zone) -> ColumnElement[bool]:
    """A condition on people for those who live in the zone (the people registry knows where
    people live)."""
    area = HomeArea(zone.unit, zone.county_code, zone.match, tuple(zone.cells), zone.geometry)
    return registry.residents_of(session, area)


def population(session: Session, zone: Zone) -> int:
    counted = session.scalar(registry.count_people(residents_of(session, zone))) or 0
    return max(counted, zone.declared_population or 0)


def zone_facts(session: Session, zone: Zone, *, as_of: datetime) -> ZoneFacts:
    """What the lifting rule needs, from the registry, tracing and the zone's rounds."""
    residents = registry.person_ids_where(residents_of(session, zone))
    cases = area_cases(session, residents=residents, as_of=as_of)
    last_infection = cases.last_community_infection_at
    rounds = session.scalars(
        select(ZoneRound.completed_at).where(
            ZoneRound.zone_id == zone.id, ZoneRound.positive == 0, ZoneRound.completed_at <= as_of
        )
    ).all()
    # Zones inside that were drawn and not yet lifted at `as_of`.
    inner = (
        session.scalar(
            select(func.count())
            .select_from(Zone)
            .where(Zone.parent_id == zone.id, Zone.drawn_at <= as_of)
            .where(Zone.lifted_at.is_(None) | (Zone.lifted_at > as_of))
        )
        or 0
    )
    down = session.scalar(
        select(ZoneEvent)
        .where(
            ZoneEvent.zone_id == zone.id, ZoneEvent.action == "downgraded", ZoneEvent.at <= as_of
        )
        .order_by(ZoneEvent.at.desc())
    )
    return ZoneFacts(
        kind=zone.kind,
        drawn_at=zone.changed_at if zone.changed_at <= as_of else zone.drawn_at,
        last_infection_at=last_infection
        if last_infection and last_infection > zone.drawn_at
        else None,
        last_close_exposure_at=cases.last_close_exposure_at,
        close_contacts_negative=not cases.close_contacts_turned,
        negative_rounds=list(rounds),
        inner_active=inner,
        downgraded_from=down.from_kind if down else None,
        downgraded_at=down.at if down else None,
    )


def too_soon_to_lift(session: Session, zone: Zone, *, as_of: datetime) -> bool:
    """Cheaply, without its facts: the zone's rule counts days without infection from when it
    was drawn (or last changed), and they have not passed — so it cannot be eligible yet. A
    downgraded zone follows its own clock: never too soon by this test."""
    events = session.execute(
        select(ZoneEvent.to_kind, ZoneEvent.action)
        .where(ZoneEvent.zone_id == zone.id, ZoneEvent.at <= as_of)
        .order_by(ZoneEvent.at, ZoneEvent.id)
    ).all()
    if any(action == "downgraded" for _, action in events):
        return False
    kinds = [kind for kind, _ in events if kind]
    rule = get_protocol(zone.protocol_id).zones[kinds[-1] if kinds else zone.kind]
    drawn = zone.changed_at if zone.changed_at <= as_of else zone.drawn_at
    days = rule.days_without_infection
    return days is not None and as_of < drawn + timedelta(days=days)


def zone_status(session: Session, zone: Zone, *, as_of: datetime) -> ZoneRead:
    """The zone as it stood at `as_of`: its kind then, lifted or not by then, and the rule's
    verdict as of then."""
    events = list(
        session.scalars(
            select(ZoneEvent)
            .where(ZoneEvent.zone_id == zone.id, ZoneEvent.at <= as_of)
            .order_by(ZoneEvent.at, ZoneEvent.id)
        )
    )
    kinds = [e.to_kind for e in events if e.to_kind]
    kind = kinds[-1] if kinds else zone.kind
    lifted = zone.lifted_at is not None and zone.lifted_at <= as_of
    protocol = get_protocol(zone.protocol_id)
    rule = protocol.zones[kind]
    verdict = None
    if not lifted:
        facts = zone_facts(session, zone, as_of=as_of)
        facts = ZoneFacts(**{**facts.__dict__, "kind": kind})
        v = evaluate_zone(protocol, facts, as_of=as_of)
        upgrade = rule.upgrade_on_infection if facts.last_infection_at else None
        verdict = VerdictRead(
            eligible=v.eligible,
            becomes=v.becomes,
            eligible_from=v.eligible_from,
            unmet=v.unmet,
            upgrade_to=upgrade,
        )
    return ZoneRead(
        id=zone.id,
        name=zone.name,
        kind=kind,
        kind_label=rule.label,
        protocol_id=zone.protocol_id,
        parent_id=zone.parent_id,
        county_code=zone.county_code,
        unit=zone.unit,
        match=zone.match,
        population=population(session, zone),
        status="lifted" if lifted else "active",
        drawn_at=zone.drawn_at,
        changed_at=events[-1].at if events else zone.drawn_at,
        lifted_at=zone.lifted_at if lifted else None,
        as_of=as_of,
        verdict=verdict,
        events=[
            ZoneEventRead(
                at=e.at,
                action=e.action,
                from_kind=e.from_kind,
                to_kind=e.to_kind,
                by=e.by,
                reason=e.reason,
            )
            for e in events
        ],
        geometry=zone.geometry,
    )


def list_zones(session: Session, *, actor: Actor, as_of: datetime) -> list[ZoneRead]:
    """Zones drawn by `as_of`, each with its state and the rule's verdict as of then."""
    zones = session.scalars(
        readable_zones(actor).where(Zone.drawn_at <= as_of).order_by(Zone.county_code, Zone.id)
    )
    return [zone_status(session, z, as_of=as_of) for z in zones]


class RoundArea(NamedTuple):
    """The area a screening round covered, as zones read it."""

    area: str  # zone | county | township | city
    zone_id: int | None
    county_code: str | None
    match: str | None


def record_whole_zone_rounds(
    session: Session,
    *,
    area: RoundArea,
    done_at: datetime,
    sampled: Select[int],
    positive: Select[int],
) -> list[ZoneRound]:
    """A finished screening round is a whole-zone round for each live zone it covered, as the
    lifting rule counts them: done at `done_at`, positive if any resident's single tube was
    (`positive`, person ids), tested over the residents among `sampled`. Idempotent."""
    zones = session.scalars(
        select(Zone).where(Zone.drawn_at <= done_at, Zone.status != "lifted")
    ).all()
    made = []
    for zone in _covered(zones, area):
        exists = session.scalar(
            select(ZoneRound.id).where(
                ZoneRound.zone_id == zone.id, ZoneRound.completed_at == done_at
            )
        )
        where = residents_of(session, zone)
        tested = session.scalar(registry.count_people(where, registry.is_person(sampled)))
        if exists is not None or not tested:
            continue
        found_positive = session.scalar(registry.count_people(where, registry.is_person(positive)))
        made.append(
            ZoneRound(
                zone_id=zone.id,
                completed_at=done_at,
                tested=int(tested),
                positive=int(found_positive or 0),
            )
        )
    session.add_all(made)
    session.flush()
    return made


def _covered(zones: Sequence[Zone], area: RoundArea) -> list[Zone]:
    if area.area == "zone":
        return _zone_and_inner(zones, area.zone_id)
    if area.county_code is None:
        return list(zones)
    covered = [z for z in zones if z.county_code == area.county_code]
    if area.area == "township":
        covered = [z for z in covered if z.unit == "address" and (area.match or "") in z.match]
    return covered


def _zone_and_inner(zones: Sequence[Zone], zone_id: int | None) -> list[Zone]:
    inside = {zone_id}
    grew = True
    while grew:
        grew = False
        for z in zones:
            if z.parent_id in inside and z.id not in inside:
                inside.add(z.id)
                grew = True
    return [z for z in zones if z.id in inside]


def record_round(
    session: Session, *, actor: Actor, zone_id: int, data: ZoneRoundIn, now: datetime
) -> ZoneRound:
    actor.require(MANAGE_ZONES, what="draw or change zones")
    zone = get_zone(session, actor=actor, zone_id=zone_id)
    problems = []
    if data.completed_at > now:
        problems.append(FieldProblem(("completed_at",), _("is in the future")))
    if data.completed_at < zone.drawn_at:
        problems.append(FieldProblem(("completed_at",), _("is before the zone was drawn")))
    if data.positive > data.tested:
        problems.append(FieldProblem(("positive",), _("is more than were tested")))
    if problems:
        raise InvalidInput("invalid round", problems)
    done = ZoneRound(
        zone_id=zone.id, completed_at=data.completed_at, tested=data.tested, positive=data.positive
    )
    session.add(done)
    session.flush()
    return done


def approve_change(
    session: Session, *, actor: Actor, zone_id: int, reason: str, now: datetime
) -> ZoneRead:
    """Apply what the rule allows now (lift, or downgrade), on the command centre's word."""
    actor.require(MANAGE_ZONES, what="draw or change zones")
    zone = get_zone(session, actor=actor, zone_id=zone_id)
    if zone.status != "active":
        raise Conflict(_("zone %(name)s is %(status)s", name=zone.name, status=_(zone.status)))
    verdict = evaluate_zone(
        get_protocol(zone.protocol_id), zone_facts(session, zone, as_of=now), as_of=now
    )
    if not verdict.eligible:
        missing = _("; ").join(verdict.unmet)
        raise Conflict(_("zone %(zone)s may not change yet: %(missing)s", zone=zone.name,
                         missing=missing))  # fmt: skip
    before = zone.kind
    if verdict.becomes == "lifted":
        zone.status, zone.lifted_at = "lifted", now
        _event(session, zone, "lifted", before, None, actor.username, reason, now)
    else:
        zone.kind = verdict.becomes
        _event(session, zone, "downgraded", before, zone.kind, actor.username, reason, now)
    zone.changed_at = now
    record_audit(
        session,
        actor=actor,
        action="zone",
        entity="zone",
        entity_id=zone.id,
        now=now,
        detail=f"{before} -> {verdict.becomes}: {reason}",
    )
    session.flush()
    return zone_status(session, zone, as_of=now)


def upgrade_zone(
    session: Session, *, actor: Actor, zone_id: int, reason: str, now: datetime
) -> ZoneRead:
    """A new infection inside a zone whose rule says so: upgrade it (controlled -> sealed)."""
    actor.require(MANAGE_ZONES, what="draw or change zones")
    zone = get_zone(session, actor=actor, zone_id=zone_id)
    rule = get_protocol(zone.protocol_id).zones[zone.kind]
    facts = zone_facts(session, zone, as_of=now)
    if (
        zone.status != "active"
        or rule.upgrade_on_infection is None
        or facts.last_infection_at is None
    ):
        raise Conflict(
            _("zone %(name)s has no new infection that calls for an upgrade", name=zone.name)
        )
    before, zone.kind, zone.changed_at = zone.kind, rule.upgrade_on_infection, now
    _event(session, zone, "upgraded", before, zone.kind, actor.username, reason, now)
    return zone_status(session, zone, as_of=now)


# -- GeoJSON in and out --------------------------------------------------------------------------


def export_geojson(session: Session, *, actor: Actor, as_of: datetime) -> dict[str, Any]:
    """The zones as a FeatureCollection that `import_geojson` takes back as they are: each
    shape, and its parent by name (ids differ between databases)."""
    features = []
    listed = list_zones(session, actor=actor, as_of=as_of)
    names = {z.id: z.name for z in listed}
    for z in listed:
        zone = session.get_one(Zone, z.id)
        features.append(
            {
                "type": "Feature",
                "geometry": zone.geometry,
                "properties": {
                    "id": z.id,
                    "name": z.name,
                    "kind": z.kind,
                    "label": z.kind_label,
                    "status": z.status,
                    "parent_id": z.parent_id,
                    "parent": names.get(z.parent_id) if z.parent_id else None,
                    "note": zone.note,
                    "county_code": z.county_code,
                    "unit": z.unit,
                    "match": z.match,
                    "cells": zone.cells,
                    "population": z.population,
                    "drawn_at": z.drawn_at.isoformat(),
                    "eligible_from": z.verdict.eligible_from.isoformat()
                    if z.verdict and z.verdict.eligible_from
                    else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _zone_of_feature(
    session: Session, actor: Actor, feature: dict[str, Any], props: dict[str, Any], now: datetime
) -> ZoneCreate:
    """A feature as the zone to draw; its parent by name, drawn earlier or already there."""
    parent = props.get("parent")
    parent_id = None
    if parent:
        found = session.scalar(readable_zones(actor).where(Zone.name == str(parent)))
        if found is None:
            raise InvalidInput.at(("parent",), _("no zone named %(name)s", name=repr(parent)))
        parent_id = found.id
    geometry = feature.get("geometry")
    try:
        return ZoneCreate(
            name=str(props.get("name") or ""),
            kind=str(props.get("kind", "")),
            parent_id=parent_id,
            county_code=str(props.get("county_code", "")),
            unit=props.get("unit") or ("polygon" if geometry else "address"),
            match=str(props.get("match") or ""),
            cells=[str(c) for c in props.get("cells") or []],
            geometry=geometry,
            declared_population=props.get("population"),
            drawn_at=props.get("drawn_at") or now,
            note=str(props.get("note") or ""),
        )
    except ValidationError as exc:
        raise InvalidInput(
            "invalid feature",
            [FieldProblem(tuple(str(p) for p in e["loc"]), validation_message(e))
             for e in exc.errors()],
        ) from None  # fmt: skip


MAX_FEATURES = 10_000  # a city's zones at the worst of an outbreak were a few hundred


def import_geojson(
    session: Session, *, actor: Actor, content: bytes, now: datetime, filename: str = ""
) -> ZoneImportResult:
    """Zones from a FeatureCollection (properties: name, kind, county_code, unit, match,
    cells, population, drawn_at, parent = a name earlier in the file or already drawn).
    All features or none; a zone already drawn with the same name is left as it is."""
    actor.require(MANAGE_ZONES, what="draw or change zones")
    try:
        collection = json.loads(content)
        features = collection["features"]
        assert collection.get("type") == "FeatureCollection" and isinstance(features, list)
    except (ValueError, KeyError, TypeError, AssertionError, RecursionError):
        raise InvalidInput.at(("file",), _("not a GeoJSON FeatureCollection")) from None
    if len(features) > MAX_FEATURES:
        raise InvalidInput.at(("file",), _("%(file)s: %(what)s over the limit of %(limit)s; "
                              "split the file", file=filename or "GeoJSON", what=_("features"),
                              limit=f"{MAX_FEATURES:,}"))  # fmt: skip
    bad = [i for i, f in enumerate(features) if not isinstance(f, dict)]
    if bad:
        problems = [FieldProblem(("features", i), _("not a GeoJSON Feature")) for i in bad]
        message = _("%(count)s problem(s) in the file; no zone was drawn", count=len(bad))
        raise InvalidInput(message, problems)
    created = existing = 0
    problems = []
    with session.begin_nested():  # every feature checked; one bad, none kept
        for i, feature in enumerate(features):
            props = feature.get("properties") or {}
            props = props if isinstance(props, dict) else {}
            name = str(props.get("name") or "")
            if session.scalar(
                readable_zones(actor).where(Zone.name == name, Zone.status == "active")
            ):
                existing += 1
                continue
            try:
                data = _zone_of_feature(session, actor, feature, props, now)
                draw_zone(session, actor=actor, data=data, now=now)
                created += 1
            except InvalidInput as exc:
                problems += [FieldProblem(("features", i, *p.loc), p.msg) for p in exc.problems]
        if problems:
            raise InvalidInput(_("%(count)s problem(s) in the file; no zone was drawn",
                                 count=len(problems)), problems)  # fmt: skip
    return ZoneImportResult(created=created, existing=existing)
