"""The forecast's ensemble: 200 runs over 14 days on a city of 5,000,000, each drawing R, the
share found by tracing and the unseen infections from an estimate, as `fangkong sim forecast`
runs them (one city for all runs). The reference, in the same invocation: the same draws run
the way a sweep runs them, each run building its own city (measured over the first runs).

    python bench/forecast.py [--people 5000000] [--runs 200] [--reference-runs 10]

Two estimates: the demo's as of 12:00 on 8 March 2022 (five infections, one found in the
community) and a busy one (40 found in the community over the last six days, with chains)."""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fangkong.forecast.estimate import Estimate, estimate  # noqa: E402
from fangkong.forecast.service import _scenario, simulate_draws  # noqa: E402
from fangkong.sim.run import city_of, simulate  # noqa: E402
from fangkong.tracing.figures import Detection  # noqa: E402

CST = ZoneInfo("Asia/Shanghai")
MOMENT = datetime(2022, 3, 8, 12, 0, tzinfo=CST)


def found(k: int, source: int | None, hours_ago: float, route: str) -> Detection:
    reported = MOMENT - timedelta(hours=hours_ago)
    return Detection(k, source, reported - timedelta(hours=8), reported, route)


def demo_like() -> Estimate:
    detections = [found(1, None, 16, "community")]
    detections += [found(k, 1, 20, "quarantine") for k in range(2, 6)]
    return estimate(detections, now=MOMENT)


def busy() -> Estimate:
    detections = [found(k, None, 6 + 3 * k, "community") for k in range(40)]
    detections += [found(k, k % 20 + 20, 2 + 2 * k, "quarantine") for k in range(40, 100)]
    return estimate(detections, now=MOMENT)


def ours(e: Estimate, people: int, runs: int) -> tuple[float, float, np.ndarray]:
    base = _scenario(14, people, "omicron_ba2", {"rooms": 5_000})
    draws = e.draw(runs, np.random.default_rng(1))
    started = time.perf_counter()
    out = simulate_draws(base, draws)
    return time.perf_counter() - started, float(draws.hidden.mean()), out


def reference(e: Estimate, people: int, runs: int) -> float:
    """The same draws, each run building its city as a sweep's task does."""
    from fangkong.forecast.service import _one

    base = _scenario(14, people, "omicron_ba2", {"rooms": 5_000})
    draws = e.draw(runs, np.random.default_rng(1))
    started = time.perf_counter()
    for k in range(runs):
        if draws.hidden[k]:
            _one(base, city_of(base), k, draws)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reference-runs", type=int, default=10)
    args = parser.parse_args()
    # numba's first compile is cached on disk and not what is measured.
    warm = _scenario(14, 50_000, "omicron_ba2", {"rooms": 10})
    simulate(warm.model_copy(update={"seed": 1}))
    print(f"{args.people:,} people, 14 days, {args.runs} runs (reference: {args.reference_runs})")
    print("| estimate | unseen (mean) | runs | s | s/run | reference s/run | ratio | p95 found |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, e in (("demo 8 March 12:00", demo_like()), ("busy", busy())):
        seconds, hidden, out = ours(e, args.people, args.runs)
        ref = reference(e, args.people, args.reference_runs) / args.reference_runs
        mine = seconds / args.runs
        p95 = float(np.percentile(out[:, -1, 1], 95))
        print(f"| {name} | {hidden:.1f} | {args.runs} | {seconds:.2f} | {mine:.3f} | {ref:.3f} | "
              f"{ref / mine:.1f}× | {p95:,.0f} |")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
