"""A synthetic city for the war game: people in households, households in grid cells, cells in
counties, children in schools and adults at work — built with numpy in a few seconds for
millions of people, and laid out so each layer's members are contiguous ranges:

- people are numbered household by household, households cell by cell, so a household's
  members and a cell's residents are `start[k] : start[k + 1]` slices;
- schools and workplaces ("groups") keep a member list sorted by group with its own offsets.

About 17 bytes a person: age, household, cell and group, plus the group member list."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

# Household sizes 1-6+ in China's 2020 census (7th national census, household tables):
# 25.4 % one person, 29.7 % two, 20.9 % three, 13.2 % four, 6.1 % five, 4.7 % six or more.
HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5, 6])
HOUSEHOLD_SHARES = np.array([0.254, 0.297, 0.209, 0.132, 0.061, 0.047])
# Age pyramid (2020 census, ten-year bands 0-9 … 80+), shares of the population.
AGE_SHARES = np.array([0.119, 0.111, 0.122, 0.157, 0.147, 0.150, 0.108, 0.058, 0.028])
SCHOOL_AGES = (6, 18)
WORK_AGES = (19, 60)
EMPLOYED = 0.75  # of working age
SCHOOL_SIZE = 1_000
WORKPLACE_MEAN = 20  # lognormal sizes, a long tail of big employers


class Layers(NamedTuple):
    """What the contact layers' rates are computed from, once a city (runs of one city share it)."""

    household_others: float  # the mean number of others in a person's household
    in_group: float  # share of people at school or work
    schools: float  # share of those at school


@dataclass
class City:
    people: int
    age: np.ndarray  # uint8
    household: np.ndarray  # int32, household of each person
    household_start: np.ndarray  # int64, H + 1: members of k are household_start[k]:[k+1]
    cell: np.ndarray  # int32, home cell of each person
    cell_start: np.ndarray  # int64, C + 1: residents of cell c
    cell_xy: np.ndarray  # int32 (C, 2): column and row of each cell on the grid
    cell_county: np.ndarray  # int16, county index of each cell
    group: np.ndarray  # int32, school or workplace (-1: neither)
    group_members: np.ndarray  # int32, people sorted by group
    group_start: np.ndarray  # int64, G + 1
    group_is_school: np.ndarray  # bool, G

    @property
    def cells(self) -> int:
        return len(self.cell_start) - 1

    @cached_property
    def layers(self) -> Layers:
        sizes = np.diff(self.household_start)
        in_group = self.group >= 0
        return Layers(
            household_others=float((sizes * (sizes - 1)).sum() / sizes.sum()),
            in_group=float(in_group.mean()),
            schools=float(self.group_is_school[self.group[in_group]].mean())
            if in_group.any()
            else 0.0,
        )

    def nbytes(self) -> int:
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))


def build_city(people: int, *, counties: int = 13, per_cell: int = 2_500, seed: int = 0) -> City:
    """A city of `people` over `counties` square counties of grid cells (`per_cell` people a
    cell on average). Deterministic for a seed: the steps draw from one generator in order."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xC17]))
    household, household_start = _households(rng, people)
    age = _ages(rng, people, household_start)
    cell, cell_start, cell_xy, county_of_cell = _cells(
        rng, household, len(household_start) - 1, counties, per_cell
    )
    group, group_members, group_start, is_school = _groups(rng, age, county_of_cell[cell], counties)
    return City(
        people=people,
        age=age,
        household=household,
        household_start=household_start,
        cell=cell,
        cell_start=cell_start,
        cell_xy=cell_xy,
        cell_county=county_of_cell,
        group=group,
        group_members=group_members,
        group_start=group_start,
        group_is_school=is_school,
    )


def _households(rng: np.random.Generator, people: int) -> tuple[np.ndarray, np.ndarray]:
    """Households until everyone has one, sizes from the census shares: each person's
    household and each household's first member."""
    sizes = rng.choice(HOUSEHOLD_SIZES, size=people // 2 + 16, p=HOUSEHOLD_SHARES)
    ends = np.cumsum(sizes)
    n_households = int(np.searchsorted(ends, people)) + 1
    sizes = sizes[:n_households].copy()
    sizes[-1] -= int(ends[n_households - 1] - people)
    household_start = np.zeros(n_households + 1, dtype=np.int64)
    np.cumsum(sizes, out=household_start[1:])
    household = np.repeat(np.arange(n_households, dtype=np.int32), sizes)
    return household, household_start


def _ages(rng: np.random.Generator, people: int, household_start: np.ndarray) -> np.ndarray:
    """Ages from the pyramid; every household has an adult."""
    band = rng.choice(len(AGE_SHARES), size=people, p=AGE_SHARES / AGE_SHARES.sum())
    age = (band * 10 + rng.integers(0, 10, size=people)).astype(np.uint8)
    heads = household_start[:-1]
    age[heads] = np.maximum(age[heads], 20 + rng.integers(0, 50, size=len(heads)))
    return age


def _cells(
    rng: np.random.Generator, household: np.ndarray, n_households: int, counties: int,
    per_cell: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """A square grid per county; households fill cells in order, cell sizes vary. Each
    person's cell, each cell's first resident, each cell's grid square and county."""
    people = len(household)
    n_cells = max(counties, int(np.ceil(people / per_cell)))
    side = int(np.ceil(np.sqrt(n_cells / counties)))
    weights = rng.gamma(4.0, 1.0, size=n_cells)
    cell_of_household = np.searchsorted(
        np.cumsum(weights) / weights.sum(), (np.arange(n_households) + 0.5) / n_households
    ).astype(np.int32)
    cell = cell_of_household[household]
    cell_start = np.zeros(n_cells + 1, dtype=np.int64)
    np.cumsum(np.bincount(cell, minlength=n_cells), out=cell_start[1:])
    county_of_cell = (np.arange(n_cells) * counties // n_cells).astype(np.int16)
    index_in_county = np.arange(n_cells) - np.searchsorted(county_of_cell, county_of_cell)
    cols_per_row_of_counties = int(np.ceil(np.sqrt(counties)))
    cx = (county_of_cell % cols_per_row_of_counties) * side + index_in_county % side
    cy = (county_of_cell // cols_per_row_of_counties) * side + index_in_county // side
    cell_xy = np.stack([cx, cy], axis=1).astype(np.int32)
    return cell, cell_start, cell_xy, county_of_cell


def _groups(
    rng: np.random.Generator, age: np.ndarray, county: np.ndarray, counties: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Children of school age go to one of their county's schools; workers to a workplace of
    their county (lognormal sizes). Each person's group, the members by group, each group's
    first member, and which groups are schools."""
    group = np.full(len(age), -1, dtype=np.int32)
    pupils = np.flatnonzero((age >= SCHOOL_AGES[0]) & (age <= SCHOOL_AGES[1]))
    working = np.flatnonzero((age >= WORK_AGES[0]) & (age <= WORK_AGES[1]))
    workers = working[rng.random(len(working)) < EMPLOYED]
    next_group = 0
    is_school: list[np.ndarray] = []
    for members, mean, school in ((pupils, SCHOOL_SIZE, True), (workers, WORKPLACE_MEAN, False)):
        order = members[np.argsort(county[members], kind="stable")]
        # Groups never straddle counties: cut each county's members into groups.
        bounds = np.searchsorted(county[order], np.arange(counties + 1))
        for k in range(counties):
            mine = order[bounds[k] : bounds[k + 1]]
            if not len(mine):
                continue
            ids, n = _group_ids(rng, len(mine), mean, school)
            group[mine] = next_group + ids
            is_school.append(np.full(n, school))
            next_group += n
    in_group = np.flatnonzero(group >= 0)
    group_members = in_group[np.argsort(group[in_group], kind="stable")].astype(np.int32)
    group_start = np.zeros(next_group + 1, dtype=np.int64)
    np.cumsum(np.bincount(group[in_group], minlength=next_group), out=group_start[1:])
    schools = np.concatenate(is_school) if is_school else np.zeros(0, dtype=bool)
    return group, group_members, group_start, schools


def _group_ids(
    rng: np.random.Generator, members: int, mean: int, school: bool
) -> tuple[np.ndarray, int]:
    """Schools of about `mean` pupils at random; workplaces of lognormal sizes in order."""
    if school:
        n = max(1, members // mean)
        return rng.integers(0, n, size=members), n
    sizes = np.maximum(1, rng.lognormal(np.log(mean) - 0.5, 1.0, size=members))
    cuts = np.searchsorted(np.cumsum(sizes), np.arange(members) + 0.5)
    ids = cuts - cuts.min()
    return ids, int(ids.max()) + 1
