from __future__ import annotations

import pytest

from fangkong.testing.labs import Batch, Lab, PlanError, plan_labs

CENTRAL = Lab("中心医院", tubes_per_hour=600, capacity=20_000)
LINYI = Lab("临猗县实验室", tubes_per_hour=200, capacity=5_000)
ROUTES = {
    ("猗氏镇", "中心医院"): 60,
    ("猗氏镇", "临猗县实验室"): 10,
    ("临晋镇", "中心医院"): 70,
    ("临晋镇", "临猗县实验室"): 30,
}


def test_batches_spread_to_finish_earliest() -> None:
    batches = [Batch(f"b{i}", "猗氏镇" if i % 2 else "临晋镇", 400, 30 * i) for i in range(8)]
    plan = plan_labs(batches, [CENTRAL, LINYI], ROUTES)
    assert set(plan.assignment.values()) == {"中心医院", "临猗县实验室"}  # both labs used
    only_central = plan_labs(batches, [CENTRAL], ROUTES)
    assert plan.makespan_min < only_central.makespan_min
    assert plan.makespan_min == pytest.approx(max(plan.finish_min.values()))


def test_replanning_when_a_lab_falls_behind() -> None:
    batches = [Batch(f"b{i}", "猗氏镇", 300, 0) for i in range(4)]
    normal = plan_labs(batches, [CENTRAL, LINYI], ROUTES)
    behind = plan_labs(batches, [CENTRAL, Lab("临猗县实验室", 200, 5_000, backlog_min=600)], ROUTES)
    assert "临猗县实验室" in normal.assignment.values()  # the near lab takes a share
    assert set(behind.assignment.values()) == {"中心医院"}  # ten hours behind: it takes none
    assert behind.makespan_min == pytest.approx(120.0)


def test_capacity_and_routes_are_respected() -> None:
    small = Lab("小实验室", tubes_per_hour=1000, capacity=500)
    batches = [Batch("a", "猗氏镇", 400, 0), Batch("b", "猗氏镇", 400, 0)]
    plan = plan_labs(batches, [small, LINYI], {**ROUTES, ("猗氏镇", "小实验室"): 5})
    assert sorted(plan.assignment.values()).count("小实验室") <= 1
    with pytest.raises(PlanError, match="over capacity"):
        plan_labs([Batch("c", "猗氏镇", 6_000, 0)], [LINYI], ROUTES)
    no_route = plan_labs([Batch("d", "猗氏镇", 100, 0)], [CENTRAL, Lab("远方", 100, 100)], ROUTES)
    assert no_route.assignment == {"d": "中心医院"}
