"""Seeded from now: what the next days will need, from the live database's state (recent
infections, rooms occupied and promised, rooms there are) and the war game's engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from fangkong.core.settings import get_settings
from fangkong.core.timeutil import local_date
from fangkong.quarantine.outlook import capacity_outlook
from fangkong.sim.run import city_of, simulate
from fangkong.sim.scenario import check_scenario
from fangkong.tracing.service import count_reported
from fangkong.zones.service import count_live_zones

# Infections found in the last RECENT_DAYS are isolated, and their contacts are in the
# platform's quarantine numbers already; what spreads is what has not been found: HIDDEN
# infections for each found one ⚠ (our choice; set per forecast).
RECENT_DAYS = 10
HIDDEN = 1.0


@dataclass
class Forecast:
    as_of: datetime
    days: list[date]
    recent_infections: int
    active_zones: int
    rooms_available: int
    rooms_committed: list[int]  # stays running and contacts waiting, as the platform has them
    rooms_needed: list[tuple[float, float, float]]  # 5th, median, 95th percentile per day
    detected: list[tuple[float, float, float]]
    tests: list[tuple[float, float, float]]
    runs_out_on: date | None  # the first day the 95th percentile of need exceeds the rooms
    runs: int


def forecast(
    session: Session,
    *,
    now: datetime,
    days: int = 14,
    seeds: int = 10,
    people: int | None = None,
    variant: str = "omicron_ba2",
    hidden: float = HIDDEN,
    progress: Callable[[int, int], None] | None = None,
) -> Forecast:
    """The next `days` days' needs over `seeds` runs, each seeded with the hidden infections
    behind the ones found recently, on the rooms still free; the rooms already promised (stays
    running, contacts waiting) added on top."""
    outlook = capacity_outlook(session, now=now, days=days)
    recent = count_reported(session, after=now - timedelta(days=RECENT_DAYS), until=now)
    seeded = int(round(recent * hidden))
    free_rooms = max(outlook.available - outlook.occupied_today, 0)
    runs = (
        _runs(seeds, days, seeded, free_rooms, people=people, variant=variant, progress=progress)
        if seeded
        else np.zeros((seeds, days, 3))
    )
    committed = outlook.needed[:days]
    bands = np.percentile(runs, [5, 50, 95], axis=0)  # (3, days, 3)

    def band(measure: int, offset: list[int] | None = None) -> list[tuple[float, float, float]]:
        extra = offset or [0] * days
        return [
            (bands[0, d, measure] + extra[d], bands[1, d, measure] + extra[d],
             bands[2, d, measure] + extra[d])
            for d in range(days)
        ]  # fmt: skip

    needed = band(0, committed)
    span = [local_date(now) + timedelta(days=d) for d in range(days)]
    runs_out = next((span[d] for d in range(days) if needed[d][2] > outlook.available), None)
    return Forecast(
        as_of=now,
        days=span,
        recent_infections=recent,
        active_zones=count_live_zones(session, at=now),
        rooms_available=outlook.available,
        rooms_committed=committed,
        rooms_needed=needed,
        detected=band(1),
        tests=band(2),
        runs_out_on=runs_out,
        runs=seeds if seeded else 0,
    )


def _runs(
    seeds: int,
    days: int,
    seeded: int,
    free_rooms: int,
    *,
    people: int | None,
    variant: str,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """(seeds, days, 3): rooms the new contacts would need (placed, and sent home for lack of
    a room), detections and tests, run by run. One city for every run: the runs differ in
    their epidemics, not their city."""
    settings = get_settings()
    runs = np.zeros((seeds, days, 3))
    city = None
    for k in range(seeds):
        scenario = check_scenario(
            {
                "name": "forecast",
                "protocol": settings.protocol,
                "variant": variant,
                "seed": k + 1,
                "days": days,
                "city": {"people": people or settings.city_population},
                "seeding": {"initial_infections": seeded},
                "response": {"rooms": free_rooms},
            },
            source="forecast",
        )
        city = city or city_of(scenario)
        result = simulate(scenario, city=city)
        runs[k, :, 0] = result.column("rooms_used") + result.column("in_home_quarantine")
        runs[k, :, 1] = result.column("detected")
        runs[k, :, 2] = np.diff(result.column("tests_used"), prepend=0)
        if progress is not None:
            progress(k + 1, seeds)
    return runs
