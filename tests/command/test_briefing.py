"""The daily briefing: as of the end of a day (of now, for today), through the API, as a PDF
(CJK font embedded, pages numbered, charts drawn) and a workbook (a sheet a section), refused
naming `day` for a day before any data or not yet come; and in the demo_session, every day from 6 to
21 March tells that day."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from fastapi.testclient import TestClient
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject
from sqlalchemy.orm import Session

from fangkong.command.briefing import build_briefing
from fangkong.command.briefing_paper import briefing_pdf
from fangkong.command.briefing_sheets import sections
from fangkong.core.auth import Actor
from fangkong.core.i18n import in_language
from fangkong.demo.when import at as demo_at
from fangkong.testing import labs
from fangkong.users.service import acting_as
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.testing import city_labs
from tests.builders.tracing import make_infection
from tests.conftest import Login, MakeActor


def test_a_day_counts_its_own_infections(
    client: TestClient, login: Login, session: Session, tracer: Actor
) -> None:
    make_infection(session, tracer, person=make_person("甲"))
    make_infection(
        session, tracer, person=make_person("乙"), reported=at(8, 9), kind="asymptomatic"
    )
    session.commit()
    boss = login("commander", None)
    day = client.get("/api/briefing", headers=boss, params={"day": "2022-03-08"})
    assert day.status_code == 200, day.text
    found = day.json()
    assert (found["infections"]["new_confirmed"], found["infections"]["new_asymptomatic"]) == (0, 1)
    assert (found["infections"]["confirmed"], found["infections"]["asymptomatic"]) == (1, 1)
    assert [d["day"] for d in found["infections"]["curve"]] == [
        "2022-03-06",
        "2022-03-07",
        "2022-03-08",
    ]
    assert found["as_of"] == "2022-03-09T00:00:00+08:00"  # the day's end
    first = client.get("/api/briefing", headers=boss, params={"day": "2022-03-06"}).json()
    assert first["infections"]["new_confirmed"] == 1 and first["infections"]["asymptomatic"] == 0


@pytest.mark.parametrize("day", ["2022-03-05", "2022-03-11", "2023-01-01"])
def test_a_day_before_the_data_or_not_yet_come_is_said(
    client: TestClient, login: Login, session: Session, tracer: Actor, day: str
) -> None:
    make_infection(session, tracer)
    session.commit()
    boss = login("commander", None)
    for path in ("/api/briefing", "/api/briefing/pdf", "/api/briefing/xlsx"):
        refused = client.get(path, headers=boss, params={"day": day})
        assert refused.status_code == 422, (path, refused.text)
        assert refused.json()["detail"][0]["loc"][-1] == "day"
    client.cookies.set("fangkong_token", boss["Authorization"].removeprefix("Bearer "))
    page = client.get("/briefing", params={"day": day})
    assert page.status_code == 200 and 'id="briefing-refused"' in page.text


def test_nothing_reported_yet_is_said(client: TestClient, login: Login) -> None:
    refused = client.get(
        "/api/briefing", headers=login("commander", None), params={"day": "2022-03-08"}
    )
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "day"


def test_the_pdf_and_the_workbook(
    client: TestClient, login: Login, session: Session, tracer: Actor
) -> None:
    make_infection(session, tracer)
    session.commit()
    boss = login("commander", None)
    pdf = client.get("/api/briefing/pdf", headers=boss, params={"day": "2022-03-07"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    first = reader.pages[0]
    assert first.mediabox.width == pytest.approx(595.3, abs=1)  # A4
    text = "".join(p.extract_text() for p in reader.pages)
    assert "疫情防控日报 2022-03-07" in text and "第 1 页" in text and "临猗县" in text
    fonts = {str(f) for f in _base_fonts(first)}
    assert any("NotoSansSC" in f for f in fonts)
    book = client.get("/api/briefing/xlsx", headers=boss, params={"day": "2022-03-07"})
    sheets = openpyxl.load_workbook(io.BytesIO(book.content)).worksheets
    with in_language("zh"):
        titles = [
            s.title
            for s in sections(
                build_briefing(session, actor=tracer, day=date(2022, 3, 7), now=at(10, 12))
            )
        ]
    assert [s.title for s in sheets] == titles
    assert sheets[0]["A3"].value == "临猗县"


def _base_fonts(page: PageObject) -> list[object]:
    resources = page["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    fonts = resources["/Font"].get_object()
    assert isinstance(fonts, DictionaryObject)
    return [f.get_object()["/BaseFont"] for f in fonts.values()]


def test_every_day_of_the_demo_tells_that_day(demo_session: Session) -> None:
    commander = acting_as(demo_session, "commander")
    end = demo_at(21, 23, 59)
    told = {}
    with in_language("zh"):
        for day in range(6, 22):
            b = build_briefing(demo_session, actor=commander, day=date(2022, 3, day), now=end)
            assert b.day == date(2022, 3, day) and b.infections.curve[-1].day == b.day
            told[day] = b
    assert told[6].infections.new_confirmed == 1  # the index case, the evening of the 6th
    assert told[8].infections.new_confirmed + told[8].infections.new_asymptomatic == 3
    assert told[9].testing.sampled_today > 0 and told[13].testing.sampled_today > 0
    assert any(c.action == "解封" for day in range(13, 22) for c in told[day].zones.changes)
    assert told[7].treatment.admitted_today >= 1
    assert sum(told[d].treatment.discharged_today for d in range(6, 22)) >= 3
    assert told[21].treatment.occupied >= 1  # the father, still in intensive care
    assert told[6].duty and told[6].stock.items
    below = [r.store for r in told[9].stock.below_safety]
    assert "临猗县防疫物资仓库" in below  # sampling tubes after the round, until restocked
    assert "临猗县防疫物资仓库" not in [r.store for r in told[11].stock.below_safety]
    pages = PdfReader(io.BytesIO(briefing_pdf(told[9]))).pages
    assert len(pages) >= 2


def test_the_briefing_counts_the_48_hour_kpi_as_the_board_does(demo_session: Session) -> None:
    from fangkong.tracing.figures import kpi_counts
    from fangkong.tracing.kpi import kpi_overview

    for name in ("commander", "linyi", "yanhu"):
        actor = acting_as(demo_session, name)
        for moment in (demo_at(7, 4), demo_at(8, 20), demo_at(9, 0), demo_at(12, 12)):
            board = kpi_overview(demo_session, actor=actor, as_of=moment)
            counted = kpi_counts(demo_session, actor=actor, as_of=moment)
            assert (counted.infections, counted.met, counted.missed) == (
                board.infections,
                board.infections_met_target,
                board.infections_missed_target,
            ), (name, moment)


def test_each_reach_has_its_own_screen(
    client: TestClient, login: Login, session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    """The screen's figures are made once per reach, never handed to another: a county's
    tracer asking right after the commander sees their county's, and the city's lab staff
    (who read no people) that no infection is theirs to brief — not the commander's figures
    made a moment before."""
    make_infection(session, tracer, person=make_person("甲"))
    make_infection(session, make_actor("tracer", "140802"), person=make_person("乙", "140802"))
    session.commit()
    city = client.get("/api/screen", headers=login("commander", None)).json()
    county = client.get("/api/screen", headers=login("tracer", "140802")).json()
    assert city["infections"]["confirmed"] == 2
    assert county["infections"]["confirmed"] == 1
    labs.save_labs(session, actor=make_actor("commander", None), labs=city_labs())
    lab_id = labs.list_labs(session)[0].id
    lab = client.get("/api/screen", headers=login("lab", None, lab_id=lab_id))
    assert lab.status_code == 422 and lab.json()["detail"][0]["loc"][-1] == "day"  # none read
    again = client.get("/api/screen", headers=login("commander", None)).json()
    assert again["infections"]["confirmed"] == 2
