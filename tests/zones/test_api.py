from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.conftest import Login

ZONE = {
    "name": "猗氏镇某小区",
    "kind": "sealed",
    "county_code": "140821",
    "unit": "address",
    "match": "猗氏镇某小区",
    "drawn_at": "2022-03-06T23:30",
}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def test_zones_api(client: TestClient, login: Login) -> None:
    assert client.get("/api/zones").status_code == 401
    commander = login("commander", None)
    drawn = client.post("/api/zones", json=ZONE, headers=commander)
    assert drawn.status_code == 201, drawn.text
    zone = drawn.json()
    assert zone["kind_label"] == "封控区" and zone["verdict"]["eligible"] is False
    assert client.post("/api/zones", json=ZONE, headers=login("tracer")).status_code == 403
    other = login("tracer", "140822")
    assert client.get(f"/api/zones/{zone['id']}", headers=other).status_code == 404
    bad = client.post(
        "/api/zones", json={**ZONE, "unit": "polygon", "geometry": BOWTIE}, headers=commander
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["geometry"]
    early = client.post(
        f"/api/zones/{zone['id']}/approve", json={"reason": "试一下"}, headers=commander
    )
    assert early.status_code == 409 and "连续14天无新增感染者" in early.json()["message"]
    geo = client.get("/api/zones/geojson", headers=commander).json()
    assert (
        geo["type"] == "FeatureCollection"
        and geo["features"][0]["properties"]["name"] == "猗氏镇某小区"
    )
    files = {"file": ("zones.geojson", json.dumps(geo).encode(), "application/geo+json")}
    again = client.post("/api/zones/import", files=files, headers=commander).json()
    assert again == {"created": 0, "existing": 1}
    broken = {"file": ("zones.geojson", b"[1, 2", "application/geo+json")}
    assert client.post("/api/zones/import", files=broken, headers=commander).status_code == 422
