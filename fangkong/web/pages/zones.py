"""The zones page: zones on the city's map, their timelines and what each still needs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fangkong.core.citymap import CityMapMissing, city_bounds
from fangkong.core.deps import SessionDep
from fangkong.core.i18n import gettext
from fangkong.core.ids import divisions_in
from fangkong.core.settings import get_settings
from fangkong.web.pages.kit import AsOf, PageActor, city_map, render
from fangkong.zones import service as zones

router = APIRouter(include_in_schema=False)
KINDS = ("sealed", "controlled", "precaution", "high", "medium", "low")


def extent() -> list[float]:
    """The city map's box (west, south, east, north), for the map to work out its zoom."""
    try:
        box = city_bounds()
    except CityMapMissing:
        return [0.0, 0.0, 1.0, 1.0]
    return [box.west, box.south, box.east, box.north]


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
        timeline_json=[z.model_dump(mode="json", exclude={"geometry"}) for z in found],
        kind_labels={k: gettext(k) for k in KINDS},
        counties=counties,
        map_name=found_map[1] if found_map else "",
        bounds=extent(),
        as_of=moment,
    )
