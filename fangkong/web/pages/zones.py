"""The zones page: zones on the city's map, their timelines and what each still needs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fangkong.core.deps import SessionDep
from fangkong.core.ids import divisions_in
from fangkong.core.settings import get_settings
from fangkong.web.pages.kit import AsOf, PageActor, city_map, render
from fangkong.zones import service as zones

router = APIRouter(include_in_schema=False)


@router.get("/zones", response_model=None)
def zones_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    """Zones on the city's county map, their timelines, and what each still needs to lift."""
    found = zones.list_zones(session, actor=actor, as_of=moment)
    counties = {d.code: d.name for d in divisions_in(get_settings().city_code)}
    found_map = city_map()
    return render(
        request,
        "zones.html",
        actor,
        zones=found,
        zones_json=[z.model_dump(mode="json") for z in found],
        counties=counties,
        map_name=found_map[1] if found_map else "",
        as_of=moment,
    )
