"""The write walk: every state-changing operation of the OpenAPI, tried by each role on what is
not theirs — another county's infections, people, rooms, stays, rounds, transfers; another
site's rooms and stays; another lab's worklist — must be refused (403 or 404), and refused
before the request's content is judged. Operations without an object in their path are tried
with a body that reaches across (CROSSING), or say why no crossing exists (NO_CROSSING): an
operation in neither fails the test, so a new one is covered the day it is added."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import Response

from tests.web.demo_client import Demo, sign_in


def tasks_not_for(username: str) -> str:
    """Tasks a user does not answer for: not theirs, not escalated to them, not their groups'."""
    return (
        "SELECT t.id FROM command_tasks t JOIN users u ON u.username = '" + username + "' "
        "WHERE t.responsible_user_id IS NOT u.id AND t.escalated_to_user_id IS NOT u.id "
        "AND t.group_id NOT IN (SELECT group_id FROM command_group_members "
        "WHERE user_id = u.id) LIMIT 3"
    )


# What each role may not change, as SQL over the demo: {param: query}. A parameter not named
# for a role takes any row (the role lacks the permission, or every row is outside its reach).
OUTSIDE: dict[str, dict[str, str]] = {
    "yanhu": {
        "infection_id": "SELECT i.id FROM infections i JOIN people p ON p.id = i.person_id "
        "WHERE p.county_code = '140821'",
        "contact_id": "SELECT c.id FROM contacts c JOIN people p ON p.id = c.person_id "
        "WHERE p.county_code = '140821' LIMIT 4",
        "person_id": "SELECT id FROM people WHERE county_code = '140821' LIMIT 3",
        "room_id": "SELECT r.id FROM quarantine_rooms r JOIN quarantine_sites s "
        "ON s.id = r.site_id WHERE s.county_code = '140821' LIMIT 3",
        "stay_id": "SELECT s.id FROM quarantine_stays s JOIN people p ON p.id = s.person_id "
        "WHERE p.county_code = '140821' LIMIT 4",
        "round_id": "SELECT id FROM screening_rounds WHERE county_code = '140821'",
        "shipment_id": "SELECT s.id FROM shipments s JOIN sampling_sites t ON t.id = s.site_id "
        "WHERE t.county_code = '140821' LIMIT 3",
        "transfer_id": "SELECT id FROM transfers WHERE pickup_county = '140821'",
        "arrival_id": "SELECT a.id FROM arrivals a JOIN people p ON p.id = a.person_id "
        "WHERE p.county_code = '140821'",
        # Linyi's tasks of groups 盐湖区's tracer is not in; Linyi's places and their samples;
        # the Linyi team's work.
        "task_id": "SELECT t.id FROM command_tasks t WHERE t.county_code = '140821' AND "
        "t.group_id NOT IN (SELECT m.group_id FROM command_group_members m JOIN users u "
        "ON u.id = m.user_id WHERE u.username = 'yanhu') LIMIT 3",
        "place_id": "SELECT id FROM command_places WHERE county_code = '140821' LIMIT 3",
        "sample_id": "SELECT s.id FROM command_env_samples s JOIN command_places p "
        "ON p.id = s.place_id WHERE p.county_code = '140821' LIMIT 2",
        "investigation_id": "SELECT i.id FROM command_investigations i JOIN command_teams t "
        "ON t.id = i.team_id WHERE t.county_code = '140821'",
        "store_id": "SELECT id FROM command_stores WHERE county_code = '140821'",
        "alarm_id": "SELECT id FROM sentinel_alarms WHERE county_code = '140821' LIMIT 3",
    },
    "hotel": {
        "task_id": tasks_not_for("hotel"),
        "room_id": "SELECT r.id FROM quarantine_rooms r JOIN users u ON u.username = 'hotel' "
        "WHERE r.site_id <> u.site_id LIMIT 3",
        "stay_id": "SELECT s.id FROM quarantine_stays s JOIN quarantine_rooms r "
        "ON r.id = s.room_id JOIN users u ON u.username = 'hotel' "
        "WHERE r.site_id <> u.site_id LIMIT 4",
    },
    "lab": {
        "task_id": tasks_not_for("lab"),
        "lab_id": "SELECT l.id FROM labs l JOIN users u ON u.username = 'lab' "
        "WHERE l.id <> u.lab_id LIMIT 3",
        "shipment_id": "SELECT s.id FROM shipments s JOIN users u ON u.username = 'lab' "
        "WHERE s.lab_id <> u.lab_id LIMIT 3",
    },
    "viewer": {},
    "station": {
        "task_id": tasks_not_for("station"),
        "arrival_id": "SELECT a.id FROM arrivals a JOIN users u ON u.username = 'station' "
        "WHERE a.checkpoint_id IS NOT u.checkpoint_id",
    },
}
ANY = {
    "infection_id": "SELECT id FROM infections LIMIT 2",
    "contact_id": "SELECT id FROM contacts LIMIT 2",
    "person_id": "SELECT id FROM people LIMIT 2",
    "room_id": "SELECT id FROM quarantine_rooms LIMIT 2",
    "stay_id": "SELECT id FROM quarantine_stays LIMIT 2",
    "site_id": "SELECT id FROM quarantine_sites LIMIT 2",
    "round_id": "SELECT id FROM screening_rounds LIMIT 2",
    "lab_id": "SELECT id FROM labs LIMIT 2",
    "shipment_id": "SELECT id FROM shipments LIMIT 2",
    "transfer_id": "SELECT id FROM transfers LIMIT 2",
    "zone_id": "SELECT id FROM zones LIMIT 2",
    "arrival_id": "SELECT id FROM arrivals LIMIT 2",
    "appeal_id": "SELECT id FROM healthcode_appeals LIMIT 2",
    "scanner_id": "SELECT id FROM healthcode_scanners LIMIT 2",
    "username": "SELECT username FROM users WHERE username = 'linyi'",
    "task_id": "SELECT id FROM command_tasks LIMIT 2",
    "group_id": "SELECT id FROM command_groups LIMIT 2",
    "place_id": "SELECT id FROM command_places LIMIT 2",
    "sample_id": "SELECT id FROM command_env_samples LIMIT 2",
    "investigation_id": "SELECT id FROM command_investigations LIMIT 2",
    "admission_id": "SELECT id FROM treatment_admissions LIMIT 2",
    "store_id": "SELECT id FROM command_stores LIMIT 2",
    "alarm_id": "SELECT id FROM sentinel_alarms LIMIT 2",
}
WORDS = {"step": "delivered"}  # path parameters that are words, not ids

# Operations with no object in their path that do not reach into anyone else's: why.
NO_CROSSING = {
    "POST /api/auth/token": "signing in",
    "POST /api/auth/logout": "signing out",
    "POST /api/scan": "a scan answers a colour and a masked name to any scanner; audited",
    "POST /api/quarantine/releases": "releases the stays the caller may read, no others",
    "POST /api/quarantine/transfers/plan": "plans the transfers the caller may read, no others",
    "POST /api/travel/risk-areas/import": "the national risk-area list belongs to no county",
    "POST /api/travel/arrivals": "an arrival at the caller's checkpoint may be of anyone; "
    "the answer is masked outside the caller's county",
    "POST /api/investigations": "a county's request for help (协查) to another county's team "
    "is what tracer teams are for; it names no person",
    "POST /api/surveillance/alarms/detect": "a detection pass over every point, the city "
    "commanders' to run: it writes alarms, reads no person",
    "POST /api/surveillance/reports/import": "its rows are judged as POST "
    "/api/surveillance/reports's items (crossed above): another county's point is no such point",
}
LINYI_PERSON = "SELECT id FROM people WHERE county_code = '140821' LIMIT 2"
LINYI_CONTACTS = (
    "SELECT c.id FROM contacts c JOIN people p ON p.id = c.person_id "
    "WHERE p.county_code = '140821' LIMIT 3"
)
LINYI_STAYS = (
    "SELECT s.id FROM quarantine_stays s JOIN people p ON p.id = s.person_id "
    "WHERE p.county_code = '140821' LIMIT 3"
)
# The index case's infection: 盐湖区 sees it (its people are contacts) but does not trace it.
LINYI_INFECTION = "SELECT id FROM infections ORDER BY id LIMIT 1"


def _crossing(demo: Demo, role: str) -> dict[str, object]:
    """Bodies that reach across counties, for a tracer of 盐湖区 (the other roles lack the
    permission for most of these, or reach nothing outside their place through them)."""
    people = demo.ids(LINYI_PERSON)
    return {
        # Stepping the replay's clock moves everyone's time: commanders' and admins' alone.
        "PUT /api/clock": {"at": "2022-03-13T12:00"},
        "POST /api/users": {
            "username": "x1",
            "display_name": "x",
            "password": "p" * 10,
            "role": "admin",
        },  # fmt: skip
        "POST /api/people/merge": {"keep_id": people[0], "merge_id": people[1], "reason": "walk"},
        "POST /api/infections": {
            "person_id": people[0],
            "kind": "confirmed",
            "sampled_at": "2022-03-09T08:00:00+08:00",
            "reported_at": "2022-03-09T20:00:00+08:00",
        },  # fmt: skip
        "POST /api/contacts": {
            "infection_id": demo.ids(LINYI_INFECTION)[0],
            "person": {"name": "张某", "address": "盐湖区某街"},
            "category": "close",
            "setting": "household",
            "exposure_at": "2022-03-08T10:00:00+08:00",
        },  # fmt: skip
        "POST /api/quarantine/sites": {"name": "x", "kind": "hotel", "county_code": "140821"},
        "POST /api/quarantine/sites/import": {},
        "POST /api/quarantine/placements": {"contact_ids": demo.ids(LINYI_CONTACTS)},
        "POST /api/quarantine/vehicles": {"plate": "晋M·00000", "seats": 4},
        "POST /api/quarantine/transfers": {"contact_ids": demo.ids(LINYI_CONTACTS), "site_id": 1},
        "POST /api/quarantine/transfers/cases": {
            "infection_id": demo.ids(LINYI_INFECTION)[0],
            "destination": "运城市第一医院",
        },
        "POST /api/quarantine/papers": {
            "stay_ids": demo.ids(OUTSIDE[role].get("stay_id", LINYI_STAYS)),
            "kind": "notice",
        },
        "POST /api/testing/rounds": {
            "name": "x",
            "area": "county",
            "county_code": "140821",
            "starts_at": "2022-03-10T08:00:00+08:00",
        },  # fmt: skip
        "PUT /api/testing/labs": [],
        "POST /api/zones": {
            "name": "x",
            "kind": "sealed",
            "county_code": "140821",
            "address": "临猗县猗氏镇某小区",
        },  # fmt: skip
        "POST /api/zones/import": {},
        "POST /api/travel/checkpoints": {
            "name": "临猗站",
            "kind": "rail",
            "county_code": "140821",
        },  # fmt: skip
        "POST /api/scanners": {"checkpoint_id": 1, "label": "x"},
        # The command centre's own: commanders' alone.
        "POST /api/groups": {"code": "walk_group", "name": "x", "county_code": "140821"},
        "POST /api/tasks": {
            "group_id": demo.ids("SELECT id FROM command_groups LIMIT 1")[0],
            "title": "x",
            "deadline": "2022-03-21T08:00:00+08:00",
            "county_code": "140821",
        },
        "POST /api/tasks/raise": {},
        "POST /api/treatment/hospitals": {
            "name": "walk hospital",
            "kind": "designated",
            "county_code": "140821",
            "wards": [{"name": "x", "bed_kind": "general", "beds": 1}],
        },
        "POST /api/treatment/admissions": {
            "infection_id": demo.ids(LINYI_INFECTION)[0],
            "ward_id": 1,
            "admitted_at": "2022-03-08T08:00:00+08:00",
        },
        "POST /api/teams": {"name": "walk team", "county_code": "140821"},
        "POST /api/surveillance/points": {
            "code": "WALK-1",
            "name": "x",
            "kind": "clinic",
            "county_code": "140821",
        },
        "POST /api/surveillance/reports": [
            {"point": "LY-FC-01", "day": "2022-03-08", "measure": "fever_visits", "count": 1}
        ],
        "POST /api/stock/stores": {
            "name": "walk store",
            "kind": "warehouse",
            "county_code": "140821",
        },
        "POST /api/stock/moves": {
            "store_id": demo.ids("SELECT id FROM command_stores WHERE county_code = '140821'")[0],
            "item": "mask",
            "kind": "receipt",
            "quantity": 1,
            "at": "2022-03-08T08:00:00+08:00",
        },
        "POST /api/duty/shifts": {
            "scope": "140821",
            "user_id": demo.ids("SELECT id FROM users WHERE username = 'linyi'")[0],
            "starts_at": "2022-03-22T08:00:00+08:00",
            "ends_at": "2022-03-22T20:00:00+08:00",
        },
    }


# Values for the patterns the API's schemas use, so a body is refused for who sends it.
PATTERNS = {
    r"^\d{6}$": "140821",
    r"^[A-Za-z0-9-]{4,32}$": "WALK0001",
    r"^(male|female|unknown)$": "male",
    r"^[A-Za-z0-9_.\-]+$": "walker",
}
UPLOADS = {"file": ("x.csv", b"a,b\n1,2\n", "text/csv")}


@dataclass
class Attempt:
    label: str
    method: str
    url: str
    json: object | None
    upload: bool
    by_path: bool  # the row tried is named in the path, not in the body


def attempts(demo: Demo, role: str) -> Iterator[Attempt]:
    spec = demo.client.get("/openapi.json").json()
    crossing = _crossing(demo, role)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in {"post", "put", "patch", "delete"}:
                continue
            label = f"{method.upper()} {path}"
            content = op.get("requestBody", {}).get("content", {})
            upload = "multipart/form-data" in content
            params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
            if not params:
                if label in NO_CROSSING:
                    continue
                assert label in crossing, f"the write walk has no crossing body for {label}"
                body = None if upload else crossing[label]
                yield Attempt(label, method, path, body, upload, by_path=False)
                continue
            body = (
                example(spec, content["application/json"]["schema"])
                if ("application/json" in content)
                else None
            )
            for url in fill(demo, role, path, params):
                yield Attempt(label, method, url, body, upload, by_path=True)


def fill(demo: Demo, role: str, path: str, params: list[str]) -> list[str]:
    urls = [path]
    for name in params:
        if name in WORDS:
            values = [WORDS[name]]
        else:
            assert name in ANY, f"the write walk has no ids for {{{name}}} ({path})"
            values = [str(r[0]) for r in demo.rows(OUTSIDE[role].get(name, ANY[name]))]
        urls = [u.replace(f"{{{name}}}", v) for u in urls for v in values]
    return urls


def example(spec: dict[str, Any], schema: dict[str, Any]) -> object:
    """A value the schema accepts, so that a refusal is about who asks, not what they sent."""
    if "$ref" in schema:
        return example(spec, spec["components"]["schemas"][schema["$ref"].split("/")[-1]])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return example(spec, options[0])
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    makers: dict[str, Callable[[], object]] = {
        "object": lambda: {
            name: example(spec, sub)
            for name, sub in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        },
        "array": lambda: [example(spec, schema.get("items", {}))],
        "integer": lambda: max(1, schema.get("minimum", 1)),
        "number": lambda: max(0.5, schema.get("minimum", 0.5)),
        "boolean": lambda: True,
    }
    if kind in makers:
        return makers[kind]()
    if "pattern" in schema:
        assert schema["pattern"] in PATTERNS, f"the write walk has no example for {schema}"
        return PATTERNS[schema["pattern"]]
    if schema.get("format") == "date-time":
        return "2022-03-09T12:00:00+08:00"
    if schema.get("format") == "date":
        return "2022-03-09"
    return "x" * max(1, schema.get("minLength", 1))


def refused(attempt: Attempt, response: Response) -> bool:
    """403 or 404; for rows named in a body, a 422 that names them as not found is the same
    refusal (as for rows that do not exist: nobody learns which ones do)."""
    if response.status_code in {403, 404}:
        return True
    if attempt.by_path or response.status_code not in {200, 422}:
        return False
    nothing_placed = response.status_code == 422 or response.json().get("placed") == []
    said = response.text  # in Chinese by default, in English for a client that asked
    return nothing_placed and any(w in said for w in NOT_FOUND_WORDS)


NOT_FOUND_WORDS = ("no such", "does not exist", "没有此", "不存在")


@pytest.mark.parametrize("role", list(OUTSIDE))
def test_no_role_changes_what_is_not_theirs(demo: Demo, role: str) -> None:
    headers = sign_in(demo, role)
    accepted: list[str] = []
    tried = 0
    for attempt in attempts(demo, role):
        tried += 1
        if attempt.upload:
            response = demo.client.request(
                attempt.method, attempt.url, files=UPLOADS, headers=headers
            )
        else:
            response = demo.client.request(
                attempt.method, attempt.url, json=attempt.json, headers=headers
            )
        if not refused(attempt, response):
            accepted.append(f"{attempt.url}: {response.status_code} {response.text[:160]}")
    print(f"{role}: {tried} writes tried, {len(accepted)} not refused")
    assert tried > 40
    assert not accepted, "\n".join(accepted[:50])
