"""What a round uses comes off its county's warehouse by itself: a swab a person sampled, a
tube a tube opened, a suit and two masks a sampling staff member's shift — as of any moment,
with the daily use and days of supply that leaves."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fangkong.command import stock
from fangkong.command.schemas import StockMoveIn, StoreIn
from fangkong.testing import service
from tests.builders.moments import NOW, at
from tests.builders.testing import LINYI, RoundSetup
from tests.testing.test_rounds import scans


def test_a_round_draws_down_its_countys_warehouse(
    session: Session, linyi_round: RoundSetup
) -> None:
    boss = linyi_round.commander
    store = stock.add_store(
        session,
        actor=boss,
        now=at(8, 12),
        data=StoreIn(name="临猗县仓库", kind="warehouse", county_code=LINYI),
    )
    for item, n in (("swab", 1000), ("sampling_tube", 100), ("protective_suit", 50), ("mask", 100)):
        data = StockMoveIn.model_validate(
            {"store_id": store.id, "item": item, "kind": "receipt", "quantity": n, "at": at(8, 12)}
        )
        stock.record_move(session, actor=boss, data=data, now=at(8, 12))
    service.register_samples(
        session,
        actor=boss,
        round_id=linyi_round.round.id,
        scans=scans(linyi_round, linyi_round.people[:25]),
        now=at(9, 12),
    )
    rows = {r.item: r for r in stock.stock_rows(session, actor=boss, as_of=NOW)}
    assert rows["swab"].balance == 1000 - 25
    assert rows["sampling_tube"].balance == 100 - 3  # ten to a pool: 10, 10, 5
    assert rows["protective_suit"].balance == 50 - 6  # the site's six staff, one shift
    assert rows["mask"].balance == 100 - 12
    assert rows["sampling_tube"].daily_use == 1.0 and rows["sampling_tube"].days_left == 97.0
    before = {r.item: r.balance for r in stock.stock_rows(session, actor=boss, as_of=at(9, 7))}
    assert before["swab"] == 1000 and before["sampling_tube"] == 100
