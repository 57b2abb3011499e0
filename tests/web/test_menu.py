"""Each role's menu lists the pages it opens, and only those."""

from __future__ import annotations

import pytest

from tests.web.demo_client import ROLES, Demo, sign_in
from tests.web.test_role_walk import Links


@pytest.mark.parametrize("role", list(ROLES))
def test_every_menu_entry_opens(demo: Demo, role: str) -> None:
    headers = sign_in(demo, role)
    demo.client.cookies.set("fangkong_token", headers["Authorization"].removeprefix("Bearer "))
    page = demo.client.get("/arrivals").text
    nav = page.split("<nav>")[1].split("</nav>")[0]
    links = Links()
    links.feed(nav)
    assert links.hrefs, role
    for href in links.hrefs:
        assert demo.client.get(href).status_code == 200, f"{role}: {href}"
    demo.client.cookies.clear()


def test_short_menus_for_field_roles(demo: Demo) -> None:
    # Each with their own work first, and the tasks they answer for last.
    expected = {
        "station": ["/scan", "/arrivals", "/my-work"],
        "lab": ["/testing", "/zones", "/my-work"],
        "hotel": ["/sites", "/placements", "/transfers", "/people", "/my-work"],
    }
    for role, paths in expected.items():
        headers = sign_in(demo, role)
        demo.client.cookies.set("fangkong_token", headers["Authorization"].removeprefix("Bearer "))
        links = Links()
        links.feed(demo.client.get("/arrivals").text.split("<nav>")[1].split("</nav>")[0])
        assert links.hrefs == paths, role
        demo.client.cookies.clear()
