"""The command centre through its API as its users meet it: tasks made and supervised, what is
refused and why (nothing written), who sees which tasks, my work."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.command.models import Shift, Task, WorkingGroup
from fangkong.command.raising import raise_tasks
from fangkong.core.auth import Actor
from fangkong.tracing.service import mark_under_control
from tests.builders.moments import NOW, at
from tests.command.builders import outbreak
from tests.conftest import Login, MakeActor


def tracing_group(client: TestClient, headers: dict[str, str]) -> int:
    groups = client.get("/api/groups", headers=headers).json()
    return int(next(g["id"] for g in groups if g["code"] == "tracing"))


def count(session: Session, model: type[Task] | type[Shift]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_task_made_by_hand_is_supervised_with_who_and_when(
    client: TestClient, login: Login, session: Session, make_actor: MakeActor
) -> None:
    raise_tasks(session, as_of=NOW)  # the seven groups
    boss = login("commander", None)
    worker = make_actor("tracer", "140821")
    session.commit()
    made = client.post(
        "/api/tasks",
        headers=boss,
        json={
            "group_id": tracing_group(client, boss),
            "title": "复核临猗县某超市到访人员名单",
            "deadline": "2022-03-10T18:00:00+08:00",
            "responsible_user_id": worker.user_id,
            "county_code": "140821",
            "unit": "临猗县疾控中心",
        },
    )
    assert made.status_code == 201, made.text
    task = made.json()
    assert task["status"] == "open" and task["responsible"] == "tracer"
    assert task["history"][0]["kind"] == "made"
    changed = client.patch(
        f"/api/tasks/{task['id']}",
        headers=boss,
        json={"status": "in_progress", "note": "已联系超市负责人"},
    )
    assert changed.status_code == 200, changed.text
    kinds = [(e["kind"], e["detail"]) for e in changed.json()["history"]]
    assert kinds[1:] == [("status", "in_progress"), ("note", "已联系超市负责人")]
    done = client.patch(f"/api/tasks/{task['id']}", headers=boss, json={"status": "done"})
    assert done.json()["status"] == "done" and done.json()["closed_at"]
    again = client.patch(f"/api/tasks/{task['id']}", headers=boss, json={"note": "x"})
    assert again.status_code == 409  # a closed task takes no more changes


def test_bad_tasks_are_refused_naming_the_field_and_nothing_is_written(
    client: TestClient, login: Login, session: Session
) -> None:
    raise_tasks(session, as_of=NOW)
    boss = login("commander", None)
    before = count(session, Task)
    no_group = client.post(
        "/api/tasks", headers=boss, json={"title": "x", "deadline": "2022-03-11T08:00:00+08:00"}
    )
    assert no_group.status_code == 422 and no_group.json()["detail"][0]["loc"][-1] == "group_id"
    early = client.post(
        "/api/tasks",
        headers=boss,
        json={
            "group_id": tracing_group(client, boss),
            "title": "x",
            "deadline": "2022-03-09T08:00:00+08:00",
        },
    )
    assert early.status_code == 422 and early.json()["detail"][0]["loc"][-1] == "deadline"
    unknown = client.get("/api/tasks?status=lost", headers=boss)
    assert unknown.status_code == 422
    assert client.get("/api/tasks?group=nowhere", headers=boss).status_code == 422
    assert client.get("/api/tasks?group=99999999999999", headers=boss).status_code == 422
    assert count(session, Task) == before


def test_a_user_of_another_county_is_refused_for_a_countys_group(
    client: TestClient, login: Login, session: Session, make_actor: MakeActor
) -> None:
    boss = login("commander", None)
    yanhu = make_actor("tracer", "140802")
    session.commit()
    group = client.post(
        "/api/groups",
        headers=boss,
        json={"code": "linyi_tracing", "name": "临猗县流调组", "county_code": "140821"},
    )
    assert group.status_code == 201, group.text
    refused = client.post(
        f"/api/groups/{group.json()['id']}/members", headers=boss, json={"user_id": yanhu.user_id}
    )
    assert refused.status_code == 422
    assert "140802" in refused.json()["detail"][0]["msg"]
    assert client.get("/api/groups", headers=boss).json()[-1]["members"] == []


def test_closing_a_raised_task_is_refused_while_its_signal_is_active(
    client: TestClient, login: Login, session: Session, tracer: Actor
) -> None:
    _, contacts = outbreak(session, tracer, contacts=1)
    raise_tasks(session, as_of=NOW)
    boss = login("commander", None)
    [task] = [
        t
        for t in client.get("/api/tasks", headers=boss).json()
        if t["kind"] == "contact_not_under_control"
    ]
    refused = client.patch(f"/api/tasks/{task['id']}", headers=boss, json={"status": "done"})
    assert refused.status_code == 409
    assert f"contact-control:{contacts[0].id}" in refused.json()["message"]
    assert client.get(f"/api/tasks/{task['id']}", headers=boss).json()["status"] == "open"
    mark_under_control(session, contact_ids=[contacts[0].id], at=at(10, 11), how="placed")
    session.commit()
    closed = client.patch(f"/api/tasks/{task['id']}", headers=boss, json={"status": "done"})
    assert closed.status_code == 200 and closed.json()["status"] == "done"


def test_a_county_sees_its_own_tasks_and_what_it_answers_for(
    client: TestClient, login: Login, session: Session, tracer: Actor
) -> None:
    outbreak(session, tracer, contacts=2)  # Linyi's contacts: Linyi's tasks
    raise_tasks(session, as_of=NOW)
    linyi, yanhu, viewer = login("tracer", "140821"), login("tracer", "140802"), login("viewer")
    assert {t["county_code"] for t in client.get("/api/tasks", headers=linyi).json()} == {"140821"}
    by_code = client.get("/api/tasks?group=tracing", headers=linyi).json()
    assert by_code and {t["group"] for t in by_code} == {"流调溯源组"}
    assert client.get("/api/tasks", headers=yanhu).json() == []
    assert client.get("/api/tasks", headers=viewer).status_code == 200
    made = client.post(
        "/api/tasks",
        headers=viewer,
        json={
            "group_id": session.scalar(select(WorkingGroup.id)),
            "title": "x",
            "deadline": "2022-03-11T08:00:00+08:00",
        },
    )
    assert made.status_code == 403


def test_my_work_counts_mine_my_groups_and_what_was_escalated_to_me(
    client: TestClient, login: Login, session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    outbreak(session, tracer, contacts=2)
    boss = login("commander", None)
    raise_tasks(session, as_of=at(8, 21))  # past the 48-hour deadline: to the commander
    session.commit()
    work = client.get("/api/tasks/mine", headers=boss).json()
    escalated = work["escalated_to_me"]
    # Two contacts past 48 hours and the supermarket's three, past their hours: no group has a
    # head yet, so each went straight to the commander.
    assert sorted(t["kind"] for t in escalated) == sorted(
        ["contact_not_under_control"] * 2 + ["place_sample", "place_disinfect", "place_close"]
    )
    assert all(t["escalated_to"] == "commander" for t in escalated)
    assert [t["created_at"] for t in escalated] == sorted(
        (t["created_at"] for t in escalated), reverse=True
    )  # newest first
    assert work["mine"] == [] and work["my_groups"] == []
    earlier = client.get("/api/tasks/mine?as_of=2022-03-08T12:00:00%2B08:00", headers=boss)
    assert earlier.json()["escalated_to_me"] == []  # not yet escalated then


def test_a_commander_escalates_by_hand_to_the_head_then_to_the_commander(
    client: TestClient, login: Login, session: Session, make_actor: MakeActor
) -> None:
    raise_tasks(session, as_of=NOW)
    boss = login("commander", None)
    head = make_actor("tracer", None)
    session.commit()
    group = tracing_group(client, boss)
    assert (
        client.put(
            f"/api/groups/{group}/head", headers=boss, json={"user_id": head.user_id}
        ).status_code
        == 204
    )
    made = client.post(
        "/api/tasks",
        headers=boss,
        json={"group_id": group, "title": "核查", "deadline": "2022-03-11T08:00:00+08:00"},
    ).json()
    first = client.post(f"/api/tasks/{made['id']}/escalate", headers=boss, json={"note": "催办"})
    assert first.status_code == 200
    assert first.json()["escalated_to"] == "tracer" and first.json()["escalation"] == 1
    second = client.post(f"/api/tasks/{made['id']}/escalate", headers=boss, json={})
    assert second.json()["escalated_to"] == "commander"
    assert [(e["kind"], e["by"], e["to"], e["detail"]) for e in second.json()["history"][1:]] == [
        (
            "escalated",
            client.get("/api/auth/me", headers=boss).json()["username"],
            "tracer",
            "催办",
        ),
        ("escalated", client.get("/api/auth/me", headers=boss).json()["username"], "commander", ""),
    ]
    assert (
        client.post(f"/api/tasks/{made['id']}/escalate", headers=boss, json={}).status_code == 409
    )
    tracer = login("tracer", "140821")
    assert client.post(
        f"/api/tasks/{made['id']}/escalate", headers=tracer, json={}
    ).status_code in (403, 404)
