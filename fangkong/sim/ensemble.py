"""Ensembles: the same scenario over many seeds (and parameter settings), on this machine's
cores or a Dask cluster, summarised per day as the median and the 90 % band."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import numpy as np

from fangkong.core.errors import InvalidInput
from fangkong.sim.kernels import SERIES
from fangkong.sim.scenario import Scenario, check_scenario

OnDone = Callable[[int], None]


@dataclass
class Ensemble:
    settings: list[dict[str, Any]]  # one per parameter combination ("variant" of the sweep)
    runs: np.ndarray  # (settings, seeds, days, columns) int64

    def band(self, setting: int, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """5th percentile, median and 95th percentile per day."""
        values = self.runs[setting, :, :, SERIES.index(column)]
        low, mid, high = np.percentile(values, [5, 50, 95], axis=0)
        return low, mid, high


def parse_settings(pairs: Sequence[str]) -> list[dict[str, Any]]:
    """`response.rooms=1000,5000` and the like: every combination of the values given."""
    axes: list[tuple[str, list[Any]]] = []
    for pair in pairs:
        key, sep, values = pair.partition("=")
        if not sep or not key or not values:
            raise InvalidInput.at(("set",), f"{pair!r}: write key=value[,value…]")
        axes.append((key.strip(), [_value(v.strip()) for v in values.split(",")]))
    if not axes:
        return [{}]
    return [dict(zip([k for k, _ in axes], combo, strict=True)) for combo in
            itertools.product(*(v for _, v in axes))]  # fmt: skip


def _value(text: str) -> Any:
    for kind in (int, float):
        with suppress(ValueError):
            return kind(text)
    return {"true": True, "false": False}.get(text.lower(), text)


def with_setting(base: dict[str, Any], setting: dict[str, Any], seed: int) -> Scenario:
    data = {**base, "seed": seed}
    for dotted, value in setting.items():
        node = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            node[part] = dict(node.get(part) or {})
            node = node[part]
        node[leaf] = value
    return check_scenario(data, source=f"{dotted_name(setting)} seed {seed}")


def dotted_name(setting: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in setting.items()) or "base"


def _one(scenario: Scenario) -> np.ndarray:
    from fangkong.sim.run import simulate

    return simulate(scenario).series


def run_ensemble(
    base: Scenario,
    *,
    seeds: int,
    settings: list[dict[str, Any]],
    scheduler: str | None = None,
    workers: int = 2,
    on_done: OnDone | None = None,
) -> Ensemble:
    """Run every (setting, seed) on Dask: the cluster at `scheduler`, or a LocalCluster of
    `workers` processes on this machine. Each run is independent and deterministic."""
    from dask.distributed import Client, LocalCluster, as_completed

    data = base.model_dump()
    jobs = [
        (s, k, with_setting(data, setting, base.seed + k))
        for s, setting in enumerate(settings)
        for k in range(seeds)
    ]
    runs = np.zeros((len(settings), seeds, base.days, len(SERIES)), dtype=np.int64)
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)  # fmt: skip
    try:
        with Client(scheduler or cluster) as client:
            futures = {client.submit(_one, sc, pure=False): (s, k) for s, k, sc in jobs}
            finished = as_completed(futures)
            for done, future in enumerate(finished, start=1):
                s, k = futures[future]
                runs[s, k] = future.result()
                if on_done is not None:
                    on_done(done)
    finally:
        if cluster is not None:
            cluster.close()
    return Ensemble(settings, runs)
