"""Ensembles on a real Dask LocalCluster, and the founding replay."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from typer.testing import CliRunner

from fangkong.cli import app
from fangkong.sim.ensemble import parse_settings, run_ensemble
from fangkong.sim.scenario import check_scenario, load_scenario

REPLAY = Path(__file__).resolve().parents[2] / "fangkong/sim/scenarios/linyi-2022.toml"


def test_settings_expand_to_every_combination() -> None:
    assert parse_settings(["response.rooms=10,20", "disease.r0=2.5"]) == [
        {"response.rooms": 10, "disease.r0": 2.5},
        {"response.rooms": 20, "disease.r0": 2.5},
    ]


def test_an_ensemble_on_a_local_cluster_matches_the_runs_one_by_one() -> None:
    from fangkong.sim.run import simulate

    base = check_scenario(
        {"city": {"people": 20_000}, "days": 20, "seed": 4, "disease": {"r0": 3.0},
         "seeding": {"initial_infections": 10}}
    )  # fmt: skip
    settings = parse_settings(["response.tracing=true,false"])
    ensemble = run_ensemble(base, seeds=3, settings=settings, workers=2)
    assert ensemble.runs.shape[:3] == (2, 3, 20)
    alone = simulate(base.model_copy(update={"seed": 5}))  # the second seed, traced
    assert np.array_equal(ensemble.runs[0, 1], alone.series)
    low, mid, high = ensemble.band(0, "cum_infections")
    assert (low <= mid).all() and (mid <= high).all()


def test_an_ensemble_on_a_cluster_by_its_scheduler_address() -> None:
    from dask.distributed import LocalCluster

    base = check_scenario({"city": {"people": 10_000}, "days": 10, "seed": 2})
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        ensemble = run_ensemble(base, seeds=2, settings=[{}], scheduler=cluster.scheduler_address)
    assert ensemble.runs.shape[:3] == (1, 2, 10)


def test_the_sweep_command_writes_runs_bands_and_a_chart(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text("days = 15\n[city]\npeople = 10000\n[disease]\nr0 = 3.0\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["sim", "sweep", "--scenario", str(scenario), "--out", str(out), "--seeds", "2",
         "--set", "response.rooms=10,1000", "--workers", "2"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    runs = pq.read_table(out / "runs.parquet")
    assert runs.num_rows == 2 * 2 * 15 and "cum_infections" in runs.column_names
    assert "median" in (out / "summary.csv").read_text().splitlines()[0]
    assert "echarts" in (out / "chart.html").read_text()[:2_000_000]
    bad = CliRunner().invoke(
        app, ["sim", "sweep", "--scenario", str(scenario), "--out", str(out), "--set", "rooms"]
    )
    assert bad.exit_code == 1 and "key=value" in bad.output


def test_the_linyi_replay_is_a_household_cluster_contained_in_two_weeks() -> None:
    base = load_scenario(REPLAY)
    slower = {"response.trace_delay_days": 3, "response.tracing_per_day": 20}
    ensemble = run_ensemble(base, seeds=20, settings=[{}, slower], workers=2)
    cum = ensemble.runs[:, :, :, 5]  # cum_infections
    assert np.median(cum[0, :, -1]) <= 10  # a household cluster, as in March 2022 (six)
    assert np.median(cum[0, :, -1] - cum[0, :, 14]) == 0  # contained within about two weeks
    assert cum[1, :, -1].mean() > cum[0, :, -1].mean()  # what a slower trace costs
