"""Backtests: is the forecast's band as wide as it should be? Outbreaks are simulated with the
engine under varied transmission, detection and response (some contained, some not); each
is observed as the platform would have seen it — every detection sampled that day, reported
after the platform's own reporting delays, found in quarantine, as a named contact or in the
community, traced to its infector if that one was found — up to a cut; the forecast is
estimated from what was observed and scored against what the simulation then did. A simple
baseline is scored the same way: a branching process from the recent reproduction number
(Cori et al. 2013 on the daily detections), with rooms in proportion to detections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import numpy as np

from fangkong.core.timeutil import start_of_local_day
from fangkong.forecast import service
from fangkong.forecast.estimate import Estimate, estimate
from fangkong.forecast.service import QUANTILES, ROOMS, simulated_runs
from fangkong.sim.city import City
from fangkong.sim.kernels import QUEUED
from fangkong.sim.run import RunResult, simulate
from fangkong.sim.scenario import Scenario, check_scenario
from fangkong.tracing.figures import Detection

HORIZON = 14
WAITING_DAYS = 7  # cn-9's central quarantine of a close contact
MEASURES = service.MEASURES[: ROOMS + 1]  # all the forecast's but tests
METHODS = ("forecast", "baseline")
ROUTES = ("community", "contact", "quarantine")  # the engine's found_as codes, in order
FIRST_DAY = date(2022, 1, 1)  # the simulated outbreaks' day 0
# The serial interval the baseline's renewal uses: BA.2, mean 2.8 d [L4 in variants.toml],
# sd 1.5 d ⚠ (our choice).
SERIAL_MEAN, SERIAL_SD = 2.8, 1.5
Progress = Callable[[int, int], None]


class Outbreak(NamedTuple):
    """One simulated outbreak's hidden truth: what the forecaster does not know."""

    seed: int
    r0: float
    found_fraction: float
    trace_delay_days: int
    seeds: int
    rooms: int
    tracing_per_day: int
    zones: bool  # cells sealed around cases
    cut_after: int  # days after the first detection the forecast is made


class Scored(NamedTuple):
    """One method on one measure over every outbreak and day."""

    method: str
    measure: str
    points: int
    covered50: float
    covered90: float
    wis: float


@dataclass
class Backtest:
    outbreaks: int  # scored (a run with no detection before the cut is not)
    contained: int  # of which ended with fewer than 5 infections a day at the horizon
    runs: int
    people: int
    scores: list[Scored]

    def score(self, method: str, measure: str) -> Scored:
        return next(s for s in self.scores if (s.method, s.measure) == (method, measure))


def draw_outbreaks(n: int, rng: np.random.Generator) -> list[Outbreak]:
    """Transmission from well below to well above the threshold, tracing from poor to good,
    one to five first infections, rooms from scarce to plenty, cuts from early to late."""
    return [
        Outbreak(
            seed=int(rng.integers(1, 2**31)),
            r0=float(rng.uniform(1.0, 8.0)),
            found_fraction=float(rng.uniform(0.3, 0.95)),
            trace_delay_days=int(rng.integers(0, 3)),
            seeds=int(rng.integers(1, 6)),
            rooms=int(rng.choice([200, 1_000, 5_000])),
            tracing_per_day=int(rng.choice([100, 1_000, 5_000])),
            zones=bool(rng.random() < 0.5),
            cut_after=int(rng.integers(2, 11)),
        )
        for _ in range(n)
    ]


def truth_scenario(outbreak: Outbreak, people: int, days: int) -> Scenario:
    return check_scenario(
        {
            "name": "backtest",
            "protocol": "cn-9",
            "variant": "omicron_ba2",
            "seed": outbreak.seed,
            "days": days,
            "city": {"people": people},
            "disease": {"r0": outbreak.r0},
            "seeding": {"initial_infections": outbreak.seeds},
            "response": {
                "found_fraction": outbreak.found_fraction,
                "trace_delay_days": outbreak.trace_delay_days,
                "rooms": outbreak.rooms,
                "tracing_per_day": outbreak.tracing_per_day,
                "zones": outbreak.zones,
            },
        },
        source="backtest",
    )


def observe(result: RunResult, delays: np.ndarray, rng: np.random.Generator
            ) -> list[Detection]:  # fmt: skip
    """Every detection as the platform would hold it: sampled during its day, reported after a
    delay drawn from `delays` (hours), traced to its infector if that one was found; in report
    order."""
    assert result.people is not None
    found_day, found_as, source = (result.people[k] for k in ("found_day", "found_as", "source"))
    who = np.flatnonzero(found_day >= 0)
    sampled = [start_of_local_day(FIRST_DAY + timedelta(days=int(found_day[j])))
               + timedelta(hours=float(rng.uniform(8, 18))) for j in who]  # fmt: skip
    reported = [s + timedelta(hours=float(rng.choice(delays))) for s in sampled]
    detected = set(who.tolist())
    rows = [
        Detection(int(j), int(source[j]) if int(source[j]) in detected else None, s, r,
                  ROUTES[int(found_as[j])])
        for j, s, r in zip(who, sampled, reported, strict=True)
    ]  # fmt: skip
    return sorted(rows, key=lambda d: d.reported_at)


def committed_rooms(result: RunResult, cut_day: int) -> np.ndarray:
    """Rooms (and home quarantine places) on each forecast day for the people placed before
    the cut, to their planned end, and the contacts named but not yet placed, for a close
    contact's quarantine from the next day — as the platform's outlook counts stays and
    contacts waiting."""
    assert result.people is not None
    iso, until, flags = (result.people[k] for k in ("iso", "iso_until", "flags"))
    held = until[(iso == 1) | (iso == 2)]  # home or central quarantine at the cut
    waiting = int(((flags & QUEUED) > 0).sum())
    days = np.arange(HORIZON)
    placed = np.array([(held > cut_day + d).sum() for d in days], dtype=float)
    return np.asarray(placed + waiting * ((days >= 1) & (days <= WAITING_DAYS)))


def truth_series(result: RunResult, detections: list[Detection], cut_day: int) -> np.ndarray:
    """(HORIZON, MEASURES) what then happened: infections reported each day and by its end
    (as the platform records them), rooms held."""
    reported = np.array([(d.reported_at.date() - FIRST_DAY).days for d in detections])
    days = np.arange(cut_day, cut_day + HORIZON)
    new = np.array([(reported == day).sum() for day in days], dtype=float)
    total = np.array([(reported <= day).sum() for day in days], dtype=float)
    rooms = result.column("rooms_used") + result.column("in_home_quarantine")
    return np.stack([new, total, rooms[cut_day : cut_day + HORIZON]], axis=1).astype(float)


def forecast_runs(found: Estimate, city: City, committed: np.ndarray, runs: int,
                  rng: np.random.Generator, response: dict[str, Any]) -> np.ndarray:  # fmt: skip
    """(runs, HORIZON, MEASURES) as `fangkong sim forecast` makes them, with the response the
    platform knows it has (rooms free, tracers, zones)."""
    base = check_scenario({"name": "forecast", "protocol": "cn-9", "variant": "omicron_ba2",
                           "days": HORIZON, "city": {"people": city.people},
                           "response": response}, source="backtest")  # fmt: skip
    simulated, _ = simulated_runs(found, base, rng, runs, city=city)
    simulated[:, :, ROOMS] += committed
    return simulated[:, :, : len(MEASURES)]  # the backtest scores all but tests


def baseline_runs(found: list[Detection], cut: datetime, committed: np.ndarray, runs: int,
                  rng: np.random.Generator) -> np.ndarray:  # fmt: skip
    """(runs, HORIZON, MEASURES): daily detections from a renewal process with R drawn from
    its Cori posterior over the last 7 days; rooms: each new detection adds the rooms a
    detection has needed so far, for 14 days."""
    cut_day = (cut.date() - FIRST_DAY).days
    daily = np.zeros(cut_day + 1)
    for d in found:
        daily[(d.sampled_at.date() - FIRST_DAY).days] += 1
    weights = _serial_weights(30)
    load = np.array([sum(daily[t - s] * weights[s] for s in range(1, min(t, 29) + 1))
                     for t in range(len(daily))])  # fmt: skip
    window = slice(max(0, cut_day - 6), cut_day + 1)
    shape, scale = 1.0 + daily[window].sum(), 1 / (1 / 5.0 + load[window].sum())
    out = np.zeros((runs, HORIZON, 3))
    per_case = committed[0] / max(len(found), 1)
    for k in range(runs):
        r = rng.gamma(shape, scale)
        series: list[float] = daily.tolist()
        for _ in range(HORIZON):
            t = len(series)
            pressure = sum(series[t - s] * weights[s] for s in range(1, min(t, 29) + 1))
            series.append(float(rng.poisson(r * pressure)))
        new = np.array(series[cut_day + 1 :])
        out[k, :, 0] = new
        out[k, :, 1] = len(found) + np.cumsum(new)
        out[k, :, 2] = committed + per_case * np.cumsum(new)
    return out


def _serial_weights(n: int) -> np.ndarray:
    from scipy.stats import gamma

    shape = (SERIAL_MEAN / SERIAL_SD) ** 2
    cdf = gamma.cdf(np.arange(n + 1), shape, scale=SERIAL_MEAN / shape)
    weights = np.diff(cdf)
    weights[0] = 0.0
    return np.asarray(weights / weights.sum())


def interval_scores(runs: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per point: in the 50 % band, in the 90 % band, and the weighted interval score
    (Bracher et al. 2021) over the median and the 50 % and 90 % intervals."""
    q = np.percentile(runs, QUANTILES, axis=0)  # (5, HORIZON, MEASURES)
    in50 = (q[1] <= truth) & (truth <= q[3])
    in90 = (q[0] <= truth) & (truth <= q[4])
    total = 0.5 * np.abs(truth - q[2])
    for alpha, low, high in ((0.1, q[0], q[4]), (0.5, q[1], q[3])):
        score = (high - low) + 2 / alpha * (
            np.maximum(low - truth, 0) + np.maximum(truth - high, 0)
        )
        total = total + alpha / 2 * score
    return in50, in90, total / 2.5


def backtest(
    outbreaks: int, *, runs: int, people: int, seed: int, delays: np.ndarray,
    progress: Progress | None = None,
) -> Backtest:  # fmt: skip
    """`outbreaks` outbreaks on one city of `people`, each forecast with `runs` runs."""
    from fangkong.sim.city import build_city

    rng = np.random.default_rng(seed)
    city = build_city(people, seed=seed)
    points: dict[tuple[str, str], list[tuple[np.ndarray, ...]]] = {}
    scored = contained = 0
    drawn = draw_outbreaks(outbreaks, rng)
    for i, outbreak in enumerate(drawn):
        result = _one_outbreak(outbreak, city, runs, delays, rng)
        if result is not None:
            scored += 1
            contained += result.contained
            for method, runs_of in (("forecast", result.forecast), ("baseline", result.baseline)):
                marks = interval_scores(runs_of, result.truth)
                for m, measure in enumerate(MEASURES):
                    points.setdefault((method, measure), []).append(
                        tuple(mark[:, m] for mark in marks)
                    )
        if progress is not None:
            progress(i + 1, len(drawn))
    return Backtest(scored, contained, runs, people, _summaries(points))


def _summaries(points: dict[tuple[str, str], list[tuple[np.ndarray, ...]]]) -> list[Scored]:
    scores = []
    for (method, measure), rows in points.items():
        in50, in90, wis = (np.concatenate([row[k] for row in rows]) for k in range(3))
        scores.append(Scored(method, measure, len(wis), float(in50.mean()), float(in90.mean()),
                             float(wis.mean())))  # fmt: skip
    return scores


class _Outcome(NamedTuple):
    truth: np.ndarray
    forecast: np.ndarray
    baseline: np.ndarray
    contained: bool


def _one_outbreak(
    outbreak: Outbreak, city: City, runs: int, delays: np.ndarray, rng: np.random.Generator
) -> _Outcome | None:
    """None when nothing was found in time to forecast (no detection before the cut)."""
    days = 45
    full = simulate(truth_scenario(outbreak, city.people, days), city=city, keep_people=True)
    assert full.people is not None
    found = full.people["found_day"]
    if not (found >= 0).any():
        return None
    cut_day = int(found[found >= 0].min()) + outbreak.cut_after
    if cut_day + HORIZON > days:
        return None
    cut = start_of_local_day(FIRST_DAY + timedelta(days=cut_day)) + timedelta(hours=12)
    detections = observe(full, delays, rng)
    observed = [d for d in detections if d.reported_at <= cut]
    if not observed:
        return None
    # The state at the cut: the same run stopped there (a seed's run is the same up to it).
    at_cut = simulate(truth_scenario(outbreak, city.people, cut_day + 1), city=city,
                      keep_people=True)  # fmt: skip
    committed = committed_rooms(at_cut, cut_day)
    known = {"rooms": max(outbreak.rooms - int(at_cut.column("rooms_used")[-1]), 0),
             "tracing_per_day": outbreak.tracing_per_day, "zones": outbreak.zones}  # fmt: skip
    found_by_cut = estimate(observed, now=cut)
    return _Outcome(
        truth=truth_series(full, detections, cut_day),
        forecast=forecast_runs(found_by_cut, city, committed, runs, rng, known),
        baseline=baseline_runs(observed, cut, committed, runs, rng),
        contained=bool(full.column("new_infections")[cut_day + HORIZON - 1] < 5),
    )
