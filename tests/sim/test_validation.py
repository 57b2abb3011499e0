"""The engine against theory: final size, early growth, determinism, independent streams."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fangkong.sim import kernels as engine
from fangkong.sim.run import RunResult, simulate
from fangkong.sim.scenario import check_scenario

R0 = 2.5


def homogeneous(people: int, days: int, seed: int = 7, **extra: object) -> RunResult:
    data = {
        "city": {"people": people},
        "days": days,
        "seed": seed,
        "interventions": False,
        "mixing": {"mode": "homogeneous"},
        "disease": {"r0": R0},
        "seeding": {"initial_infections": 20},
        **extra,
    }
    return simulate(check_scenario(data))


@pytest.fixture(scope="module")
def million() -> RunResult:
    return homogeneous(1_000_000, 160)


def test_final_size_matches_the_final_size_equation(million: RunResult) -> None:
    z = 0.5
    for _ in range(200):
        z = 1 - math.exp(-R0 * z)  # z = 1 - exp(-R0 z): 0.8926 for R0 2.5
    final = million.column("cum_infections")[-1] / 1_000_000
    assert abs(final - z) < 0.005  # the stated tolerance at 1,000,000 people


def generation_interval(draws: int = 200_000) -> np.ndarray:
    """The engine's own generation-interval distribution: a case infectious on days
    [latent, latent + infectious) infects at a constant rate, so g(t) is proportional to
    P(latent <= t < latent + infectious), with the engine's discretised gamma draws."""
    v = check_scenario({"city": {"people": 1_000}}).resolved_variant()
    rng = np.random.default_rng(1)
    u = rng.random((draws, 6))
    lat = np.array([engine._gamma_days(v.latent_days, v.latent_shape, *row[:3]) for row in u])
    dur = np.array(
        [engine._gamma_days(v.infectious_days, v.infectious_shape, *row[3:]) for row in u]
    )
    days = np.arange(0, 80)
    g = ((lat[:, None] <= days) & (days < (lat + dur)[:, None])).mean(axis=0)
    return np.asarray(g / g.sum(), dtype=float)


def test_early_growth_matches_r0_and_the_generation_interval(million: RunResult) -> None:
    g = generation_interval()
    days = np.arange(len(g))
    # Euler-Lotka: 1 = R0 * sum g(t) exp(-r t); solve for r by bisection.
    low, high = 0.0, 1.0
    for _ in range(60):
        r = (low + high) / 2
        low, high = (r, high) if R0 * (g * np.exp(-r * days)).sum() > 1 else (low, r)
    expected = (low + high) / 2
    cum = million.column("cum_infections")
    window = np.flatnonzero((cum >= 2_000) & (cum <= 50_000))
    slope = np.polyfit(window, np.log(cum[window]), 1)[0]
    assert slope == pytest.approx(expected, rel=0.08)


def test_the_same_seed_gives_the_same_run() -> None:
    a, b = homogeneous(100_000, 60, seed=11), homogeneous(100_000, 60, seed=11)
    c = homogeneous(100_000, 60, seed=12)
    assert np.array_equal(a.series, b.series)
    assert not np.array_equal(a.series, c.series)


def network(**response: object) -> RunResult:
    data = {
        "city": {"people": 200_000},
        "days": 45,
        "seed": 5,
        "disease": {"r0": 3.0},
        "seeding": {"initial_infections": 30},
        "response": {"screening_days": [], **response},
    }
    return simulate(check_scenario(data), keep_people=True)


def test_an_intervention_leaves_unrelated_draws_alone() -> None:
    """Streams are counter-based: a person's course is drawn from (seed, person) alone, so
    turning tracing on changes who gets infected, never how an infection runs, and nothing
    happens differently before the first detection."""
    free = simulate(
        check_scenario(
            {
                "city": {"people": 200_000},
                "days": 45,
                "seed": 5,
                "disease": {"r0": 3.0},
                "seeding": {"initial_infections": 30},
                "interventions": False,
            }
        ),
        keep_people=True,
    )
    traced = network()
    assert free.people is not None and traced.people is not None
    both = (free.people["t_inf"] >= 0) & (traced.people["t_inf"] >= 0)
    assert both.sum() > 100
    for key in ("lat", "dur"):
        assert np.array_equal(free.people[key][both], traced.people[key][both])
    course = engine.ASYM | engine.SEEKS | engine.SEVERE
    assert np.array_equal(
        free.people["flags"][both] & course, traced.people["flags"][both] & course
    )
    first = int(np.flatnonzero(traced.column("detected"))[0])
    assert np.array_equal(free.series[: first + 1, :7], traced.series[: first + 1, :7])
    assert traced.column("cum_infections")[-1] < free.column("cum_infections")[-1]
