"""Kulldorff's prospective space-time permutation scan (Kulldorff et al. 2005, as SaTScan runs
it): are the last days' cases in some places more than the places' and the days' totals lead
one to expect?

Cases c[z, d] by place and day; a cylinder is a circle of places (a centre and its nearest
neighbours, up to `max_case_share` of all cases) over the last L days (L up to
`max_day_share` of the days and at most `max_days`: prospective, so every window ends today).
Its expected count is (cases of its places) x (cases of its days) / all cases, and its
log-likelihood ratio c log(c/mu) + (C - c) log((C - c)/(C - mu)) when c > mu. The most likely
cylinder's p-value is its rank among the largest ratios of `replicates` (999) data sets in
which the days of the cases are shuffled among them (the places' and days' totals kept); below
what the replicates can show (p = 1/(R + 1)), a Gumbel fitted to them is said as well.

Speed (bench/scan.py): expected counts never change under the shuffle (a zone's share of the
cases times its window's cases); a cylinder's ratio is computed only when a bound that needs no
logarithm beats the best already found; the replicates run in parallel over the cores."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, cast

import numpy as np
from numba import njit, prange

EULER = 0.5772156649015329
F = TypeVar("F", bound=Callable[..., Any])


def compiled(function: F) -> F:
    """Compiled by numba (cached on disk), its signature kept for the type checker."""
    return cast(F, njit(cache=True, nogil=True)(function))


def compiled_parallel(function: F) -> F:
    """Compiled by numba with its `prange` loops spread over the cores."""
    return cast(F, njit(cache=True, parallel=True)(function))


class ScanSettings(NamedTuple):
    max_case_share: float = 0.5
    max_day_share: float = 0.5
    max_days: int | None = 7
    replicates: int = 999
    seed: int = 20220306
    # Stop the replicates, in batches, once the p-value is sure to be at least this (Besag and
    # Clifford's sequential test): a quiet city is told quickly; a cluster gets every replicate.
    stop_at_p: float | None = None


def kilometres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kilometres east and north, near enough over a city (equirectangular about its middle)."""
    middle = math.radians(float(np.mean(lat))) if len(lat) else 0.0
    return lon * 111.32 * math.cos(middle), lat * 110.57


class Cluster(NamedTuple):
    places: list[int]  # indices of the places in it, the centre first
    days: int  # the last `days` days
    observed: int
    expected: float
    ratio: float  # the log-likelihood ratio
    p: float  # Monte Carlo
    p_gumbel: float


class Zones(NamedTuple):
    """Each centre's neighbours nearest first (`order[i, :size[i]]`) and each zone's share of
    all cases."""

    order: np.ndarray  # int32 [places, places]
    size: np.ndarray  # int32 [places]: how many neighbours the largest zone takes
    share: np.ndarray  # float64 [places, places]


def zones(x: np.ndarray, y: np.ndarray, totals: np.ndarray, max_case_share: float) -> Zones:
    """Circles about each place: its nearest places added one by one while their cases stay
    within the share (a centre alone is always a zone)."""
    distance = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    order = np.argsort(distance, axis=1, kind="stable").astype(np.int32)
    cumulative = np.cumsum(totals[order], axis=1)
    whole = float(totals.sum())
    size = np.maximum((cumulative <= max_case_share * whole).sum(axis=1), 1).astype(np.int32)
    return Zones(order, size, cumulative / whole)


@compiled
def _window_counts(
    place: np.ndarray, day: np.ndarray, places: int, days: int, windows: int
) -> np.ndarray:
    """counts[z, w]: the cases of place z in the last w + 1 days."""
    counts = np.zeros((places, windows), dtype=np.int64)
    for n in range(place.shape[0]):
        back = days - 1 - day[n]
        if back < windows:
            for w in range(back, windows):
                counts[place[n], w] += 1
    return counts


@compiled
def _ratio(c: float, mu: float, whole: float) -> float:
    rest = whole - c
    tail = rest * math.log(rest / (whole - mu)) if rest > 0 else 0.0
    return c * math.log(c / mu) + tail


@compiled
def _best(counts: np.ndarray, order: np.ndarray, size: np.ndarray, share: np.ndarray,
          by_day: np.ndarray, whole: float) -> tuple[float, int, int, int]:  # fmt: skip
    """The largest ratio over all cylinders, and its centre, neighbours and window.

    A cylinder is looked at closely only when (c - mu)^2 C / (mu (C - mu)), a bound on its
    ratio (from log t <= t - 1 on both terms), beats the best so far: after the first few
    centres almost none does, so the work is an add and a compare a cylinder."""
    windows = counts.shape[1]
    best, at_i, at_k, at_w = 0.0, -1, -1, -1
    c = np.zeros(windows, dtype=np.int64)
    for i in range(order.shape[0]):
        c[:] = 0
        for k in range(size[i]):
            z = order[i, k]
            for w in range(windows):
                c[w] += counts[z, w]
                mu = share[i, k] * by_day[w]
                excess = c[w] - mu
                if excess <= 0 or excess * excess * whole <= best * mu * (whole - mu):
                    continue
                r = _ratio(c[w], mu, whole)
                if r > best:
                    best, at_i, at_k, at_w = r, i, k, w
    return best, at_i, at_k, at_w


@compiled_parallel
def _replicates(place: np.ndarray, day: np.ndarray, places: int, days: int, order: np.ndarray,
                size: np.ndarray, share: np.ndarray, by_day: np.ndarray, whole: float,
                replicates: int, seed: int) -> np.ndarray:  # fmt: skip
    """Only the cases that fall in the windows matter: each replicate draws which places the
    window days' cases go to (a partial shuffle: as many swaps as those cases, not all)."""
    out = np.zeros(replicates)
    windows = by_day.shape[0]
    recent = np.sort(day)[::-1][: int(by_day[-1])]  # the window days' cases, newest first
    n = place.shape[0]
    for r in prange(replicates):
        np.random.seed(seed + r)
        drawn = place.copy()
        for j in range(recent.shape[0]):
            k = j + np.random.randint(n - j)
            drawn[j], drawn[k] = drawn[k], drawn[j]
        counts = _window_counts(drawn[: recent.shape[0]], recent, places, days, windows)
        out[r] = _best(counts, order, size, share, by_day, whole)[0]
    return out


BATCH = 100


def _maxima(
    cases: Cases, z: Zones, by_day: np.ndarray, ratio: float, s: ScanSettings
) -> np.ndarray:
    """The replicates' largest ratios: all of them, or in batches until `stop_at_p` is sure."""

    def run(n: int, seed: int) -> np.ndarray:
        return _replicates(
            cases.place, cases.day, cases.places, cases.days, z.order, z.size, z.share, by_day,
            float(len(cases.place)), n, seed,
        )  # fmt: skip

    if s.stop_at_p is None:
        return run(s.replicates, s.seed)
    found: list[np.ndarray] = []
    while (done := sum(len(m) for m in found)) < s.replicates:
        found.append(run(min(BATCH, s.replicates - done), s.seed + done))
        beaten = sum(int((m >= ratio).sum()) for m in found)
        if (1 + beaten) / (s.replicates + 1) >= s.stop_at_p:
            break
    return np.concatenate(found)


def _gumbel_p(value: float, maxima: np.ndarray) -> float:
    """The Gumbel fitted to the replicates' maxima by its moments, at the value."""
    scale = float(maxima.std(ddof=1)) * math.sqrt(6) / math.pi
    if scale <= 0:
        return 1.0 if value <= float(maxima.mean()) else 0.0
    location = float(maxima.mean()) - EULER * scale
    return float(-math.expm1(-math.exp(-(value - location) / scale)))


class Cases(NamedTuple):
    """Each case's place (0..places-1) and day (0..days-1), oldest day 0."""

    place: np.ndarray
    day: np.ndarray
    places: int
    days: int


def cases_of(counts: np.ndarray) -> Cases:
    """One row a case from counts[place, day]."""
    places, days = counts.shape
    flat = np.repeat(np.arange(counts.size), counts.ravel().astype(np.int64))
    return Cases((flat // days).astype(np.int64), (flat % days).astype(np.int64), places, days)


def _windows(days: int, s: ScanSettings) -> int:
    longest = max(1, int(s.max_day_share * days))
    return min(longest, s.max_days) if s.max_days else longest


def scan(
    counts: np.ndarray, x: np.ndarray, y: np.ndarray, settings: ScanSettings | None = None
) -> Cluster | None:
    """The most likely cluster in counts[place, day] (places at x, y in any planar unit), or
    None when no cylinder has more cases than expected."""
    s = settings or ScanSettings()
    if counts.ndim != 2 or counts.shape[0] != len(x) or len(x) != len(y) or (counts < 0).any():
        raise ValueError("counts[place, day] of 0 or more, a place each x and y")
    cases = cases_of(counts)
    whole = float(len(cases.place))
    if whole == 0:
        return None
    windows = _windows(cases.days, s)
    by_day = np.bincount(cases.day, minlength=cases.days)[::-1].cumsum()[:windows].astype(float)
    z = zones(x, y, counts.sum(axis=1).astype(float), s.max_case_share)
    args = (z.order, z.size, z.share, by_day, whole)
    observed = _window_counts(cases.place, cases.day, cases.places, cases.days, windows)
    ratio, i, k, w = _best(observed, *args)
    if i < 0:
        return None
    maxima = _maxima(cases, z, by_day, ratio, s)
    members = [int(p) for p in z.order[i, : k + 1]]
    mu = float(z.share[i, k] * by_day[w])
    p = (1 + int((maxima >= ratio).sum())) / (len(maxima) + 1)
    return Cluster(
        members, w + 1, int(observed[members, w].sum()), mu, ratio, p, _gumbel_p(ratio, maxima)
    )
