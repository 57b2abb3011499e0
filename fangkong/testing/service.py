"""Screening rounds: the area, its sampling sites, and registration of swabs into tubes.

Registration is the hot path of a round (a city of a million sampled in a day), so it works
on plain tuples in bulk: one lookup per thousand people, tubes and samples written with
executemany, and every row checked before anything is written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, false, func, or_, select, true, update
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.db import bulk_insert, in_chunks
from fangkong.core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.ids import division
from fangkong.core.settings import get_settings
from fangkong.core.sheets import Layout, cell_datetime, read_sheet
from fangkong.core.timeutil import fmt_local
from fangkong.healthcode.stale import mark_stale
from fangkong.people import service as registry
from fangkong.testing.models import Recall, Sample, SamplingSite, ScreeningRound, Tube
from fangkong.testing.permissions import RUN_TESTING, SAMPLE
from fangkong.testing.schemas import RegisterResult, RoundCreate, RoundRead, SiteIn, SiteRead
from fangkong.tracing.orders import in_quarantine_at
from fangkong.zones.models import Zone
from fangkong.zones.service import residents_of

Loc = tuple[str | int, ...]
# Who gets a single tube whatever the round's pool size (domain.md §4): people inside a
# sealed zone, and people under a quarantine order.
SINGLE_ZONE_KINDS = ("sealed", "high")
QUARANTINE_PHASES = ("central_quarantine", "home_quarantine")
MAX_PROBLEMS = 50


# -- rounds and sites -------------------------------------------------------------------------


def sees(actor: Actor, found: ScreeningRound) -> bool:
    """A county's staff see their county's rounds and the city's (working their own sites in
    it; people, recalls and missing lists stay scoped to their county)."""
    return found.county_code is None or actor.covers(found.county_code)


def get_round(session: Session, *, actor: Actor, round_id: int) -> ScreeningRound:
    found = session.get(ScreeningRound, round_id)
    if found is None or not sees(actor, found):
        raise NotFound(_("round %(id)s not found", id=round_id))
    return found


def list_rounds(
    session: Session, *, actor: Actor, as_of: datetime | None = None
) -> list[ScreeningRound]:
    """The rounds the actor sees, the latest first; with `as_of`, those created by then."""
    query = select(ScreeningRound).order_by(ScreeningRound.starts_at.desc())
    if as_of is not None:
        query = query.where(ScreeningRound.created_at <= as_of)
    return [r for r in session.scalars(query) if sees(actor, r)]


def create_round(
    session: Session, *, actor: Actor, data: RoundCreate, now: datetime
) -> ScreeningRound:
    actor.require(RUN_TESTING, what="run screening rounds")
    problems: list[FieldProblem] = []
    county = data.county_code
    zone = None
    if data.starts_at > now + _DAY:
        problems.append(FieldProblem(("starts_at",), _("is more than a day ahead")))
    if data.area == "zone":
        zone = session.get(Zone, data.zone_id) if data.zone_id else None
        if zone is None:
            problems.append(FieldProblem(("zone_id",), _("a zone round needs an existing zone")))
        else:
            county = zone.county_code
    elif data.area in ("county", "township"):
        if county is None or division(county) is None:
            problems.append(
                FieldProblem(("county_code",), _("a %(area)s round needs a county", area=data.area))
            )
        if data.area == "township" and not data.match.strip():
            problems.append(FieldProblem(("match",), _("name the township or street")))
    else:
        county = None
    if county is not None and not actor.covers(county):
        problems.append(FieldProblem(("county_code",), _("outside your jurisdiction")))
    if county is None and actor.jurisdiction is not None:
        problems.append(FieldProblem(("area",), _("a city-wide round is the city's to run")))
    if problems:
        raise InvalidInput("invalid round", problems)
    found = ScreeningRound(
        name=data.name,
        area=data.area,
        zone_id=zone.id if zone else None,
        county_code=county,
        match=data.match.strip(),
        pool_size=data.pool_size,
        starts_at=data.starts_at,
        created_at=now,
        created_by=actor.username,
    )
    session.add(found)
    session.flush()
    if data.sites:
        add_sites(session, actor=actor, round_id=found.id, sites=data.sites)
    record_audit(
        session,
        actor=actor,
        action="create",
        entity="screening_round",
        entity_id=found.id,
        now=now,
        detail=f"{data.area} pool {data.pool_size}",
    )
    return found


def add_sites(
    session: Session, *, actor: Actor, round_id: int, sites: Sequence[SiteIn]
) -> list[SamplingSite]:
    actor.require(RUN_TESTING, what="set up sampling sites")
    found = get_round(session, actor=actor, round_id=round_id)
    taken = set(session.scalars(select(SamplingSite.name).where(SamplingSite.round_id == found.id)))
    problems = []
    for i, site in enumerate(sites):
        if site.name in taken:
            problems.append(
                FieldProblem(("sites", i, "name"), _("%(name)s is already a site", name=site.name))
            )
        taken.add(site.name)
        if division(site.county_code) is None or not actor.covers(site.county_code):
            problems.append(FieldProblem(("sites", i, "county_code"), _("not a county you cover")))
    if problems:
        raise InvalidInput("invalid sampling sites", problems)
    made = [SamplingSite(round_id=found.id, **site.model_dump()) for site in sites]
    session.add_all(made)
    session.flush()
    return made


def area_filter(found: ScreeningRound, session: Session) -> ColumnElement[bool]:
    """Who lives in the round's area, as a filter on people."""
    if found.area == "zone" and found.zone_id is not None:
        zone = session.get(Zone, found.zone_id)
        where = residents_of(session, zone) if zone is not None else None
        return where if where is not None else false()
    if found.area == "county":
        return registry.lives_in_county(found.county_code or "")
    if found.area == "township":
        return registry.lives_in_county(found.county_code or "") & registry.lives_at(
            found.match or ""
        )
    return registry.lives_in_city(get_settings().city_code)


def last_negative_samples(session: Session, person_ids: Sequence[int]) -> dict[int, datetime]:
    """Each person's last negative screening result, by report time (a negative pool clears
    everyone in it)."""
    rows = session.execute(
        select(Sample.person_id, func.max(Tube.reported_at))
        .join(Tube, Tube.id == Sample.tube_id)
        .where(Sample.person_id.in_(person_ids), Tube.result == "negative")
        .group_by(Sample.person_id)
    )
    return {pid: at for pid, at in rows if at is not None}


def closed_rounds(session: Session, *, since: datetime | None) -> list[ScreeningRound]:
    """Rounds closed (after `since`, if given)."""
    query = select(ScreeningRound).where(ScreeningRound.closed_at.is_not(None))
    if since is not None:
        query = query.where(ScreeningRound.closed_at > since)
    return list(session.scalars(query))


def samples_of(session: Session, person_ids: Sequence[int]) -> list[tuple[int, int, datetime]]:
    """(person id, round id, sampled at) of every sample of these people."""
    rows = session.execute(
        select(Sample.person_id, Sample.round_id, Sample.sampled_at).where(
            Sample.person_id.in_(person_ids)
        )
    )
    return [(pid, rid, at) for pid, rid, at in rows]


def residents_among(
    session: Session, found: ScreeningRound, person_ids: Sequence[int]
) -> list[int]:
    """Those of these people who live in the round's area."""
    where = registry.person_ids_where(registry.is_person(person_ids), area_filter(found, session))
    return list(session.scalars(where))


def present_round(session: Session, found: ScreeningRound) -> RoundRead:
    residents = session.scalar(registry.count_people(area_filter(found, session)))
    tube_counts = session.execute(
        select(
            func.count(),
            func.count(Tube.closed_at),
            func.count(Tube.shipment_id),
            func.count(Tube.result),
            func.count(Tube.id).filter(Tube.result == "positive"),
        ).where(Tube.round_id == found.id)
    ).one()
    tubes, closed, shipped, resulted, positive = (int(v) for v in tube_counts)
    sampled = session.scalar(
        select(func.count())
        .select_from(Sample)
        .where(Sample.round_id == found.id, Sample.purpose == "screen")
    )
    recalls_open = session.scalar(
        select(func.count())
        .select_from(Recall)
        .where(Recall.round_id == found.id, Recall.done_at.is_(None))
    )
    sites = session.scalars(
        select(SamplingSite).where(SamplingSite.round_id == found.id).order_by(SamplingSite.id)
    )
    per_site = dict(
        session.execute(
            select(Tube.site_id, func.sum(Tube.members))
            .where(Tube.round_id == found.id, Tube.kind.in_(("pooled", "single")))
            .group_by(Tube.site_id)
        ).all()
    )
    return RoundRead(
        id=found.id,
        name=found.name,
        area=found.area,
        zone_id=found.zone_id,
        county_code=found.county_code,
        match=found.match,
        pool_size=found.pool_size,
        starts_at=found.starts_at,
        closed_at=found.closed_at,
        residents=residents or 0,
        sampled=sampled or 0,
        tubes=tubes,
        tubes_open=tubes - closed,
        tubes_awaiting_plan=closed - shipped,
        tubes_resulted=resulted,
        positive_tubes=positive,
        recalls_open=recalls_open or 0,
        sites=[
            SiteRead.model_validate(s, from_attributes=True).model_copy(
                update={"sampled": int(per_site.get(s.id) or 0)}
            )
            for s in sites
        ],
    )


# -- registration -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """A scan as registration needs it; `loc` names it in errors (an API item or a sheet row)."""

    person: str
    barcode: str
    site_id: int
    sampled_at: datetime
    loc: Loc


@dataclass
class _TubeState:
    id: int | None
    round_id: int
    site_id: int
    kind: str
    size: int
    members: int
    closed_at: datetime | None
    opened_at: datetime
    changed: bool = False


def needs_single_tube(
    session: Session, found: ScreeningRound, person_ids: Sequence[int], *, at: datetime
) -> set[int]:
    """Those of these people who live in a sealed zone or are under a quarantine order."""
    zones = session.scalars(
        select(Zone).where(
            Zone.kind.in_(SINGLE_ZONE_KINDS),
            Zone.drawn_at <= at,
            or_(Zone.lifted_at.is_(None), Zone.lifted_at > at),
            true() if found.county_code is None else Zone.county_code == found.county_code,
        )
    ).all()
    filters = [w for w in (residents_of(session, z) for z in zones) if w is not None]
    single: set[int] = set()
    for chunk in in_chunks(person_ids):
        if filters:
            single.update(
                session.scalars(registry.person_ids_where(registry.is_person(chunk), or_(*filters)))
            )
        single |= in_quarantine_at(session, chunk, at=at, kinds=QUARANTINE_PHASES)
    return single


@dataclass
class _Registering:
    """A batch of scans on its way into tubes: what the round knows, what the batch adds."""

    round: ScreeningRound
    purpose: str
    sites: dict[int, SamplingSite]
    people: dict[str, int]  # the scan's 身份证号 or key -> person id
    earlier: dict[int, str] = field(default_factory=dict)  # person -> barcode before
    tubes: dict[str, _TubeState] = field(default_factory=dict)
    single: set[int] = field(default_factory=set)  # people who need a tube of their own
    recalled: set[int] = field(default_factory=set)
    problems: list[FieldProblem] = field(default_factory=list)
    seen: dict[int, str] = field(default_factory=dict)  # person -> barcode in this batch
    new_samples: list[tuple[int, str, datetime]] = field(default_factory=list)
    already: int = 0
    opened: int = 0
    closed: int = 0

    def problem(self, loc: Loc, field: str, msg: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(FieldProblem((*loc, field), msg))


def register_samples(
    session: Session,
    *,
    actor: Actor,
    round_id: int,
    scans: Sequence[Registration],
    now: datetime,
    purpose: str = "screen",
) -> RegisterResult:
    """Register scans into tubes, all or nothing. A pooled tube closes when it holds the
    round's pool size; a single tube at once. The same scan sent twice is taken once."""
    actor.require(SAMPLE, what="register samples")
    found = get_round(session, actor=actor, round_id=round_id)
    if found.closed_at is not None and purpose == "screen":
        raise Conflict(
            _("round %(name)s closed at %(at)s", name=found.name, at=fmt_local(found.closed_at))
        )
    batch = _Registering(
        round=found,
        purpose=purpose,
        sites={
            s.id: s
            for s in session.scalars(select(SamplingSite).where(SamplingSite.round_id == found.id))
        },
        people=registry.resolve_people(session, (s.person for s in scans)),
    )
    for scan in scans:
        _check_scan(batch, scan, actor, now)
    _load_state(session, batch, scans)
    for scan in scans:
        _register(batch, scan)
    if batch.problems:
        raise InvalidInput(_("problems in the scans; nothing was registered"), batch.problems)
    _write(session, found, batch.tubes, batch.new_samples, purpose)
    return RegisterResult(
        added=len(batch.new_samples),
        already=batch.already,
        tubes_opened=batch.opened,
        tubes_closed=batch.closed,
    )


def _check_scan(batch: _Registering, scan: Registration, actor: Actor, now: datetime) -> None:
    """The site is the round's and the actor's, the time is real, the person is known."""
    site = batch.sites.get(scan.site_id)
    if site is None:
        batch.problem(scan.loc, "site", f"site {scan.site_id} is not a sampling site of this round")
    elif not actor.covers(site.county_code):
        batch.problem(scan.loc, "site", f"{site.name} is outside your jurisdiction")
    if scan.sampled_at > now:
        batch.problem(scan.loc, "sampled_at", f"{fmt_local(scan.sampled_at)} is in the future")
    elif scan.sampled_at < batch.round.starts_at:
        batch.problem(scan.loc, "sampled_at", "is before the round started")
    if scan.person not in batch.people:
        batch.problem(scan.loc, "person", f"{scan.person} is not in the registry")


def _load_state(session: Session, batch: _Registering, scans: Sequence[Registration]) -> None:
    """What the round already holds for this batch: earlier samples, tubes, who needs a single
    tube (sealed zone, quarantine order), who was recalled."""
    found, people = batch.round, batch.people
    person_ids = sorted({people[s.person] for s in scans if s.person in people})
    batch.earlier = _earlier_samples(session, found.id, person_ids, batch.purpose)
    batch.tubes = _tubes_by_barcode(session, {s.barcode for s in scans})
    if scans:
        moment = max(s.sampled_at for s in scans)
        batch.single = needs_single_tube(session, found, person_ids, at=moment)
    if batch.purpose == "retest":
        batch.recalled = _recalled(session, found.id)


def _register(batch: _Registering, scan: Registration) -> None:
    """One scan into its tube (opened if new), or its problem noted."""
    pid = batch.people.get(scan.person)
    if pid is None or scan.site_id not in batch.sites:
        return
    previous = batch.earlier.get(pid) or batch.seen.get(pid)
    if previous is not None:
        if previous == scan.barcode and pid not in batch.seen:
            batch.already += 1  # the same scan again: nothing to do
        else:
            batch.problem(
                scan.loc,
                "person",
                f"{scan.person} is already registered in this round ({previous})",
            )
        return
    if batch.purpose == "retest" and pid not in batch.recalled:
        batch.problem(scan.loc, "person", f"{scan.person} is in no recalled pool of this round")
        return
    wants_single = batch.purpose == "retest" or pid in batch.single
    state = batch.tubes.get(scan.barcode) or _open_tube(batch, scan, wants_single)
    problem_text = _tube_problem(state, scan, batch.round.id, wants_single)
    if problem_text:
        batch.problem(scan.loc, "barcode", problem_text)
        return
    state.members += 1
    state.changed = True
    if state.members >= state.size:
        state.closed_at = scan.sampled_at
        batch.closed += 1
    batch.seen[pid] = scan.barcode
    batch.new_samples.append((pid, scan.barcode, scan.sampled_at))


def _open_tube(batch: _Registering, scan: Registration, single: bool) -> _TubeState:
    state = _TubeState(
        id=None,
        round_id=batch.round.id,
        site_id=scan.site_id,
        kind="single" if single else "pooled",
        size=1 if single else batch.round.pool_size,
        members=0,
        closed_at=None,
        opened_at=scan.sampled_at,
    )
    batch.tubes[scan.barcode] = state
    batch.opened += 1
    return state


def _tube_problem(state: _TubeState, scan: Registration, round_id: int, single: bool) -> str:
    if state.round_id != round_id:
        return f"tube {scan.barcode} was used in round {state.round_id}"
    if state.site_id != scan.site_id:
        return f"tube {scan.barcode} was opened at site {state.site_id}"
    if state.closed_at is not None or state.members >= state.size:
        return f"tube {scan.barcode} is closed ({state.members} of {state.size})"
    if single and state.members:
        return f"{scan.person} needs a single tube (sealed zone or quarantine), not a shared one"
    return ""


def _recalled(session: Session, round_id: int) -> set[int]:
    """Members of this round's positive pools still to be retested."""
    open_pools = select(Recall.tube_id).where(Recall.round_id == round_id, Recall.done_at.is_(None))
    return set(session.scalars(select(Sample.person_id).where(Sample.tube_id.in_(open_pools))))


def _earlier_samples(
    session: Session, round_id: int, person_ids: Sequence[int], purpose: str
) -> dict[int, str]:
    """The tube each of these people was already registered into in this round."""
    found: dict[int, str] = {}
    for chunk in in_chunks(person_ids):
        rows = session.execute(
            select(Sample.person_id, Tube.barcode)
            .join(Tube, Tube.id == Sample.tube_id)
            .where(
                Sample.round_id == round_id,
                Sample.purpose == purpose,
                Sample.person_id.in_(chunk),
            )
        )
        found.update({pid: barcode for pid, barcode in rows})
    return found


def _tubes_by_barcode(session: Session, barcodes: Iterable[str]) -> dict[str, _TubeState]:
    found: dict[str, _TubeState] = {}
    for chunk in in_chunks(barcodes):
        for t in session.scalars(select(Tube).where(Tube.barcode.in_(chunk))):
            found[t.barcode] = _TubeState(
                t.id, t.round_id, t.site_id, t.kind, t.size, t.members, t.closed_at, t.opened_at
            )
    return found


def _write(
    session: Session,
    found: ScreeningRound,
    tubes: dict[str, _TubeState],
    samples: list[tuple[int, str, datetime]],
    purpose: str,
) -> None:
    """New tubes, then the changed ones' counts, then the samples: three executemany."""
    new = [(code, t) for code, t in tubes.items() if t.id is None]
    bulk_insert(
        session,
        Tube,
        [
            {
                "barcode": code,
                "round_id": found.id,
                "site_id": t.site_id,
                "kind": t.kind,
                "size": t.size,
                "members": t.members,
                "opened_at": t.opened_at,
                "closed_at": t.closed_at,
            }
            for code, t in new
        ],
    )
    changed = [
        {"id": t.id, "members": t.members, "closed_at": t.closed_at}
        for t in tubes.values()
        if t.id is not None and t.changed
    ]
    if changed:  # ORM bulk UPDATE by primary key: one executemany
        session.execute(update(Tube), changed)
    ids = {}
    for chunk in in_chunks(code for code, _tube in new):
        ids.update(
            dict(
                session.execute(select(Tube.barcode, Tube.id).where(Tube.barcode.in_(chunk))).all()
            )
        )
    for code, t in tubes.items():
        if t.id is not None:
            ids[code] = t.id
    bulk_insert(
        session,
        Sample,
        [
            {
                "round_id": found.id,
                "person_id": pid,
                "tube_id": ids[code],
                "purpose": purpose,
                "sampled_at": at,
            }
            for pid, code, at in samples
        ],
    )


def close_tubes(
    session: Session, *, actor: Actor, round_id: int, now: datetime, site_id: int | None = None
) -> int:
    """Close the open tubes of a site (or every site) at the end of a session: a pool of
    fewer than its size still goes to the lab."""
    actor.require(SAMPLE, what="close tubes")
    found = get_round(session, actor=actor, round_id=round_id)
    where = [Tube.round_id == found.id, Tube.closed_at.is_(None), Tube.members > 0]
    if site_id is not None:
        where.append(Tube.site_id == site_id)
    result = session.execute(update(Tube).where(*where).values(closed_at=now))
    session.execute(
        delete(Tube).where(Tube.round_id == found.id, Tube.closed_at.is_(None), Tube.members == 0)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def close_round(session: Session, *, actor: Actor, round_id: int, now: datetime) -> ScreeningRound:
    """Sampling is over: open tubes close, no more registrations (retests of recalls aside)."""
    actor.require(RUN_TESTING, what="close a round")
    found = get_round(session, actor=actor, round_id=round_id)
    if found.closed_at is None:
        close_tubes(session, actor=actor, round_id=round_id, now=now)
        found.closed_at = now
        _outdate_codes_of_the_missed(session, found)
        record_audit(
            session,
            actor=actor,
            action="close",
            entity="screening_round",
            entity_id=found.id,
            now=now,
            detail="",
        )
    return found


def _outdate_codes_of_the_missed(session: Session, found: ScreeningRound) -> None:
    """Whoever the round missed turns yellow (应检未检): mark their stored health codes out of
    date, as the tables' triggers do for every other change (a closed round touches no row
    of theirs). Only the missed: a city-wide round must not send five million codes to be
    recomputed at their next scan."""
    sampled = select(Sample.person_id).where(Sample.round_id == found.id)
    # unscoped: ids only, for a system-side mark.
    missed = registry.person_ids_where(area_filter(found, session), ~registry.is_person(sampled))
    mark_stale(session, person_ids=missed)


_DAY = timedelta(days=1)


SCAN_LAYOUT = Layout(
    headers={
        "person": ("身份证号", "身份证号码", "证件号码", "证件号", "person", "id_number"),
        "barcode": ("管号", "试管条码", "条码", "样本编号", "barcode", "tube"),
        "site": ("采样点", "采样点名称", "site"),
        "sampled_at": ("采样时间", "sampled_at", "time"),
    },
    required=("person", "barcode", "site", "sampled_at"),
    anchor="person",
)


def register_file(
    session: Session, *, actor: Actor, round_id: int, filename: str, content: bytes, now: datetime
) -> RegisterResult:
    """A sheet of scans (身份证号, 管号, 采样点, 采样时间) registered like the desks' batches."""
    scans = parse_scans(session, round_id=round_id, filename=filename, content=content)
    return register_samples(session, actor=actor, round_id=round_id, scans=scans, now=now)


def parse_scans(
    session: Session, *, round_id: int, filename: str, content: bytes
) -> list[Registration]:
    """Scans exported from the sampling app (.csv/.xlsx): ID, tube, site name, time."""
    sites = dict(
        session.execute(
            select(SamplingSite.name, SamplingSite.id).where(SamplingSite.round_id == round_id)
        ).all()
    )
    table = read_sheet(filename, content, SCAN_LAYOUT)
    scans: list[Registration] = []
    problems: list[FieldProblem] = []
    for number, row in table:
        loc = (f"row {number}",)
        site = table.text(row, "site")
        try:
            at = cell_datetime(table.get(row, "sampled_at"))
        except InvalidInput as exc:
            problems.append(FieldProblem((*loc, table.heading("sampled_at")), str(exc)))
            continue
        if site not in sites:
            problems.append(
                FieldProblem((*loc, table.heading("site")), _("no site %(name)s", name=repr(site)))
            )
            continue
        scans.append(
            Registration(
                table.text(row, "person").upper(), table.text(row, "barcode"), sites[site], at, loc
            )
        )
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InvalidInput(_("problems in the scans; nothing was registered"), problems)
    return scans
