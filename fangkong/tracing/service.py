"""Tracing: infections, their trajectories and contacts, and the orders the protocol gives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import NamedTuple, cast

from sqlalchemy import Select, false, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.db import bulk_insert, in_chunks
from fangkong.core.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import fmt_local, future, local_date
from fangkong.people.addresses import community_of
from fangkong.people.permissions import SEE_FULL_IDENTITY
from fangkong.people.schemas import PersonIn
from fangkong.people.service import (
    check_people,
    county_of,
    find_person,
    people_by_id,
    readable_by,
    require_covers,
    sees_in_full,
    upsert_people,
)
from fangkong.protocol.loader import get_protocol
from fangkong.protocol.models import ContactCategory, Protocol
from fangkong.protocol.names import match_name, normalise, suggestion
from fangkong.tracing.models import (
    Contact,
    Infection,
    ManagementOrder,
    OrderPhase,
    TrajectoryStop,
)
from fangkong.tracing.permissions import EDIT_TRACING
from fangkong.tracing.schemas import (
    ContactCreate,
    ContactForInfection,
    ContactOfContactCreate,
    ControlKind,
    InfectionCreate,
    StopCreate,
    StopRead,
)

Loc = tuple[str | int, ...]


def _require_edit(actor: Actor) -> None:
    actor.require(EDIT_TRACING, what="edit tracing records")


def _not_future(value: datetime | None, *, now: datetime, loc: Loc) -> list[FieldProblem]:
    if value is not None and value > now:
        return [FieldProblem(loc, future(value, now))]
    return []


# -- vocabulary: categories and settings by key or by the words tracers use -------------------


def resolve_category(protocol: Protocol, text: str) -> ContactCategory:
    """The category a tracer wrote, as a person reads it (密切接触, 密接人员, ＣＬＯＳＥ)."""
    names: dict[str, tuple[str, ...]] = {
        k: (r.label, r.label_en, *r.aliases) for k, r in protocol.categories.items()
    }
    found = match_name(text, names)
    if found is not None:
        return cast(ContactCategory, found)
    raise ValueError(
        _unknown("category", text, {k: r.label for k, r in protocol.categories.items()})
    )


def resolve_setting(protocol: Protocol, text: str) -> str:
    names = {k: (r.label, r.label_en, *r.aliases) for k, r in protocol.settings.items()}
    found = match_name(text, names)
    if found is not None:
        return found
    # Free text such as "同乘出租车（运城北站）": the longest alias it contains decides.
    wanted = normalise(text)
    best: tuple[int, str] | None = None
    for key, written in names.items():
        for alias in (normalise(n) for n in written):
            if len(alias) >= 2 and alias in wanted and (best is None or len(alias) > best[0]):
                best = (len(alias), key)
    if best:
        return best[1]
    labels = {k: r.label for k, r in protocol.settings.items()}
    raise ValueError(_unknown("setting", text, labels))


def _unknown(what: str, text: str, labels: dict[str, str]) -> str:
    """An unknown name, with the one it most likely meant, else the names there are."""
    meant = suggestion(text, labels)
    if meant is not None:
        return _("unknown %(what)s %(text)s: did you mean %(meant)s?",
                 what=_(what), text=repr(text), meant=meant)  # fmt: skip
    return _("unknown %(what)s %(text)s; known: %(known)s",
             what=_(what), text=repr(text), known=_("、").join(labels.values()))  # fmt: skip


# -- infections ---------------------------------------------------------------------------------


def scoped_infections(actor: Actor) -> Select[Infection]:
    """Infections of people in the actor's jurisdiction, and those with contacts there (the
    county that traces them is handed those contacts, 协查)."""
    has_local_contact = (
        select(Contact.id)
        .where(Contact.infection_id == Infection.id, readable_by(actor, Contact.person_id))
        .exists()
    )
    return select(Infection).where(or_(readable_by(actor, Infection.person_id), has_local_contact))


def changeable_infections(actor: Actor) -> Select[Infection]:
    """Infections an actor may add to (stops, contacts): those of their own county's people.
    Another county reads the infections its people are contacts of, and changes none."""
    if not actor.can(EDIT_TRACING):
        return select(Infection).where(false())
    return select(Infection).where(readable_by(actor, Infection.person_id))


def infection_to_change(session: Session, *, actor: Actor, infection_id: int) -> Infection:
    """The infection if the actor may add to it; 404 if they may not see it, 403 if they may
    see it (协查) but it is another county's to trace."""
    infection = session.scalar(changeable_infections(actor).where(Infection.id == infection_id))
    if infection is None:
        get_infection(session, actor=actor, infection_id=infection_id)
        raise Forbidden(_("infection %(id)s is traced by another county", id=infection_id))
    return infection


def get_infection(session: Session, *, actor: Actor, infection_id: int) -> Infection:
    infection = session.scalar(scoped_infections(actor).where(Infection.id == infection_id))
    if infection is None:
        raise NotFound(_("infection %(id)s not found", id=infection_id))
    return infection


def list_infections(
    session: Session, *, actor: Actor, infection_ids: Sequence[int] | None = None
) -> list[Infection]:
    """The infections the actor may read (those of `infection_ids`, if given), by report."""
    query = scoped_infections(actor)
    if infection_ids:
        query = query.where(Infection.id.in_(infection_ids))
    return list(session.scalars(query.order_by(Infection.reported_at)))


def count_all(session: Session) -> tuple[int, int]:
    """How many infections and contacts the platform holds (a summary, no people)."""
    infections = session.scalar(select(func.count()).select_from(Infection)) or 0
    contacts = session.scalar(select(func.count()).select_from(Contact)) or 0
    return int(infections), int(contacts)


def contacts_by_category(session: Session, *, actor: Actor, category: str) -> list[Contact]:
    """The contacts of a category the actor may read, in the order they were recorded."""
    query = select(Contact).where(
        Contact.category == category, readable_by(actor, Contact.person_id)
    )
    return list(session.scalars(query.order_by(Contact.id)))


def count_reported(session: Session, *, after: datetime, until: datetime) -> int:
    """How many infections were reported in (after, until]."""
    count = session.scalar(
        select(func.count())
        .select_from(Infection)
        .where(Infection.reported_at > after, Infection.reported_at <= until)
    )
    return int(count or 0)


def record_infection(
    session: Session, *, actor: Actor, data: InfectionCreate, now: datetime
) -> Infection:
    _require_edit(actor)
    problems = [
        *_not_future(data.onset_at, now=now, loc=("onset_at",)),
        *_not_future(data.sampled_at, now=now, loc=("sampled_at",)),
        *_not_future(data.reported_at, now=now, loc=("reported_at",)),
    ]
    if data.sampled_at > data.reported_at:
        problems.append(FieldProblem(("reported_at",), _("is before sampled_at")))
    if data.onset_at and data.onset_at > data.reported_at:
        problems.append(FieldProblem(("onset_at",), _("is after reported_at")))
    if (data.person is None) == (data.person_id is None):
        problems.append(FieldProblem(("person",), _("give either person or person_id")))
    if problems:
        raise InvalidInput("invalid infection", problems)

    if data.person is not None:
        if data.person.county_code and not actor.covers(data.person.county_code):
            raise InvalidInput.at(("person", "county_code"), _("outside your jurisdiction"))
        [person] = upsert_people(
            session,
            items=[data.person],
            now=now,
            default_county=actor.jurisdiction,
            loc_prefix=[("person",)],
        ).people
    else:
        found = find_person(session, data.person_id or 0)
        if found is None:
            raise InvalidInput.at(
                ("person_id",), _("person %(id)s does not exist", id=data.person_id)
            )
        person = found
    require_covers(actor, person)
    return _open_infection(session, person_id=person.id, data=data, now=now)


def open_infection_from_test(
    session: Session,
    *,
    person_id: int,
    sampled_at: datetime,
    reported_at: datetime,
    note: str,
    now: datetime,
) -> Infection:
    """A positive test opens an infection whoever recorded the result (site staff, a lab):
    the result is the evidence, and tracing starts from it. Asymptomatic until a clinician
    says otherwise."""
    data = InfectionCreate(
        person_id=person_id,
        kind="asymptomatic",
        sampled_at=sampled_at,
        reported_at=reported_at,
        note=note,
    )
    return _open_infection(session, person_id=person_id, data=data, now=now)


def _open_infection(
    session: Session, *, person_id: int, data: InfectionCreate, now: datetime
) -> Infection:
    infection = Infection(
        person_id=person_id,
        kind=data.kind,
        onset_at=data.onset_at,
        sampled_at=data.sampled_at,
        reported_at=data.reported_at,
        protocol_id=get_settings().protocol,
        note=data.note,
        created_at=now,
    )
    session.add(infection)
    session.flush()
    _link_source(session, infection)
    return infection


def _link_source(session: Session, infection: Infection) -> None:
    """If the infected person was someone's contact, that infection is their source. A direct
    contact beats a secondary one; among equals, the latest exposure before the report."""
    if infection.source_infection_id is not None:
        return
    rows = session.execute(
        select(Contact.infection_id, Contact.category, Contact.exposure_at)
        .join(Infection, Infection.id == Contact.infection_id)
        .where(
            Contact.person_id == infection.person_id,
            Contact.infection_id != infection.id,
            Infection.person_id != infection.person_id,
            Infection.reported_at <= infection.reported_at,
            Contact.exposure_at <= infection.reported_at,
        )
    ).all()
    if not rows:
        return
    best = max(rows, key=lambda r: (r.category != "secondary", r.exposure_at))
    if not _would_cycle(session, infection.id, best.infection_id):
        infection.source_infection_id = best.infection_id
        session.flush()


def _would_cycle(session: Session, child: int, parent: int) -> bool:
    seen: set[int] = set()
    current: int | None = parent
    while current is not None and current not in seen:
        if current == child:
            return True
        seen.add(current)
        current = session.scalar(
            select(Infection.source_infection_id).where(Infection.id == current)
        )
    return False


# -- trajectory ---------------------------------------------------------------------------------


def add_stop(
    session: Session, *, actor: Actor, infection_id: int, data: StopCreate, now: datetime
) -> TrajectoryStop:
    _require_edit(actor)
    infection = infection_to_change(session, actor=actor, infection_id=infection_id)
    problems = [
        *_not_future(data.arrived_at, now=now, loc=("arrived_at",)),
        *_not_future(data.departed_at, now=now, loc=("departed_at",)),
    ]
    if data.departed_at < data.arrived_at:
        problems.append(FieldProblem(("departed_at",), _("is before arrived_at")))
    setting = None
    if data.setting:
        try:
            setting = resolve_setting(get_protocol(infection.protocol_id), data.setting)
        except ValueError as exc:
            problems.append(FieldProblem(("setting",), str(exc)))
    if problems:
        raise InvalidInput("invalid trajectory stop", problems)
    stop = TrajectoryStop(
        infection_id=infection.id,
        place=data.place,
        address=data.address,
        grid_cell=data.grid_cell,
        setting=setting,
        arrived_at=data.arrived_at,
        departed_at=data.departed_at,
        note=data.note,
    )
    session.add(stop)
    session.flush()
    return stop


def list_stops(session: Session, *, actor: Actor, infection_id: int) -> list[StopRead]:
    """An infection's trajectory. Where the actor may not see the infected person in full
    (another county's tracer, a masked viewer) each address stops at its community: that is
    all a shared trajectory needs, and the home stays private."""
    infection = get_infection(session, actor=actor, infection_id=infection_id)
    full = sees_in_full(actor, people_by_id(session, [infection.person_id])[infection.person_id])
    stops = session.scalars(
        select(TrajectoryStop)
        .where(TrajectoryStop.infection_id == infection_id)
        .order_by(TrajectoryStop.arrived_at)
    )
    shown = [StopRead.model_validate(stop) for stop in stops]
    if not full:
        shown = [s.model_copy(update={"address": community_of(s.address)}) for s in shown]
    return shown


# -- contacts -----------------------------------------------------------------------------------


@dataclass
class ContactsRecorded:
    """What a batch recorded: contact ids in input order; the rows load on first use, so a
    100,000-row import never builds objects it does not show."""

    session: Session
    contact_ids: list[int]
    created: int
    people_created: int

    @cached_property
    def contacts(self) -> list[Contact]:
        return load_contacts(self.session, self.contact_ids)


def load_contacts(session: Session, ids: Sequence[int]) -> list[Contact]:
    """Contacts by id, in the order given."""
    loaded: dict[int, Contact] = {}
    for chunk in in_chunks(ids):
        loaded.update(
            {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(chunk)))}
        )
    return [loaded[i] for i in ids]


def _category_of(protocol: Protocol, text: str | None, via: Contact | None) -> ContactCategory:
    """The category as written, or, left blank for a contact of a contact, the one the
    protocol gives (a close contact's contacts are secondary)."""
    if text:
        return resolve_category(protocol, text)
    if via is None:
        raise ValueError(_("is required (or name via_contact_id to derive it)"))
    becomes = protocol.category(via.category).contacts_become
    if becomes is None:
        raise ValueError(f"{protocol.id} does not trace the contacts of a {via.category} contact")
    return becomes


def record_contacts(
    session: Session,
    *,
    actor: Actor,
    infection_id: int,
    items: Sequence[ContactCreate],
    now: datetime,
    via_rows: dict[int, int] | None = None,
    locs: Sequence[str | int] | None = None,
    import_batch_id: int | None = None,
) -> ContactsRecorded:
    """Record a batch of contacts of one infection, all or nothing.

    Each is classified by the infection's protocol and given a management order. A contact
    already recorded for this infection is left as it is, so recording it again changes
    nothing. `via_rows` maps an item to the item (in this batch) it is a secondary contact
    through; `locs` names each item in errors (row numbers for a spreadsheet)."""
    _require_edit(actor)
    infection = infection_to_change(session, actor=actor, infection_id=infection_id)
    return record_contacts_of(
        session,
        actor=actor,
        infection=infection,
        items=items,
        now=now,
        via_rows=via_rows,
        locs=locs,
        import_batch_id=import_batch_id,
    )


def record_contacts_of(
    session: Session,
    *,
    actor: Actor,
    infection: Infection,
    items: Sequence[ContactCreate],
    now: datetime,
    via_rows: dict[int, int] | None = None,
    locs: Sequence[str | int] | None = None,
    import_batch_id: int | None = None,
) -> ContactsRecorded:
    """record_contacts for an infection the caller has checked the actor may add to."""
    via_rows = via_rows or {}
    batch = _Batch(
        infection=infection,
        protocol=get_protocol(infection.protocol_id),
        items=list(items),
        locs=list(locs) if locs is not None else list(range(len(items))),
        via_rows=via_rows,
        now=now,
    )
    canonical = _check_batch(session, batch)
    upserted = upsert_people(
        session,
        items=canonical,
        checked=True,
        now=now,
        # The infected person's county, as the default for new contacts.
        default_county=county_of(session, infection.person_id),
        loc_prefix=batch.person_locs,
    )
    person_ids = [p.id for p in upserted.people]
    for i, person_id in enumerate(person_ids):
        if person_id == infection.person_id:
            raise InvalidInput.at((batch.locs[i], "person"), _("is the infected person themselves"))
    contact_of, new_contacts = _insert_contacts(session, batch, person_ids, import_batch_id)
    _issue_orders(session, batch.protocol, new_contacts, now=now)
    _link_infected_contacts(session, person_ids)
    return ContactsRecorded(
        session=session,
        contact_ids=[contact_of[i] for i in range(len(items))],
        created=len(new_contacts),
        people_created=upserted.created,
    )


@dataclass
class _Batch:
    """A batch of contacts on its way in: the input, and what checking it found."""

    infection: Infection
    protocol: Protocol
    items: list[ContactCreate]
    locs: list[str | int]
    via_rows: dict[int, int]  # item -> the item (in this batch) it is a contact through
    now: datetime
    categories: list[ContactCategory] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    vias: dict[int, Contact] = field(default_factory=dict)  # item -> recorded contact

    @property
    def person_locs(self) -> list[Loc]:
        return [(loc,) if isinstance(loc, str) else (loc, "person") for loc in self.locs]


def _check_batch(session: Session, batch: _Batch) -> list[PersonIn]:
    """Every problem of every item at once (or raise them all); the people, canonical."""
    problems: list[FieldProblem] = []
    for i, item in enumerate(batch.items):
        problems += _check_item(session, batch, i, item)
    problems += _check_chains(batch)
    canonical, person_problems = check_people(
        [item.person for item in batch.items],
        today=local_date(batch.now),
        locs=batch.person_locs,
    )
    problems += person_problems
    if problems:
        raise InvalidInput("invalid contacts", problems)
    return canonical


def _check_item(session: Session, batch: _Batch, i: int, item: ContactCreate) -> list[FieldProblem]:
    """One item's via contact, category, setting and times; records category and setting."""
    loc, protocol, infection = batch.locs[i], batch.protocol, batch.infection
    problems: list[FieldProblem] = []
    via = session.get(Contact, item.via_contact_id) if item.via_contact_id else None
    if item.via_contact_id is not None and (via is None or via.infection_id != infection.id):
        problems.append(
            FieldProblem(
                (loc, "via_contact_id"),
                _(
                    "contact %(via)s is not a contact of infection %(infection)s",
                    via=item.via_contact_id,
                    infection=infection.id,
                ),
            )
        )
        via = None
    if via is not None:
        batch.vias[i] = via
    try:
        batch.categories.append(_category_of(protocol, item.category, via))
    except ValueError as exc:
        problems.append(FieldProblem((loc, "category"), str(exc)))
        batch.categories.append("close")
    try:
        batch.settings.append(resolve_setting(protocol, item.setting))
    except ValueError as exc:
        problems.append(FieldProblem((loc, "setting"), str(exc)))
        batch.settings.append("other")
    return problems + _check_times(batch, i, item)


def _check_times(batch: _Batch, i: int, item: ContactCreate) -> list[FieldProblem]:
    """Exposure and identification: not in the future, in order, inside the close window;
    a secondary contact names who they were exposed through."""
    loc, protocol, now = batch.locs[i], batch.protocol, batch.now
    problems = _not_future(item.exposure_at, now=now, loc=(loc, "exposure_at"))
    problems += _not_future(item.identified_at, now=now, loc=(loc, "identified_at"))
    if item.exposure_at > (item.identified_at or now) and not problems:
        problems.append(FieldProblem((loc, "exposure_at"), _("is after identified_at")))
    infection = batch.infection
    window_from = (infection.onset_at or infection.sampled_at) - timedelta(
        days=protocol.tracing.close_lookback_days
    )
    if batch.categories[i] == "close" and item.exposure_at < window_from:
        problems.append(
            FieldProblem(
                (loc, "exposure_at"),
                _(
                    "%(exposure)s is before the close-contact window, which %(protocol)s opens "
                    "%(days)s days before onset or sampling (%(start)s)",
                    exposure=fmt_local(item.exposure_at),
                    protocol=protocol.title,
                    days=protocol.tracing.close_lookback_days,
                    start=fmt_local(window_from),
                ),
            )
        )
    if (
        batch.categories[i] == "secondary"
        and item.via_contact_id is None
        and (i not in batch.via_rows)
    ):
        problems.append(
            FieldProblem(
                (loc, "via_contact_id"),
                _("a secondary contact needs the close contact they were exposed through"),
            )
        )
    return problems


def _check_chains(batch: _Batch) -> list[FieldProblem]:
    """A contact through another is of the category the protocol derives from it."""
    protocol, categories = batch.protocol, batch.categories
    through: list[tuple[int, str]] = [(i, categories[t]) for i, t in batch.via_rows.items()]
    through += [(i, via.category) for i, via in batch.vias.items()]
    return [
        FieldProblem(
            (batch.locs[i], "category"),
            _(
                "a contact of a %(source)s contact is not a %(category)s contact under "
                "%(protocol)s",
                source=_(source),
                category=_(categories[i]),
                protocol=protocol.title,
            ),
        )
        for i, source in through
        if protocol.category(source).contacts_become != categories[i]
    ]


def _insert_contacts(
    session: Session, batch: _Batch, person_ids: list[int], import_batch_id: int | None
) -> tuple[dict[int, int], list[NewContact]]:
    """Item -> contact id, and the contacts new to the infection. Direct contacts first, so
    secondary ones in the batch can point at them; one bulk insert per group: thousands of
    rows from a line list stay a handful of statements."""
    existing = _contact_ids(session, batch.infection.id, person_ids)  # person -> contact
    contact_of: dict[int, int] = {}
    new_contacts: list[NewContact] = []
    direct = [i for i in range(len(batch.items)) if i not in batch.via_rows]
    for group in (direct, sorted(batch.via_rows)):
        rows: list[NewContactRow] = []
        for i in group:
            if person_ids[i] in existing:
                contact_of[i] = existing[person_ids[i]]
                continue
            existing[person_ids[i]] = -1  # the same person twice in one batch is one contact
            via_id = (
                batch.vias[i].id if i in batch.vias else contact_of.get(batch.via_rows.get(i, -1))
            )
            rows.append(_contact_row(batch, i, person_ids[i], via_id, import_batch_id))
        if rows:
            bulk_insert(session, Contact, [r.values for r in rows])
            ids = _contact_ids(session, batch.infection.id, [r.person_id for r in rows])
            for row in rows:
                contact_of[row.item] = existing[row.person_id] = ids[row.person_id]
                new_contacts.append(row.recorded(ids[row.person_id]))
        for i in group:
            contact_of.setdefault(i, existing[person_ids[i]])
    return contact_of, new_contacts


@dataclass(frozen=True)
class NewContactRow:
    item: int
    person_id: int
    category: ContactCategory
    exposure_at: datetime
    identified_at: datetime
    values: dict[str, object]  # the row as bulk_insert takes it

    def recorded(self, contact_id: int) -> NewContact:
        return NewContact(
            contact_id, self.person_id, self.category, self.exposure_at, self.identified_at
        )


def _contact_row(
    batch: _Batch, i: int, person_id: int, via_id: int | None, import_batch_id: int | None
) -> NewContactRow:
    item = batch.items[i]
    identified = item.identified_at or batch.now
    values: dict[str, object] = {
        "infection_id": batch.infection.id,
        "person_id": person_id,
        "category": batch.categories[i],
        "setting": batch.settings[i],
        "exposure_at": item.exposure_at,
        "identified_at": identified,
        "via_contact_id": via_id,
        "relation": item.relation,
        "place": item.place,
        "note": item.note,
        "import_batch_id": import_batch_id,
    }
    return NewContactRow(i, person_id, batch.categories[i], item.exposure_at, identified, values)


def _link_infected_contacts(session: Session, person_ids: list[int]) -> None:
    """A contact who is already infected links the chain."""
    for chunk in in_chunks(person_ids):
        for later in session.scalars(
            select(Infection).where(
                Infection.person_id.in_(chunk), Infection.source_infection_id.is_(None)
            )
        ):
            _link_source(session, later)


def record_contact(
    session: Session, *, actor: Actor, data: ContactForInfection, now: datetime
) -> Contact:
    """One contact whose infection is a field of the input: a missing one is a bad field."""
    try:
        get_infection(session, actor=actor, infection_id=data.infection_id)
    except NotFound:
        raise InvalidInput.at(
            ("infection_id",), _("infection %(id)s does not exist", id=data.infection_id)
        ) from None
    item = ContactCreate.model_validate(data.model_dump(exclude={"infection_id"}))
    recorded = record_contacts(
        session, actor=actor, infection_id=data.infection_id, items=[item], now=now
    )
    return recorded.contacts[0]


def _contact_ids(session: Session, infection_id: int, person_ids: Sequence[int]) -> dict[int, int]:
    """Person id -> contact id, for those people already contacts of the infection."""
    found: dict[int, int] = {}
    for chunk in in_chunks(person_ids):
        rows = session.execute(
            select(Contact.person_id, Contact.id).where(
                Contact.infection_id == infection_id, Contact.person_id.in_(chunk)
            )
        )
        found.update({person_id: contact_id for person_id, contact_id in rows})
    return found


class NewContact(NamedTuple):
    id: int
    person_id: int
    category: ContactCategory
    exposure_at: datetime
    identified_at: datetime


def _issue_orders(
    session: Session, protocol: Protocol, contacts: Sequence[NewContact], *, now: datetime
) -> None:
    """Management orders in two bulk inserts: thousands of contacts at once stay fast."""
    if not contacts:
        return
    plans = []
    for contact in contacts:
        rule = protocol.category(contact.category)
        start = (
            contact.exposure_at if rule.clock_starts == "last_exposure" else contact.identified_at
        )
        plans.append(
            protocol.plan_management(
                contact.category,
                clock_start=start,
                local_day=local_date(start),
            )
        )
    bulk_insert(
        session,
        ManagementOrder,
        [
            {
                "contact_id": contact.id,
                "person_id": contact.person_id,
                "protocol_id": protocol.id,
                "category": contact.category,
                "starts_at": phases[0].starts_at,
                "ends_at": phases[-1].ends_at,
                "issued_at": now,
            }
            for contact, phases in zip(contacts, plans, strict=True)
        ],
    )
    order_of: dict[int, int] = {}
    for chunk in in_chunks(c.id for c in contacts):
        query = select(ManagementOrder.contact_id, ManagementOrder.id)
        rows = session.execute(query.where(ManagementOrder.contact_id.in_(chunk)))
        order_of.update({contact_id: order_id for contact_id, order_id in rows})
    order_ids = [order_of[c.id] for c in contacts]
    bulk_insert(
        session,
        OrderPhase,
        [
            {
                "order_id": order_id,
                "seq": seq,
                "kind": phase.kind,
                "starts_at": phase.starts_at,
                "ends_at": phase.ends_at,
                "test_dates": [d.isoformat() for d in phase.test_dates],
            }
            for order_id, phases in zip(order_ids, plans, strict=True)
            for seq, phase in enumerate(phases)
        ],
    )


def contacts_in_reach(
    session: Session, *, actor: Actor, contact_ids: Sequence[int]
) -> dict[int, Contact]:
    """The contacts among `contact_ids` whose person is in the actor's jurisdiction."""
    found: dict[int, Contact] = {}
    for chunk in in_chunks(contact_ids):
        query = select(Contact).where(Contact.id.in_(chunk), readable_by(actor, Contact.person_id))
        found.update({c.id: c for c in session.scalars(query)})
    return found


def get_contact(session: Session, *, actor: Actor, contact_id: int) -> Contact:
    """A contact, visible if the contact's person is in the actor's jurisdiction."""
    contact = contacts_in_reach(session, actor=actor, contact_ids=[contact_id]).get(contact_id)
    if contact is None:
        raise NotFound(_("contact %(id)s not found", id=contact_id))
    return contact


def record_contacts_of_contact(
    session: Session,
    *,
    actor: Actor,
    contact_id: int,
    items: Sequence[ContactOfContactCreate],
    now: datetime,
) -> ContactsRecorded:
    """Contacts of a contact: a close contact's contacts become secondary contacts."""
    via = get_contact(session, actor=actor, contact_id=contact_id)
    protocol = get_protocol(get_infection_unscoped(session, via.infection_id).protocol_id)
    becomes = protocol.category(via.category).contacts_become
    if becomes is None:
        raise InvalidInput.at(
            ("contact_id",),
            _(
                "%(protocol)s does not trace the contacts of a %(category)s contact",
                protocol=protocol.title,
                category=_(via.category),
            ),
        )
    problems = []
    for i, item in enumerate(items):
        if via.under_control_at and item.exposure_at > via.under_control_at:
            problems.append(
                FieldProblem(
                    (i, "exposure_at"),
                    _(
                        "is after contact %(id)s was under control (%(at)s)",
                        id=via.id,
                        at=fmt_local(via.under_control_at),
                    ),
                )
            )
    if problems:
        raise InvalidInput("invalid contacts", problems)
    full = [
        ContactCreate(**item.model_dump(), category=becomes, via_contact_id=via.id)
        for item in items
    ]
    # The contact is the actor's (get_contact): their contacts are theirs to record, whoever
    # traces the infection.
    infection = get_infection_unscoped(session, via.infection_id)
    return record_contacts_of(session, actor=actor, infection=infection, items=full, now=now)


def get_infection_unscoped(session: Session, infection_id: int) -> Infection:
    infection = session.get(Infection, infection_id)
    if infection is None:
        raise NotFound(_("infection %(id)s not found", id=infection_id))
    return infection


def control_contact(
    session: Session,
    *,
    actor: Actor,
    contact_id: int,
    how: ControlKind,
    at: datetime,
    now: datetime,
) -> Contact:
    """Mark a contact under control: placed in a room, or at home under the order."""
    _require_edit(actor)
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    problems = _not_future(at, now=now, loc=("at",))
    if at < contact.exposure_at:
        problems.append(FieldProblem(("at",), _("is before the contact's exposure")))
    if problems:
        raise InvalidInput("invalid control record", problems)
    contact.under_control_at = at
    contact.control_kind = how
    session.flush()
    return contact


class AreaCases(NamedTuple):
    """What the zone lifting rule needs from tracing about the people of an area."""

    last_community_infection_at: datetime | None
    last_close_exposure_at: datetime | None
    close_contacts_turned: int  # close contacts of its cases found positive in the last 2 days


def area_cases(session: Session, *, residents: Select[int], as_of: datetime) -> AreaCases:
    """Times and counts (no people) over the infections of `residents` as of a moment."""
    # An infection found while already under control (placed or home) is not community
    # spread: it does not restart the zone's clock.
    source = aliased(Contact)
    community = (
        select(func.max(Infection.reported_at))
        .outerjoin(
            source,
            (source.person_id == Infection.person_id)
            & (source.under_control_at <= Infection.reported_at),
        )
        .where(
            Infection.person_id.in_(residents),
            Infection.reported_at <= as_of,
            source.id.is_(None),
        )
    )
    cases = select(Infection.id).where(Infection.person_id.in_(residents))
    last_exposure = session.scalar(
        select(func.max(Contact.exposure_at)).where(
            Contact.infection_id.in_(cases),
            Contact.category == "close",
            Contact.exposure_at <= as_of,
        )
    )
    # Close contacts found positive earlier are infections now (in hospital, and counted
    # above if they were not under control); what must be negative are their final tests,
    # the last two days before lifting.
    turned = session.scalar(
        select(func.count())
        .select_from(Contact)
        .join(Infection, Infection.person_id == Contact.person_id)
        .where(
            Contact.infection_id.in_(cases),
            Contact.category == "close",
            Infection.reported_at <= as_of,
            Infection.reported_at > as_of - timedelta(days=2),
        )
    )
    return AreaCases(session.scalar(community), last_exposure, int(turned or 0))


def mark_under_control(
    session: Session, *, contact_ids: Sequence[int], at: datetime, how: ControlKind
) -> None:
    """Contacts under control from `at` (placed in a room, arrived by transfer). The earliest
    moment wins: a later record never moves the 48-hour clock. The one writer of the column
    for other domains."""
    for chunk in in_chunks(contact_ids):
        session.execute(
            update(Contact)
            .where(
                Contact.id.in_(chunk),
                or_(Contact.under_control_at.is_(None), Contact.under_control_at > at),
            )
            .values(under_control_at=at, control_kind=how)
            .execution_options(synchronize_session="fetch")
        )


def list_contacts(
    session: Session, *, actor: Actor, infection_id: int
) -> tuple[list[Contact], int]:
    """The infection's contacts this actor may see, and how many more live elsewhere."""
    get_infection(session, actor=actor, infection_id=infection_id)
    visible = list(
        session.scalars(
            select(Contact)
            .where(Contact.infection_id == infection_id, readable_by(actor, Contact.person_id))
            .order_by(Contact.exposure_at, Contact.id)
        )
    )
    total = session.scalar(
        select(func.count()).select_from(Contact).where(Contact.infection_id == infection_id)
    )
    return visible, (total or 0) - len(visible)


def audit_contacts_read(
    session: Session, *, actor: Actor, infection_id: int, shown: int, now: datetime
) -> None:
    """A list of contacts shows people's records: the read is logged like a single one."""
    full = actor.can(SEE_FULL_IDENTITY)
    record_audit(
        session,
        actor=actor,
        action="read",
        entity="infection",
        entity_id=infection_id,
        now=now,
        detail=f"contacts list: {shown} people, {'full' if full else 'masked'}",
    )


def orders_for(
    session: Session, contact_ids: Sequence[int]
) -> dict[int, tuple[ManagementOrder, list[OrderPhase]]]:
    """Each contact's order with its phases in order."""
    orders: dict[int, ManagementOrder] = {}
    for chunk in in_chunks(contact_ids):
        query = select(ManagementOrder).where(ManagementOrder.contact_id.in_(chunk))
        orders.update({o.id: o for o in session.scalars(query)})
    phases: dict[int, list[OrderPhase]] = {oid: [] for oid in orders}
    for chunk in in_chunks(orders):
        phase_query = select(OrderPhase).where(OrderPhase.order_id.in_(chunk))
        for phase in session.scalars(phase_query.order_by(OrderPhase.seq)):
            phases[phase.order_id].append(phase)
    return {o.contact_id: (o, phases[o.id]) for o in orders.values()}


def count_contacts(session: Session, infection_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(contacts, under control) per infection."""
    rows = session.execute(
        select(
            Contact.infection_id,
            func.count(),
            func.count(Contact.under_control_at),
        )
        .where(Contact.infection_id.in_(infection_ids))
        .group_by(Contact.infection_id)
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def infection_of_contact(session: Session, *, actor: Actor, contact_id: int) -> int:
    """The infection a contact is traced under, if the actor may see it (a task's link)."""
    found = session.scalar(
        select(Contact.infection_id).where(
            Contact.id == contact_id,
            Contact.infection_id.in_(scoped_infections(actor).with_only_columns(Infection.id)),
        )
    )
    if found is None:
        raise NotFound(_("contact %(id)s not found", id=contact_id))
    return int(found)
