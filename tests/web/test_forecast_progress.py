"""The forecast runs in the background: the page answers at once with the runs' progress,
the progress climbs to done, and the page then shows the result (kept for the next visit)."""

from __future__ import annotations

import time

from tests.web.demo_client import Demo, sign_in

PAGE = "/forecast?as_of=2022-03-08T12:00&runs=2"
PROGRESS = "/forecast/progress?as_of=2022-03-08T12:00&runs=2"


def test_the_page_shows_progress_then_the_result(demo: Demo) -> None:
    headers = sign_in(demo, "commander")
    demo.client.cookies.set("fangkong_token", headers["Authorization"].removeprefix("Bearer "))
    first = demo.client.get(PAGE)
    assert first.status_code == 200
    assert 'id="forecast-progress"' in first.text and "<progress" in first.text
    assert 'id="forecast-chart"' not in first.text
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = demo.client.get(PROGRESS).json()
        seen.append(state["done"])
        assert not state["failed"]
        if state["finished"]:
            break
        time.sleep(0.2)
    assert state["finished"] and state["done"] == state["total"] == 2
    assert seen == sorted(seen)  # it only climbs
    done = demo.client.get(PAGE)
    assert 'id="forecast-chart"' in done.text and 'id="forecast-progress"' not in done.text
    demo.client.cookies.clear()


def test_progress_needs_a_signed_in_user(demo: Demo) -> None:
    demo.client.cookies.clear()
    answer = demo.client.get(PROGRESS, follow_redirects=False)
    assert answer.status_code == 303 and "/login" in answer.headers["location"]
