from __future__ import annotations

import pytest

from fangkong.testing.planner import Batch, LabCapacity, LabPlan, PlanError, plan_labs

CENTRAL = LabCapacity("中心医院", tubes_per_hour=600, capacity=20_000)
LINYI = LabCapacity("临猗县实验室", tubes_per_hour=200, capacity=5_000)
ROUTES = {
    ("猗氏镇", "中心医院"): 60,
    ("猗氏镇", "临猗县实验室"): 10,
    ("临晋镇", "中心医院"): 70,
    ("临晋镇", "临猗县实验室"): 30,
}


def used_labs(plan: LabPlan) -> set[str]:
    return {lab for (_, lab) in plan.flows}


def test_tubes_spread_to_finish_earliest() -> None:
    batches = [Batch(f"b{i}", "猗氏镇" if i % 2 else "临晋镇", 400, 30 * i) for i in range(8)]
    plan = plan_labs(batches, [CENTRAL, LINYI], ROUTES)
    assert used_labs(plan) == {"中心医院", "临猗县实验室"}
    assert sum(plan.flows.values()) == 3_200  # every tube, whole
    for b in batches:
        assert sum(plan.labs_of(b.id).values()) == b.tubes
    only_central = plan_labs(batches, [CENTRAL], ROUTES)
    assert plan.makespan_min < only_central.makespan_min
    assert plan.makespan_min == pytest.approx(max(plan.finish_min.values()))


def test_the_optimum_of_a_case_worked_by_hand() -> None:
    # 1,200 tubes ready now at 猗氏镇. Central: 60 min away, 10 tubes/min. County lab: 10 min
    # away, 200/h. Both finish together at T: central takes 10(T-60), county (T-10)*200/60.
    # 10T - 600 + (10T - 100)/3 = 1200  ->  40T = 5500  ->  T = 137.5 min.
    plan = plan_labs([Batch("a", "猗氏镇", 1_200, 0)], [CENTRAL, LINYI], ROUTES)
    assert plan.makespan_min == pytest.approx(137.5, abs=1.5)


def test_replanning_when_a_lab_falls_behind() -> None:
    batches = [Batch(f"b{i}", "猗氏镇", 300, 0) for i in range(4)]
    normal = plan_labs(batches, [CENTRAL, LINYI], ROUTES)
    behind = plan_labs(
        batches, [CENTRAL, LabCapacity("临猗县实验室", 200, 5_000, backlog_min=600)], ROUTES
    )
    assert "临猗县实验室" in used_labs(normal)  # the near lab takes a share
    assert used_labs(behind) == {"中心医院"}  # ten hours behind: it takes none
    assert behind.makespan_min == pytest.approx(180.0)  # 60 min away + 1,200 tubes at 10/min


def test_capacity_and_routes_are_respected() -> None:
    small = LabCapacity("小实验室", tubes_per_hour=6_000, capacity=500)
    batches = [Batch("a", "猗氏镇", 400, 0), Batch("b", "猗氏镇", 400, 0)]
    plan = plan_labs(batches, [small, LINYI], {**ROUTES, ("猗氏镇", "小实验室"): 5})
    assert sum(n for (_, lab), n in plan.flows.items() if lab == "小实验室") == 500
    with pytest.raises(PlanError, match="over capacity"):
        plan_labs([Batch("c", "猗氏镇", 6_000, 0)], [LINYI], ROUTES)
    no_route = plan_labs(
        [Batch("d", "猗氏镇", 100, 0)], [CENTRAL, LabCapacity("远方", 100, 100)], ROUTES
    )
    assert no_route.flows == {("d", "中心医院"): 100}
    with pytest.raises(PlanError, match="no route"):
        plan_labs([Batch("e", "远郊", 10, 0)], [CENTRAL], ROUTES)
