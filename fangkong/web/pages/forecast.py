"""The forecast page: the next 14 days' needs, drawn."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from fangkong.core.deps import SessionDep
from fangkong.web.pages.kit import AsOf, PageActor, render

router = APIRouter(include_in_schema=False)


@router.get("/forecast", response_model=None)
def forecast_page(
    request: Request,
    session: SessionDep,
    actor: PageActor,
    moment: AsOf,
    seeds: int = Query(default=5, ge=1, le=50),
) -> Response:
    """The next 14 days' needs from the live state, by the war game's engine; a warning
    before the rooms run out."""
    from fangkong.forecast.service import forecast

    found = forecast(session, now=moment, seeds=seeds)
    chart = {
        "days": [d.isoformat() for d in found.days],
        "needed": [list(b) for b in found.rooms_needed],
        "committed": found.rooms_committed,
        "available": found.rooms_available,
    }
    return render(request, "forecast.html", actor, found=found, chart=chart, as_of=moment)
