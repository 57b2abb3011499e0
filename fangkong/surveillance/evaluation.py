"""How well each method finds outbreaks, measured as Noufaily et al. (2019, "Comparison of
statistical algorithms for daily syndromic surveillance aberration detection") measure it:
simulated daily baselines with trend, seasons and the week's rhythm, negative binomial noise;
outbreaks injected in the last year; for each method the probability of detecting an outbreak
(an alarm on one of its days), false alarms a year (on the same series without outbreaks) and
days from an outbreak's start to its first alarm.

A series: mu(t) = exp(theta + beta t + gamma1 cos(2 pi t / 365) + gamma2 sin(2 pi t / 365)
+ the day of the week's effect), counts negative binomial with variance phi mu; five years of
days, the last 364 judged (52 whole weeks, so the weekly methods judge the same days).
Outbreaks: `OUTBREAKS` a year, each starting on a random day of the last year, its size
Poisson(k x the baseline's sd around its start) and its cases spread over the days after the
start by a lognormal (log-mean 0, log-sd 0.5, in weeks), as Noufaily et al. spread them.
Farrington-flexible judges the weeks (Monday to Sunday); a week's alarm counts on its
Sunday, the day its count is complete."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np

from fangkong.surveillance.ears import SeriesTooShort
from fangkong.surveillance.farrington import Settings, judge_week
from fangkong.surveillance.methods import DAILY, judgements

START = date(2017, 1, 2)  # a Monday
DAYS = 5 * 364 + 7  # five years of whole weeks, and a week more
JUDGED = 364  # the last year's days
HISTORY = 40  # days before them the daily methods are given (ESSENCE needs 30)
OUTBREAKS = 4
PHI = 1.5
METHODS = (*DAILY, "farrington-flexible")


class Scenario(NamedTuple):
    name: str
    theta: float
    beta: float  # trend a day
    gamma1: float
    gamma2: float
    weekly: bool  # a weekday/weekend rhythm


SCENARIOS = (
    Scenario("rare", 0.5, 0.0, 0.0, 0.0, False),
    Scenario("seasonal", 2.5, 0.0, 0.6, 0.3, True),
    Scenario("trend", 4.0, 0.0003, 0.4, 0.2, True),
)
WEEKDAY = np.array([0.15, 0.05, 0.0, 0.0, 0.0, -0.3, -0.4])  # Monday busiest


class Series(NamedTuple):
    counts: np.ndarray  # with the outbreaks
    baseline: np.ndarray  # the same days without them
    starts: list[int]  # each outbreak's first day
    ends: list[int]  # each outbreak's last day with a case


def means(s: Scenario) -> np.ndarray:
    t = np.arange(DAYS)
    log_mu = s.theta + s.beta * t + s.gamma1 * np.cos(2 * np.pi * t / 365)
    log_mu += s.gamma2 * np.sin(2 * np.pi * t / 365)
    if s.weekly:
        log_mu += WEEKDAY[t % 7]
    return np.exp(log_mu)


def _negative_binomial(rng: np.random.Generator, mu: np.ndarray) -> np.ndarray:
    size = mu / (PHI - 1)
    return rng.negative_binomial(size, size / (size + mu))


def simulate(s: Scenario, k: float, rng: np.random.Generator) -> Series:
    mu = means(s)
    baseline = _negative_binomial(rng, mu)
    counts = baseline.copy()
    first = DAYS - JUDGED
    starts = sorted(
        int(d) for d in rng.choice(np.arange(first, DAYS - 14), OUTBREAKS, replace=False)
    )
    ends = []
    for start in starts:
        sd = float(np.sqrt(PHI * mu[start - 28 : start].mean()))
        size = int(rng.poisson(k * sd))
        offsets = np.floor(rng.lognormal(0.0, 0.5, size) * 7).astype(int)
        days = np.minimum(start + offsets, DAYS - 1)
        np.add.at(counts, days, 1)
        ends.append(int(days.max()) if size else start)
    return Series(counts, baseline, starts, ends)


def alarm_days(counts: np.ndarray, method: str) -> np.ndarray:
    """The judged days (0..JUDGED-1 of the last year) the method alarms on."""
    first = DAYS - JUDGED
    if method != "farrington-flexible":
        tail = counts[first - HISTORY :]  # only the last year is judged
        try:
            found = judgements(tail, [], method)
        except SeriesTooShort:
            return np.zeros(0, dtype=int)
        return np.array([j.at - HISTORY for j in found if j.alarm and j.at >= HISTORY], dtype=int)
    weeks = weekly(counts).astype(float)
    mondays = [START + timedelta(weeks=w) for w in range(len(weeks))]
    judged = (judge_week(weeks, mondays, w, Settings()) for w in range(first // 7, len(weeks)))
    sundays = np.array([j.at * 7 + 6 for j in judged if j is not None and j.alarm], dtype=int)
    return sundays - first


def weekly(counts: np.ndarray) -> np.ndarray:
    """Monday-to-Sunday totals of the whole weeks."""
    return np.asarray(counts[: DAYS // 7 * 7].reshape(-1, 7).sum(axis=1))


class Score(NamedTuple):
    scenario: str
    k: float
    method: str
    outbreaks: int
    detected: int
    delays: list[int]  # days from start to the first alarm, of those detected
    false_alarms: int  # on the series without outbreaks
    years: int

    @property
    def pod(self) -> float:
        return self.detected / self.outbreaks if self.outbreaks else 0.0

    @property
    def fpr(self) -> float:
        return self.false_alarms / self.years if self.years else 0.0

    @property
    def delay(self) -> float:
        return float(np.mean(self.delays)) if self.delays else float("nan")


def score(series: Series, method: str) -> tuple[int, list[int], int]:
    """Outbreaks detected, their delays, and false alarms in the year without them."""
    first = DAYS - JUDGED
    alarms = alarm_days(series.counts, method) + first
    delays = []
    for start, end in zip(series.starts, series.ends, strict=True):
        hits = alarms[(alarms >= start) & (alarms <= end)]
        if len(hits):
            delays.append(int(hits.min() - start))
    return len(delays), delays, len(alarm_days(series.baseline, method))


def table(scores: Sequence[Score]) -> str:
    """The scores as a Markdown table, a row a scenario, size and method."""
    rows = [
        "| scenario | k | method | POD | false alarms / year | days to detection |",
        "|---|---|---|---|---|---|",
    ]
    rows += [
        f"| {s.scenario} | {s.k:g} | {s.method} | {s.pod:.2f} | {s.fpr:.1f} | {s.delay:.1f} |"
        for s in scores
    ]
    return "\n".join(rows) + "\n"


def evaluate(
    scenarios: tuple[Scenario, ...], ks: tuple[float, ...], runs: int, seed: int
) -> Iterator[Score]:
    """Every method over the same `runs` simulated series of each scenario and size, a
    scenario and size at a time."""
    for s in scenarios:
        for k in ks:
            rng = np.random.default_rng([seed, SCENARIOS.index(s), int(k * 10)])
            simulated = [simulate(s, k, rng) for _ in range(runs)]
            for method in METHODS:
                scored = [score(series, method) for series in simulated]
                yield Score(
                    s.name, k, method, OUTBREAKS * runs, sum(d for d, _, _ in scored),
                    [x for _, delays, _ in scored for x in delays],
                    sum(f for _, _, f in scored), runs,
                )  # fmt: skip
