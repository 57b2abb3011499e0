from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests.builders.tracing import SAMPLE_PATH
from tests.conftest import Login

INFECTION: dict[str, Any] = {
    "person": {
        "name": "王某强",
        "id_number": "140821198806120312",
        "phone": "13934560001",
        "address": "临猗县猗氏镇某小区3号楼2单元",
    },
    "kind": "confirmed",
    "onset_at": "2022-03-05T20:00",
    "sampled_at": "2022-03-06T10:30",
    "reported_at": "2022-03-06T19:50",
}
CONTACT = {
    "person": {
        "name": "王某某",
        "id_number": "140821199002030420",
        "phone": "13834561234",
        "address": "临猗县猗氏镇某小区3号楼2单元",
    },
    "category": "密接",
    "setting": "共同居住",
    "exposure_at": "2022-03-06T20:30",
    "identified_at": "2022-03-06T20:40",
}


def record_infection(client: TestClient, headers: dict[str, str]) -> int:
    response = client.post("/api/infections", json=INFECTION, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def locs(response: Response) -> set[str]:
    return {".".join(map(str, d["loc"])) for d in response.json()["detail"]}


class TestHealthAndDocs:
    def test_health(self, client: TestClient) -> None:
        assert client.get("/api/health").json() == {"status": "ok", "database": "ok"}

    def test_openapi(self, client: TestClient) -> None:
        spec = client.get("/openapi.json").json()
        assert "/api/infections/{infection_id}/contacts/import" in spec["paths"]
        assert client.get("/docs").status_code == 200


class TestAuth:
    def test_anonymous_gets_401(self, client: TestClient) -> None:
        for path in ("/api/infections", "/api/people", "/api/kpi", "/api/infections/1/chain"):
            assert client.get(path).status_code == 401

    def test_wrong_password(self, client: TestClient, login: Login) -> None:
        login("tracer")
        assert (
            client.post("/api/auth/token", data={"username": "nobody", "password": "x"}).status_code
            == 401
        )

    def test_forged_token(self, client: TestClient) -> None:
        assert (
            client.get(
                "/api/infections", headers={"Authorization": "Bearer abc.def.ghi"}
            ).status_code
            == 401
        )

    def test_viewer_may_not_record(self, client: TestClient, login: Login) -> None:
        response = client.post("/api/infections", json=INFECTION, headers=login("viewer", None))
        assert response.status_code == 403


class TestInfections:
    def test_record_and_read(self, client: TestClient, login: Login) -> None:
        headers = login("tracer")
        infection_id = record_infection(client, headers)
        body = client.get(f"/api/infections/{infection_id}", headers=headers).json()
        assert body["person"]["county_name"] == "临猗县"
        assert body["reported_at"] == "2022-03-06T19:50:00+08:00"

    def test_other_county_gets_404(self, client: TestClient, login: Login) -> None:
        infection_id = record_infection(client, login("tracer", "140821"))
        other = login("tracer", "140822")
        assert client.get(f"/api/infections/{infection_id}", headers=other).status_code == 404
        assert client.get(f"/api/infections/{infection_id}/chain", headers=other).status_code == 404
        assert client.get("/api/infections", headers=other).json() == []

    def test_bad_input_is_422_naming_the_field(self, client: TestClient, login: Login) -> None:
        headers = login("tracer")
        bad_id = {**INFECTION, "person": {**INFECTION["person"], "id_number": "140821198806120313"}}
        response = client.post("/api/infections", json=bad_id, headers=headers)
        assert response.status_code == 422 and "person.id_number" in locs(response)
        future = {**INFECTION, "reported_at": "2030-01-01T00:00"}
        response = client.post("/api/infections", json=future, headers=headers)
        assert response.status_code == 422 and "reported_at" in locs(response)
        unknown_kind = {**INFECTION, "kind": "suspected-ish"}
        response = client.post("/api/infections", json=unknown_kind, headers=headers)
        assert response.status_code == 422 and "body.kind" in locs(response)
        assert client.get("/api/infections", headers=headers).json() == []

    def test_stop_with_departure_before_arrival(self, client: TestClient, login: Login) -> None:
        headers = login("tracer")
        infection_id = record_infection(client, headers)
        response = client.post(
            f"/api/infections/{infection_id}/stops",
            headers=headers,
            json={
                "place": "临猗县某超市",
                "arrived_at": "2022-03-05T09:00",
                "departed_at": "2022-03-05T08:00",
            },
        )
        assert response.status_code == 422 and locs(response) == {"departed_at"}


class TestContacts:
    def test_record_classify_and_control(self, client: TestClient, login: Login) -> None:
        headers = login("tracer")
        infection_id = record_infection(client, headers)
        response = client.post(
            f"/api/infections/{infection_id}/contacts", json=[CONTACT], headers=headers
        )
        assert response.status_code == 201, response.text
        [contact] = response.json()
        assert contact["category"] == "close" and contact["category_label"] == "密切接触者"
        assert [p["kind"] for p in contact["order"]["phases"]] == [
            "central_quarantine",
            "home_monitoring",
        ]
        assert contact["order"]["phases"][0]["test_dates"] == [
            "2022-03-07",
            "2022-03-10",
            "2022-03-13",
            "2022-03-20",
        ]
        controlled = client.post(
            f"/api/contacts/{contact['id']}/control",
            headers=headers,
            json={"how": "placed", "at": "2022-03-06T23:30"},
        )
        assert controlled.json()["under_control_at"] == "2022-03-06T23:30:00+08:00"
        kpi = client.get(
            f"/api/infections/{infection_id}/kpi",
            params={"as_of": "2022-03-09T00:00"},
            headers=headers,
        ).json()
        assert (
            kpi["contacts"],
            kpi["under_control"],
            kpi["met_target"],
            kpi["hours_to_full_control"],
        ) == (1, 1, True, 3.7)
        secondary = client.post(
            f"/api/contacts/{contact['id']}/contacts",
            headers=headers,
            json=[
                {
                    "person": {"name": "王某某的同事", "address": "临猗县某单位"},
                    "setting": "workplace",
                    "exposure_at": "2022-03-06T09:00",
                }
            ],
        )
        assert secondary.status_code == 201 and secondary.json()[0]["category"] == "secondary"
        # The same through the infection's list, naming the close contact and no category.
        derived = {
            **CONTACT,
            "person": {"name": "王某某的邻居", "address": "临猗县某小区"},
            "category": None,
            "via_contact_id": contact["id"],
            "exposure_at": "2022-03-06T10:00",
        }
        response = client.post(
            f"/api/infections/{infection_id}/contacts", json=[derived], headers=headers
        )
        assert response.status_code == 201 and response.json()[0]["category"] == "secondary"
        no_category = {**derived, "via_contact_id": None}
        response = client.post(
            f"/api/infections/{infection_id}/contacts", json=[no_category], headers=headers
        )
        assert response.status_code == 422 and locs(response) == {"0.category"}

    def test_bad_contacts_are_422_and_nothing_is_written(
        self, client: TestClient, login: Login
    ) -> None:
        headers = login("tracer")
        infection_id = record_infection(client, headers)
        cases = {
            "0.category": {**CONTACT, "category": "路人"},
            "0.setting": {**CONTACT, "setting": "外太空"},
            "0.exposure_at": {**CONTACT, "exposure_at": "2031-01-01T00:00", "identified_at": None},
        }
        for field, bad in cases.items():
            response = client.post(
                f"/api/infections/{infection_id}/contacts", json=[CONTACT, bad], headers=headers
            )
            assert response.status_code == 422, (field, response.text)
            assert field.replace("0.", "1.") in locs(response), response.text
        assert client.get(f"/api/infections/{infection_id}/contacts", headers=headers).json() == []

    def test_contact_of_an_infection_that_does_not_exist(
        self, client: TestClient, login: Login
    ) -> None:
        headers = login("tracer")
        response = client.post(
            "/api/contacts", json={**CONTACT, "infection_id": 4242}, headers=headers
        )
        assert response.status_code == 422 and locs(response) == {"infection_id"}
        assert (
            client.post(
                "/api/infections/4242/contacts", json=[CONTACT], headers=headers
            ).status_code
            == 404
        )

    def test_import_export_and_chain(self, client: TestClient, login: Login) -> None:
        headers = login("tracer")
        infection_id = record_infection(client, headers)
        with open(SAMPLE_PATH, "rb") as f:
            files = {
                "file": (
                    SAMPLE_PATH.name,
                    f.read(),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            }
        first = client.post(
            f"/api/infections/{infection_id}/contacts/import", files=files, headers=headers
        )
        assert first.status_code == 200, first.text
        assert first.json()["contacts_created"] == 8
        again = client.post(
            f"/api/infections/{infection_id}/contacts/import", files=files, headers=headers
        )
        assert again.json()["already_imported"] is True
        fake = {"file": ("list.xlsx", b"PK\x03\x04 broken zip", "application/octet-stream")}
        broken = client.post(
            f"/api/infections/{infection_id}/contacts/import", files=fake, headers=headers
        )
        assert broken.status_code == 422 and locs(broken) == {"file"}
        export = client.get(f"/api/infections/{infection_id}/contacts/export", headers=headers)
        assert export.status_code == 200 and export.content[:2] == b"PK"
        chain = client.get(f"/api/infections/{infection_id}/chain", headers=headers).json()
        assert chain["infections"] == 1 and len(chain["nodes"]) == 9
        assert {e["kind"] for e in chain["edges"]} == {"exposure", "via"}


class TestPeopleApi:
    def test_viewer_sees_masked_lists_and_reads_are_audited(
        self, client: TestClient, login: Login
    ) -> None:
        tracer = login("tracer")
        record_infection(client, tracer)
        viewer = login("viewer", None)
        people = client.get("/api/people", headers=viewer).json()
        assert people["total"] == 1 and people["items"][0]["name"] == "王**"
        assert people["items"][0]["id_number"] == "140821********0312"
        person_id = people["items"][0]["id"]
        assert client.get(f"/api/people/{person_id}", headers=tracer).json()["name"] == "王某强"
        commander = login("commander", None)
        audit = client.get("/api/audit", params={"entity": "person"}, headers=commander).json()
        assert [a["action"] for a in audit] == ["read"]
        assert client.get("/api/audit", headers=tracer).status_code == 403

    def test_check_id(self, client: TestClient, login: Login) -> None:
        headers = login("viewer", None)
        ok = client.get(
            "/api/people/check-id", params={"id_number": "11010519491231002X"}, headers=headers
        ).json()
        assert ok["valid"] and ok["region"] == "北京市朝阳区" and ok["sex"] == "female"
        bad = client.get(
            "/api/people/check-id", params={"id_number": "110105194912310021"}, headers=headers
        ).json()
        assert not bad["valid"] and "校验码" in bad["reason"]

    def test_merge_over_the_api(self, client: TestClient, login: Login) -> None:
        headers = login("tracer")
        infection_id = record_infection(client, headers)
        baby = {
            **CONTACT,
            "person": {"name": "王某宝", "age_text": "6月龄", "address": "临猗县猗氏镇某小区"},
        }
        client.post(f"/api/infections/{infection_id}/contacts", json=[baby], headers=headers)
        people = client.get("/api/people", params={"q": "王某宝"}, headers=headers).json()["items"]
        [baby_row] = people
        patched = client.patch(
            f"/api/people/{baby_row['id']}",
            json={"id_number": "140821202109010010"},
            headers=headers,
        )
        assert patched.status_code == 200 and patched.json()["id_number"] == "140821202109010010"
        invalid = client.patch(
            f"/api/people/{baby_row['id']}", json={"id_number": "12345"}, headers=headers
        )
        assert invalid.status_code == 422 and locs(invalid) == {"id_number"}
        merged = client.post(
            "/api/people/merge",
            json={"keep_id": baby_row["id"], "merge_id": baby_row["id"], "reason": "same"},
            headers=headers,
        )
        assert merged.status_code == 422


class TestNoServerErrors:
    """Inputs schemathesis once turned into 500s."""

    def test_absurd_ids_are_422(self, client: TestClient, login: Login) -> None:
        headers = login("commander", None)
        for path in ("/api/people/267566235520291125977369542656", "/api/infections/0"):
            assert client.get(path, headers=headers).status_code == 422

    def test_a_site_user_for_a_site_that_does_not_exist(
        self, client: TestClient, login: Login
    ) -> None:
        headers = login("admin", None)
        body = {
            "username": "nurse1",
            "display_name": "护士",
            "password": "correct horse battery",
            "role": "site",
            "site_id": 4242,
        }
        response = client.post("/api/users", json=body, headers=headers)
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["site_id"]

    def test_implausible_dates_and_offsets(self, client: TestClient, login: Login) -> None:
        headers = login("tracer")
        old = {**INFECTION, "onset_at": "0001-01-02T00:00", "sampled_at": "0001-01-02T00:00"}
        response = client.post("/api/infections", json=old, headers=headers)
        assert response.status_code == 422 and "plausible" in response.text
        assert (
            client.get("/api/people", params={"offset": 10**30}, headers=headers).status_code == 422
        )

    def test_unknown_protocol_is_404(self, client: TestClient, login: Login) -> None:
        headers = login("viewer", None)
        assert client.get("/api/protocols/1", headers=headers).status_code == 404
        assert client.get("/api/protocols/cn-9", headers=headers).json()["id"] == "cn-9"
