from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders.testing import LINYI, YANHU, residents


def test_a_round_through_the_api(
    client: TestClient, session: Session, login: Callable[..., dict[str, str]]
) -> None:
    people = residents(session, 24)
    boss = login("commander", None)
    viewer = login("viewer", None)
    made = client.post(
        "/api/testing/rounds",
        headers=boss,
        json={
            "name": "临猗县全员核酸",
            "area": "county",
            "county_code": LINYI,
            "pool_size": 10,
            "starts_at": "2022-03-09T07:00",
            "sites": [{"name": "东关村采样点", "county_code": LINYI, "per_hour": 300, "staff": 6}],
        },
    )
    assert made.status_code == 201, made.text
    rid, site = made.json()["id"], made.json()["sites"][0]["id"]
    assert made.json()["residents"] == 24
    labs = client.put(
        "/api/testing/labs",
        headers=boss,
        json=[
            {
                "name": "中心医院基地",
                "kind": "central",
                "tubes_per_day": 24000,
                "routes": {LINYI: 60, YANHU: 20},
            },
            {
                "name": "临猗县实验室",
                "kind": "county",
                "county_code": LINYI,
                "tubes_per_day": 4800,
                "routes": {LINYI: 15},
            },
        ],
    )
    assert labs.status_code == 200 and len(labs.json()) == 2
    items = [
        {
            "person": key,
            "barcode": f"A{i // 10:04d}",
            "site_id": site,
            "sampled_at": f"2022-03-09T08:{i:02d}",
        }
        for i, key in enumerate(people[:12])
    ]
    registered = client.post(
        f"/api/testing/rounds/{rid}/samples", headers=boss, json={"items": items}
    )
    assert registered.json() == {"added": 12, "already": 0, "tubes_opened": 2, "tubes_closed": 1}
    # The rest from the sampling app's export, by file.
    csv = "身份证号,管号,采样点,采样时间\n" + "\n".join(
        f"{key},B{i // 10:04d},东关村采样点,2022-03-09 09:{i:02d}"
        for i, key in enumerate(people[12:20])
    )
    by_file = client.post(
        f"/api/testing/rounds/{rid}/samples/file",
        headers=boss,
        files={"file": ("scans.csv", csv.encode(), "text/csv")},
    )
    assert by_file.status_code == 200 and by_file.json()["added"] == 8
    bad = client.post(
        f"/api/testing/rounds/{rid}/samples",
        headers=boss,
        json={"items": [{**items[0], "barcode": "x"}]},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "barcode"
    twice = client.post(
        f"/api/testing/rounds/{rid}/samples",
        headers=boss,
        json={"items": [{**items[0], "barcode": "C0001"}]},
    )
    assert twice.status_code == 422 and "already registered" in twice.text
    assert client.post(f"/api/testing/rounds/{rid}/close", headers=boss).json()["tubes_open"] == 0
    plan = client.post(f"/api/testing/rounds/{rid}/plan", headers=boss).json()
    assert plan["tubes"] == 3 and plan["last_result_at"].endswith("+08:00")
    for shipment in plan["shipments"]:
        step = client.post(
            f"/api/testing/shipments/{shipment['id']}/delivered",
            headers=boss,
            json={"at": "2022-03-10T12:00"},
        )
        assert step.status_code == 200, step.text
    lab_ids = {
        lab["name"]: lab["id"] for lab in client.get("/api/testing/labs", headers=boss).json()
    }
    assert len(client.get(f"/api/testing/rounds/{rid}/shipments", headers=boss).json()) >= 1
    # Each lab uploads the results of what it was sent; A0000 is a positive pool.
    # Each lab downloads its worklist, fills in the results and uploads it.
    owed = 0
    for lab in lab_ids.values():
        worklist = client.get(f"/api/testing/labs/{lab}/worklist.csv", headers=boss)
        assert worklist.status_code == 200
        lines = worklist.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "管号,结果,检测时间,报告时间"
        owed += len(lines) - 1
        filled = "\n".join(
            [lines[0]]
            + [
                f"{code.split(',')[0]},{'阳性' if code.startswith('A0000') else '阴性'},"
                "2022-03-10 12:00,2022-03-10 12:00"
                for code in lines[1:]
            ]
        )
        upload = client.post(
            f"/api/testing/labs/{lab}/results",
            headers=boss,
            files={"file": ("results.csv", filled.encode(), "text/csv")},
        )
        assert upload.status_code == 200, upload.text
    assert owed == 3
    [recall] = client.get(f"/api/testing/rounds/{rid}/recalls", headers=boss).json()
    assert recall["barcode"] == "A0000" and len(recall["members"]) == 10
    full = client.get(f"/api/testing/recalls/{recall['id']}", headers=boss).json()
    masked = client.get(f"/api/testing/recalls/{recall['id']}", headers=viewer).json()
    assert full["members"][0]["id_number"] == people[0]
    assert "*" in masked["members"][0]["id_number"] and "*" in masked["members"][0]["name"]
    cover = client.get(f"/api/testing/rounds/{rid}/coverage", headers=boss).json()
    assert (cover["residents"], cover["sampled"], cover["missing"]) == (24, 20, 4)
    missing = client.get(f"/api/testing/rounds/{rid}/missing.xlsx", headers=boss)
    assert missing.status_code == 200 and missing.content[:2] == b"PK"
    turnaround = client.get(f"/api/testing/rounds/{rid}/turnaround", headers=boss).json()
    assert sum(turnaround["histogram_counts"]) == 3
    unknown = client.post(
        f"/api/testing/labs/{next(iter(lab_ids.values()))}/results",
        headers=boss,
        files={"file": ("r.csv", "管号,结果\nZZZZ9,阴性".encode(), "text/csv")},
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["row 2", "barcode"]
    assert client.post(f"/api/testing/rounds/{rid}/plan", headers=viewer).status_code == 403
