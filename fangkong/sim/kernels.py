"""The war game's kernels, all of them (numba, nopython): a stochastic SEIR on the synthetic
city, day by day, whose work is spent on infectious people and scheduled events (detections,
tests, placements, releases), never on every agent every day — except on a screening round's
day, when everyone is tested. `step` runs one day; its docstring is the day's lifecycle.

Random numbers are counter-based: every draw is a hash of (seed, stream, who, day, k). So a
draw never depends on the order or the number of other draws: adding an intervention changes
what it changes and nothing else (the named streams of the validation tests), and the same
seed gives the same run.

State is named (sim/state.py): the run's parameters, the town's arrays, the people's, the
working lists; the run's counters by name (C_…), the day's figures by their SERIES name
(O_…)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit

from fangkong.sim.state import ACTIVE_COLUMNS, COUNTERS, Lists, Params, People, Town

# Every kernel runs without numba's reference counting (`_nrt=False`): none allocates, and
# counting the references of each array in the named state handed to a per-person helper made
# a day three to four times slower (1,000,000 people, 60 days: 0.46 s with it, 0.15 s without).
_OPTIONS: dict[str, Any] = {"cache": True, "_nrt": False}
F = TypeVar("F", bound=Callable[..., Any])


def kernel(function: F) -> F:
    """Compiled by numba, cached on disk, without reference counting."""
    return cast(F, njit(**_OPTIONS)(function))


def inline_kernel(function: F) -> F:
    """A small kernel compiled into each of its callers."""
    return cast(F, njit(inline="always", **_OPTIONS)(function))


# -- states, isolation kinds, queue kinds, streams --------------------------------------------
SUS, EXP, INF, REC = 0, 1, 2, 3
FREE, HOME_Q, CENTRAL_Q, ISOLATED = 0, 1, 2, 3
ASYM, SEEKS, SEVERE, DETECTED, QUEUED = 1, 2, 4, 8, 16
CLOSE, SECONDARY, COMPANION = 0, 1, 2
# How a detection was found, when a run keeps its record (People.found_as).
FOUND_IN_COMMUNITY, FOUND_AS_CONTACT, FOUND_IN_QUARANTINE = 0, 1, 2
ST_DISEASE, ST_HOUSEHOLD, ST_GROUP, ST_COMMUNITY, ST_TEST, ST_TRACE, ST_IMPORT = range(7)

# -- float parameters (index into `fp`) -------------------------------------------------------
(
    F_LATENT, F_LATENT_SHAPE, F_PRESYM, F_INFECTIOUS, F_INFECTIOUS_SHAPE, F_ASYM,
    F_ASYM_INF, F_CARE_DAYS, F_CARE_FRACTION, F_BETA_H, F_BETA_W, F_BETA_S, F_COMMUNITY,
    F_BETA_C, F_HOMOGENEOUS_RATE, F_SENSITIVITY, F_FOUND, F_IMPORT_RATE, F_IMPORT_CAUGHT,
    F_CONTROLLED_COMMUNITY,
) = range(20)  # fmt: skip
N_FP = 20
# -- integer parameters (index into `ip`) -----------------------------------------------------
(
    I_HOMOGENEOUS, I_DETECTION, I_TRACING, I_ZONES, I_TRACE_PER_DAY, I_TRACE_DELAY,
    I_ROOMS, I_CLOSE_DAYS, I_SECONDARY_DAYS, I_ZONE_DAYS, I_WORK_CONTACTS, I_SCHOOL_CONTACTS,
    I_COMPANIONS, I_LAB_PER_DAY, I_POOL, I_GROUP_TRACE_MAX, I_TRANSFER_DELAY,
) = range(17)  # fmt: skip
N_IP = 17
# Columns of the active list (one row per infected person until they recover).
A_ID, A_START, A_END, A_CARE, A_HOSPITAL, A_HOUSEHOLD, A_GROUP, A_CELL = range(ACTIVE_COLUMNS)
N_ACTIVE_COLUMNS = ACTIVE_COLUMNS
NO_CARE, ASYMPTOMATIC = -1, -2  # A_CARE when they never seek care / have no symptoms
# Test days after placement, per queue kind (from the protocol), padded with -1.
MAX_TEST_DAYS = 8

# The run's counters (`Lists.counts`), by name.
(
    C_ACTIVE, C_NEW_INFECTIONS, C_PENDING, C_QUEUE_END, C_QUEUE_HEAD, C_PLACED,
    C_CUM_DETECTED, C_ROOMS_USED, C_TESTS_USED, C_LAB_BACKLOG, C_CUM_INFECTIONS, C_DROPPED,
    C_ISOLATED,
) = range(COUNTERS)  # fmt: skip
# Daily series columns, and their indices in a day's row.
SERIES = (
    "day", "susceptible", "exposed", "infectious", "recovered", "cum_infections",
    "new_infections", "detected", "cum_detected", "in_central_quarantine",
    "in_home_quarantine", "rooms_used", "tests_used", "lab_backlog", "traced",
    "sealed_cells", "hospitalised", "isolated",
)  # fmt: skip
N_SERIES = len(SERIES)
(
    O_DAY, O_SUSCEPTIBLE, O_EXPOSED, O_INFECTIOUS, O_RECOVERED, O_CUM_INFECTIONS,
    O_NEW_INFECTIONS, O_DETECTED, O_CUM_DETECTED, O_CENTRAL, O_HOME, O_ROOMS_USED,
    O_TESTS_USED, O_LAB_BACKLOG, O_TRACED, O_SEALED, O_HOSPITALISED, O_ISOLATED,
) = range(N_SERIES)  # fmt: skip

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


@inline_kernel
def _mix(x: np.uint64) -> np.uint64:
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


@inline_kernel
def _hash(seed: int, stream: int, a: int, b: int, c: int) -> np.uint64:
    """64 random bits that depend only on the arguments (splitmix64 rounds)."""
    h = _mix(np.uint64(seed) * _GOLD + np.uint64(stream))
    h = _mix(h ^ (np.uint64(a) * _GOLD))
    return _mix(h ^ (np.uint64(b) * _M1 + np.uint64(c)))


@inline_kernel
def uniform(seed: int, stream: int, a: int, b: int, c: int) -> float:
    """A uniform draw in [0, 1) that depends only on its arguments."""
    return float(_hash(seed, stream, a, b, c) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@kernel
def _poisson(lam: float, u: float) -> int:
    """Poisson by inversion from one uniform (rates here are small)."""
    k = 0
    p = np.exp(-lam)
    cdf = p
    while u > cdf and k < 200:
        k += 1
        p *= lam / k
        cdf += p
    return k


@kernel
def _gamma_days(mean: float, shape: float, u: float, v: float, w: float) -> int:
    """A gamma(mean, shape) draw in whole days (≥ 1): Wilson-Hilferty from a normal."""
    z = np.sqrt(-2.0 * np.log(max(u, 1e-300))) * np.cos(2.0 * np.pi * v)
    k = shape
    x = k * (1.0 - 1.0 / (9.0 * k) + z / (3.0 * np.sqrt(k))) ** 3
    days = int(x * mean / k + w)
    return max(days, 1)


@inline_kernel
def infect(
    j: int, day: int, source: int, seed: int, fp: np.ndarray, town: Town, people: People,
    lists: Lists,
) -> None:  # fmt: skip
    """j is infected today by `source` (-1: from outside): their whole course is drawn now,
    from the disease stream."""
    state, t_inf, lat, dur, flags = people.state, people.t_inf, people.lat, people.dur, people.flags
    active, counts = lists.active, lists.counts
    state[j] = EXP
    t_inf[j] = day
    if len(people.source) > 1:  # the run keeps its record (a backtest's truth)
        people.source[j] = source
    lat[j] = min(_gamma_days(
        fp[F_LATENT], fp[F_LATENT_SHAPE],
        uniform(seed, ST_DISEASE, j, 0, 0), uniform(seed, ST_DISEASE, j, 0, 1),
        uniform(seed, ST_DISEASE, j, 0, 2),
    ), 60)  # fmt: skip
    dur[j] = min(_gamma_days(
        fp[F_INFECTIOUS], fp[F_INFECTIOUS_SHAPE],
        uniform(seed, ST_DISEASE, j, 1, 0), uniform(seed, ST_DISEASE, j, 1, 1),
        uniform(seed, ST_DISEASE, j, 1, 2),
    ), 60)  # fmt: skip
    f = 0
    if uniform(seed, ST_DISEASE, j, 2, 0) < fp[F_ASYM]:
        f |= ASYM
    else:
        if uniform(seed, ST_DISEASE, j, 2, 1) < fp[F_CARE_FRACTION]:
            f |= SEEKS
        band = min(town.age[j] // 10, 8)
        if uniform(seed, ST_DISEASE, j, 2, 2) < town.hosp_by_age[band]:
            f |= SEVERE
    flags[j] = (flags[j] & (DETECTED | QUEUED)) | f
    # The active row: everything the daily loops read, side by side, so they run through
    # memory in order instead of jumping about the population's arrays.
    start = day + int(lat[j])
    onset = start + int(fp[F_PRESYM] + 0.5)
    row = counts[C_ACTIVE]
    active[row, A_ID] = j
    active[row, A_START] = start
    active[row, A_END] = start + int(dur[j])
    active[row, A_CARE] = NO_CARE
    active[row, A_HOSPITAL] = -1
    active[row, A_HOUSEHOLD] = town.household[j]
    active[row, A_GROUP] = town.group[j]
    active[row, A_CELL] = town.cell[j]
    if f & ASYM:
        active[row, A_CARE] = ASYMPTOMATIC
    else:
        if f & SEEKS:
            delay = int(fp[F_CARE_DAYS] * 2 * uniform(seed, ST_DISEASE, j, 3, 0) + 0.5)
            active[row, A_CARE] = onset + delay
        if f & SEVERE:
            active[row, A_HOSPITAL] = onset + 2
    counts[C_ACTIVE] += 1
    counts[C_NEW_INFECTIONS] += 1


@kernel
def step(
    day: int, screening_today: bool, params: Params, town: Town, people: People, lists: Lists,
    out: np.ndarray,
) -> None:  # fmt: skip
    """One day of the war game, in this order (the lifecycle):

    1. importations: arrivals from elsewhere are infected, some caught by the inbound loop's
       landing test (a test scheduled when they become detectable);
    2. transmission: each infectious person not isolated infects their household, then (unless
       in home quarantine or a sealed cell) their school or workplace on weekdays and the
       community around their home cell — contacts thinned to the transmissions they make;
    3. progression: the exposed become infectious, the infectious recover; symptomatic people
       seek care and the severe are admitted, each a detection on its day;
    4. a screening round, on its days: everyone not isolated is swabbed in pools, the lab's
       backlog grows, positives are found after their wait in the lab;
    5. detections due today: the case is isolated, its home cell sealed and the neighbours
       controlled, its household, colleagues and companions queued for tracing;
    6. tracing: the team works the queue within its capacity; contacts go to a room while rooms
       last (else home quarantine), with their test days; a close contact's household are
       queued as secondary contacts;
    7. releases: quarantine that has run its days ends, its room freed;
    8. the day's figures, one row of SERIES.
    """
    _import_cases(day, params, town, people, lists)
    _transmit(day, params, town, people, lists)
    hospitalised, exposed, infectious = _progress(day, params, people, lists)
    if screening_today:
        _screen(day, params, people, lists)
    backlog_done = min(lists.counts[C_LAB_BACKLOG], params.ip[I_LAB_PER_DAY])
    lists.counts[C_LAB_BACKLOG] -= backlog_done
    detected_today = _detect(day, params, town, people, lists)
    traced_today = _trace(day, params, town, people, lists)
    central, home = _release(day, people, lists)
    counts = lists.counts
    counts[C_CUM_INFECTIONS] += counts[C_NEW_INFECTIONS]
    sealed = 0
    for c in range(len(lists.sealed_until)):
        if lists.sealed_until[c] > day:
            sealed += 1
    n = len(people.state)
    out[O_DAY] = day
    out[O_SUSCEPTIBLE] = n - counts[C_CUM_INFECTIONS]
    out[O_EXPOSED] = exposed
    out[O_INFECTIOUS] = infectious
    out[O_RECOVERED] = counts[C_CUM_INFECTIONS] - counts[C_ACTIVE]
    out[O_CUM_INFECTIONS] = counts[C_CUM_INFECTIONS]
    out[O_NEW_INFECTIONS] = counts[C_NEW_INFECTIONS]
    out[O_DETECTED] = detected_today
    out[O_CUM_DETECTED] = counts[C_CUM_DETECTED]
    out[O_CENTRAL] = central
    out[O_HOME] = home
    out[O_ROOMS_USED] = counts[C_ROOMS_USED]
    out[O_TESTS_USED] = counts[C_TESTS_USED]
    out[O_LAB_BACKLOG] = counts[C_LAB_BACKLOG]
    out[O_TRACED] = traced_today
    out[O_SEALED] = sealed
    out[O_HOSPITALISED] = hospitalised
    out[O_ISOLATED] = counts[C_ISOLATED]


@kernel
def _import_cases(day: int, params: Params, town: Town, people: People, lists: Lists) -> None:
    """Inbound arrivals infected elsewhere; some are caught by the loop's tests."""
    seed, fp, ip = params.seed, params.fp, params.ip
    n = len(people.state)
    arrivals = _poisson(fp[F_IMPORT_RATE], uniform(seed, ST_IMPORT, day, 0, 0))
    for k in range(arrivals):
        j = int(uniform(seed, ST_IMPORT, day, 1, k) * n)
        if people.state[j] == SUS:
            infect(j, day, -1, seed, fp, town, people, lists)
            if ip[I_DETECTION] == 1 and uniform(seed, ST_IMPORT, day, 2, k) < fp[F_IMPORT_CAUGHT]:
                # the loop's tests find them
                _pend(lists.pending, lists.counts, j, day + people.lat[j], 1)


@kernel
def _transmit(day: int, params: Params, town: Town, people: People, lists: Lists) -> None:
    """Transmission over the infected only: household, then group and community."""
    seed, fp = params.seed, params.fp
    state, iso, active = people.state, people.iso, lists.active
    n = len(state)
    homogeneous = params.ip[I_HOMOGENEOUS] == 1
    for a in range(lists.counts[C_ACTIVE]):
        if day < active[a, A_START] or day >= active[a, A_END]:
            continue
        i = active[a, A_ID]
        if iso[i] == ISOLATED or iso[i] == CENTRAL_Q:
            continue
        rel = fp[F_ASYM_INF] if active[a, A_CARE] == ASYMPTOMATIC else 1.0
        if homogeneous:
            contacts = _poisson(
                fp[F_HOMOGENEOUS_RATE] * rel, uniform(seed, ST_COMMUNITY, i, day, 0)
            )
            for k in range(contacts):
                j = int(uniform(seed, ST_COMMUNITY, i, day, k + 1) * n)
                if state[j] == SUS and iso[j] < CENTRAL_Q:
                    infect(j, day, i, seed, fp, town, people, lists)
            continue
        h = active[a, A_HOUSEHOLD]
        p_h = fp[F_BETA_H] * rel
        for j in range(town.household_start[h], town.household_start[h + 1]):
            if j != i and state[j] == SUS and iso[j] < CENTRAL_Q:
                if uniform(seed, ST_HOUSEHOLD, i, day, j) < p_h:
                    infect(j, day, i, seed, fp, town, people, lists)
        if iso[i] == HOME_Q:
            continue
        c = active[a, A_CELL]
        if lists.sealed_until[c] > day:
            continue  # 足不出户: household only
        controlled = lists.controlled_until[c] > day
        if active[a, A_GROUP] >= 0 and day % 7 < 5 and not controlled:
            _transmit_in_group(day, i, active[a, A_GROUP], rel, params, town, people, lists)
        _transmit_around(day, i, c, controlled, rel, params, town, people, lists)


@inline_kernel
def _transmit_in_group(
    day: int, i: int, g: int, rel: float, params: Params, town: Town, people: People,
    lists: Lists,
) -> None:  # fmt: skip
    """School or work on a weekday. Contacts are thinned first: only the ones that would
    transmit are drawn (Poisson(contacts × p)), then whom they reach."""
    seed, fp, ip = params.seed, params.fp, params.ip
    state, iso, cell, sealed_until = people.state, people.iso, town.cell, lists.sealed_until
    g0, g1 = town.group_start[g], town.group_start[g + 1]
    size = g1 - g0
    school = town.group_is_school[g]
    m = min(size - 1, ip[I_SCHOOL_CONTACTS] if school else ip[I_WORK_CONTACTS])
    p_g = (fp[F_BETA_S] if school else fp[F_BETA_W]) * rel
    hits = _poisson(m * p_g, uniform(seed, ST_GROUP, i, day, 0))
    for k in range(hits):
        j = town.group_members[g0 + int(uniform(seed, ST_GROUP, i, day, k + 1) * size)]
        if _reachable(j, i, day, state, iso, cell, sealed_until):
            infect(j, day, i, seed, fp, town, people, lists)


@inline_kernel
def _transmit_around(
    day: int, i: int, c: int, controlled: bool, rel: float, params: Params, town: Town,
    people: People, lists: Lists,
) -> None:  # fmt: skip
    """The community: the home cell, its neighbours, some travel across the city (a
    controlled cell keeps its people at home)."""
    seed, fp = params.seed, params.fp
    state, iso, cell, sealed_until = people.state, people.iso, town.cell, lists.sealed_until
    lam = fp[F_COMMUNITY] * (fp[F_CONTROLLED_COMMUNITY] if controlled else 1.0)
    hits = _poisson(lam * fp[F_BETA_C] * rel, uniform(seed, ST_COMMUNITY, i, day, 0))
    cx, cy = town.cell_xy[c, 0], town.cell_xy[c, 1]
    cell_at, cell_start = town.cell_at, town.cell_start
    for k in range(hits):
        h = _hash(seed, ST_COMMUNITY, i, day, k + 1)
        where = float(h & np.uint64(0xFFFF)) / 65536.0
        which = float((h >> np.uint64(16)) & np.uint64(0xFFFF)) / 65536.0
        pick = float(h >> np.uint64(32)) / 4294967296.0
        target = c
        if not controlled:
            if where > 0.95:
                target = int(which * (len(cell_start) - 1))
            elif where > 0.8:
                d8 = int(which * 8)
                x = cx + (-1, 0, 1, -1, 1, -1, 0, 1)[d8]
                y = cy + (-1, -1, -1, 0, 0, 1, 1, 1)[d8]
                if 0 <= x < cell_at.shape[0] and 0 <= y < cell_at.shape[1]:
                    if cell_at[x, y] >= 0:
                        target = cell_at[x, y]
        r0, r1 = cell_start[target], cell_start[target + 1]
        if r1 <= r0:
            continue
        j = r0 + int(pick * (r1 - r0))
        if _reachable(j, i, day, state, iso, cell, sealed_until):
            infect(j, day, i, seed, fp, town, people, lists)


@inline_kernel
def _reachable(
    j: int, i: int, day: int, state: np.ndarray, iso: np.ndarray, cell: np.ndarray,
    sealed_until: np.ndarray,
) -> bool:  # fmt: skip
    """Someone out and about: susceptible, not isolated, not sealed in at home."""
    return j != i and state[j] == SUS and iso[j] == FREE and sealed_until[cell[j]] <= day


@kernel
def _progress(day: int, params: Params, people: People, lists: Lists) -> tuple[int, int, int]:
    """Courses move on; care seeking and admissions are detections on their day. The active
    list keeps only who is still infected. Returns (hospitalised, exposed, infectious)."""
    state, iso, active, counts = people.state, people.iso, lists.active, lists.counts
    hospitalised = exposed = infectious = 0
    keep = 0
    detect = params.ip[I_DETECTION] == 1
    for a in range(counts[C_ACTIVE]):
        i = active[a, A_ID]
        start, end = active[a, A_START], active[a, A_END]
        if day >= end:
            state[i] = REC
            if iso[i] == ISOLATED:
                iso[i] = FREE
                counts[C_ISOLATED] -= 1
            continue  # leaves the active list
        if day == start:
            state[i] = INF
        if day < start:
            exposed += 1
        else:
            infectious += 1
        hospital = active[a, A_HOSPITAL]
        if hospital >= 0 and day >= hospital:
            hospitalised += 1
            if detect and day == hospital:
                _pend(lists.pending, counts, i, day, 0)
        if detect and day == active[a, A_CARE]:
            _pend(lists.pending, counts, i, day, 0)
        if keep != a:
            for col in range(N_ACTIVE_COLUMNS):
                active[keep, col] = active[a, col]
        keep += 1
    counts[C_ACTIVE] = keep
    return hospitalised, exposed, infectious


@kernel
def _screen(day: int, params: Params, people: People, lists: Lists) -> None:
    """A screening round: everyone not isolated swabbed in pools; the lab works through the
    tubes, and each detectable case is found after their place in its backlog."""
    seed, fp, ip = params.seed, params.fp, params.ip
    iso, active, counts = people.iso, lists.active, lists.counts
    swabbed = 0
    for j in range(len(iso)):
        if iso[j] != ISOLATED:
            swabbed += 1
    pool = max(ip[I_POOL], 1)
    tubes = (swabbed + pool - 1) // pool
    counts[C_TESTS_USED] += tubes
    counts[C_LAB_BACKLOG] += tubes
    per_day = max(ip[I_LAB_PER_DAY], 1)
    for a in range(counts[C_ACTIVE]):
        j = active[a, A_ID]
        if iso[j] == ISOLATED or people.flags[j] & DETECTED:
            continue
        if day >= active[a, A_START] - 1:
            if uniform(seed, ST_TEST, j, day, 0) < fp[F_SENSITIVITY]:
                wait = 1 + int(uniform(seed, ST_TEST, j, day, 1) * tubes / per_day)
                _pend(lists.pending, counts, j, day + wait, 0)
                counts[C_TESTS_USED] += pool  # the pool's members retested in single tubes


@kernel
def _detect(day: int, params: Params, town: Town, people: People, lists: Lists) -> int:
    """Detections due today: isolate, seal the home cell, start tracing. Later ones stay on
    the list. Returns how many were detected."""
    seed, fp = params.seed, params.fp
    state, flags, iso = people.state, people.flags, people.iso
    pending, counts = lists.pending, lists.counts
    detected_today = 0
    kept = 0
    for q in range(counts[C_PENDING]):
        if pending[q, 1] > day:  # later: keep it on the list
            pending[kept, 0], pending[kept, 1], pending[kept, 2] = (
                pending[q, 0],
                pending[q, 1],
                pending[q, 2],
            )
            kept += 1
            continue
        j = pending[q, 0]  # due today (or yesterday, if queued after yesterday's check)
        if pending[q, 2] == 1:  # a scheduled test: positive only if detectable now
            counts[C_TESTS_USED] += 1
            onset = people.t_inf[j] + people.lat[j] - 1
            detectable = state[j] != SUS and state[j] != REC and day >= onset
            if not detectable or uniform(seed, ST_TEST, j, day, 2) >= fp[F_SENSITIVITY]:
                continue
        if flags[j] & DETECTED:
            continue
        if len(people.found_day) > 1:  # how the platform would have found them
            people.found_day[j] = day
            named = pending[q, 2] == 1 or flags[j] & QUEUED
            people.found_as[j] = (
                FOUND_IN_QUARANTINE
                if iso[j] == HOME_Q or iso[j] == CENTRAL_Q
                else (FOUND_AS_CONTACT if named else FOUND_IN_COMMUNITY)
            )
        flags[j] |= DETECTED
        detected_today += 1
        counts[C_CUM_DETECTED] += 1
        if iso[j] == CENTRAL_Q:
            counts[C_ROOMS_USED] -= 1
        iso[j] = ISOLATED
        counts[C_ISOLATED] += 1
        if params.ip[I_ZONES] == 1:
            _seal(day, town.cell[j], params, town, lists)
        if params.ip[I_TRACING] == 1:
            _queue_contacts_of(day, j, params, town, people, lists)
    counts[C_PENDING] = kept
    return detected_today


@inline_kernel
def _seal(day: int, c: int, params: Params, town: Town, lists: Lists) -> None:
    """The case's home cell sealed, its eight neighbours controlled, for the zone's days."""
    days = params.ip[I_ZONE_DAYS]
    lists.sealed_until[c] = day + days
    cx, cy = town.cell_xy[c, 0], town.cell_xy[c, 1]
    cell_at = town.cell_at
    for dx in range(-1, 2):
        for dy in range(-1, 2):
            x, y = cx + dx, cy + dy
            if 0 <= x < cell_at.shape[0] and 0 <= y < cell_at.shape[1] and cell_at[x, y] >= 0:
                nb = cell_at[x, y]
                lists.controlled_until[nb] = max(lists.controlled_until[nb], day + days)


@inline_kernel
def _queue_contacts_of(
    day: int, j: int, params: Params, town: Town, people: People, lists: Lists
) -> None:
    """A case's household (all), colleagues (some, found or not) and companions (random
    residents of the home cell) onto the tracing queue, due after the tracing delay."""
    seed, fp, ip = params.seed, params.fp, params.ip
    queue, counts, flags = lists.queue, lists.counts, people.flags
    due = day + ip[I_TRACE_DELAY]
    h = town.household[j]
    for m in range(town.household_start[h], town.household_start[h + 1]):
        if m != j:
            _enqueue(queue, counts, flags, m, due, CLOSE)
    g = town.group[j]
    if g >= 0:
        g0, g1 = town.group_start[g], town.group_start[g + 1]
        size = g1 - g0
        for k in range(min(size, ip[I_GROUP_TRACE_MAX])):
            m = town.group_members[g0 + int(uniform(seed, ST_TRACE, j, day, k) * size)]
            if m != j and uniform(seed, ST_TRACE, j, day, 1000 + k) < fp[F_FOUND]:
                _enqueue(queue, counts, flags, m, due, CLOSE)
    c = town.cell[j]
    r0, r1 = town.cell_start[c], town.cell_start[c + 1]
    for k in range(ip[I_COMPANIONS]):
        if r1 > r0:
            m = r0 + int(uniform(seed, ST_TRACE, j, day, 2000 + k) * (r1 - r0))
            _enqueue(queue, counts, flags, m, due, COMPANION)


@kernel
def _trace(day: int, params: Params, town: Town, people: People, lists: Lists) -> int:
    """The tracing team works the queue within its capacity. Returns how many it worked."""
    ip, test_days = params.ip, params.test_days
    flags, iso, queue, counts = people.flags, people.iso, lists.queue, lists.counts
    traced_today = 0
    head = counts[C_QUEUE_HEAD]
    while (
        head < counts[C_QUEUE_END] and traced_today < ip[I_TRACE_PER_DAY] and queue[head, 1] <= day
    ):
        m, kind = queue[head, 0], queue[head, 2]
        head += 1
        traced_today += 1
        flags[m] &= ~QUEUED
        if flags[m] & DETECTED or iso[m] != FREE:
            continue
        if kind != COMPANION:
            _quarantine(day, m, kind, params, people, lists)
        for t in range(MAX_TEST_DAYS):
            if test_days[kind, t] >= 0:
                _pend(lists.pending, counts, m, day + test_days[kind, t], 1)
        if kind == CLOSE:  # their household become secondary contacts
            h = town.household[m]
            for s in range(town.household_start[h], town.household_start[h + 1]):
                if s != m:
                    _enqueue(queue, counts, flags, s, day + ip[I_TRACE_DELAY], SECONDARY)
    counts[C_QUEUE_HEAD] = head
    return traced_today


@inline_kernel
def _quarantine(day: int, m: int, kind: int, params: Params, people: People, lists: Lists) -> None:
    """A room while rooms last (after the transfer's delay), else quarantine at home."""
    ip, iso, counts = params.ip, people.iso, lists.counts
    days = ip[I_CLOSE_DAYS] if kind == CLOSE else ip[I_SECONDARY_DAYS]
    if counts[C_ROOMS_USED] < ip[I_ROOMS]:
        iso[m] = CENTRAL_Q
        counts[C_ROOMS_USED] += 1
    else:
        iso[m] = HOME_Q  # no room left: quarantine at home
    arrive = day + ip[I_TRANSFER_DELAY] if iso[m] == CENTRAL_Q else day
    people.iso_until[m] = arrive + days
    lists.placed[counts[C_PLACED]] = m
    counts[C_PLACED] += 1


@kernel
def _release(day: int, people: People, lists: Lists) -> tuple[int, int]:
    """Quarantine that has run its days ends. Returns who is still in (central, home)."""
    iso, placed, counts = people.iso, lists.placed, lists.counts
    central = home = 0
    keep = 0
    for a in range(counts[C_PLACED]):
        m = placed[a]
        if iso[m] == CENTRAL_Q or iso[m] == HOME_Q:
            if people.iso_until[m] <= day:
                if iso[m] == CENTRAL_Q:
                    counts[C_ROOMS_USED] -= 1
                iso[m] = FREE
                continue
            if iso[m] == CENTRAL_Q:
                central += 1
            else:
                home += 1
            placed[keep] = m
            keep += 1
    counts[C_PLACED] = keep
    return central, home


@inline_kernel
def _pend(pending: np.ndarray, counts: np.ndarray, j: int, due: int, kind: int) -> None:
    q = counts[C_PENDING]
    if q < pending.shape[0]:
        pending[q, 0] = j
        pending[q, 1] = due
        pending[q, 2] = kind
        counts[C_PENDING] = q + 1
    else:
        counts[C_DROPPED] += 1  # the caller sized the list too small: it stops the run


@inline_kernel
def _enqueue(
    queue: np.ndarray, counts: np.ndarray, flags: np.ndarray, m: int, due: int, kind: int
) -> None:
    if flags[m] & QUEUED:
        return  # already on the list
    q = counts[C_QUEUE_END]
    if q < queue.shape[0]:
        flags[m] |= QUEUED
        queue[q, 0] = m
        queue[q, 1] = due
        queue[q, 2] = kind
        counts[C_QUEUE_END] = q + 1
    else:
        counts[C_DROPPED] += 1
