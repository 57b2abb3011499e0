from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, Forbidden, InvalidInput
from fangkong.people.schemas import PersonIn
from fangkong.tracing import service as tracing
from fangkong.zones import service
from fangkong.zones.models import Zone
from fangkong.zones.schemas import ZoneCreate, ZoneRoundIn
from tests.builders.moments import at
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor

HOME = "临猗县猗氏镇某小区3号楼2单元"
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[110.7, 35.1], [110.8, 35.1], [110.8, 35.2], [110.7, 35.2], [110.7, 35.1]]],
}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


@pytest.fixture
def commander(make_actor: MakeActor) -> Actor:
    return make_actor("commander", None)


def draw(session: Session, actor: Actor, **overrides: object) -> Zone:
    data = {
        "name": "猗氏镇某小区",
        "kind": "sealed",
        "county_code": "140821",
        "unit": "address",
        "match": "猗氏镇某小区",
        "drawn_at": at(6, 23),
        **overrides,
    }
    return service.draw_zone(session, actor=actor, now=NOW, data=ZoneCreate.model_validate(data))


def test_the_sealed_compound_is_lifted_on_the_protocols_date(
    session: Session, commander: Actor, tracer: Actor
) -> None:
    index = make_infection(
        session,
        tracer,
        person=PersonIn(name="王某强", id_number="140821198806120312", address=HOME),
        reported=at(6, 19, 50),
    )
    tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[
            contact_in(
                PersonIn(name="王某某", id_number="140821199002030420", address=HOME),
                exposure=at(6, 20, 30),
            )
        ],
    )
    county = draw(session, commander, name="临猗县", kind="precaution", unit="admin", match="")
    sealed = draw(session, commander, parent_id=county.id)
    status = service.zone_status(session, sealed, as_of=at(10, 0))
    assert status.population == 2 and status.kind_label == "封控区"
    assert status.verdict is not None and status.verdict.eligible_from == at(20, 23)
    with pytest.raises(Conflict, match="连续14天无新增感染者"):
        service.approve_change(
            session, actor=commander, zone_id=sealed.id, reason="尚未满足", now=NOW
        )
    # The county-wide precaution zone waits for the sealed one inside it.
    precaution = service.zone_status(session, county, as_of=NOW)
    assert precaution.verdict is not None and precaution.verdict.unmet == [
        "内部仍有1个风险区未解除"
    ]


def test_polygons_must_be_valid_and_kinds_known(session: Session, commander: Actor) -> None:
    draw(session, commander, name="方块", unit="polygon", match="", geometry=SQUARE)
    with pytest.raises(InvalidInput, match="Self-intersection"):
        draw(session, commander, name="领结", unit="polygon", match="", geometry=BOWTIE)
    with pytest.raises(InvalidInput, match="未知的区域类型 'high'"):
        draw(session, commander, kind="high")
    with pytest.raises(InvalidInput, match="晚于当前时间"):
        draw(session, commander, drawn_at=at(30, 0))


def test_a_tracer_may_not_draw(session: Session, tracer: Actor) -> None:
    with pytest.raises(Forbidden):
        draw(session, tracer)


def test_geojson_round_trip_all_or_nothing(session: Session, commander: Actor) -> None:
    draw(session, commander, name="方块", unit="polygon", match="", geometry=SQUARE)
    exported = service.export_geojson(session, actor=commander, as_of=NOW)
    assert exported["features"][0]["properties"]["kind"] == "sealed"
    again = service.import_geojson(
        session, actor=commander, content=json.dumps(exported).encode(), now=NOW
    )
    assert (again.created, again.existing) == (0, 1)
    bad = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": SQUARE,
                "properties": {"name": "甲", "kind": "sealed", "county_code": "140821"},
            },
            {
                "type": "Feature",
                "geometry": BOWTIE,
                "properties": {"name": "乙", "kind": "sealed", "county_code": "140821"},
            },
        ],
    }
    with pytest.raises(InvalidInput) as caught:
        service.import_geojson(session, actor=commander, content=json.dumps(bad).encode(), now=NOW)
    assert caught.value.problems[0].loc[:2] == ("features", 1)
    assert [z.name for z in service.list_zones(session, actor=commander, as_of=NOW)] == ["方块"]
    with pytest.raises(InvalidInput, match="FeatureCollection"):
        service.import_geojson(session, actor=commander, content=b"{}", now=NOW)


def test_rounds_approval_lifting_and_upgrades(
    session: Session, commander: Actor, tracer: Actor
) -> None:
    index = make_infection(
        session,
        tracer,
        person=PersonIn(name="王某强", id_number="140821198806120312", address=HOME),
        reported=at(6, 19, 50),
    )
    county = draw(session, commander, name="临猗县", kind="precaution", unit="admin", match="")
    sealed = draw(session, commander, parent_id=county.id)
    later = at(21, 0)
    service.record_round(
        session,
        actor=commander,
        zone_id=sealed.id,
        now=later,
        data=ZoneRoundIn(completed_at=at(19, 20), tested=2),
    )
    with pytest.raises(InvalidInput, match="多于受检人数"):
        service.record_round(
            session,
            actor=commander,
            zone_id=sealed.id,
            now=later,
            data=ZoneRoundIn(completed_at=at(19, 20), tested=2, positive=3),
        )
    lifted = service.approve_change(
        session, actor=commander, zone_id=sealed.id, reason="满足解封条件", now=later
    )
    assert lifted.status == "lifted" and [e.action for e in lifted.events] == ["drawn", "lifted"]
    county_lifted = service.approve_change(
        session, actor=commander, zone_id=county.id, reason="全部解封", now=later
    )
    assert county_lifted.status == "lifted"
    # A controlled zone where a new case is found calls for sealing.
    controlled = draw(
        session,
        commander,
        name="某超市周边",
        kind="controlled",
        match="猗氏镇某街",
        drawn_at=at(6, 23),
    )
    make_infection(
        session,
        tracer,
        person=PersonIn(name="新某", id_number="140821199002030420", address="临猗县猗氏镇某街1号"),
        reported=at(8, 10),
    )
    status = service.zone_status(session, controlled, as_of=NOW)
    assert status.verdict is not None and status.verdict.upgrade_to == "sealed"
    upgraded = service.upgrade_zone(
        session, actor=commander, zone_id=controlled.id, reason="新增病例", now=NOW
    )
    assert upgraded.kind == "sealed" and upgraded.events[-1].action == "upgraded"
    assert index.id


def test_grid_and_polygon_zones_count_the_people_who_live_in_them(
    session: Session, commander: Actor
) -> None:
    from fangkong.core.geo import cell_of
    from fangkong.people.service import upsert_people

    homes = [(110.75, 35.15), (110.7501, 35.1501), (110.85, 35.15), (110.75, 35.25)]
    people = [
        PersonIn(name=f"居民{i}", address=f"临猗县某村{i}号", home_lon=lon, home_lat=lat)
        for i, (lon, lat) in enumerate(homes)
    ] + [PersonIn(name="无坐标", address="临猗县某村9号")]
    upsert_people(session, items=people, now=NOW, default_county="140821")
    grid = draw(session, commander, name="网格", unit="cells", match="", cells=[cell_of(*homes[0])])
    # The first two live 15 m apart: the same 800 m cell.
    assert service.zone_status(session, grid, as_of=NOW).population == 2
    square = draw(session, commander, name="方块", unit="polygon", match="", geometry=SQUARE)
    # 110.7-110.8 × 35.1-35.2 holds the first two; the third is east of it, the fourth north.
    assert service.zone_status(session, square, as_of=NOW).population == 2
    with pytest.raises(ValueError, match="together"):
        PersonIn(name="半个坐标", home_lon=110.7)
