"""Seeded from now: what the next days will need. The starting state and the parameters are
estimated from the live database as of the moment (forecast/estimate.py), each run of the
war game's engine draws its own from those estimates, and the bands are over all the runs;
the rooms already promised (stays running, contacts waiting) are added on top."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy.orm import Session

from fangkong.core.errors import InvalidInput
from fangkong.core.i18n import _
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import fmt_local, local_date, refuse_future
from fangkong.forecast.capacities import CONTACTS_PER_TRACER, scenario_from_database
from fangkong.forecast.estimate import Draws, Estimate, estimate
from fangkong.quarantine.outlook import capacity_outlook
from fangkong.quarantine.schemas import CapacityOutlook
from fangkong.sim.city import City
from fangkong.sim.run import city_of, simulate
from fangkong.sim.scenario import Scenario, check_scenario
from fangkong.tracing.figures import Detection, detections_until, tracing_until
from fangkong.zones.service import count_live_zones

RUNS = 200
MEASURES = ("detected_new", "detected_total", "rooms_needed", "tests")
NEW, TOTAL, ROOMS, TESTS = range(len(MEASURES))  # their columns in every (runs, days, …) array
QUANTILES = (5, 25, 50, 75, 95)
Progress = Callable[[int, int], None]
# R while free is what a case does before it is isolated; the engine isolates its cases
# itself, so its R0 is that over the share of infectiousness a case spends free ⚠ (our
# estimate for BA.2 found at a fever clinic: about one day presymptomatic and 1.5 to care of
# a 5.5-day infectious period; the backtest checks it).
BEFORE_ISOLATION = 0.6


class BandRow(NamedTuple):
    """A line of the forecast's CSV: one day, one measure, its quantiles over the runs."""

    day: date
    measure: str
    p05: float
    p25: float
    p50: float
    p75: float
    p95: float


@dataclass
class Forecast:
    as_of: datetime
    days: list[date]
    estimate: Estimate
    people: int  # the simulated city
    variant_label: str  # the disease course the runs follow
    active_zones: int
    rooms_available: int
    rooms_committed: list[int]  # stays running and contacts waiting, as the platform has them
    bands: np.ndarray  # (MEASURES, days, QUANTILES)
    runs: int

    def band(self, measure: str) -> np.ndarray:
        """(days, QUANTILES) for one of MEASURES."""
        return np.asarray(self.bands[MEASURES.index(measure)])

    @property
    def runs_out_on(self) -> date | None:
        """The first day the 95th percentile of rooms needed exceeds the rooms there are."""
        high = self.band("rooms_needed")[:, -1]
        return next((d for d, need in zip(self.days, high, strict=True)
                     if need > self.rooms_available), None)  # fmt: skip

    def rows(self) -> list[BandRow]:
        return [
            BandRow(day, measure, *(float(v) for v in self.band(measure)[d]))
            for measure in MEASURES
            for d, day in enumerate(self.days)
        ]


def check_moment(session: Session, *, moment: datetime, now: datetime) -> list[Detection]:
    """The detections to forecast from; a moment in the future of the platform's clock or
    before any infection was reported is refused, by name."""
    refuse_future(moment, now, "as_of")
    detections = detections_until(session, until=moment)
    if not detections:
        raise InvalidInput.at(("as_of",), _("no infection reported by %(moment)s: nothing to "
                                            "forecast", moment=fmt_local(moment)))  # fmt: skip
    return detections


@dataclass(frozen=True)
class Inputs:
    """What a forecast reads from the database, read at once: the runs then need no session
    (on SQLite a read held through 200 runs would keep writers waiting)."""

    moment: datetime
    estimate: Estimate
    outlook: CapacityOutlook
    base: Scenario
    active_zones: int


def read_inputs(
    session: Session,
    *,
    moment: datetime,
    now: datetime,
    days: int = 14,
    people: int | None = None,
    variant: str = "omicron_ba2",
) -> Inputs:
    detections = check_moment(session, moment=moment, now=now)
    found = estimate(detections, now=moment, tracing=tracing_until(session, until=moment))
    outlook = capacity_outlook(session, now=moment, days=days)
    free_rooms = max(outlook.available - outlook.occupied_today, 0)
    base = _scenario(days, people or get_settings().city_population, variant,
                     response_in_force(session, free_rooms=free_rooms))  # fmt: skip
    return Inputs(moment, found, outlook, base, count_live_zones(session, at=moment))


def run_forecast(inputs: Inputs, *, runs: int = RUNS, progress: Progress | None = None) -> Forecast:
    """The next days from the inputs' moment over `runs` runs, each drawing its parameters
    from the estimate."""
    found, outlook, base, days = inputs.estimate, inputs.outlook, inputs.base, inputs.base.days
    rng = np.random.default_rng(_seed(inputs.moment))
    simulated, draws = simulated_runs(found, base, rng, runs, progress=progress)
    simulated[:, :, ROOMS] += rooms_promised(outlook, draws, rng, central_days=_central_days())
    bands = np.percentile(simulated, QUANTILES, axis=0).transpose(2, 1, 0)  # (MEASURES…)
    return Forecast(
        as_of=inputs.moment,
        days=[local_date(inputs.moment) + timedelta(days=d) for d in range(days)],
        estimate=found,
        people=base.city.people,
        variant_label=base.resolved_variant().label,
        active_zones=inputs.active_zones,
        rooms_available=outlook.available,
        rooms_committed=outlook.needed[:days],
        bands=bands,
        runs=runs,
    )


def forecast(
    session: Session,
    *,
    moment: datetime,
    now: datetime,
    days: int = 14,
    runs: int = RUNS,
    people: int | None = None,
    variant: str = "omicron_ba2",
    progress: Progress | None = None,
) -> Forecast:
    """Read, then run (a caller holding its session through the runs, as tests do)."""
    inputs = read_inputs(session, moment=moment, now=now, days=days, people=people,
                         variant=variant)  # fmt: skip
    return run_forecast(inputs, runs=runs, progress=progress)


def rooms_promised(
    outlook: CapacityOutlook, draws: Draws, rng: np.random.Generator, *, central_days: int
) -> np.ndarray:
    """(runs, days): the rooms held by stays to their planned end, under every run; the rooms
    of the people waiting — a household shares a family room while one is free, so between
    one a household and one a person ⚠ (uniform) — each taken with the run's share given a
    room; and the close contacts still to be named, from tomorrow for the protocol's central
    quarantine."""
    days, runs = len(outlook.days), len(draws.r)
    rooms = np.asarray(outlook.waiting_needed[:days] or [0] * days, dtype=float)
    people = np.asarray(outlook.waiting_people[:days] or [0] * days, dtype=float)
    held = np.asarray(outlook.needed[:days], dtype=float) - rooms
    sharing = rng.uniform(size=runs)[:, None]
    waiting = rooms[None, :] + sharing * (people - rooms)[None, :]
    taken = rng.binomial(int(people[0]), draws.placed) / max(people[0], 1)
    named_later = rng.binomial(draws.to_name.astype(np.int64), draws.placed)
    span = (np.arange(days) >= 1) & (np.arange(days) <= central_days)
    return np.asarray(held + (waiting * taken[:, None]).round() + np.outer(named_later, span))


def _central_days() -> int:
    """Days of central quarantine for a close contact under the protocol in force."""
    from fangkong.protocol.loader import get_protocol
    from fangkong.sim.run import rules_of

    rules = rules_of(get_protocol(get_settings().protocol))
    return rules.close_days if rules.close_central else 0


def _seed(moment: datetime) -> int:
    """The same moment draws the same runs (a page and its CSV agree)."""
    return int(moment.timestamp()) // 60


def _scenario(days: int, people: int, variant: str, response: dict[str, Any]) -> Scenario:
    settings = get_settings()
    return check_scenario(
        {
            "name": "forecast",
            "protocol": settings.protocol,
            "variant": variant,
            "days": days,
            "city": {"people": people},
            "response": response,
        },
        source="forecast",
    )


def response_in_force(session: Session, *, free_rooms: int) -> dict[str, Any]:
    """The response the runs play: the rooms still free, the tracers on the rolls, the labs'
    tubes (forecast/capacities.py); zones sealed around new cases as the protocol says."""
    response = dict(scenario_from_database(session)["response"])
    response["rooms"] = free_rooms
    response["tracing_per_day"] = max(response["tracing_per_day"], CONTACTS_PER_TRACER)
    return response


def simulated_runs(
    found: Estimate, base: Scenario, rng: np.random.Generator, runs: int, *,
    city: City | None = None, progress: Progress | None = None,
) -> tuple[np.ndarray, Draws]:  # fmt: skip
    """(runs, days, MEASURES) as the engine plays the estimate's draws, with the infected
    contacts awaited and what was reported by the moment; rooms without those promised (the
    caller knows them: the outlook, or a backtest's truth)."""
    draws = found.draw(runs, rng)
    simulated = simulate_draws(base, draws, city=city, progress=progress)
    add_awaited(simulated, draws.awaited, rng)
    simulated[:, :, TOTAL] += found.reported
    return simulated, draws


def simulate_draws(
    base: Scenario, draws: Draws, *, city: City | None = None, progress: Progress | None = None
) -> np.ndarray:
    """(runs, days, MEASURES): new and cumulative detections, rooms the new contacts need
    (placed, or sent home for lack of a room) and tests, run by run. One city for every run:
    the runs differ in their parameters and epidemics, not their city. A run with no unseen
    infection adds nothing."""
    runs = len(draws.r)
    out = np.zeros((runs, base.days, len(MEASURES)))
    for k in range(runs):
        if draws.hidden[k]:
            city = city or city_of(base)
            out[k] = _one(base, city, k, draws)
        if progress is not None:
            progress(k + 1, runs)
    return out


def add_awaited(simulated: np.ndarray, awaited: np.ndarray, rng: np.random.Generator) -> None:
    """The infected contacts already named are found over the next days (a geometric spread,
    two days on average ⚠ our choice: the protocol's first swabs come on days 1 and 2),
    added to each run's new and cumulative detections; they need no new room."""
    days = simulated.shape[1]
    weights = (1 / 3) * (2 / 3) ** np.arange(days)
    for k, n in enumerate(awaited):
        if n:
            found = rng.multinomial(int(n), weights / weights.sum())
            simulated[k, :, NEW] += found
            simulated[k, :, TOTAL] += np.cumsum(found)


def _one(base: Scenario, city: City, k: int, draws: Draws) -> np.ndarray:
    data = base.model_dump()
    data["seed"] = k + 1
    r0 = draws.r[k] / BEFORE_ISOLATION  # the engine isolates cases itself
    data["disease"] = {"r0": float(np.clip(r0, 0.01, 30))}  # the variant's bounds
    data["seeding"] = {"initial_infections": int(draws.hidden[k])}
    data["response"] = {**data["response"], "found_fraction": float(draws.traced[k])}
    result = simulate(check_scenario(data, source="forecast"), city=city)
    return np.stack(
        [
            result.column("detected"),
            result.column("cum_detected"),
            result.column("rooms_used") + result.column("in_home_quarantine"),
            np.diff(result.column("tests_used"), prepend=0),
        ],
        axis=1,
    )
