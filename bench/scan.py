"""The space-time permutation scan (fangkong/surveillance/scan.py) against a straightforward
numpy version of the same scan, in the same run.

    python bench/scan.py [--sizes 200x365 500x365 1000x60] [--plain-replicates 20]

For each size (districts x days): a city of districts with Poisson counts (about a case a
district a day) and a cluster in its last three days; cylinders up to half the cases and
windows up to 7 days; 999 replicates. The fast scan runs all 999 (numba compiled first, not
timed). The straightforward version — per replicate: shuffle the days, count by district and
day, sum each zone for every window with one cumulative sum over the neighbours, every
cylinder's ratio in numpy — runs `--plain-replicates` of them and is scaled to 999 (it would
take minutes); both must find the same most likely cylinder in the data. Peak RSS of this
process at the end."""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from fangkong.surveillance.scan import ScanSettings, cases_of, scan, zones

SETTINGS = ScanSettings(max_case_share=0.5, max_days=7, replicates=999)


def city(places: int, days: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 60, places), rng.uniform(0, 60, places)
    counts = rng.poisson(rng.gamma(2, 0.5, places)[:, None] * np.ones(days))
    hot = np.argsort(np.hypot(x - 30, y - 30))[:5]
    counts[hot, -3:] += 3
    return counts, x, y


def plain_max(counts: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, int, int, int]:
    """Every cylinder's ratio at once in numpy; the largest and where it is."""
    places, days = counts.shape
    windows = SETTINGS.max_days or days
    whole = float(counts.sum())
    z = zones(x, y, counts.sum(axis=1).astype(float), SETTINGS.max_case_share)
    last = counts[:, ::-1].cumsum(axis=1)[:, :windows]  # [place, window]
    c = last[z.order].cumsum(axis=1).astype(float)  # [centre, neighbours, window]
    mu = z.share[:, :, None] * last.sum(axis=0)[None, None, :]
    inside = np.arange(places)[None, :] < z.size[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = c * np.log(c / mu) + (whole - c) * np.log((whole - c) / (whole - mu))
    ratio = np.where((c > mu) & inside[:, :, None], ratio, 0.0)
    i, k, w = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    return float(ratio[i, k, w]), int(i), int(k), int(w)


def plain_replicates(counts: np.ndarray, x: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    cases = cases_of(counts)
    maxima = np.empty(n)
    for r in range(n):
        shuffled = np.zeros_like(counts)
        np.add.at(shuffled, (cases.place, rng.permutation(cases.day)), 1)
        maxima[r] = plain_max(shuffled, x, y)[0]
    return maxima


def run(places: int, days: int, plain_n: int) -> None:
    counts, x, y = city(places, days)
    scan(counts[:20], x[:20], y[:20], ScanSettings(replicates=2))  # compile
    started = time.perf_counter()
    found = scan(counts, x, y, SETTINGS)
    fast = time.perf_counter() - started
    assert found is not None
    ratio, i, k, w = plain_max(counts, x, y)
    assert abs(ratio - found.ratio) < 1e-9 * ratio and w + 1 == found.days, (ratio, found)
    started = time.perf_counter()
    plain_replicates(counts, x, y, plain_n)
    plain = (time.perf_counter() - started) / plain_n * SETTINGS.replicates
    print(
        f"{places:>5} districts x {days:>3} days, {int(counts.sum()):>7} cases: "
        f"scan {fast:6.2f} s | straightforward {plain:8.1f} s (from {plain_n} replicates) | "
        f"{plain / fast:5.1f}x | cluster of {len(found.places)} over {found.days} d, "
        f"p {found.p:.3f}, Gumbel p {found.p_gumbel:.1e}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["200x365", "500x365", "1000x60"])
    parser.add_argument("--plain-replicates", type=int, default=20)
    args = parser.parse_args()
    print("999 replicates, cylinders up to 50 % of cases and 7 days, 2 cores")
    for size in args.sizes:
        places, days = (int(v) for v in size.split("x"))
        run(places, days, args.plain_replicates)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
