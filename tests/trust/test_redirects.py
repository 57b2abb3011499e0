"""No open redirect: the language switch and the sign-in send people back only to this site."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fangkong.web.pages.session import local_path
from tests.conftest import MakeActor

ELSEWHERE = [
    "https://evil.example/x", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
    "http:/evil.example", "javascript:alert(1)", "/ok\r\nSet-Cookie: x=1",
]  # fmt: skip


@pytest.mark.parametrize("url", ELSEWHERE)
def test_only_paths_of_this_site(url: str) -> None:
    back = local_path(url)  # at most a path of this site named like the other
    assert back.startswith("/") and not back.startswith("//")
    assert urlsplit(back).scheme == urlsplit(back).netloc == ""
    assert "\\" not in back and "\r" not in back


def test_paths_of_this_site_are_kept() -> None:
    assert local_path("/board?as_of=2022-03-07T20:00") == "/board?as_of=2022-03-07T20:00"
    assert local_path("http://testserver/zones?x=1") == "/zones?x=1"  # a referer is absolute


def test_the_switch_and_the_sign_in(
    client: TestClient, make_actor: MakeActor, session: Session
) -> None:
    answer = client.get(
        "/lang/en", headers={"referer": "https://evil.example/"}, follow_redirects=False
    )
    assert answer.headers["location"] == "/"
    actor = make_actor("tracer")
    session.commit()
    for target in ELSEWHERE:
        signed = client.post(
            "/login",
            data={"username": actor.username, "password": "correct horse battery", "next": target},
            follow_redirects=False,
        )
        assert signed.status_code == 303 and not signed.headers["location"].startswith(
            ("//", "http")
        ), target
        assert urlsplit(signed.headers["location"]).netloc == "", target
