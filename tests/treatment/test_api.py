"""Treatment through its API: hospitals and beds, admission (a full ward refused), transfer,
discharge by the plan's criteria (refused naming the missing test), the monitoring that
follows, occupancy by day, and a hospital filling up raising a task."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.command.models import Task
from fangkong.command.raising import raise_tasks
from fangkong.core.auth import Actor
from fangkong.treatment.models import Admission
from tests.builders.moments import NOW, at
from tests.builders.people import make_person
from tests.builders.tracing import make_infection
from tests.conftest import Login

HOSPITAL = {
    "name": "临猗县人民医院",
    "kind": "designated",
    "county_code": "140821",
    "wards": [
        {"name": "感染一病区", "bed_kind": "general", "beds": 2},
        {"name": "重症监护室", "bed_kind": "icu", "beds": 1},
    ],
}


def admit(
    client: TestClient, headers: dict[str, str], infection: int, ward: int, when: str
) -> Response:
    body = {"infection_id": infection, "ward_id": ward, "admitted_at": when}
    response: Response = client.post("/api/treatment/admissions", headers=headers, json=body)
    return response


def admissions(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Admission)) or 0)


def test_admit_transfer_and_discharge_by_the_plan(
    client: TestClient, login: Login, session: Session, tracer: Actor
) -> None:
    boss = login("commander", None)
    made = client.post("/api/treatment/hospitals", headers=boss, json=HOSPITAL)
    assert made.status_code == 201, made.text
    general, icu = (w["id"] for w in made.json()["wards"])
    cases = [make_infection(session, tracer, person=make_person(f"王某{i}")) for i in range(3)]
    session.commit()

    def admit(i: int, ward: int, when: str = "2022-03-07T08:00:00+08:00") -> Response:
        body = {"infection_id": cases[i].id, "ward_id": ward, "admitted_at": when}
        response: Response = client.post("/api/treatment/admissions", headers=boss, json=body)
        return response

    first = admit(0, general)
    assert first.status_code == 201, first.text
    assert admit(1, general).status_code == 201
    full = admit(2, general)
    assert full.status_code == 409 and "感染一病区" in full.json()["message"]
    assert admissions(session) == 2
    stay = first.json()["id"]
    moved = client.post(
        f"/api/treatment/admissions/{stay}/transfer",
        headers=boss,
        json={"ward_id": icu, "at": "2022-03-08T02:00:00+08:00"},
    )
    assert moved.status_code == 200 and moved.json()["bed_kind"] == "icu"
    # The bed given up by the transfer: free from then on, not before.
    assert admit(2, general, "2022-03-08T01:00:00+08:00").status_code == 409
    assert admit(2, general, "2022-03-08T03:00:00+08:00").status_code == 201
    case = cases[0].id
    client.post(
        f"/api/treatment/infections/{case}/clinical",
        headers=boss,
        json={"clinical_type": "severe", "at": "2022-03-08T02:00:00+08:00"},
    )
    for day in (8, 9):
        client.post(
            f"/api/treatment/infections/{case}/tests",
            headers=boss,
            json={"sampled_at": f"2022-03-0{day}T09:00:00+08:00", "negative": True},
        )
    now_icu = moved.json()["id"]
    early = client.post(
        f"/api/treatment/admissions/{now_icu}/discharge",
        headers=boss,
        json={"at": "2022-03-09T12:00:00+08:00"},
    )
    assert early.status_code == 422
    assert early.json()["detail"][0]["loc"][-1] == "tests"
    assert "症状" in early.json()["detail"][0]["msg"]  # the 8th plan: symptoms resolved too
    client.post(
        f"/api/treatment/infections/{case}/clinical",
        headers=boss,
        json={
            "clinical_type": "mild",
            "at": "2022-03-09T10:00:00+08:00",
            "symptoms_resolved": True,
        },
    )
    out = client.post(
        f"/api/treatment/admissions/{now_icu}/discharge",
        headers=boss,
        json={"at": "2022-03-09T12:00:00+08:00"},
    )
    assert out.status_code == 200, out.text
    assert out.json()["left_reason"] == "discharged"
    assert out.json()["monitoring"] == "home_quarantine"  # the 8th plan: 14 days
    assert out.json()["monitoring_until"].startswith("2022-03-23T12:00")
    days = client.get("/api/treatment/occupancy?days=4", headers=boss).json()
    by_day = {(d["day"], d["hospital"]): (d["general"], d["icu"]) for d in days}
    assert by_day[("2022-03-08", "临猗县人民医院")] == (2, 0)  # at the start of the day
    assert by_day[("2022-03-09", "临猗县人民医院")] == (2, 1)
    assert by_day[("2022-03-10", "临猗县人民医院")] == (2, 0)  # discharged on the 9th


def test_a_discharge_without_the_tests_names_the_missing_test(
    client: TestClient, login: Login, session: Session, tracer: Actor
) -> None:
    boss = login("commander", None)
    ward = client.post("/api/treatment/hospitals", headers=boss, json=HOSPITAL).json()["wards"][0]
    case = make_infection(session, tracer)
    session.commit()
    stay = client.post(
        "/api/treatment/admissions",
        headers=boss,
        json={
            "infection_id": case.id,
            "ward_id": ward["id"],
            "admitted_at": "2022-03-07T08:00:00+08:00",
        },
    ).json()
    refused = client.post(
        f"/api/treatment/admissions/{stay['id']}/discharge",
        headers=boss,
        json={"at": "2022-03-10T08:00:00+08:00"},
    )
    assert refused.status_code == 422 and "核酸检测" in refused.json()["detail"][0]["msg"]
    listed = client.get(f"/api/treatment/infections/{case.id}/admissions", headers=boss).json()
    assert [a["left_at"] for a in listed] == [None]  # nothing written


def test_another_countys_patients_are_not_yours_to_admit(
    client: TestClient, login: Login, session: Session, tracer: Actor
) -> None:
    boss = login("commander", None)
    ward = client.post("/api/treatment/hospitals", headers=boss, json=HOSPITAL).json()["wards"][0]
    case = make_infection(session, tracer)  # a Linyi case
    yanhu = login("tracer", "140802")
    refused = client.post(
        "/api/treatment/admissions",
        headers=yanhu,
        json={
            "infection_id": case.id,
            "ward_id": ward["id"],
            "admitted_at": "2022-03-07T08:00:00+08:00",
        },
    )
    assert refused.status_code in (403, 404)
    assert admissions(session) == 0


def test_a_hospital_within_a_day_of_full_raises_a_task(
    client: TestClient, login: Login, session: Session, tracer: Actor
) -> None:
    boss = login("commander", None)
    ward = client.post("/api/treatment/hospitals", headers=boss, json=HOSPITAL).json()["wards"][0]
    case = make_infection(session, tracer)
    session.commit()
    admit(client, boss, case.id, ward["id"], "2022-03-10T08:00:00+08:00")
    # 3 beds, 1 taken today: 2 free > 1 taken in a day — not yet.
    raise_tasks(session, as_of=NOW)
    assert session.scalar(select(Task).where(Task.kind == "hospital_filling")) is None
    more = make_infection(session, tracer, person=make_person("李某"))
    session.commit()
    admit(client, boss, more.id, ward["id"], "2022-03-10T09:00:00+08:00")
    raise_tasks(session, as_of=at(10, 12))
    [task] = session.scalars(select(Task).where(Task.kind == "hospital_filling"))
    assert task.unit == "临猗县人民医院" and task.count == 1
