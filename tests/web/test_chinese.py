"""Chinese everywhere: every page a role reaches, read in Chinese, holds no English word a
person would read, outside a short list of names and abbreviations Chinese staff use as they
are. Text of the page and the words in its controls (placeholders, titles, buttons) count;
markup, scripts, data for the charts and what a page marks as data (a token in <code>, a
username or room number under translate="no") do not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from fangkong.web.pages import MODULES
from tests.conftest import Login
from tests.web.demo_client import ROLES, Demo, sign_in
from tests.web.test_role_walk import linked_pages, path_ids

# Words that stay as they are in a Chinese interface, and why.
ALLOWED = {
    "api", "json", "pdf", "png", "svg", "qr", "id",  # formats and codes, said so in Chinese too
    "excel", "xlsx", "csv", "geojson", "parquet",  # file kinds on buttons
    "fangkong",  # the product's name
    "kpi",  # the 48-hour KPI, as command centres call it
    "gl", "jc",  # paper serial prefixes (GL00000001)
    "utc", "cst",  # time zones named beside a time
    "swagger", "redoc",  # the API documentation's tools, linked by name
    "english",  # the language switch offers English in English
    "ktv",  # a setting's name as written (KTV)
    "h", "d",  # hour and day units after a number (36 h)
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
SHOWN_ATTRS = ("placeholder", "title", "aria-label", "alt", "value")


class Readable(HTMLParser):
    """The text a person reads: text nodes outside scripts and styles, and the words of
    controls (a submit button's value, a field's placeholder)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0
        self.hiding: list[str] = []  # elements whose text is data: codes, translate="no"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template", "code") or ("translate", "no") in attrs:
            self.hidden += 1
            self.hiding.append(tag)
            return
        shown = dict(attrs)
        if tag != "input" or shown.get("type") not in ("submit", "button"):
            shown.pop("value", None)  # a field's or an option's value is data, not words
        self.parts += [v for k, v in shown.items() if k in SHOWN_ATTRS and v]

    def handle_endtag(self, tag: str) -> None:
        if self.hiding and tag == self.hiding[-1]:
            self.hiding.pop()
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    reader = Readable()
    reader.feed(html)
    text = " ".join(reader.parts)
    return {w for w in WORD.findall(text) if w.lower() not in ALLOWED}


def every_page(demo: Demo) -> list[str]:
    """Every page route, its ids filled from the demo (a sample of people: the walk's first
    thirty, who include the infected and the quarantined)."""
    ids = path_ids(demo)
    ids["person_id"] = ids["person_id"][:30]
    urls = []
    for route in (r for m in MODULES for r in m.router.routes if "GET" in r.methods):
        if route.path.startswith(("/lang/", "/logout", "/vendor-map")):
            continue
        filled = [route.path]
        for name in route.param_convertors:
            filled = [u.replace(f"{{{name}}}", v) for u in filled for v in ids[name]]
        urls += filled
    return urls


def pages_of(demo: Demo, role: str, cookies: dict[str, str]) -> Iterator[tuple[str, Response]]:
    yield from linked_pages(demo, role, cookies)
    for url in every_page(demo):
        demo.client.cookies.clear()
        demo.client.cookies.update(cookies)
        yield url, demo.client.get(url, follow_redirects=True)


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_reaches_reads_in_chinese(demo: Demo, role: str) -> None:
    headers = sign_in(demo, role)
    cookies = {"fangkong_token": headers["Authorization"].removeprefix("Bearer ")}
    found: dict[str, set[str]] = {}
    for url, response in pages_of(demo, role, cookies):
        if "text/html" in response.headers.get("content-type", ""):
            words = english_words(response.text)
            if words:
                found[url] = words
    demo.client.cookies.clear()
    report = "\n".join(f"{url}: {sorted(words)}" for url, words in sorted(found.items()))
    (Path("/tmp") / f"english-{role}.txt").write_text(report)
    assert not found, "\n".join(f"{url}: {sorted(words)}" for url, words in sorted(found.items()))


def test_messages_for_people_speak_chinese_and_english_when_switched(
    client: TestClient, login: Login
) -> None:
    headers = login("tracer")
    bad_scan = client.post("/api/scan", json={"token": "?"}, headers=headers).json()
    assert bad_scan["message"] == "请求内容有误" and "令牌" in bad_scan["detail"][0]["msg"]
    missing = client.post("/api/infections", json={}, headers=headers).json()
    assert missing["message"] == "请求内容有误"
    assert {e["msg"] for e in missing["detail"]} == {"必填"}
    client.cookies.set("lang", "en")
    assert client.post("/api/scan", json={}, headers=headers).json()["message"] == "invalid request"
    client.cookies.delete("lang")
