"""The header names each role in the user's language, never by its code."""

from __future__ import annotations

import pytest

from fangkong.core.auth import ROLES
from fangkong.core.i18n import gettext, in_language
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
        with in_language(lang):
            names = {role: gettext(f"role_{role}") for role in ROLES}
        assert all(name != f"role_{role}" for role, name in names.items()), lang
    assert names["tracer"] == "Tracer"


@pytest.mark.parametrize("user", sorted(NAMED))
def test_the_header_names_the_role_in_chinese(demo: Demo, user: str) -> None:
    demo.client.cookies.clear()
    login = LOGINS[user]
    demo.client.post("/login", data={"username": login.username, "password": login.password})
    header = demo.client.get("/arrivals").text.split("</header>")[0]
    who = header.split('class="who">')[1]
    # after the username (the commander's is "commander")
    named_as = who.split(" · ")[1].split("</span>")[0]
    assert named_as == NAMED[user]
    assert named_as not in ROLES
    demo.client.cookies.clear()
