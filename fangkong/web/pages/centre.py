"""The command centre's pages, part 2: the daily briefing, the big screen, stockpiles and
treatment's beds."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from fangkong.command import stock
from fangkong.command.briefing import build_briefing
from fangkong.command.briefing_sheets import sections
from fangkong.command.permissions import READ_COMMAND
from fangkong.core.deps import NowDep, SessionDep
from fangkong.core.errors import InvalidInput
from fangkong.core.i18n import gettext
from fangkong.core.ids import divisions_in
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import city_zone, local_date
from fangkong.surveillance.alarms import list_alarms
from fangkong.surveillance.points import list_points, recent_series
from fangkong.surveillance.schemas import PointRead
from fangkong.treatment.service import list_hospitals, occupancy
from fangkong.web.pages.kit import AsOf, PageActor, city_map, forbidden_page, render
from fangkong.web.pages.zones import KINDS, extent

router = APIRouter(include_in_schema=False)
# The words the sentinels' map and curves draw with.
ALARM_LABELS = (
    "alarm_open", "alarm_confirmed", "alarm_dismissed", "alarm_closed", "sentinel_quiet",
    "measure_fever_visits", "measure_antipyretics", "measure_cough", "measure_antivirals",
    "measure_antibiotics", "measure_absent", "measure_tests", "measure_positive", "alarm",
    "alarm_cluster",
)  # fmt: skip


@router.get("/briefing", response_model=None)
def briefing_page(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    now: NowDep,
    day: Annotated[date | None, Query()] = None,
) -> Response:
    """The daily briefing of a day (default today, by the platform's clock), its charts drawn
    and its tables, with the PDF and the workbook to take away."""
    if not actor.can(READ_COMMAND):
        return forbidden_page(request, actor)
    shown = day or local_date(now)
    try:
        found = build_briefing(session, actor=actor, day=shown, now=now)
    except InvalidInput as exc:
        said = "; ".join(p.msg for p in exc.problems) or exc.message
        return render(request, "briefing.html", actor, day=shown, refused=said, b=None)
    return render(
        request,
        "briefing.html",
        actor,
        day=shown,
        refused=None,
        b=found,
        b_json=found.model_dump(mode="json"),
        tables=sections(found),
        previous=shown - timedelta(days=1),
        following=shown + timedelta(days=1),
    )


@router.get("/screen", response_model=None)
def screen_page(request: Request, actor: PageActor) -> Response:
    """The big screen (大屏), 1920×1080: drawn from /api/screen and redrawn on every change
    the server streams (/api/events)."""
    if not actor.can(READ_COMMAND):
        return forbidden_page(request, actor)
    found_map = city_map()
    counties = {d.code: d.name for d in divisions_in(get_settings().city_code)}
    return render(
        request,
        "screen.html",
        actor,
        map_name=found_map[1] if found_map else "",
        bounds=extent(),
        counties=counties,
        kind_labels={k: gettext(k) for k in KINDS},
    )


@router.get("/stock", response_model=None)
def stock_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    """Every store's items as of a moment: balance, daily use, days of supply, safety level;
    receipts, issues and uses entered here."""
    if not actor.can(READ_COMMAND):
        return forbidden_page(request, actor)
    rows = stock.stock_rows(session, actor=actor, as_of=moment)
    stores = list(session.scalars(stock.readable_stores(actor)))
    return render(
        request, "stock.html", actor, rows=rows, stores=stores, items=stock.ITEMS, as_of=moment
    )


@router.get("/treatment", response_model=None)
def treatment_page(
    request: Request, session: SessionDep, actor: PageActor, moment: AsOf
) -> Response:
    """Designated and cabin hospitals: beds by kind taken now, and occupancy day by day."""
    if not actor.can(READ_COMMAND):
        return forbidden_page(request, actor)
    today = local_date(moment)
    days = [today - timedelta(days=d) for d in range(13, -1, -1)]
    hospitals = list_hospitals(session, at=moment)
    by_day = occupancy(session, days=days)
    return render(
        request,
        "treatment.html",
        actor,
        hospitals=hospitals,
        as_of=moment,
        occupancy_json=[o.model_dump(mode="json") for o in by_day],
    )


def _late(point: PointRead, moment: datetime) -> bool:
    """Yesterday's counts not in by the point's hour this morning (signals.points_late's rule)."""
    today = local_date(moment)
    due = today - timedelta(days=1 if moment.astimezone(city_zone()).hour >= point.due_hour else 2)
    return point.last_day is None or point.last_day < due


@router.get("/sentinels", response_model=None)
def sentinels_page(
    request: Request, session: SessionDep, actor: PageActor, moment: AsOf
) -> Response:
    """The points on the city's map, their alarms to decide, and each point's curve of the last
    60 days with its alarm days marked."""
    until = local_date(moment) - timedelta(days=1)
    found = list_points(session, actor=actor, as_of=moment)
    raised = list_alarms(session, actor=actor, as_of=moment)
    curves = recent_series(session, actor=actor, since=until - timedelta(days=59), until=until)
    shown_map = city_map()
    return render(
        request,
        "sentinels.html",
        actor,
        points=found,
        late={p.code for p in found if _late(p, moment)},
        alarms=raised,
        as_of=moment,
        points_json=[p.model_dump(mode="json") for p in found],
        alarms_json=[a.model_dump(mode="json") for a in raised],
        curves_json=[c.model_dump(mode="json") for c in curves],
        map_name=shown_map[1] if shown_map else "",
        labels={k: gettext(k) for k in ALARM_LABELS},
    )
