"""The header names each role in the user's language, never by its code."""

from __future__ import annotations

import pytest

from fangkong.core.auth import ROLES
from fangkong.web.i18n import translator
from tests.web.demo_client import ROLES as LOGINS
from tests.web.demo_client import Demo

NAMED = {
    "commander": "指挥部",
    "linyi": "流调员",
    "hotel": "隔离点工作人员",
    "station": "卡口工作人员",
}


def test_every_role_has_a_name_in_both_languages() -> None:
    for lang in ("zh", "en"):
        names = translator(lang)
        assert all(names.get(f"role_{role}") for role in ROLES), lang


@pytest.mark.parametrize("user", sorted(NAMED))
def test_the_header_names_the_role_in_chinese(demo: Demo, user: str) -> None:
    demo.client.cookies.clear()
    login = LOGINS[user]
    demo.client.post("/login", data={"username": login.username, "password": login.password})
    header = demo.client.get("/arrivals").text.split("</header>")[0]
    who = header.split('class="who">')[1].split("</span>")[0]
    named_as = who.split(" · ")[1]  # after the username (the commander's is "commander")
    assert named_as == NAMED[user]
    assert named_as not in ROLES
    demo.client.cookies.clear()
