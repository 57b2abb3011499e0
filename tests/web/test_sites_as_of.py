"""The sites as they were: on any date the rooms in use match the stays of that date, and a
site appears once it was opened (the 方舱, built in two days, opens on 8 March)."""

from __future__ import annotations

import pytest

from tests.web.demo_client import Demo, sign_in

MOMENTS = ["2022-03-06T22:00", "2022-03-07T20:00", "2022-03-08T20:00", "2022-03-10T12:00"]


def _stays_in_force(demo: Demo, moment: str) -> dict[str, tuple[int, int]]:
    """Per site: rooms occupied and people staying at `moment`, straight from the stays."""
    utc = demo.rows("SELECT datetime(:m, '-8 hours')", m=moment.replace("T", " "))[0][0]
    rows = demo.rows(
        "SELECT s.name, count(DISTINCT r.id), count(*) FROM quarantine_stays t "
        "JOIN quarantine_rooms r ON r.id = t.room_id JOIN quarantine_sites s ON s.id = r.site_id "
        "WHERE t.placed_at <= :m AND (t.released_at IS NULL OR t.released_at > :m) "
        "GROUP BY s.name",
        m=utc,
    )
    return {str(name): (int(str(rooms)), int(str(people))) for name, rooms, people in rows}


@pytest.mark.parametrize("moment", MOMENTS)
def test_rooms_in_use_match_the_stays_of_the_moment(demo: Demo, moment: str) -> None:
    answer = demo.client.get(
        "/api/quarantine/sites", params={"as_of": moment}, headers=sign_in(demo, "commander")
    )
    assert answer.status_code == 200, answer.text
    shown = {s["name"]: (s["occupied"], s["people"]) for s in answer.json()}
    expected = _stays_in_force(demo, moment)
    for name, counts in shown.items():
        assert counts == expected.get(name, (0, 0)), (moment, name)
    for site in answer.json():
        assert site["ready"] + site["occupied"] + site["out_of_service"] == site["rooms"]


def test_a_site_appears_once_it_is_opened(demo: Demo) -> None:
    headers = sign_in(demo, "commander")
    names = {
        moment: {
            s["name"]
            for s in demo.client.get(
                "/api/quarantine/sites", params={"as_of": moment}, headers=headers
            ).json()
        }
        for moment in ("2022-03-06T22:00", "2022-03-08T12:00", "2022-03-08T20:00")
    }
    assert names["2022-03-06T22:00"] == {"临猗县某酒店集中隔离点"}
    assert "临猗县方舱隔离点" not in names["2022-03-08T12:00"]
    assert "临猗县方舱隔离点" in names["2022-03-08T20:00"]
    page = demo.client.get("/sites?as_of=2022-03-06T22:00", headers=headers).text
    assert "临猗县方舱隔离点" not in page.split('id="sites"')[1].split("</table>")[0]
