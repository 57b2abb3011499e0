"""Backtests: the engine's record of who infected whom and how each was found, the platform's
view of a simulated outbreak, the scores, and the command."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from fangkong.cli import app
from fangkong.forecast import backtest as bt
from fangkong.sim.city import build_city
from fangkong.sim.kernels import FOUND_IN_QUARANTINE
from fangkong.sim.run import RunResult, simulate


@pytest.fixture(scope="module")
def outbreak() -> tuple[bt.Outbreak, RunResult]:
    chosen = bt.Outbreak(seed=11, r0=4.0, found_fraction=0.8, trace_delay_days=1, seeds=3,
                         rooms=1_000, tracing_per_day=1_000, zones=True, cut_after=4)  # fmt: skip
    city = build_city(50_000, seed=1)
    return chosen, simulate(bt.truth_scenario(chosen, city.people, 40), city=city,
                            keep_people=True)  # fmt: skip


def test_a_kept_run_records_who_infected_whom_and_how_each_was_found(
    outbreak: tuple[bt.Outbreak, RunResult],
) -> None:
    _, result = outbreak
    assert result.people is not None
    t_inf, source = result.people["t_inf"], result.people["source"]
    found_day, found_as = result.people["found_day"], result.people["found_as"]
    infected = np.flatnonzero(t_inf >= 0)
    traced = infected[source[infected] >= 0]
    assert len(infected) - len(traced) == 3  # the first three came from outside
    # Every infector was infected, and before whom they infected.
    assert (t_inf[source[traced]] >= 0).all() and (t_inf[source[traced]] < t_inf[traced]).all()
    found = np.flatnonzero(found_day >= 0)
    assert len(found) == result.column("cum_detected")[-1]
    assert (found_day[found] >= t_inf[found]).all()
    assert (found_as[found] == FOUND_IN_QUARANTINE).any()  # tracing put some in before
    assert len(set(found_as[found].tolist())) >= 2


def test_a_run_that_keeps_nothing_pays_nothing() -> None:
    chosen = bt.Outbreak(11, 4.0, 0.8, 1, 3, 1_000, 1_000, True, 4)
    lean = simulate(bt.truth_scenario(chosen, 20_000, 10))
    kept = simulate(bt.truth_scenario(chosen, 20_000, 10), keep_people=True)
    assert lean.people is None and np.array_equal(lean.series, kept.series)


def test_the_platform_sees_reports_after_their_delay(
    outbreak: tuple[bt.Outbreak, RunResult],
) -> None:
    _, result = outbreak
    detections = bt.observe(result, np.array([6.0, 30.0]), np.random.default_rng(1))
    assert len(detections) == result.column("cum_detected")[-1]
    assert all(d.reported_at > d.sampled_at for d in detections)
    delays = {round((d.reported_at - d.sampled_at).total_seconds() / 3600) for d in detections}
    assert delays == {6, 30}
    assert [d.reported_at for d in detections] == sorted(d.reported_at for d in detections)
    ids = {d.infection_id for d in detections}
    assert all(d.source_id is None or d.source_id in ids for d in detections)
    assert {d.found for d in detections} <= {"community", "contact", "quarantine"}


def test_interval_scores_by_hand() -> None:
    runs = np.arange(101, dtype=float)[:, None, None] * np.ones((1, 2, 1))  # 0…100 each day
    truth = np.array([[50.0], [120.0]])
    in50, in90, wis = bt.interval_scores(runs, truth)
    assert in50[:, 0].tolist() == [True, False] and in90[:, 0].tolist() == [True, False]
    # Day 1: half the widths (90 and 50) weighted by α/2: (0.05·90 + 0.25·50) / 2.5.
    assert wis[0, 0] == pytest.approx((0.05 * 90 + 0.25 * 50) / 2.5)
    # Day 2, 120: |120 − 50|/2, plus each interval's width and 2/α times the miss.
    day2 = 0.5 * 70 + 0.05 * (90 + 20 * 25) + 0.25 * (50 + 4 * 45)
    assert wis[1, 0] == pytest.approx(day2 / 2.5)


def test_a_small_backtest_scores_both_methods() -> None:
    found = bt.backtest(6, runs=20, people=30_000, seed=5, delays=np.array([8.0]))
    assert 0 < found.outbreaks <= 6 and found.people == 30_000
    for method in bt.METHODS:
        for measure in bt.MEASURES:
            score = found.score(method, measure)
            assert score.points == found.outbreaks * bt.HORIZON
            assert 0 <= score.covered50 <= score.covered90 <= 1 and score.wis >= 0


def test_the_backtest_command(demo_cli: CliRunner) -> None:
    """On the demo: its reporting delays are the ones the outbreaks are observed through."""
    answer = demo_cli.invoke(
        app, ["sim", "backtest", "--outbreaks", "3", "--runs", "10", "--people", "20000"]
    )
    assert answer.exit_code == 0, answer.output
    assert "5 条记录" in answer.output or "5 delays" in answer.output
    assert "forecast" in answer.output and "baseline" in answer.output
