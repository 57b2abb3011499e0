"""Nothing of the demo city in the product: set the platform to another prefecture (太原市,
1401) and its location data is taken, its companions found, its contacts placed in its own
county's rooms — and the demo city's coordinates are outside it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy.orm import Session

from fangkong.companions.ingest import ingest
from fangkong.companions.job import read_cases, run_job
from fangkong.companions.synth import synthesize
from fangkong.core import citymap, geo
from fangkong.core.citymap import city_bounds
from fangkong.core.settings import get_settings
from fangkong.protocol.loader import get_protocol
from fangkong.quarantine.service import place_contacts
from fangkong.tracing import service as tracing
from tests.builders.moments import NOW, at
from tests.builders.people import make_person
from tests.builders.quarantine import make_site
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import MakeActor

TAIYUAN, XIAODIAN = "1401", "140105"  # 太原市, its 小店区


@pytest.fixture
def taiyuan(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The platform configured for 太原市: settings and everything derived from them."""

    def forget() -> None:
        get_settings.cache_clear()
        geo._to_metres.cache_clear()
        geo._to_degrees.cache_clear()

    monkeypatch.setenv("FANGKONG_CITY_CODE", TAIYUAN)
    forget()
    yield
    monkeypatch.undo()
    forget()


def test_the_box_and_the_grid_follow_the_city(taiyuan: None) -> None:
    box = city_bounds()
    assert box.contains(112.55, 37.87)  # 太原 downtown
    assert not box.contains(110.99, 35.02)  # 运城 downtown
    assert citymap.utm_epsg() == 32649
    assert citymap.utm_epsg("4403") == 32650  # 深圳 is a zone further east


def test_companions_of_another_city(taiyuan: None, tmp_path: Path) -> None:
    made = synthesize(800, 2, 3, seed=5, out=tmp_path / "raw")
    now = datetime(2022, 3, 10, tzinfo=UTC)
    report = ingest(made.files, tmp_path / "ds", datum="wgs84", size_m=800, max_gap_min=30,
                    now=now)  # fmt: skip
    assert report.refused == {} and report.pings == made.pings
    result = run_job(tmp_path / "ds", read_cases(made.cases), get_protocol("cn-8").companions)
    assert result.table.num_rows > 0
    # Pings in the demo city are outside this one: the file is refused, naming the row.
    yuncheng = tmp_path / "yuncheng.parquet"
    pq.write_table(
        pa.table(
            {
                "person": pa.array(np.array([1], dtype=np.int64)),
                "ts": pa.array([now], type=pa.timestamp("us", tz="UTC")),
                "lon": pa.array([110.99]),
                "lat": pa.array([35.02]),
            }
        ),
        yuncheng,
    )
    refused = ingest([yuncheng], tmp_path / "ds2", datum="wgs84", size_m=800, max_gap_min=30,
                     now=now)  # fmt: skip
    assert "outside the city" in refused.refused[yuncheng.name]


def test_a_placement_in_another_city(
    taiyuan: None, session: Session, make_actor: MakeActor
) -> None:
    tracer = make_actor("tracer", XIAODIAN)
    commander = make_actor("commander", None)
    make_site(session, commander, name="小店区某酒店", county=XIAODIAN, lon=112.56, lat=37.74)
    index = make_infection(session, tracer, person=make_person("某甲", county=XIAODIAN))
    recorded = tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        items=[contact_in(make_person("某乙", county=XIAODIAN), setting="workplace")],
        now=NOW,
    )
    result = place_contacts(
        session, actor=tracer, contact_ids=[c.id for c in recorded.contacts], now=at(7, 8)
    )
    assert [p.site_name for p in result.placed] == ["小店区某酒店"], result.unplaced
