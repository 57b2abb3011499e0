from __future__ import annotations

import io

import openpyxl
from fastapi.testclient import TestClient
from httpx import Response

from tests.conftest import Login
from tests.tracing.test_api import CONTACT, record_infection

HEADER = [
    "隔离点名称",
    "类型",
    "县区",
    "地址",
    "经度",
    "纬度",
    "联系人",
    "楼栋",
    "楼层",
    "房间号",
    "房型",
]


def sites_sheet(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["临猗县集中隔离点房间登记表"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    sheet.append(["合计：3间"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CABIN = ["临猗县方舱", "方舱", "临猗县", "临猗县猗氏镇", 110.77, 35.14, "张某 13900000000"]
GOOD = sites_sheet(
    [
        [*CABIN, "A", 1, "101", "单人间"],
        [*CABIN, "A", 1, "102", "单人间"],
        [*CABIN, "B", 1, "201", "家庭间"],
    ]
)


def upload(
    client: TestClient, headers: dict[str, str], content: bytes, name: str = "rooms.xlsx"
) -> Response:
    files = {"file": (name, content, "application/octet-stream")}
    response: Response = client.post("/api/quarantine/sites/import", files=files, headers=headers)
    return response


class TestSitesApi:
    def test_anonymous_and_tracer(self, client: TestClient, login: Login) -> None:
        assert client.get("/api/quarantine/sites").status_code == 401
        assert upload(client, login("tracer"), GOOD).status_code == 403

    def test_a_sheet_of_rooms_loads_once(self, client: TestClient, login: Login) -> None:
        headers = login("commander", None)
        first = upload(client, headers, GOOD)
        assert first.status_code == 200, first.text
        assert first.json() == {"sites_created": 1, "rooms_created": 3, "rooms_existing": 0}
        again = upload(client, headers, GOOD).json()
        assert again == {"sites_created": 0, "rooms_created": 0, "rooms_existing": 3}
        [site] = client.get("/api/quarantine/sites", headers=headers).json()
        assert (site["kind"], site["county_name"], site["rooms"], site["ready"]) == (
            "cabin",
            "临猗县",
            3,
            3,
        )
        rooms = client.get(f"/api/quarantine/sites/{site['id']}/rooms", headers=headers).json()
        assert [r["kind"] for r in rooms] == ["single", "single", "family"] and rooms[2][
            "capacity"
        ] == 4
        assert client.get("/api/quarantine/sites/999/rooms", headers=headers).status_code == 404

    def test_bad_rows_are_named_and_nothing_is_loaded(
        self, client: TestClient, login: Login
    ) -> None:
        headers = login("commander", None)
        bad = sites_sheet(
            [
                [*CABIN, "A", 1, "101", "总统套房"],
                ["某酒店", "游轮", "火星区", "", "", "", "", "A", 1, "1", "单人间"],
            ]
        )
        response = upload(client, headers, bad)
        assert response.status_code == 422
        locs = {tuple(d["loc"]) for d in response.json()["detail"]}
        assert {("row 3", "房型"), ("row 4", "类型"), ("row 4", "县区")} <= locs
        assert client.get("/api/quarantine/sites", headers=headers).json() == []
        assert upload(client, headers, b"not a workbook").status_code == 422


class TestPlacementApi:
    def test_place_and_explain(self, client: TestClient, login: Login) -> None:
        upload(client, login("commander", None), GOOD)
        tracer = login("tracer")
        infection_id = record_infection(client, tracer)
        [contact] = client.post(
            f"/api/infections/{infection_id}/contacts", json=[CONTACT], headers=tracer
        ).json()
        response = client.post(
            "/api/quarantine/placements",
            headers=tracer,
            json={"contact_ids": [contact["id"], 424242]},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert [p["room"] for p in body["placed"]] == ["A-101"]
        assert body["unplaced"] == [{"contact_id": 424242, "reason": "没有此接触者"}]
        assert (
            client.post(
                "/api/quarantine/placements", headers=tracer, json={"contact_ids": []}
            ).status_code
            == 422
        )
        kpi = client.get(f"/api/infections/{infection_id}/kpi", headers=tracer).json()
        assert kpi["under_control"] == 1


class TestRoomsApi:
    def test_out_of_service_and_back(self, client: TestClient, login: Login) -> None:
        headers = login("commander", None)
        upload(client, headers, GOOD)
        [site] = client.get("/api/quarantine/sites", headers=headers).json()
        room = client.get(f"/api/quarantine/sites/{site['id']}/rooms", headers=headers).json()[0]
        path = f"/api/quarantine/rooms/{room['id']}"
        assert (
            client.patch(path, json={"status": "out_of_service"}, headers=headers).json()["status"]
            == "out_of_service"
        )
        assert (
            client.patch(path, json={"status": "out_of_service"}, headers=headers).status_code
            == 409
        )
        assert client.patch(path, json={"status": "occupied"}, headers=headers).status_code == 422
        assert (
            client.patch(path, json={"status": "ready"}, headers=headers).json()["status"]
            == "ready"
        )
        assert (
            client.patch(
                "/api/quarantine/rooms/99999", json={"status": "ready"}, headers=headers
            ).status_code
            == 404
        )
