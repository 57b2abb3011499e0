from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, Forbidden, InvalidInput
from fangkong.testing import coverage, labs, recalls, results, service, shipments
from fangkong.testing import plan as planning
from fangkong.testing.models import Recall, Sample, Shipment, Tube
from fangkong.testing.schemas import LabChange, ResultsRead, RoundCreate
from fangkong.testing.service import Registration
from fangkong.tracing.models import Infection
from fangkong.zones.models import ZoneRound
from fangkong.zones.schemas import ZoneCreate
from fangkong.zones.service import draw_zone
from tests.builders.moments import at
from tests.builders.testing import LINYI, RoundSetup
from tests.conftest import NOW, MakeActor


def scans(
    setup: RoundSetup,
    people: list[str],
    *,
    first: int = 0,
    site: int = 0,
    start: datetime | None = None,
) -> list[Registration]:
    """Scan people in order into tubes T{n}: ten to a tube, a minute apart."""
    start = start or at(9, 8)
    return [
        Registration(
            key,
            f"T{(first + i) // 10:05d}",
            setup.site_ids[site],
            start + timedelta(minutes=i),
            ("items", i),
        )
        for i, key in enumerate(people)
    ]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_pooled_tubes_close_at_their_size(session: Session, linyi_round: RoundSetup) -> None:
    setup = linyi_round
    result = service.register_samples(
        session,
        actor=setup.commander,
        round_id=setup.round.id,
        scans=scans(setup, setup.people[:25]),
        now=at(10, 12),
    )
    assert (result.added, result.tubes_opened, result.tubes_closed) == (25, 3, 2)
    tubes = session.scalars(select(Tube).order_by(Tube.barcode)).all()
    assert [(t.barcode, t.members, t.closed_at is not None) for t in tubes] == [
        ("T00000", 10, True),
        ("T00001", 10, True),
        ("T00002", 5, False),
    ]
    # The same scans again (a desk retrying after a dropped connection) change nothing.
    again = service.register_samples(
        session,
        actor=setup.commander,
        round_id=setup.round.id,
        scans=scans(setup, setup.people[:25]),
        now=at(10, 12),
    )
    assert (again.added, again.already) == (0, 25)
    assert count(session, Sample) == 25
    # The end of the session closes the half-full tube as it is.
    assert (
        service.close_tubes(session, actor=setup.commander, round_id=setup.round.id, now=at(9, 12))
        == 1
    )


def test_sealed_zone_and_quarantined_people_get_single_tubes(
    session: Session, linyi_round: RoundSetup, tracer: Actor
) -> None:
    setup = linyi_round
    draw_zone(
        session,
        actor=setup.commander,
        now=at(8, 23),
        data=ZoneCreate(
            name="东关村",
            kind="sealed",
            county_code=LINYI,
            unit="address",
            match="东关村",
            drawn_at=at(8, 23),
        ),
    )
    # People 0, 3, 6 … live in 东关村 (the first of the three communities).
    result = service.register_samples(
        session,
        actor=setup.commander,
        round_id=setup.round.id,
        scans=[Registration(setup.people[0], "S-0001", setup.site_ids[0], at(9, 8), ("items", 0))],
        now=at(10, 12),
    )
    assert result.tubes_closed == 1
    tube = session.scalars(select(Tube).where(Tube.barcode == "S-0001")).one()
    assert (tube.kind, tube.size, tube.closed_at) == ("single", 1, at(9, 8))
    # A sealed-zone resident put into a pooled tube with others is refused, by name.
    mixed = [
        Registration(setup.people[1], "P-0001", setup.site_ids[0], at(9, 8), ("items", 0)),
        Registration(setup.people[3], "P-0001", setup.site_ids[0], at(9, 8, 1), ("items", 1)),
    ]
    with pytest.raises(InvalidInput) as error:
        service.register_samples(
            session, actor=setup.commander, round_id=setup.round.id, scans=mixed, now=at(10, 12)
        )
    assert error.value.problems[0].loc == ("items", 1, "barcode")
    assert "needs a single tube" in error.value.problems[0].msg
    assert count(session, Sample) == 1  # nothing of the failed batch was written


def test_bad_scans_are_named_and_nothing_is_written(
    session: Session, linyi_round: RoundSetup, make_actor: MakeActor
) -> None:
    setup = linyi_round
    rid = setup.round.id
    service.register_samples(
        session,
        actor=setup.commander,
        round_id=rid,
        scans=scans(setup, setup.people[:10]),
        now=at(10, 12),
    )
    bad = [
        # a closed tube used again
        Registration(setup.people[10], "T00000", setup.site_ids[0], at(9, 9), ("items", 0)),
        # a person registered twice in the round
        Registration(setup.people[0], "T00009", setup.site_ids[0], at(9, 9), ("items", 1)),
        # nobody with this ID in the registry
        Registration("140821199001011234", "T00009", setup.site_ids[0], at(9, 9), ("items", 2)),
        # a time in the future
        Registration(setup.people[11], "T00009", setup.site_ids[0], at(11, 9), ("items", 3)),
        # the same tube at another site
        Registration(setup.people[12], "T00009", setup.site_ids[0], at(9, 9), ("items", 4)),
        Registration(setup.people[13], "T00009", setup.site_ids[1], at(9, 9), ("items", 5)),
    ]
    with pytest.raises(InvalidInput) as error:
        service.register_samples(
            session, actor=setup.commander, round_id=rid, scans=bad, now=at(10, 12)
        )
    found = {(p.loc, p.msg.split(" (")[0]) for p in error.value.problems}
    assert (("items", 0, "barcode"), "tube T00000 is closed") in found
    assert any(loc == ("items", 1, "person") and "already registered" in msg for loc, msg in found)
    assert any(loc == ("items", 2, "person") and "not in the registry" in msg for loc, msg in found)
    assert any(loc == ("items", 3, "sampled_at") and "future" in msg for loc, msg in found)
    assert any(loc == ("items", 5, "barcode") and "opened at site" in msg for loc, msg in found)
    assert count(session, Sample) == 10 and count(session, Tube) == 1
    # A barcode from another round is refused too.
    other = service.create_round(
        session,
        actor=setup.commander,
        now=at(9, 6),
        data=setup_round_copy(setup),
    )
    other_site = service.present_round(session, other).sites[0].id
    with pytest.raises(InvalidInput, match="used in round"):
        service.register_samples(
            session,
            actor=setup.commander,
            round_id=other.id,
            now=at(10, 12),
            scans=[Registration(setup.people[20], "T00000", other_site, at(9, 9), ("items", 0))],
        )
    with pytest.raises(Forbidden):
        service.register_samples(
            session, actor=make_actor("viewer", None), round_id=rid, scans=[], now=at(10, 12)
        )


def setup_round_copy(setup: RoundSetup) -> RoundCreate:
    from fangkong.testing.schemas import RoundCreate, SiteIn

    return RoundCreate(
        name="另一轮",
        area="county",
        county_code=LINYI,
        starts_at=at(9, 7),
        sites=[SiteIn(name="另一采样点", county_code=LINYI, per_hour=100, staff=2)],
    )


def register_all(session: Session, setup: RoundSetup) -> None:
    people = setup.people
    service.register_samples(
        session,
        actor=setup.commander,
        round_id=setup.round.id,
        scans=scans(setup, people[:40]),
        now=at(10, 12),
    )
    service.register_samples(
        session,
        actor=setup.commander,
        round_id=setup.round.id,
        now=at(10, 12),
        scans=scans(setup, people[40:55], first=40, site=1, start=at(9, 9)),
    )
    service.close_round(session, actor=setup.commander, round_id=setup.round.id, now=at(9, 11))


def test_plan_spreads_tubes_and_replans_when_a_lab_falls_behind(
    session: Session, linyi_round: RoundSetup
) -> None:
    setup = linyi_round
    register_all(session, setup)
    plan = planning.plan_round(
        session, actor=setup.commander, round_id=setup.round.id, now=at(9, 11)
    )
    assert plan.tubes == 6 and plan.replanned == 0
    assert sum(s.tubes for s in plan.shipments) == 6
    assert count(session, Tube) == 6
    assert (
        session.scalar(select(func.count()).select_from(Tube).where(Tube.shipment_id.is_(None)))
        == 0
    )
    county_lab = next(lab for lab in labs.list_labs(session) if lab.kind == "county")
    assert county_lab.in_hand > 0  # 15 minutes away: the county lab takes its share
    # The county lab's machine is down: ten hours behind. Nothing has left yet, so all goes
    # to the city's base.
    labs.change_lab(
        session,
        actor=setup.commander,
        lab_id=county_lab.id,
        data=LabChange(behind_min=600),
        now=at(9, 11, 5),
    )
    again = planning.plan_round(
        session, actor=setup.commander, round_id=setup.round.id, now=at(9, 11, 5)
    )
    assert again.replanned == 6
    assert {s.lab for s in again.shipments} == {"运城市中心医院基地"}
    # Shipments on the road stay where they are.
    for s in again.shipments:
        shipments.shipment_step(
            session,
            actor=setup.commander,
            shipment_id=s.id,
            step="departed",
            at=at(9, 11, 10),
            now=at(9, 12),
        )
    third = planning.plan_round(
        session, actor=setup.commander, round_id=setup.round.id, now=at(9, 12)
    )
    assert (third.tubes, third.replanned) == (0, 0)
    assert count(session, Shipment) == len(again.shipments)
    # By the next morning every tube is past its expected result: each lab shows how late.
    assert sum(lab.late for lab in labs.list_labs(session, now=at(9, 12))) == 0
    assert sum(lab.late for lab in labs.list_labs(session, now=at(12, 0))) == 6


def test_a_lab_over_capacity_is_refused(session: Session, linyi_round: RoundSetup) -> None:
    setup = linyi_round
    register_all(session, setup)
    for lab in labs.list_labs(session):
        labs.change_lab(
            session,
            actor=setup.commander,
            lab_id=lab.id,
            data=LabChange(tubes_per_day=2),
            now=at(9, 11),
        )
    with pytest.raises(Conflict, match="over capacity"):
        planning.plan_round(session, actor=setup.commander, round_id=setup.round.id, now=at(9, 11))
    assert count(session, Shipment) == 0


TESTED, REPORTED = at(9, 15), at(9, 16)


def results_csv(
    rows: list[tuple[str, str]], *, tested: datetime = TESTED, reported: datetime = REPORTED
) -> bytes:
    """A lab's filled-in worklist, in the layout labs upload."""
    return results.results_csv((b, r, tested, reported) for b, r in rows)


def deliver_all(session: Session, setup: RoundSetup) -> dict[str, int]:
    """Plan, send and deliver every tube; the lab of each barcode."""
    plan = planning.plan_round(
        session, actor=setup.commander, round_id=setup.round.id, now=at(9, 11)
    )
    shipments.receive_shipments(
        session,
        actor=setup.commander,
        shipment_ids=[s.id for s in plan.shipments],
        at=at(9, 12),
        now=at(9, 12),
    )
    rows = session.execute(
        select(Tube.barcode, Shipment.lab_id).join(Shipment, Shipment.id == Tube.shipment_id)
    )
    return {b: lab for b, lab in rows}


def upload(
    session: Session,
    setup: RoundSetup,
    lab_of: dict[str, int],
    rows: list[tuple[str, str]],
    now: datetime,
) -> list[ResultsRead]:
    out = []
    for lab in sorted({lab_of[b] for b, _ in rows}):
        mine = [(b, r) for b, r in rows if lab_of[b] == lab]
        parsed = results.parse_results("results.csv", results_csv(mine), now=now)
        out.append(
            results.record_results(session, actor=setup.commander, lab_id=lab, rows=parsed, now=now)
        )
    return out


def test_results_recall_a_positive_pool_and_a_positive_retest_opens_an_infection(
    session: Session, linyi_round: RoundSetup
) -> None:
    setup = linyi_round
    register_all(session, setup)
    lab_of = deliver_all(session, setup)
    rows = [(b, "阳性" if b == "T00001" else "阴性") for b in sorted(lab_of)]
    [*_] = upload(session, setup, lab_of, rows, at(9, 16))
    [recall] = recalls.list_recalls(session, actor=setup.commander, round_id=setup.round.id)
    assert recall.barcode == "T00001" and len(recall.members) == 10 and recall.done_at is None
    assert sorted(m.name for m in recall.members) == sorted(f"居民{i}" for i in range(10, 20))
    # The same file again changes nothing; a different result for a tube is refused.
    again = upload(session, setup, lab_of, rows, at(9, 16))
    assert sum(r.already for r in again) == 6 and sum(r.recorded for r in again) == 0
    with pytest.raises(InvalidInput, match="已有结果：阳性"):
        upload(session, setup, lab_of, [("T00001", "阴性")], at(9, 17))
    # Retests: single tubes, one positive.
    members = setup.people[10:20]
    retests = [
        Registration(key, f"R-{i:04d}", setup.site_ids[0], at(9, 17, i), ("items", i))
        for i, key in enumerate(members)
    ]
    service.register_samples(
        session,
        actor=setup.commander,
        round_id=setup.round.id,
        scans=retests,
        now=at(9, 18),
        purpose="retest",
    )
    assert session.scalar(select(func.count()).select_from(Tube).where(Tube.kind == "single")) == 10
    plan = planning.plan_round(
        session, actor=setup.commander, round_id=setup.round.id, now=at(9, 18)
    )
    assert plan.tubes == 10
    for s in plan.shipments:
        shipments.shipment_step(
            session,
            actor=setup.commander,
            shipment_id=s.id,
            step="delivered",
            at=at(9, 18, 30),
            now=at(9, 19),
        )
    lab_of = deliver_all(session, setup) | {
        b: lab
        for b, lab in session.execute(
            select(Tube.barcode, Shipment.lab_id).join(Shipment, Shipment.id == Tube.shipment_id)
        )
    }
    outcome = [(f"R-{i:04d}", "阳性" if i == 3 else "阴性") for i in range(10)]
    for lab in sorted({lab_of[b] for b, _ in outcome}):
        mine = [(b, r) for b, r in outcome if lab_of[b] == lab]
        parsed = results.parse_results(
            "r.csv",
            results_csv(mine, tested=at(9, 20), reported=at(9, 21)),
            now=at(9, 22),
        )
        results.record_results(
            session, actor=setup.commander, lab_id=lab, rows=parsed, now=at(9, 22)
        )
    [infection] = session.scalars(select(Infection)).all()
    assert infection.kind == "asymptomatic" and "R-0003" in infection.note
    done = session.scalars(select(Recall)).one()
    assert done.done_at == at(9, 22)
    # The round is complete: it counts as a whole-zone round for the county's zones … but only
    # zones drawn before its last result; none here.
    assert count(session, ZoneRound) == 0


def test_bad_results_are_named_and_nothing_is_recorded(
    session: Session, linyi_round: RoundSetup
) -> None:
    setup = linyi_round
    register_all(session, setup)
    lab_of = deliver_all(session, setup)
    lab = next(iter(lab_of.values()))
    mine = sorted(b for b, x in lab_of.items() if x == lab)
    content = results_csv([(mine[0], "阴性"), ("NOPE-1", "阴性")])
    parsed = results.parse_results("r.csv", content, now=at(9, 16))
    with pytest.raises(InvalidInput) as error:
        results.record_results(
            session, actor=setup.commander, lab_id=lab, rows=parsed, now=at(9, 16)
        )
    assert error.value.problems[0].loc == ("row 3", "barcode")
    assert "未登记试管 'NOPE-1'" in error.value.problems[0].msg
    assert (
        session.scalar(select(func.count()).select_from(Tube).where(Tube.result.is_not(None))) == 0
    )
    with pytest.raises(InvalidInput) as error:
        results.parse_results("r.csv", results_csv([(mine[0], "弱阳")]), now=at(9, 16))
    assert error.value.problems[0].loc == ("row 2", "结果")
    with pytest.raises(InvalidInput, match="晚于当前时间"):
        results.record_results(
            session,
            actor=setup.commander,
            lab_id=lab,
            now=at(9, 15),
            rows=results.parse_results("r.csv", results_csv([(mine[0], "阴性")]), now=at(9, 15)),
        )


def test_coverage_missing_list_and_turnaround(session: Session, linyi_round: RoundSetup) -> None:
    setup = linyi_round
    register_all(session, setup)  # 55 of 60 sampled: people 55-59 missed
    lab_of = deliver_all(session, setup)
    upload(session, setup, lab_of, [(b, "阴性") for b in lab_of], at(9, 16))
    cover = coverage.coverage(session, actor=setup.commander, round_id=setup.round.id)
    assert (cover.residents, cover.sampled, cover.missing) == (60, 55, 5)
    by_name = {c.community: c for c in cover.communities}
    assert by_name["临猗县猗氏镇东关村"].missing == 1  # person 57
    assert by_name["临猗县猗氏镇某小区"].missing == 2  # people 55 and 58
    assert sum(c.residents for c in cover.communities) == 60
    book = openpyxl.load_workbook(
        io.BytesIO(
            coverage.missing_xlsx(
                session, actor=setup.commander, round_id=setup.round.id, now=at(9, 17)
            )
        )
    )
    rows = list(book.active.values)
    assert rows[1] == ("社区/村", "姓名", "身份证号码", "联系电话", "住址")
    assert sorted(r[1] for r in rows[2:]) == sorted(f"居民{i}" for i in range(55, 60))
    times = {
        s.stage: s
        for s in coverage.turnaround(session, actor=setup.commander, round_id=setup.round.id).stages
    }
    assert times["report"].median_h == 1.0  # tested 15:00, reported 16:00
    assert times["deliver"].count == 6
    assert times["total"].max_h is not None and times["total"].max_h <= 8.0


def test_a_finished_round_counts_for_the_zones_it_covered(
    session: Session, linyi_round: RoundSetup
) -> None:
    setup = linyi_round
    zone = draw_zone(
        session,
        actor=setup.commander,
        now=at(8, 23),
        data=ZoneCreate(
            name="某小区",
            kind="controlled",
            county_code=LINYI,
            unit="address",
            match="某小区",
            drawn_at=at(8, 23),
        ),
    )
    register_all(session, setup)
    lab_of = deliver_all(session, setup)
    upload(session, setup, lab_of, [(b, "阴性") for b in lab_of], at(9, 16))
    [done] = session.scalars(select(ZoneRound)).all()
    assert (done.zone_id, done.positive, done.completed_at) == (zone.id, 0, at(9, 16))
    assert (
        done.tested == 18
    )  # residents 1, 4, … 52 of 某小区 sampled (55-59 missed: 55, 58 not here)


def test_county_staff_in_a_city_round_work_their_own_county(
    session: Session, make_actor: MakeActor
) -> None:
    from fangkong.testing.schemas import RoundCreate, SiteIn
    from tests.builders.testing import YANHU, residents

    commander = make_actor("commander", None)
    linyi_staff, yanhu_staff = make_actor("tracer", LINYI), make_actor("tracer", YANHU)
    people = residents(session, 20)
    city = service.create_round(
        session,
        actor=commander,
        now=at(9, 6),
        data=RoundCreate(
            name="全市全员核酸",
            area="city",
            starts_at=at(9, 7),
            sites=[
                SiteIn(name="临猗采样点", county_code=LINYI, per_hour=300, staff=6),
                SiteIn(name="盐湖采样点", county_code=YANHU, per_hour=300, staff=6),
            ],
        ),
    )
    linyi_site = service.present_round(session, city).sites[0].id
    assert [r.id for r in service.list_rounds(session, actor=yanhu_staff)] == [city.id]
    scan = Registration(people[0], "C0001", linyi_site, at(9, 8), ("items", 0))
    with pytest.raises(InvalidInput, match="outside your jurisdiction"):
        service.register_samples(
            session, actor=yanhu_staff, round_id=city.id, scans=[scan], now=NOW
        )
    service.register_samples(session, actor=linyi_staff, round_id=city.id, scans=[scan], now=NOW)
    # Yanhu's staff see their county's coverage only: none of these Linyi residents.
    assert coverage.coverage(session, actor=yanhu_staff, round_id=city.id).residents == 0
    assert coverage.coverage(session, actor=linyi_staff, round_id=city.id).residents == 20
