"""Each role lands where its work is: signing in without a destination, or opening `/`."""

from __future__ import annotations

import pytest

from tests.web.demo_client import ROLES, Demo

LANDINGS = {
    "station": "/scan",  # checkpoint staff scan codes
    "hotel": "/sites",  # site staff run their site
    "lab": "/testing",  # lab staff take in their rounds' tubes
    "linyi": "/board",  # a county's tracers: its 48-hour board
    "yanhu": "/board",
    "commander": "/infections",
    "admin": "/infections",
    "viewer": "/infections",
}


@pytest.mark.parametrize("role", sorted(LANDINGS))
def test_each_role_lands_on_its_work(demo: Demo, role: str) -> None:
    login = ROLES[role]
    demo.client.cookies.clear()
    signed = demo.client.post(
        "/login",
        data={"username": login.username, "password": login.password},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == LANDINGS[role]
    home = demo.client.get("/", follow_redirects=False)
    assert home.headers["location"] == LANDINGS[role]
    landed = demo.client.get(LANDINGS[role])
    assert landed.status_code == 200, landed.text[:300]
    demo.client.cookies.clear()


def test_a_named_destination_wins(demo: Demo) -> None:
    login = ROLES["station"]
    demo.client.cookies.clear()
    signed = demo.client.post(
        "/login",
        data={"username": login.username, "password": login.password, "next": "/arrivals"},
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/arrivals"
    demo.client.cookies.clear()
    assert demo.client.get("/", follow_redirects=False).headers["location"].startswith("/login")
