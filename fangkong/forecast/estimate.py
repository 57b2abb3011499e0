"""What a forecast starts from, estimated from the infections the platform has recorded as of
its moment — each with its uncertainty, so every run of the ensemble draws its own:

- R while free: how many others an infection infects before the response stops it, from the
  chains of transmission (the infections traced back to it) of the ones found in the
  community, counted once they are a serial interval old; a gamma posterior on EpiEstim's
  prior (Cori et al. 2013: mean 5, sd 5), so few chains mean a wide band.
- The share found through tracing: of the infections reported recently, those already named
  as contacts (in quarantine or not) against those found in the community; a beta posterior
  on a uniform prior. It is the engine's `found_fraction`.
- Infections still unseen: each infection found outside quarantine in the last generation
  window (it was free while infectious) leaves, on average, R × (1 − that share) infections
  nobody has named; a run draws their number from a Poisson with its own R and share.
- Infections awaited among the named: the same infections leave R × that share among their
  contacts, already named and mostly in quarantine, found in the days to come; less those
  traced back to them already.
- Close contacts still to be named: infections found outside quarantine in the last 48 hours
  are still being traced; each will have as many close contacts as the ones traced before it
  had (a gamma
  posterior on a prior of 20 ⚠ with an sd of 20), less those named so far; they need rooms.
- Where close contacts go: of those put under control in the last 14 days, the share given a
  room rather than kept at home (a beta posterior on a uniform prior); it scales the rooms
  for the people waiting and for those still to be named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import numpy as np

from fangkong.tracing.figures import Detection, Tracing

# EpiEstim's default prior on R (Cori et al. 2013): gamma with mean 5 and sd 5.
PRIOR_SHAPE, PRIOR_SCALE = 1.0, 5.0
# An infector's offspring are counted once it is this old (≈ one serial interval of BA.2,
# 2.8 d [L4 in sim/variants.toml], rounded up) and for this long after (the chains of the last
# three weeks: older ones speak of a response that has changed since).
COUNTED_AFTER = timedelta(days=3)
CHAINS_OVER = timedelta(days=21)
# Infections found in this window may still have infected people nobody has named (two
# serial intervals); the share found through tracing is measured over RECENT.
GENERATION_WINDOW = timedelta(days=6)
RECENT = timedelta(days=14)
# Tracing of an infection is still going on for the protocol's 48 hours (the KPI's target).
TRACING_OPEN = timedelta(hours=48)
CONTACTS_PRIOR_MEAN = 20.0  # close contacts an infection has ⚠ (our choice, wide: shape 1)


class Draws(NamedTuple):
    """One value per run."""

    r: np.ndarray  # R while free
    traced: np.ndarray  # share of infections found through tracing
    hidden: np.ndarray  # int: infections unseen at the moment
    awaited: np.ndarray  # int: infected contacts already named, still to be found
    to_name: np.ndarray  # int: close contacts of recent infections still to be named
    placed: np.ndarray  # share of close contacts given a room


@dataclass(frozen=True)
class Estimate:
    as_of: datetime
    reported: int  # infections reported by the moment
    recent: int  # … in the last RECENT
    by_route: dict[str, int]  # recent ones by how they were found
    infectors: int  # community-found infections whose chains were counted
    offspring: int  # infections traced back to them
    r_shape: float  # gamma posterior of R while free
    r_scale: float
    traced_a: float  # beta posterior of the share found through tracing
    traced_b: float
    seeding: int  # infections found outside quarantine in the generation window
    seeding_offspring: int  # infections traced back to them already
    report_delay_hours: float  # median from sampling to report
    open_named: tuple[int, ...] = ()  # close contacts named so far, per infection still traced
    traced_before: int = 0  # infections whose tracing is done, the contacts' posterior is from
    contacts_shape: float = 1.0  # gamma posterior of the close contacts an infection has
    contacts_rate: float = 1 / CONTACTS_PRIOR_MEAN
    placed_a: float = 1.0  # beta posterior of the share of close contacts given a room
    placed_b: float = 1.0

    @property
    def r_mean(self) -> float:
        return self.r_shape * self.r_scale

    def r_interval(self) -> tuple[float, float]:
        from scipy.stats import gamma

        low, high = gamma.ppf([0.05, 0.95], self.r_shape, scale=self.r_scale)
        return float(low), float(high)

    @property
    def traced_mean(self) -> float:
        return self.traced_a / (self.traced_a + self.traced_b)

    @property
    def hidden_mean(self) -> float:
        return self.seeding * self.r_mean * (1 - self.traced_mean)

    @property
    def to_name_mean(self) -> float:
        """Approximately (the draws clip each infection at zero)."""
        per_case = self.contacts_shape / self.contacts_rate
        return float(sum(max(per_case - n, 0.0) for n in self.open_named))

    @property
    def placed_mean(self) -> float:
        return self.placed_a / (self.placed_a + self.placed_b)

    @property
    def awaited_mean(self) -> float:
        """Approximately (the draws clip each run at zero)."""
        return max(self.seeding * self.r_mean * self.traced_mean - self.seeding_offspring, 0.0)

    def draw(self, runs: int, rng: np.random.Generator) -> Draws:
        r = rng.gamma(self.r_shape, self.r_scale, size=runs)
        traced = rng.beta(self.traced_a, self.traced_b, size=runs)
        hidden = rng.poisson(self.seeding * r * (1 - traced))
        awaited = rng.poisson(np.maximum(self.seeding * r * traced - self.seeding_offspring, 0))
        per_case = rng.gamma(self.contacts_shape, 1 / self.contacts_rate, size=runs)
        named = np.asarray(self.open_named, dtype=float)
        each = rng.poisson(np.repeat(per_case[:, None], len(named), axis=1))
        to_name = np.maximum(each - named, 0).sum(axis=1)
        placed = rng.beta(self.placed_a, self.placed_b, size=runs)
        return Draws(r, traced, hidden, awaited, to_name, placed)


def estimate(
    detections: list[Detection], *, now: datetime, tracing: Tracing | None = None
) -> Estimate:
    """The estimate from what was reported by `now` (detections reported later are ignored);
    with `tracing`, the contacts still to be named and where they go."""
    seen = [d for d in detections if d.reported_at <= now]
    recent = [d for d in seen if d.reported_at > now - RECENT]
    routes = {route: sum(d.found == route for d in recent)
              for route in ("quarantine", "contact", "community")}  # fmt: skip
    infectors = [
        d for d in seen
        if d.found == "community" and now - CHAINS_OVER < d.reported_at <= now - COUNTED_AFTER
    ]  # fmt: skip
    counted = {d.infection_id for d in infectors}
    offspring = sum(d.source_id in counted for d in seen)
    traced = routes["quarantine"] + routes["contact"]
    free = {
        d.infection_id for d in seen
        if d.found != "quarantine" and d.reported_at > now - GENERATION_WINDOW
    }  # fmt: skip
    delays = [(d.reported_at - d.sampled_at).total_seconds() / 3600 for d in seen]
    return Estimate(
        as_of=now,
        reported=len(seen),
        recent=len(recent),
        by_route=routes,
        infectors=len(infectors),
        offspring=offspring,
        r_shape=PRIOR_SHAPE + offspring,
        # Tracing links only the offspring it finds: the share found through tracing of them.
        r_scale=1 / (1 / PRIOR_SCALE + len(infectors) * (1.0 + traced) / (2.0 + len(recent))),
        traced_a=1.0 + traced,
        traced_b=1.0 + routes["community"],
        seeding=len(free),
        seeding_offspring=sum(d.source_id in free for d in seen),
        report_delay_hours=float(np.median(delays)) if delays else 0.0,
        **(_tracing_posteriors(seen, tracing, now) if tracing else {}),
    )


def _tracing_posteriors(seen: list[Detection], tracing: Tracing, now: datetime) -> dict[str, Any]:
    free = [d for d in seen if d.found != "quarantine"]  # found in quarantine: named already
    open_ = [d for d in free if d.reported_at > now - TRACING_OPEN]
    done = [d for d in free if now - RECENT < d.reported_at <= now - TRACING_OPEN]
    return {
        "open_named": tuple(tracing.named.get(d.infection_id, 0) for d in open_),
        "traced_before": len(done),
        "contacts_shape": 1.0 + sum(tracing.named.get(d.infection_id, 0) for d in done),
        "contacts_rate": 1 / CONTACTS_PRIOR_MEAN + len(done),
        "placed_a": 1.0 + tracing.placed,
        "placed_b": 1.0 + tracing.at_home,
    }
