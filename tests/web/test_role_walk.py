"""The role walk: every role reads every GET operation of the OpenAPI and every page linked
from its home, spreadsheets opened, and nothing shows a full ID number, mobile or home address
of a person that role may not see in full. It walks the OpenAPI, so an endpoint is covered
the day it is added: a path parameter the walk has no ids for fails the test."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import openpyxl
import pytest
from httpx import Response

from tests.web.demo_client import ROLES, Demo, Secret, sign_in

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
ADDRESS_GOES_ON = re.compile(r"[0-9\u4e00-\u9fff]")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def full_view(demo: Demo, role: str) -> set[int] | None:
    """The people a role may see in full; None for everyone."""
    if role in {"admin", "commander"}:
        return None
    if role in {"linyi", "yanhu"}:
        county = "140821" if role == "linyi" else "140802"
        return set(demo.ids(f"SELECT id FROM people WHERE county_code = '{county}'"))
    if role == "hotel":
        return set(
            demo.ids(
                "SELECT s.person_id FROM quarantine_stays s JOIN quarantine_rooms r "
                "ON r.id = s.room_id JOIN users u ON u.site_id = r.site_id "
                "WHERE u.username = 'hotel'"
            )
        )
    return set()  # viewer, lab, checkpoint: nobody in full


def leaks(demo: Demo, body: str, allowed: set[int] | None) -> list[Secret]:
    if allowed is None:
        return []
    found = [
        demo.secrets[m.group(0).upper() if m.group(0)[-1] in "xX" else m.group(0)]
        for pattern in (ID_NUMBER, MOBILE)
        for m in pattern.finditer(body)
        if (m.group(0).upper() if m.group(0)[-1] in "xX" else m.group(0)) in demo.secrets
    ]
    for anchor, by_length in demo.addresses_by_anchor.items():
        start = body.find(anchor)
        while start >= 0:
            # 某小区3号 inside 某小区3号楼2单元 is the longer address, not the shorter one.
            inside_longer = ADDRESS_GOES_ON.match(body, start + 1) is not None
            for length, values in ({} if inside_longer else by_length).items():
                piece = body[max(0, start - length + 1) : start + 1]
                if piece in values:
                    found.append(demo.secrets[piece])
            start = body.find(anchor, start + 1)
    return [s for s in found if not s.owners & allowed]


def readable(response: Response) -> str:
    """What a person would read in the answer: text, or every cell of a workbook."""
    kind = response.headers.get("content-type", "")
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if kind.startswith(("application/pdf", "image/", "application/octet-stream")):
        return ""
    return response.text


def _as_text(values: list[int]) -> list[str]:
    return [str(v) for v in values]


def path_ids(demo: Demo) -> dict[str, list[str]]:
    """Ids for each path parameter, taken from what the city commander sees: rows of every
    county, the hotel's and other sites', every round, lab, recall and zone."""
    people = demo.ids(
        "SELECT id FROM (SELECT id FROM people WHERE county_code <> '140821' "
        "UNION SELECT person_id FROM quarantine_stays UNION SELECT person_id FROM infections "
        "UNION SELECT MIN(id) FROM people GROUP BY county_code) ORDER BY id LIMIT 60"
    )
    return {
        "person_id": _as_text(people),
        "infection_id": _as_text(demo.ids("SELECT id FROM infections")),
        "contact_id": _as_text(
            demo.ids(
                "SELECT c.id FROM contacts c JOIN people p ON p.id = c.person_id "
                "ORDER BY p.county_code <> '140821' DESC, c.id LIMIT 40"
            )
        ),
        "site_id": _as_text(demo.ids("SELECT id FROM quarantine_sites")),
        "stay_id": _as_text(demo.ids("SELECT id FROM quarantine_stays")),
        "round_id": _as_text(demo.ids("SELECT id FROM screening_rounds")),
        "lab_id": _as_text(demo.ids("SELECT id FROM labs")),
        "recall_id": _as_text(demo.ids("SELECT id FROM recalls")),
        "zone_id": _as_text(demo.ids("SELECT id FROM zones")),
        "protocol_id": ["cn-8", "cn-9"],
        "kind": ["notice", "release"],
        "task_id": _as_text(demo.ids("SELECT id FROM command_tasks ORDER BY id LIMIT 30")),
        "group_id": _as_text(demo.ids("SELECT id FROM command_groups")),
        "place_id": _as_text(demo.ids("SELECT id FROM command_places")),
        "sample_id": _as_text(demo.ids("SELECT id FROM command_env_samples LIMIT 5")),
        "investigation_id": _as_text(demo.ids("SELECT id FROM command_investigations")),
        "object_kind": ["contact", "place", "arrival"],
        "admission_id": _as_text(demo.ids("SELECT id FROM treatment_admissions LIMIT 5")),
        "store_id": _as_text(demo.ids("SELECT id FROM command_stores")),
        "object_id": _as_text(demo.ids("SELECT id FROM contacts ORDER BY id DESC LIMIT 10")),
    }


# Required query parameters the walk fills in (an ID number of nobody in the demo: the check
# echoes what was typed).
QUERY_VALUES = {
    "id_number": "110101199003078515",
    "prevalence": "0.001",
    "start": "2022-03-08T00:00:00+08:00",
    "end": "2022-03-09T00:00:00+08:00",
    "day": "2022-03-08",
}


def get_operations(demo: Demo) -> Iterator[str]:
    """Every GET path of the OpenAPI with its parameters filled in."""
    spec = demo.client.get("/openapi.json").json()
    ids = path_ids(demo)
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation is None or "text/event-stream" in str(operation.get("responses", {})):
            continue  # an event stream lasts as long as its screen: test_events.py reads it
        params = operation.get("parameters", [])
        query = [p for p in params if p["in"] == "query" and p.get("required")]
        for p in query:
            assert p["name"] in QUERY_VALUES, f"the walk has no value for ?{p['name']} ({path})"
        suffix = "&".join(f"{p['name']}={QUERY_VALUES[p['name']]}" for p in query)
        urls = [path]
        for p in (p for p in params if p["in"] == "path"):
            assert p["name"] in ids, f"the walk has no ids for {{{p['name']}}} ({path})"
            urls = [u.replace(f"{{{p['name']}}}", v) for u in urls for v in ids[p["name"]]]
        for url in urls:
            yield f"{url}?{suffix}" if suffix else url


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


SKIP_PAGES = ("/logout", "/lang/", "/static/", "/vendor", "/docs", "/redoc", "/openapi")


def linked_pages(demo: Demo, role: str, cookies: dict[str, str]) -> Iterator[tuple[str, Response]]:
    """The home page and what it links to, two links deep, exports opened."""
    seen: set[str] = set()
    todo = [("/", 0)]
    while todo:
        url, depth = todo.pop(0)
        if url in seen or url.startswith(SKIP_PAGES):
            continue
        seen.add(url)
        demo.client.cookies.clear()
        demo.client.cookies.update(cookies)
        response = demo.client.get(url, follow_redirects=True)
        yield url, response
        if depth >= 2 or "text/html" not in response.headers.get("content-type", ""):
            continue
        parser = Links()
        parser.feed(response.text)
        for href in parser.hrefs:
            target = urlsplit(urljoin(str(response.url), href))
            if target.netloc not in {"", "testserver"}:
                continue
            todo.append((target.path + (f"?{target.query}" if target.query else ""), depth + 1))


def problems_of(demo: Demo, what: str, response: Response, allowed: set[int] | None) -> list[str]:
    """A server error, a page answered with the API's JSON (a broken page), or a secret of a
    person the role may not see in full."""
    found = [f"{what}: {response.status_code}"] if response.status_code >= 500 else []
    is_json = response.headers.get("content-type", "").startswith("application/json")
    if what.startswith("page /") and not what.startswith("page /api/") and is_json:
        found.append(f"{what}: answered JSON, not a page ({response.status_code})")
    leaked = leaks(demo, readable(response), allowed)
    return found + [f"{what}: {s.kind} of person {min(s.owners)}" for s in leaked]


@pytest.mark.parametrize("role", list(ROLES))
def test_no_role_reads_what_it_may_not(demo: Demo, role: str) -> None:
    headers = sign_in(demo, role)
    allowed = full_view(demo, role)
    operations = [
        (f"GET {url}", demo.client.get(url, headers=headers)) for url in get_operations(demo)
    ]
    cookies = {"fangkong_token": headers["Authorization"].removeprefix("Bearer ")}
    pages = [(f"page {url}", response) for url, response in linked_pages(demo, role, cookies)]
    demo.client.cookies.clear()
    problems = [
        p
        for what, response in operations + pages
        for p in problems_of(demo, what, response, allowed)
    ]
    print(f"{role}: {len(operations)} operations, {len(pages)} pages, {len(problems)} problems")
    assert len(operations) > 100 and len(pages) > 1
    assert not problems, "\n".join(sorted(set(problems))[:60])
