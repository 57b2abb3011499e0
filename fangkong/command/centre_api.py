"""The command centre's API, part 2: stockpiles, the daily briefing (JSON, PDF, workbook) and
the big screen's figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from fangkong.command import stock
from fangkong.command.briefing import build_briefing
from fangkong.command.briefing_paper import briefing_pdf
from fangkong.command.briefing_schemas import BriefingRead
from fangkong.command.briefing_sheets import briefing_xlsx
from fangkong.command.deps import CanCommand, CanReadCommand
from fangkong.command.schemas import StockLineIn, StockMoveIn, StockRow, StoreIn
from fangkong.command.screen import screen_figures
from fangkong.core.deps import NowDep, SessionDep, xlsx_response
from fangkong.core.schemas import RowId
from fangkong.core.timeutil import LocalDateTime

router = APIRouter(tags=["command"])
Day = Annotated[date, Query(description="the day (city time), YYYY-MM-DD")]


@router.get("/stock", response_model=list[StockRow])
def stock_levels(
    actor: CanReadCommand, session: SessionDep, now: NowDep, at: LocalDateTime | None = None
) -> list[StockRow]:
    """Each store's items as of a moment (default now): balance, daily use over the last
    three days (entered and derived from the operations), days of supply, safety level."""
    return stock.stock_rows(session, actor=actor, as_of=at or now)


@router.post("/stock/stores", status_code=201)
def add_store(data: StoreIn, actor: CanCommand, session: SessionDep, now: NowDep) -> dict[str, int]:
    return {"id": stock.add_store(session, actor=actor, data=data, now=now).id}


@router.put("/stock/stores/{store_id}/lines", status_code=204)
def set_safety_level(
    store_id: RowId, data: StockLineIn, actor: CanCommand, session: SessionDep
) -> None:
    stock.set_safety_level(session, actor=actor, store_id=store_id, data=data)


@router.post("/stock/moves", status_code=201)
def record_move(
    data: StockMoveIn, actor: CanCommand, session: SessionDep, now: NowDep
) -> dict[str, int]:
    """A receipt, an issue (to another store) or a use; taking more than the store holds is
    refused (422 naming `quantity`)."""
    return {"id": stock.record_move(session, actor=actor, data=data, now=now).id}


@router.get("/briefing", response_model=BriefingRead)
def briefing(day: Day, actor: CanReadCommand, session: SessionDep, now: NowDep) -> BriefingRead:
    """The daily briefing as of the end of `day` (of now, for today); a day in the future or
    before the first infection is refused (422 naming `day`)."""
    return build_briefing(session, actor=actor, day=day, now=now)


@router.get(
    "/briefing/pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}}
)
def briefing_as_pdf(day: Day, actor: CanReadCommand, session: SessionDep, now: NowDep) -> Response:
    found = build_briefing(session, actor=actor, day=day, now=now)
    return Response(
        briefing_pdf(found),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="briefing-{day.isoformat()}.pdf"'},
    )


@router.get("/briefing/xlsx", response_class=Response)
def briefing_as_xlsx(day: Day, actor: CanReadCommand, session: SessionDep, now: NowDep) -> Response:
    found = build_briefing(session, actor=actor, day=day, now=now)
    return xlsx_response(briefing_xlsx(found), f"briefing-{day.isoformat()}.xlsx")


@router.get("/screen", response_model=BriefingRead)
def screen(
    request: Request, actor: CanReadCommand, session: SessionDep, now: NowDep
) -> BriefingRead:
    """The big screen's figures: today's briefing as of now, made once for every screen of
    a jurisdiction until the next change (or half a minute)."""
    return screen_figures(request.app.state, session, actor=actor, now=now)
