"""The person registry: one record per real person, scoped by jurisdiction, masked when shown."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

import numpy as np
from shapely import contains_xy
from shapely.geometry import shape
from sqlalchemy import (
    Select,
    Table,
    UniqueConstraint,
    bindparam,
    delete,
    false,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect

from fangkong.core.audit import note_disclosure, record_audit
from fangkong.core.auth import Actor
from fangkong.core.db import Base, bulk_insert, in_chunks
from fangkong.core.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from fangkong.core.geo import cells_of
from fangkong.core.i18n import _
from fangkong.core.ids import (
    InvalidIdNumber,
    birth_date_of,
    division,
    divisions_in,
    generated_key,
    mask_id_number,
    mask_mobile,
    mask_name,
    mask_numbers,
    normalize_id_number,
    normalize_text,
    sex_of,
    validate_id_number,
)
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import local_date
from fangkong.people.models import Person, PersonMerge
from fangkong.people.permissions import EDIT_PEOPLE, MERGE_PEOPLE, READ_PEOPLE, SEE_FULL_IDENTITY
from fangkong.people.schemas import IdCheck, PersonIn, PersonRead, PersonUpdate

# -- jurisdiction: the one helper every person query goes through ----------------------------


def in_jurisdiction(actor: Actor, people: type[Person] | Any = Person) -> ColumnElement[bool]:
    """The rows of `people` this actor may see: their county, or everyone for city-wide users.
    `people` may be an alias of Person, for queries that join it twice."""
    if not actor.can(READ_PEOPLE):
        return false()
    if actor.jurisdiction is None:
        return true()
    column: ColumnElement[bool] = people.county_code == actor.jurisdiction
    return column


def scoped_people(actor: Actor) -> Select[Person]:
    return select(Person).where(in_jurisdiction(actor))


def readable_by(actor: Actor, person_id: Any) -> ColumnElement[bool]:
    """A condition on another domain's rows: their person (the `person_id` column) is one
    this actor may read. How every domain scopes its personal rows, without joining people."""
    if not actor.can(READ_PEOPLE):
        return false()
    if actor.jurisdiction is None:
        return true()
    column: ColumnElement[bool] = person_id.in_(person_ids_in_county(actor.jurisdiction))
    return column


def readable_person_ids(actor: Actor) -> Select[int]:
    """The ids of the people this actor may read: what other domains filter their rows by
    (`Contact.person_id.in_(readable_person_ids(actor))`), never by joining the table."""
    return select(Person.id).where(in_jurisdiction(actor))


def person_ids_in_county(county_code: str) -> Select[int]:
    return select(Person.id).where(Person.county_code == county_code)


def person_ids_where(*conditions: ColumnElement[bool]) -> Select[int]:
    """Ids of the people matching conditions built by this domain's helpers (`lives_at`,
    `lives_in_cells`, `lives_in_county`)."""
    return select(Person.id).where(*conditions)


def count_people(*conditions: ColumnElement[bool]) -> Select[int]:
    return select(func.count()).select_from(Person).where(*conditions)


def lives_in_county(county_code: str) -> ColumnElement[bool]:
    return Person.county_code == county_code


def lives_at(address_part: str) -> ColumnElement[bool]:
    """People whose address contains `address_part` (a compound, a village, a street)."""
    return Person.address.contains(address_part, autoescape=True)


def lives_in_cells(cells: Iterable[str]) -> ColumnElement[bool]:
    return Person.home_cell.in_(list(cells))


def is_person(ids: Select[int] | Iterable[int]) -> ColumnElement[bool]:
    return Person.id.in_(ids)


class HomeArea(NamedTuple):
    """An area people live in, as another domain draws it: a county, an address (compound,
    village), grid cells, or a GeoJSON polygon."""

    unit: str  # admin | address | cells | polygon
    county_code: str | None = None
    match: str = ""
    cells: Sequence[str] = ()
    geometry: dict[str, Any] | None = None


def residents_of(session: Session, area: HomeArea) -> ColumnElement[bool]:
    """A condition on people for those who live in the area (for `person_ids_where` and
    `count_people`): by county, by address, by the grid cell of their home, or by their home
    point inside a polygon."""
    if area.unit == "admin":
        return lives_in_county(area.county_code or "")
    if area.unit == "address":
        return lives_at(area.match)
    if area.unit == "cells":
        return lives_in_cells(area.cells)
    if area.geometry is None:
        return false()
    outline = shape(area.geometry)
    west, south, east, north = outline.bounds
    near = session.execute(
        select(Person.id, Person.home_lon, Person.home_lat).where(
            Person.home_lon.between(west, east), Person.home_lat.between(south, north)
        )
    ).all()
    if not near:
        return false()
    ids, lon, lat = (np.array(column) for column in zip(*near, strict=True))
    inside = ids[contains_xy(outline, lon, lat)].tolist()
    # Written into the SQL, not bound: a city-block polygon can hold more people than SQLite
    # allows parameters.
    return Person.id.in_(
        bindparam("zone_residents", inside, expanding=True, literal_execute=True, unique=True)
    )


def resolve_people(session: Session, refs: Iterable[str]) -> dict[str, int]:
    """Person ids by 身份证号 or person key (a merged record's old key finds its new one);
    unscoped: a sampling desk registers whoever stands in front of it, and only ids return."""
    found: dict[str, int] = {}
    for chunk in in_chunks(refs):
        rows = session.execute(
            select(Person.person_key, Person.id).where(Person.person_key.in_(chunk))
        )
        found.update({key: pid for key, pid in rows})
    missing = [r for r in dict.fromkeys(refs) if r not in found]
    for chunk in in_chunks(missing):
        merged = session.execute(
            select(PersonMerge.merged_key, PersonMerge.into_person_id).where(
                PersonMerge.merged_key.in_(chunk)
            )
        )
        found.update({key: pid for key, pid in merged})
    return found


def people_where(session: Session, *conditions: ColumnElement[bool]) -> list[Person]:
    """People matching conditions built by this domain's helpers, by address then id (lists
    walked door to door). Unscoped: pass `in_jurisdiction(actor)` among the conditions."""
    query = select(Person).where(*conditions).order_by(Person.address, Person.id)
    return list(session.scalars(query))


def addresses_where(
    session: Session, *conditions: ColumnElement[bool]
) -> Iterator[tuple[int, str]]:
    """(id, address) of the people matching conditions, streamed: a city is millions."""
    query = select(Person.id, Person.address).where(*conditions)
    for row in session.execute(query.execution_options(yield_per=50_000)):
        yield row[0], row[1]


def created_by(moment: datetime) -> ColumnElement[bool]:
    return Person.created_at <= moment


def delete_people(session: Session, person_ids: Sequence[int]) -> None:
    """Remove people from the registry (retention); their rows elsewhere are gone first."""
    for chunk in in_chunks(person_ids):
        session.execute(delete(Person).where(Person.id.in_(chunk)))


def lives_in_city(city_code: str) -> ColumnElement[bool]:
    return Person.county_code.startswith(city_code)


def names_of(session: Session, person_ids: Sequence[int]) -> dict[int, str]:
    """Names by id, unscoped: the caller masks them."""
    out: dict[int, str] = {}
    for chunk in in_chunks(person_ids):
        rows = session.execute(select(Person.id, Person.name).where(Person.id.in_(chunk)))
        out.update({pid: name for pid, name in rows})
    return out


def person_ids_missing_from(person_id: Any) -> Select[int]:
    """Ids of people with no row in another domain's table (`person_id` its column), by NOT
    EXISTS: an anti-join (PostgreSQL runs NOT IN over a million rows as a nested loop)."""
    return select(Person.id).where(~select(person_id).where(person_id == Person.id).exists())


def person_exists(person_id: Any) -> ColumnElement[bool]:
    """A condition on another domain's rows: their person is still in the registry."""
    return select(Person.id).where(Person.id == person_id).exists()


def county_column(person_id: Any) -> ScalarSelect[str | None]:
    """Another domain's rows' county, by their person (for the command centre's signals),
    selected in the same query rather than by joining the people table."""
    return select(Person.county_code).where(Person.id == person_id).scalar_subquery()


def county_of(session: Session, person_id: int) -> str | None:
    return session.scalar(select(Person.county_code).where(Person.id == person_id))


def find_person(session: Session, person_id: int) -> Person | None:
    """A person by id, unscoped: the caller shows them through `show_person`."""
    return session.get(Person, person_id)


def require_covers(actor: Actor, person: Person) -> None:
    if not actor.covers(person.county_code) or not actor.can(READ_PEOPLE):
        raise NotFound(_("person %(id)s not found", id=person.id))


# -- identity ---------------------------------------------------------------------------------


def check_id_number(raw: str, *, today: date) -> IdCheck:
    try:
        number = validate_id_number(raw, today=today)
    except InvalidIdNumber as exc:
        return IdCheck(id_number=raw, valid=False, reason=str(exc))
    d = division(number[:6])
    region = f"{d.province}{d.name}" if d else None
    return IdCheck(
        id_number=number,
        valid=True,
        region=region,
        birth_date=birth_date_of(number),
        sex=sex_of(number),
    )


def county_from_address(address: str) -> str | None:
    """The county of this city named in a free-text address (临猗县猗氏镇… -> 140821)."""
    counties = divisions_in(get_settings().city_code)
    for d in counties:
        if d.name in address:
            return d.code
    for d in counties:
        short = d.name[:-1]
        if len(short) >= 2 and short in address:
            return d.code
    return None


def _person_key(data: PersonIn, id_number: str | None) -> str:
    if id_number:
        return id_number
    if data.passport:
        return f"P{data.passport}"
    return generated_key(data.name, data.sex or "", data.address)


def _canonical(data: PersonIn, *, today: date, loc: tuple[str | int, ...]) -> PersonIn:
    """Validate the ID number against `today` and fill sex and birth date from it."""
    if not data.id_number:
        return data.model_copy(update={"id_number": None})
    try:
        number = validate_id_number(data.id_number, today=today)
    except InvalidIdNumber as exc:
        raise InvalidInput.at(
            (*loc, "id_number"), _("invalid ID number: %(why)s", why=exc)
        ) from None
    born, sex = birth_date_of(number), sex_of(number)
    if data.birth_date and data.birth_date != born:
        raise InvalidInput.at(
            (*loc, "birth_date"), _("does not match the ID number (%(born)s)", born=born)
        )
    return data.model_copy(update={"id_number": number, "birth_date": born, "sex": sex})


def check_people(
    items: Sequence[PersonIn], *, today: date, locs: Sequence[tuple[str | int, ...]]
) -> tuple[list[PersonIn], list[FieldProblem]]:
    """Each person with a canonical ID number, and every problem named by its location."""
    problems: list[FieldProblem] = []
    canonical: list[PersonIn] = []
    for item, loc in zip(items, locs, strict=True):
        try:
            canonical.append(_canonical(item, today=today, loc=loc))
        except InvalidInput as exc:
            problems.extend(exc.problems)
            canonical.append(item)
        if item.birth_date and item.birth_date > today:
            problems.append(FieldProblem((*loc, "birth_date"), _("is in the future")))
        if item.county_code and division(item.county_code) is None:
            problems.append(FieldProblem((*loc, "county_code"), _("is not a GB/T 2260 code")))
    return canonical, problems


@dataclass(frozen=True)
class Upserted:
    people: list[Person]
    created: int


def upsert_people(
    session: Session,
    *,
    items: Sequence[PersonIn],
    now: datetime,
    default_county: str | None = None,
    loc_prefix: Sequence[tuple[str | int, ...]] | None = None,
    checked: bool = False,
) -> Upserted:
    """Find or create each person, in order. Known people keep what they have; only missing
    details are filled in, so recording the same person again changes nothing. `checked`
    says the items already came out of `check_people` (a caller validating a whole batch)."""
    canonical = list(items)
    if not checked:
        locs = [tuple(loc_prefix[i]) if loc_prefix else () for i in range(len(items))]
        canonical, problems = check_people(items, today=local_date(now), locs=locs)
        if problems:
            raise InvalidInput("invalid people", problems)

    keys = [_person_key(p, p.id_number) for p in canonical]
    points = [
        (p.home_lon, p.home_lat)
        for p in canonical
        if p.home_lon is not None and p.home_lat is not None
    ]
    cells = dict(zip(points, cells_of(*zip(*points, strict=True)), strict=True)) if points else {}
    found = _find_by_keys(session, set(keys))
    fresh: dict[str, dict[str, Any]] = {}
    for key, data in zip(keys, canonical, strict=True):
        person = found.get(key)
        if person is not None:
            _fill_missing(person, data, now=now, cells=cells)
        elif key not in fresh:
            fresh[key] = {
                "person_key": key,
                "id_number": data.id_number,
                "passport": data.passport,
                "name": data.name,
                "sex": data.sex or "unknown",
                "birth_date": data.birth_date,
                "age_text": data.age_text,
                "phone": data.phone,
                "address": data.address,
                "county_code": data.county_code
                or county_from_address(data.address)
                or default_county,
                "home_lon": data.home_lon,
                "home_lat": data.home_lat,
                "home_cell": cells.get((data.home_lon or 0.0, data.home_lat or 0.0)),
                "created_at": now,
                "updated_at": now,
            }
    if fresh:
        # One bulk insert: a line list of 100,000 people must not become 100,000 statements.
        bulk_insert(session, Person, list(fresh.values()))
        found.update(_find_by_keys(session, set(fresh)))
    session.flush()
    return Upserted([found[key] for key in keys], len(fresh))


def people_by_id(session: Session, ids: Iterable[int]) -> dict[int, Person]:
    """People by id, in chunks (no scoping: callers show them through `show_person`)."""
    found: dict[int, Person] = {}
    for chunk in in_chunks(ids):
        found.update({p.id: p for p in session.scalars(select(Person).where(Person.id.in_(chunk)))})
    return found


def _find_by_keys(session: Session, keys: set[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for chunk in in_chunks(sorted(keys)):
        for person in session.scalars(select(Person).where(Person.person_key.in_(chunk))):
            found[person.person_key] = person
        aliases = session.execute(
            select(PersonMerge.merged_key, Person)
            .join(Person, Person.id == PersonMerge.into_person_id)
            .where(PersonMerge.merged_key.in_(chunk))
        )
        for merged_key, person in aliases:
            found[merged_key] = person
    return found


def _fill_missing(
    person: Person,
    data: PersonIn,
    *,
    now: datetime,
    cells: dict[tuple[float, float], str],
) -> None:
    changed = False
    if person.home_lon is None and data.home_lon is not None and data.home_lat is not None:
        person.home_lon, person.home_lat = data.home_lon, data.home_lat
        person.home_cell = cells[(data.home_lon, data.home_lat)]
        changed = True
    for field in ("phone", "birth_date", "age_text", "passport"):
        if getattr(person, field) is None and getattr(data, field) is not None:
            setattr(person, field, getattr(data, field))
            changed = True
    if not person.address and data.address:
        person.address = data.address
        changed = True
    if person.county_code is None and (data.county_code or county_from_address(data.address)):
        person.county_code = data.county_code or county_from_address(data.address)
        changed = True
    if changed:
        person.updated_at = now


# -- reading ------------------------------------------------------------------------------------


def sees_in_full(actor: Actor, person: Person) -> bool:
    """Staff with full-identity permission see their own county's people in full."""
    return sees_county_in_full(actor, person.county_code)


def sees_county_in_full(actor: Actor, county_code: str | None) -> bool:
    return actor.can(SEE_FULL_IDENTITY) and actor.covers(county_code)


def shown_home(actor: Actor, address: str, county_code: str | None) -> str:
    """A home address as this actor may see it (another domain's place that is someone's
    home): in full as the people it belongs to are, else its county's name."""
    if sees_county_in_full(actor, county_code):
        return address
    d = division(county_code) if county_code else None
    return d.name if d else ""


def show_person(person: Person, actor: Actor, *, in_care: bool = False) -> PersonRead:
    """The person as this actor may see them: in full for their county's staff with
    full-identity permission, masked for everyone else. `in_care`: the calling domain has
    checked that the person is in the actor's care (a quarantine site's residents, for its
    staff), the one other way to a full view."""
    full = in_care or sees_in_full(actor, person)
    if full:
        note_disclosure(actor, person.id)  # the request's one audit entry counts them
    d = division(person.county_code) if person.county_code else None
    return PersonRead(
        id=person.id,
        person_key=person.person_key if full else mask_id_number(person.person_key) or "",
        name=person.name if full else mask_name(person.name),
        id_number=person.id_number if full else mask_id_number(person.id_number),
        passport=person.passport if full else mask_id_number(person.passport),
        sex=person.sex,
        birth_date=person.birth_date if full else None,
        age_text=person.age_text,
        phone=person.phone if full else mask_mobile(person.phone),
        address=person.address if full else (d.name if d else ""),
        county_code=person.county_code,
        county_name=d.name if d else None,
        masked=not full,
    )


def get_person(session: Session, *, actor: Actor, person_id: int, now: datetime) -> Person:
    """A person's full record; every read is written to the audit log."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(_("person %(id)s not found", id=person_id))
    require_covers(actor, person)
    record_audit(
        session,
        actor=actor,
        action="read",
        entity="person",
        entity_id=person.id,
        now=now,
        detail="full" if actor.can(SEE_FULL_IDENTITY) else "masked",
    )
    return person


def _search(actor: Actor, q: str) -> ColumnElement[bool]:
    """Staff who see full identities find people by part of a name, ID number or phone;
    everyone else only by a whole value — a full ID number, a full mobile, a name — so that
    no one rebuilds a masked number a digit at a time. Wildcards are literal for everyone."""
    text = normalize_text(q)
    if not actor.can(SEE_FULL_IDENTITY):
        whole = normalize_id_number(text)
        phone = re.sub(r"[\s\-()]", "", text)
        return or_(Person.name == text, Person.id_number == whole, Person.phone == phone)
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        Person.name.like(like, escape="\\"),
        Person.id_number.like(like.upper(), escape="\\"),
        Person.phone.like(like, escape="\\"),
    )


def list_people(
    session: Session,
    *,
    actor: Actor,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[Person], int]:
    """The actor's people, optionally those a search finds; a search is audited (who, the
    query with its numbers masked, how many found) whoever runs it."""
    from sqlalchemy import func

    query = scoped_people(actor)
    if q and q.strip():
        query = query.where(_search(actor, q))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Person.id).limit(limit).offset(offset))
    if q and q.strip() and now is not None:
        record_audit(
            session, actor=actor, action="search", entity="person", entity_id="search",
            now=now, detail=f"query: {mask_numbers(q.strip())[:200]}; found {total}",
        )  # fmt: skip
    return list(rows), total


# -- changing ---------------------------------------------------------------------------------


def update_person(
    session: Session, *, actor: Actor, person_id: int, data: PersonUpdate, now: datetime
) -> Person:
    """Correct a person's details. Adding an ID number that another record already holds is
    refused with that record's id, so the two can be merged."""
    if not actor.can(EDIT_PEOPLE):
        raise Forbidden(_("your role may not %(what)s", what=_("edit people")))
    person = get_person(session, actor=actor, person_id=person_id, now=now)
    if data.id_number:
        try:
            number = validate_id_number(data.id_number, today=local_date(now))
        except InvalidIdNumber as exc:
            raise InvalidInput.at(
                ("id_number",), _("invalid ID number: %(why)s", why=exc)
            ) from None
        other = session.scalar(
            select(Person.id).where(
                or_(Person.id_number == number, Person.person_key == number), Person.id != person.id
            )
        )
        if other is not None:
            raise Conflict(_("person %(id)s already has ID number %(number)s; merge", id=other,
                             number=mask_id_number(number)))  # fmt: skip
        if person.id_number != number:
            _remember_key(session, old_key=person.person_key, person=person, now=now)
            person.id_number = number
            person.person_key = number
            person.birth_date = birth_date_of(number)
            person.sex = sex_of(number)
    if data.county_code is not None and data.county_code != person.county_code:
        _check_move(actor, data.county_code)
    for field in ("passport", "phone", "address", "county_code"):
        value = getattr(data, field)
        if value is not None:
            setattr(person, field, value)
    person.updated_at = now
    record_audit(
        session, actor=actor, action="update", entity="person", entity_id=person.id, now=now
    )
    session.flush()
    return person


def _check_move(actor: Actor, county_code: str) -> None:
    """A person moves only to a real, current county (never to one no county staff would
    see), and only by someone who may see both counties."""
    found = division(county_code)
    if found is None or not found.current or county_code[4:] in ("00", "01"):
        raise InvalidInput.at(
            ("county_code",), _("%(code)s is not a current county code", code=county_code)
        )
    if not actor.covers(county_code):
        raise Forbidden(_("your jurisdiction does not cover %(name)s (%(code)s)", name=found.name,
                        code=county_code))  # fmt: skip


def _remember_key(session: Session, *, old_key: str, person: Person, now: datetime) -> None:
    exists = session.scalar(select(PersonMerge.id).where(PersonMerge.merged_key == old_key))
    if exists is None and old_key != person.person_key:
        session.add(
            PersonMerge(
                merged_key=old_key,
                merged_person_id=person.id,
                into_person_id=person.id,
                at=now,
                reason="key changed",
            )
        )


def merge_people(
    session: Session, *, actor: Actor, keep_id: int, merge_id: int, reason: str, now: datetime
) -> Person:
    """Fold record `merge_id` into `keep_id`: every link moves over, missing details are taken
    from the folded record, its key keeps finding the person, and the audit log says so."""
    if not actor.can(MERGE_PEOPLE):
        raise Forbidden(_("your role may not %(what)s", what=_("merge people")))
    if keep_id == merge_id:
        raise InvalidInput.at(("merge_id",), _("cannot merge a person into themselves"))
    keep = session.get(Person, keep_id)
    drop = session.get(Person, merge_id)
    if keep is None or drop is None:
        raise NotFound(_("person %(id)s not found", id=keep_id if keep is None else merge_id))
    require_covers(actor, keep)
    require_covers(actor, drop)
    # Two different ID numbers: the kept one is right and the other was a typo; the typo
    # stays as an alias so a sheet that still carries it finds the right person.

    drop_key, keep_key = drop.person_key, keep.person_key
    _take_details(session, keep=keep, drop=drop, now=now)
    people_table = Person.__table__
    assert isinstance(people_table, Table)
    _fold_rows(session, people_table, keep=keep.id, drop=drop.id)
    for old in {drop_key, keep_key} - {keep.person_key}:
        session.execute(delete(PersonMerge).where(PersonMerge.merged_key == old))
        session.add(
            PersonMerge(
                merged_key=old,
                merged_person_id=drop.id if old == drop_key else keep.id,
                into_person_id=keep.id,
                at=now,
                reason=reason,
            )
        )
    record_audit(
        session,
        actor=actor,
        action="merge",
        entity="person",
        entity_id=keep.id,
        now=now,
        detail=f"merged person {drop.id} ({mask_id_number(drop_key)}) into {keep.id}: {reason}",
    )
    session.flush()
    session.expire_all()
    merged = session.get(Person, keep.id)
    assert merged is not None
    return merged


def _take_details(session: Session, *, keep: Person, drop: Person, now: datetime) -> None:
    """The kept record takes the folded one's identifiers and fills its own gaps from it."""
    taken = {f: getattr(drop, f) for f in ("id_number", "passport")}
    # Free the unique values before the kept record takes them.
    drop.id_number, drop.passport, drop.person_key = None, None, f"merged-{drop.id}"
    session.flush()
    for field in ("id_number", "passport"):
        if getattr(keep, field) is None and taken[field] is not None:
            setattr(keep, field, taken[field])
    for field in ("phone", "birth_date", "age_text", "county_code"):
        if getattr(keep, field) is None:
            setattr(keep, field, getattr(drop, field))
    if keep.sex == "unknown":
        keep.sex = drop.sex
    if not keep.address:
        keep.address = drop.address
    if keep.id_number:
        keep.person_key = keep.id_number
    keep.updated_at = now
    session.flush()


def _fold_rows(session: Session, target: Table, *, keep: int, drop: int) -> None:
    """Point every row that references `target` row `drop` at row `keep`, then delete `drop`.

    Generic over the schema, so a domain added later keeps its links through a merge. Where a
    unique constraint would then hold twice (the same person twice a contact of one infection),
    the two referencing rows are folded the same way, recursively."""
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is not target:
                continue
            col = fk.parent
            uniques = [
                [c for c in uc.columns if c is not col]
                for uc in table.constraints
                if isinstance(uc, UniqueConstraint) and col.name in uc.columns
            ]
            if col.primary_key:  # a row per person (a derived state): the kept one's stays
                uniques.append([c for c in table.primary_key.columns if c is not col])
            if not uniques:
                session.execute(update(table).where(col == drop).values({col.name: keep}))
                continue
            pk = next(iter(table.primary_key.columns))
            for row in session.execute(select(table).where(col == drop)).mappings().all():
                twin = None
                for others in uniques:
                    query = select(pk).where(col == keep, *[c == row[c.name] for c in others])
                    twin = session.scalar(query)
                    if twin is not None:
                        break
                if twin is None:
                    session.execute(
                        update(table).where(pk == row[pk.name]).values({col.name: keep})
                    )
                else:
                    _fold_rows(session, table, keep=twin, drop=row[pk.name])
    target_pk = next(iter(target.primary_key.columns))
    session.execute(delete(target).where(target_pk == drop))
