"""Stockpiles (物资保障): what each warehouse, quarantine site and lab holds of the items a
response runs on, as of any moment — receipts in, issues out and uses entered by hand, less
what the operations themselves used (testing/usage.py: a swab a person sampled, a tube a tube,
suits and masks a sampling staff shift, a reagent a test) — with the daily use of the last
days, the days of supply that leaves, and a task when a stock is under its safety level."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from fangkong.command.models import StockLine, StockMove, Store
from fangkong.command.permissions import COMMAND
from fangkong.command.rules import command_rule
from fangkong.command.schemas import StockLineIn, StockMoveIn, StockRow, StoreIn
from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.signals import Signal
from fangkong.core.timeutil import refuse_future
from fangkong.protocol.models import CommandRule
from fangkong.testing.usage import county_use, lab_use

# The items, in the order the pages list them.
ITEMS = ("swab", "sampling_tube", "reagent", "protective_suit", "mask", "disinfectant", "room")
Line = tuple[int, str]  # (store id, item)


def readable_stores(actor: Actor) -> Select[Store]:
    """A county's people see their county's stores; the city's see every one."""
    return select(Store).where(actor.in_county(Store.county_code))


def get_store(session: Session, *, actor: Actor, store_id: int) -> Store:
    store = session.scalar(readable_stores(actor).where(Store.id == store_id))
    if store is None:
        raise NotFound(_("store %(id)s not found", id=store_id))
    return store


def add_store(session: Session, *, actor: Actor, data: StoreIn, now: datetime) -> Store:
    actor.require(COMMAND, what="run the command centre")
    if not actor.covers(data.county_code):
        raise InvalidInput.at(("county_code",), _("outside your jurisdiction"))
    if session.scalar(select(Store.id).where(Store.name == data.name)):
        raise Conflict(_("a store %(name)s exists", name=data.name))
    store = Store(
        name=data.name,
        kind=data.kind,
        county_code=data.county_code,
        lab_id=data.lab_id,
        created_at=now,
    )
    session.add(store)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="create",
        entity="store",
        entity_id=store.id,
        now=now,
        detail=data.name,
    )
    return store


def set_safety_level(
    session: Session, *, actor: Actor, store_id: int, data: StockLineIn
) -> StockLine:
    """The level under which an item of a store raises a task (the line made if new)."""
    actor.require(COMMAND, what="run the command centre")
    store = get_store(session, actor=actor, store_id=store_id)
    line = session.scalar(
        select(StockLine).where(StockLine.store_id == store.id, StockLine.item == data.item)
    )
    if line is None:
        line = StockLine(store_id=store.id, item=data.item, safety_level=data.safety_level)
        session.add(line)
    line.safety_level = data.safety_level
    session.flush()
    return line


class Levels(NamedTuple):
    """Each line's balance at a moment and its use over the days before."""

    balance: Counter[Line]
    used: Counter[Line]
    days: int


def _balances(session: Session, until: datetime) -> Counter[Line]:
    """Receipts less issues and entered uses by `until`, per line."""
    sign = {"receipt": 1, "issue": -1, "use": -1}
    out: Counter[Line] = Counter()
    for store_id, item, kind, total in session.execute(
        select(StockMove.store_id, StockMove.item, StockMove.kind, func.sum(StockMove.quantity))
        .where(StockMove.at <= until)
        .group_by(StockMove.store_id, StockMove.item, StockMove.kind)
    ):
        out[(store_id, item)] += sign[kind] * int(total)
    return out


def _entered_use(session: Session, since: datetime, until: datetime) -> Counter[Line]:
    """Uses entered by hand in (since, until], per line."""
    rows = session.execute(
        select(StockMove.store_id, StockMove.item, func.sum(StockMove.quantity))
        .where(StockMove.kind == "use", StockMove.at > since, StockMove.at <= until)
        .group_by(StockMove.store_id, StockMove.item)
    )
    return Counter({(store_id, item): int(total) for store_id, item, total in rows})


def days_of_supply(balance: int, daily_use: float) -> float | None:
    """How many days what is held lasts at that use (None: nothing used)."""
    return round(max(balance, 0) / daily_use, 1) if daily_use > 0 else None


def derived_use(
    session: Session, since: datetime, until: datetime
) -> tuple[Counter[Line], Counter[Line]]:
    """What the operations used by `until`, and in (since, until], charged to the store that
    supplies them: sampling to its county's warehouse (else the city's), a lab's tests to the
    lab's store."""
    rule = command_rule()
    stores = list(session.scalars(select(Store)))
    warehouses = {s.county_code: s.id for s in stores if s.kind == "warehouse"}
    labs = {s.lab_id: s.id for s in stores if s.lab_id is not None}
    counties, tested = (
        county_use(session, since=since, until=until),
        lab_use(session, since=since, until=until),
    )
    out: tuple[Counter[Line], Counter[Line]] = (Counter(), Counter())
    for charged, uses, tests in zip(out, counties, tested, strict=True):
        for use in uses:
            store_id = warehouses.get(use.county_code, warehouses.get(None))
            if store_id is None:
                continue
            charged[(store_id, "swab")] += use.swabs
            charged[(store_id, "sampling_tube")] += use.tubes
            charged[(store_id, "protective_suit")] += use.staff_shifts * rule.suits_per_staff_shift
            charged[(store_id, "mask")] += use.staff_shifts * rule.masks_per_staff_shift
        for lab in tests:
            if lab.lab_id in labs:
                charged[(labs[lab.lab_id], "reagent")] += lab.tests
    return out


def levels(session: Session, *, as_of: datetime, days: int = 3) -> Levels:
    since = as_of - timedelta(days=days)
    told, lately = derived_use(session, since, as_of)
    balance = _balances(session, as_of)
    balance.subtract(told)
    return Levels(balance, _entered_use(session, since, as_of) + lately, days)


def _lines(session: Session, stores: Iterable[Store], found: Levels) -> list[Line]:
    """Every line with a safety level, moves or use, in store and item order."""
    ids = {s.id for s in stores}
    kept = set(session.execute(select(StockLine.store_id, StockLine.item)))
    seen = kept | set(found.balance) | set(found.used)
    return sorted(
        (line for line in seen if line[0] in ids), key=lambda k: (k[0], ITEMS.index(k[1]))
    )


def stock_rows(session: Session, *, actor: Actor, as_of: datetime) -> list[StockRow]:
    """Each line of the actor's stores as of a moment: balance, daily use, days of supply."""
    stores = {s.id: s for s in session.scalars(readable_stores(actor).order_by(Store.id))}
    found = levels(session, as_of=as_of)
    safety = dict(
        ((store_id, item), level)
        for store_id, item, level in session.execute(
            select(StockLine.store_id, StockLine.item, StockLine.safety_level)
        )
    )
    return [
        _row(stores[line[0]], line[1], found, safety.get(line))
        for line in _lines(session, stores.values(), found)
    ]


def _row(store: Store, item: str, found: Levels, safety: int | None) -> StockRow:
    balance = found.balance[(store.id, item)]
    daily = found.used[(store.id, item)] / found.days
    return StockRow(
        store_id=store.id,
        store=store.name,
        kind=store.kind,
        county_code=store.county_code,
        item=item,
        balance=balance,
        daily_use=round(daily, 1),
        days_left=days_of_supply(balance, daily),
        safety_level=safety,
        below_safety=safety is not None and balance < safety,
    )


def record_move(session: Session, *, actor: Actor, data: StockMoveIn, now: datetime) -> StockMove:
    """A receipt, an issue (to another store, which receives it) or a use; never below zero."""
    actor.require(COMMAND, what="run the command centre")
    store = get_store(session, actor=actor, store_id=data.store_id)
    refuse_future(data.at, now, "at")
    target = None
    if data.to_store_id is not None:
        if data.kind != "issue" or data.to_store_id == store.id:
            raise InvalidInput.at(("to_store_id",), _("only an issue goes to another store"))
        target = get_store(session, actor=actor, store_id=data.to_store_id)
    if data.kind != "receipt":
        _enough(session, store, data, now)
    move = _move(store.id, data, actor, now)
    session.add(move)
    if target is not None:
        received = data.model_copy(update={"kind": "receipt", "to_store_id": None})
        session.add(_move(target.id, received, actor, now))
    session.flush()
    return move


def _enough(session: Session, store: Store, data: StockMoveIn, now: datetime) -> None:
    """Refuse taking more than the store holds at that moment or any later one: the balance
    only falls between receipts, so its lowest is then, just before each later receipt, or
    now."""
    receipts = session.scalars(
        select(StockMove.at).where(
            StockMove.store_id == store.id,
            StockMove.item == data.item,
            StockMove.kind == "receipt",
            StockMove.at > data.at,
        )
    )
    moments = {data.at, now, *(at - timedelta(microseconds=1) for at in receipts)}
    lowest = min(
        levels(session, as_of=moment, days=1).balance[(store.id, data.item)] for moment in moments
    )
    if data.quantity > lowest:
        raise InvalidInput.at(
            ("quantity",),
            _(
                "%(store)s holds %(left)s of %(item)s: cannot take %(n)s",
                store=store.name,
                left=max(lowest, 0),
                item=_(f"item_{data.item}"),
                n=data.quantity,
            ),
        )


def _move(store_id: int, data: StockMoveIn, actor: Actor, now: datetime) -> StockMove:
    return StockMove(
        store_id=store_id,
        item=data.item,
        kind=data.kind,
        quantity=data.quantity,
        at=data.at,
        to_store_id=data.to_store_id,
        note=data.note,
        created_by=actor.username,
        created_at=now,
    )


def stock_signals(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    """A stock under its safety level: the coordination group restocks it."""
    stores = {s.id: s for s in session.scalars(select(Store))}
    found = levels(session, as_of=as_of, days=1)
    out = []
    for line in session.scalars(select(StockLine)):
        balance = found.balance[(line.store_id, line.item)]
        store = stores[line.store_id]
        if balance < line.safety_level:
            out.append(
                Signal(
                    key=f"stock-low:{line.store_id}:{line.item}",
                    kind="stock_low",
                    group="coordination",
                    object_kind="store",
                    object_id=store.id,
                    county=store.county_code,
                    unit=f"{store.name}·{_(f'item_{line.item}')}",
                    many=max(balance, 0),
                    due_at=as_of + timedelta(hours=rule.late_response_hours),
                )
            )
    return out
