"""Zones with shapes: the demo's sealed and controlled zones are outlines in the county, the
county-wide zone is the county's boundary, and GeoJSON carries them out and back in."""

from __future__ import annotations

import json
from typing import Any

from shapely.geometry import shape
from sqlalchemy.orm import Session

from fangkong.core.citymap import county_boundary
from fangkong.users.service import actor_by_username
from fangkong.zones import service
from fangkong.zones.models import Zone
from tests.conftest import CST, MakeActor
from tests.web.demo_client import WALK_AT

LINYI = "140821"


def exported(session: Session) -> dict[str, Any]:
    commander = actor_by_username(session, "commander")
    assert commander is not None
    return service.export_geojson(session, actor=commander, as_of=WALK_AT)


def test_every_demo_zone_has_a_shape_inside_the_county(demo_session: Session) -> None:
    features = exported(demo_session)["features"]
    assert isinstance(features, list) and len(features) == 11
    boundary = county_boundary(LINYI)
    assert boundary is not None
    county = shape(boundary)
    kinds: dict[str, int] = {}
    for feature in features:
        outline = shape(feature["geometry"])
        props = feature["properties"]
        kinds[props["kind"]] = kinds.get(props["kind"], 0) + 1
        assert outline.is_valid and not outline.is_empty, props["name"]
        if props["kind"] == "precaution":
            assert outline.equals(county)  # the county-wide zone is the county
        else:
            assert county.contains(outline), props["name"]
            assert outline.area < county.area / 1000  # a compound or village, not a county
    assert kinds == {"precaution": 1, "sealed": 8, "controlled": 2}


def test_geojson_round_trips_shapes_kinds_and_parents(
    demo_session: Session, session: Session, make_actor: MakeActor
) -> None:
    out = exported(demo_session)
    commander = make_actor("commander", None)
    result = service.import_geojson(
        session, actor=commander, content=json.dumps(out).encode(), now=WALK_AT
    )
    assert (result.created, result.existing) == (11, 0)
    back = {z.name: z for z in session.query(Zone)}
    for feature in out["features"]:
        props = feature["properties"]
        zone = back[props["name"]]
        assert shape(zone.geometry).equals(shape(feature["geometry"])), props["name"]
        assert zone.kind == props["kind"]
        parent = back.get(props["parent"]) if props["parent"] else None
        assert zone.parent_id == (parent.id if parent else None)
    assert WALK_AT.tzinfo == CST
