"""The war game's state, named: what the kernels (sim/kernels.py) read and change, grouped as
numba takes it (named tuples of arrays), and made with explicit dtypes for a city.

- `Params`: the run's seed, float and integer parameters (indexed by kernels.F_… and I_…)
  and the protocol's test days per contact kind;
- `Town`: the city's arrays, read only;
- `People`: each person's course and isolation;
- `Lists`: the infected (`active`, a row each, columns kernels.A_…), detections and tests
  to come (`pending`), the tracing queue, the quarantined (`placed`), each cell's zone, and the
  run's counters (`counts`, indexed by kernels.C_…)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from fangkong.sim.city import City

ACTIVE_COLUMNS = 8
COUNTERS = 13


class Params(NamedTuple):
    seed: int
    fp: np.ndarray  # float64, by kernels.F_…
    ip: np.ndarray  # int64, by kernels.I_…
    test_days: np.ndarray  # int64 (3, MAX_TEST_DAYS): close, secondary, companion; -1 padded


class Town(NamedTuple):
    age: np.ndarray  # uint8
    household: np.ndarray  # int32
    household_start: np.ndarray  # int64
    cell: np.ndarray  # int32
    cell_start: np.ndarray  # int64
    cell_at: np.ndarray  # int32 (columns, rows): the cell at each grid square, -1 if none
    cell_xy: np.ndarray  # int32 (cells, 2)
    group: np.ndarray  # int32, -1: neither school nor work
    group_members: np.ndarray  # int32
    group_start: np.ndarray  # int64
    group_is_school: np.ndarray  # bool
    hosp_by_age: np.ndarray  # float64, share admitted to hospital per ten-year age band


class People(NamedTuple):
    state: np.ndarray  # int8: kernels.SUS, EXP, INF, REC
    t_inf: np.ndarray  # int16: day infected, -1 never
    lat: np.ndarray  # uint8: latent days
    dur: np.ndarray  # uint8: infectious days
    flags: np.ndarray  # uint8: kernels.ASYM | SEEKS | SEVERE | DETECTED | QUEUED
    iso: np.ndarray  # int8: kernels.FREE, HOME_Q, CENTRAL_Q, ISOLATED
    iso_until: np.ndarray  # int16: the day quarantine ends
    # Kept only when a run keeps its record (else one element each): who infected them (-1:
    # from outside), the day they were found (-1: never), how (kernels.FOUND_…).
    source: np.ndarray  # int32
    found_day: np.ndarray  # int16
    found_as: np.ndarray  # int8


class Lists(NamedTuple):
    active: np.ndarray  # int32 (people, ACTIVE_COLUMNS)
    pending: np.ndarray  # int32 (rows, 3): who, due day, kind (0 found, 1 a test)
    queue: np.ndarray  # int32 (rows, 3): who, due day, contact kind
    placed: np.ndarray  # int32: people in quarantine
    sealed_until: np.ndarray  # int16 per cell
    controlled_until: np.ndarray  # int16 per cell
    counts: np.ndarray  # int64 (COUNTERS,)


def town_of(city: City, hosp_by_age: np.ndarray) -> Town:
    return Town(
        age=city.age,
        household=city.household,
        household_start=city.household_start,
        cell=city.cell,
        cell_start=city.cell_start,
        cell_at=cell_grid(city),
        cell_xy=city.cell_xy,
        group=city.group,
        group_members=city.group_members,
        group_start=city.group_start,
        group_is_school=city.group_is_school,
        hosp_by_age=np.asarray(hosp_by_age, dtype=np.float64),
    )


def cell_grid(city: City) -> np.ndarray:
    """Cell index at each (column, row) of the grid, -1 where there is none."""
    xy = city.cell_xy
    grid = np.full((int(xy[:, 0].max()) + 1, int(xy[:, 1].max()) + 1), -1, dtype=np.int32)
    grid[xy[:, 0], xy[:, 1]] = np.arange(len(xy), dtype=np.int32)
    return grid


def new_people(n: int, *, record: bool = False) -> People:
    kept = n if record else 1
    return People(
        state=np.zeros(n, dtype=np.int8),
        t_inf=np.full(n, -1, dtype=np.int16),
        lat=np.zeros(n, dtype=np.uint8),
        dur=np.zeros(n, dtype=np.uint8),
        flags=np.zeros(n, dtype=np.uint8),
        iso=np.zeros(n, dtype=np.int8),
        iso_until=np.zeros(n, dtype=np.int16),
        source=np.full(kept, -1, dtype=np.int32),
        found_day=np.full(kept, -1, dtype=np.int16),
        found_as=np.zeros(kept, dtype=np.int8),
    )


def new_lists(n: int, cells: int) -> Lists:
    """Working lists sized for a quiet start; the run grows them day by day as needed."""
    rows = max(1024, n // 64)
    return Lists(
        active=np.zeros((n, ACTIVE_COLUMNS), dtype=np.int32),
        pending=np.zeros((rows, 3), dtype=np.int32),
        queue=np.zeros((rows, 3), dtype=np.int32),
        placed=np.zeros(rows, dtype=np.int32),
        sealed_until=np.zeros(cells, dtype=np.int16),
        controlled_until=np.zeros(cells, dtype=np.int16),
        counts=np.zeros(COUNTERS, dtype=np.int64),
    )
