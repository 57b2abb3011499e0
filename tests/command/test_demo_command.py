"""The demo tells the command centre's story of 6–21 March: the groups staffed, the two late
train passengers' tasks raised on the evening of 7 March and closed by themselves when they
were placed, the nine places sampled, disinfected and closed that first night, the Yanhu team
given the carriage and the taxi, the rotas of the city and 临猗县, and, at the demo's clock,
the board showing what was open then."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.command import duty, places, supervision, tasks, teams
from fangkong.command.models import Task
from fangkong.demo.when import OPENS_AT, at
from fangkong.tracing.models import Contact
from fangkong.users.service import acting_as


def test_the_seven_groups_are_staffed(demo_session: Session) -> None:
    from fangkong.command.views import group_boards

    boards = group_boards(demo_session, actor=acting_as(demo_session, "commander"), as_of=OPENS_AT)
    assert [g.name for g in boards] == (
        "办公室 综合协调组 流调溯源组 转运隔离组 核酸检测组 医疗救治组 交通管控组".split()
    )
    assert all(g.head for g in boards)
    assert {"临猗县流调组", "盐湖区流调组"} <= set(boards[2].members)


def test_the_two_late_train_passengers_raise_tasks_that_close_when_they_are_placed(
    demo_session: Session,
) -> None:
    carriage = {
        c.id: c.under_control_at
        for c in demo_session.scalars(select(Contact).where(Contact.place == "D2535次 5车厢"))
    }
    raised = demo_session.scalars(
        select(Task).where(Task.kind == "contact_not_under_control", Task.object_id.in_(carriage))
    ).all()
    assert len(raised) == 2
    for task in raised:
        assert task.created_at == at(7, 20)  # the evening of 7 March: 24 h after the report
        placed = carriage[task.object_id or 0]
        assert placed is not None and task.closed_reason == "cleared"
        assert task.closed_at is not None and placed <= task.closed_at < placed + (
            at(7, 2) - at(7, 0)
        )
    commander = acting_as(demo_session, "commander")
    evening = {
        t.object_id for t in tasks.list_tasks(demo_session, actor=commander, as_of=at(7, 21))
    }
    assert {t.object_id for t in raised} <= evening
    detail = supervision.task_detail(
        demo_session, actor=commander, task_id=raised[0].id, as_of=at(21, 23)
    )
    assert [e.kind for e in detail.history][0] == "raised"
    assert detail.history[-1].kind == "cleared"


def test_the_nine_places_were_sampled_disinfected_and_closed_on_the_night_of_6_march(
    demo_session: Session,
) -> None:
    shown = places.list_places(
        demo_session, actor=acting_as(demo_session, "commander"), as_of=at(7, 8)
    )
    assert len(shown) == 9
    for place in shown:
        assert place.samples and all(at(6, 20) <= s.taken_at <= at(7, 2) for s in place.samples)
        assert all(s.result == "negative" for s in place.samples)
        assert place.disinfections and place.disinfections[0].done_at <= at(7, 2)
        assert place.closed_at is not None and place.state == "disinfected"
    assert sum(1 for p in shown if p.lon is not None) == 7  # Xi'an and the moving train aside


def test_the_yanhu_team_was_given_the_carriage_and_the_taxi(demo_session: Session) -> None:
    found = {
        t.name: t
        for t in teams.list_teams(
            demo_session, actor=acting_as(demo_session, "commander"), as_of=at(8, 20)
        )
    }
    yanhu = found["盐湖区流调专班"]
    titles = " ".join(w.title for w in yanhu.investigations)
    assert "D2535次 5车厢" in titles and "出租车" in titles
    assert all(w.kind == "assist" and w.from_county == "140821" for w in yanhu.investigations)


def test_the_rotas_of_the_city_and_linyi_answer_who_is_on_duty(demo_session: Session) -> None:
    commander = acting_as(demo_session, "commander")
    for moment in (at(6, 21), at(8, 20), at(15, 3), at(21, 23)):
        on = {d.scope: d for d in duty.duty_at(demo_session, actor=commander, at=moment)}
        assert set(on) == {"city", "140821"}
        assert all(d.on_duty is not None for d in on.values()), moment
    night = {d.scope: d for d in duty.duty_at(demo_session, actor=commander, at=OPENS_AT)}
    assert night["city"].on_duty and night["city"].on_duty.officer == "市指挥部值班长乙"
    assert night["city"].next and night["city"].next.officer == "市指挥部值班长甲"


def test_the_board_at_the_demos_clock_shows_what_was_open_then(demo_session: Session) -> None:
    commander = acting_as(demo_session, "commander")
    open_then = tasks.list_tasks(demo_session, actor=commander, as_of=OPENS_AT)
    assert all(t.created_at <= OPENS_AT for t in open_then)
    assert all(t.status in ("open", "in_progress") for t in open_then)
    everything = tasks.list_tasks(demo_session, actor=commander, as_of=at(21, 23), status="all")
    assert len(everything) > len(open_then) > 0
    # The morning meeting's tasks: the round in progress, the fever-clinic sweep past its
    # 18:00 deadline and escalated to the head of tracing.
    by_title = {t.title: t for t in open_then}
    assert by_title["组织临猗县第二轮全员核酸检测，3月9日20:00前完成采样"].status == "in_progress"
    sweep = by_title["排查临猗县人民医院发热门诊3月6日就诊人员"]
    assert sweep.overdue and sweep.escalated_to == "市疾控流调组长"
