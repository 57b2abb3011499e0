"""The space-time permutation scan: its most likely cylinder is the one a plain loop over every
cylinder finds (ratio and members), a cluster put into the data is found with a small p-value,
a city without one is not alarmed, and the Gumbel p-value agrees with the replicates'."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fangkong.surveillance.scan import ScanSettings, scan, zones

RNG = np.random.default_rng(20050101)
PLACES, DAYS = 40, 30
X, Y = RNG.uniform(0, 20, PLACES), RNG.uniform(0, 20, PLACES)
BASE = RNG.poisson(RNG.gamma(3, 1, PLACES)[:, None] * np.ones(DAYS))
HOT = np.argsort(np.hypot(X - 10, Y - 10))[:3]


def _with_cluster() -> np.ndarray:
    counts = BASE.copy()
    counts[HOT, -2:] += 6
    return counts


def _plain_best(counts: np.ndarray, settings: ScanSettings) -> tuple[float, set[int], int]:
    """Every cylinder, one at a time, as the definition reads."""
    whole = counts.sum()
    totals = counts.sum(axis=1)
    z = zones(X, Y, totals.astype(float), settings.max_case_share)
    best: tuple[float, set[int], int] = (0.0, set(), 0)
    for i in range(PLACES):
        for k in range(int(z.size[i])):
            members = [int(p) for p in z.order[i, : k + 1]]
            for days in range(1, (settings.max_days or DAYS) + 1):
                c = counts[members, DAYS - days :].sum()
                mu = totals[members].sum() * counts[:, DAYS - days :].sum() / whole
                if c <= mu:
                    continue
                ratio = c * math.log(c / mu) + (whole - c) * math.log((whole - c) / (whole - mu))
                if ratio > best[0]:
                    best = (ratio, set(members), days)
    return best


@pytest.mark.parametrize("counts", [BASE, _with_cluster()], ids=["none", "cluster"])
def test_the_most_likely_cylinder_is_the_plain_loops(counts: np.ndarray) -> None:
    settings = ScanSettings(replicates=19)
    found = scan(counts, X, Y, settings)
    ratio, members, days = _plain_best(counts, settings)
    assert found is not None
    assert found.ratio == pytest.approx(ratio, rel=1e-12)
    assert (set(found.places), found.days) == (members, days)


def test_a_cluster_put_in_is_found() -> None:
    found = scan(_with_cluster(), X, Y)
    assert found is not None and found.p <= 0.002 and found.p_gumbel < 0.001
    assert len(set(HOT) & set(found.places)) >= 2 and len(found.places) <= 5 and found.days <= 3
    assert found.observed > found.expected


def test_a_city_without_one_is_not_alarmed() -> None:
    found = scan(BASE, X, Y)
    assert found is None or found.p > 0.05


def test_the_gumbel_agrees_with_the_replicates_where_they_can_tell() -> None:
    found = scan(BASE, X, Y, ScanSettings(replicates=999, seed=7))
    assert found is not None
    assert found.p_gumbel == pytest.approx(found.p, abs=0.1)


def test_the_same_seed_gives_the_same_p() -> None:
    settings = ScanSettings(replicates=99, seed=3)
    assert scan(_with_cluster(), X, Y, settings) == scan(_with_cluster(), X, Y, settings)


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="counts"):
        scan(-BASE, X, Y)
    assert scan(np.zeros((PLACES, DAYS), dtype=int), X, Y) is None
