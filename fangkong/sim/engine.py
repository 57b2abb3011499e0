"""The war game's engine: a stochastic SEIR on the synthetic city, day by day, whose work is
spent on infectious people and scheduled events (detections, tests, placements, releases),
never on every agent every day — except on a screening round's day, when everyone is tested.

Random numbers are counter-based: every draw is a hash of (seed, stream, who, day, k). So a
draw never depends on the order or the number of other draws: adding an intervention changes
what it changes and nothing else (the named streams of the validation tests), and the same
seed gives the same run.

Compiled with numba; one call per day, so the caller can show progress."""

from __future__ import annotations

import numpy as np
from numba import njit

# -- states, isolation kinds, queue kinds, streams --------------------------------------------
SUS, EXP, INF, REC = 0, 1, 2, 3
FREE, HOME_Q, CENTRAL_Q, ISOLATED = 0, 1, 2, 3
ASYM, SEEKS, SEVERE, DETECTED, QUEUED = 1, 2, 4, 8, 16
CLOSE, SECONDARY, COMPANION = 0, 1, 2
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
A_ID, A_START, A_END, A_CARE, A_HOSPITAL, A_HOUSEHOLD, A_GROUP, A_CELL = range(8)
N_ACTIVE_COLUMNS = 8
NO_CARE, ASYMPTOMATIC = -1, -2  # A_CARE when they never seek care / have no symptoms
# Test days after placement, per queue kind (from the protocol), padded with -1.
MAX_TEST_DAYS = 8

# Daily series columns.
SERIES = (
    "day", "susceptible", "exposed", "infectious", "recovered", "cum_infections",
    "new_infections", "detected", "cum_detected", "in_central_quarantine",
    "in_home_quarantine", "rooms_used", "tests_used", "lab_backlog", "traced",
    "sealed_cells", "hospitalised", "isolated",
)  # fmt: skip
N_SERIES = len(SERIES)

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


@njit(inline="always", cache=True)
def _mix(x: np.uint64) -> np.uint64:
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


@njit(inline="always", cache=True)
def _hash(seed: int, stream: int, a: int, b: int, c: int) -> np.uint64:
    """64 random bits that depend only on the arguments (splitmix64 rounds)."""
    h = _mix(np.uint64(seed) * _GOLD + np.uint64(stream))
    h = _mix(h ^ (np.uint64(a) * _GOLD))
    return _mix(h ^ (np.uint64(b) * _M1 + np.uint64(c)))


@njit(inline="always", cache=True)
def uniform(seed: int, stream: int, a: int, b: int, c: int) -> float:
    """A uniform draw in [0, 1) that depends only on its arguments."""
    return float(_hash(seed, stream, a, b, c) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
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


@njit(cache=True)
def _gamma_days(mean: float, shape: float, u: float, v: float, w: float) -> int:
    """A gamma(mean, shape) draw in whole days (≥ 1): Wilson-Hilferty from a normal."""
    z = np.sqrt(-2.0 * np.log(max(u, 1e-300))) * np.cos(2.0 * np.pi * v)
    k = shape
    x = k * (1.0 - 1.0 / (9.0 * k) + z / (3.0 * np.sqrt(k))) ** 3
    days = int(x * mean / k + w)
    return max(days, 1)


@njit(cache=True)
def infect(
    j: int, day: int, seed: int, fp: np.ndarray, hosp_by_age: np.ndarray, people: tuple,  # type: ignore[type-arg]
    active: np.ndarray, counts: np.ndarray,
) -> None:  # fmt: skip
    """j is infected today: their whole course is drawn now, from the disease stream.
    `people`: (age, household, cell, group, state, t_inf, lat, dur, flags)."""
    age, household, cell, group, state, t_inf, lat, dur, flags = people
    state[j] = EXP
    t_inf[j] = day
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
        band = min(age[j] // 10, 8)
        if uniform(seed, ST_DISEASE, j, 2, 2) < hosp_by_age[band]:
            f |= SEVERE
    flags[j] = (flags[j] & (DETECTED | QUEUED)) | f
    # The active row: everything the daily loops read, side by side, so they run through
    # memory in order instead of jumping about the population's arrays.
    start = day + int(lat[j])
    onset = start + int(fp[F_PRESYM] + 0.5)
    row = counts[0]
    active[row, A_ID] = j
    active[row, A_START] = start
    active[row, A_END] = start + int(dur[j])
    active[row, A_CARE] = NO_CARE
    active[row, A_HOSPITAL] = -1
    active[row, A_HOUSEHOLD] = household[j]
    active[row, A_GROUP] = group[j]
    active[row, A_CELL] = cell[j]
    if f & ASYM:
        active[row, A_CARE] = ASYMPTOMATIC
    else:
        if f & SEEKS:
            delay = int(fp[F_CARE_DAYS] * 2 * uniform(seed, ST_DISEASE, j, 3, 0) + 0.5)
            active[row, A_CARE] = onset + delay
        if f & SEVERE:
            active[row, A_HOSPITAL] = onset + 2
    counts[0] += 1
    counts[1] += 1  # infections today


@njit(cache=True)
def step(
    day: int, seed: int, fp: np.ndarray, ip: np.ndarray, test_days: np.ndarray,
    screening_today: bool,
    # the city
    age: np.ndarray, household_start: np.ndarray, household: np.ndarray, cell: np.ndarray,
    cell_start: np.ndarray, cell_at: np.ndarray, cell_xy: np.ndarray, group: np.ndarray,
    group_members: np.ndarray, group_start: np.ndarray, group_is_school: np.ndarray,
    hosp_by_age: np.ndarray,
    # the epidemic
    state: np.ndarray, t_inf: np.ndarray, lat: np.ndarray, dur: np.ndarray, flags: np.ndarray,
    iso: np.ndarray, iso_until: np.ndarray, active: np.ndarray, counts: np.ndarray,
    # the response
    pending: np.ndarray, queue: np.ndarray, placed: np.ndarray, sealed_until: np.ndarray,
    controlled_until: np.ndarray, out: np.ndarray,
) -> None:  # fmt: skip
    """One day. `counts`: [active, new infections, pending, queue length, queue head, placed,
    cum detected, rooms used, tests used, lab backlog, cum infections, entries dropped,
    isolated now]."""
    n = len(state)
    people = (age, household, cell, group, state, t_inf, lat, dur, flags)
    detected_today = 0
    traced_today = 0
    homogeneous = ip[I_HOMOGENEOUS] == 1

    # -- importations (inbound arrivals, some caught at the landing test) -------------------
    arrivals = _poisson(fp[F_IMPORT_RATE], uniform(seed, ST_IMPORT, day, 0, 0))
    for k in range(arrivals):
        j = int(uniform(seed, ST_IMPORT, day, 1, k) * n)
        if state[j] == SUS:
            infect(j, day, seed, fp, hosp_by_age, people, active, counts)
            if ip[I_DETECTION] == 1 and uniform(seed, ST_IMPORT, day, 2, k) < fp[F_IMPORT_CAUGHT]:
                _pend(pending, counts, j, day + lat[j], 1)  # the loop's tests find them

    # -- transmission, then progression, over the infected only -----------------------------
    n_active = counts[0]
    for a in range(n_active):
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
                    infect(j, day, seed, fp, hosp_by_age, people, active, counts)
            continue
        # household
        h = active[a, A_HOUSEHOLD]
        p_h = fp[F_BETA_H] * rel
        for j in range(household_start[h], household_start[h + 1]):
            if j != i and state[j] == SUS and iso[j] < CENTRAL_Q:
                if uniform(seed, ST_HOUSEHOLD, i, day, j) < p_h:
                    infect(j, day, seed, fp, hosp_by_age, people, active, counts)
        if iso[i] == HOME_Q:
            continue
        c = active[a, A_CELL]
        sealed = sealed_until[c] > day
        controlled = controlled_until[c] > day
        if sealed:
            continue  # 足不出户: household only
        # School or work on weekdays, unless the zone keeps people in; then the community:
        # the home cell, its neighbours, some travel across the city. Contacts are thinned
        # first: only the ones that would transmit are drawn (Poisson(contacts × p)), then
        # whom they reach, so the work follows the transmissions, not the contacts.
        g = active[a, A_GROUP]
        if g >= 0 and day % 7 < 5 and not controlled:
            g0, g1 = group_start[g], group_start[g + 1]
            size = g1 - g0
            school = group_is_school[g]
            m = min(size - 1, ip[I_SCHOOL_CONTACTS] if school else ip[I_WORK_CONTACTS])
            p_g = (fp[F_BETA_S] if school else fp[F_BETA_W]) * rel
            hits = _poisson(m * p_g, uniform(seed, ST_GROUP, i, day, 0))
            for k in range(hits):
                j = group_members[g0 + int(uniform(seed, ST_GROUP, i, day, k + 1) * size)]
                if j != i and state[j] == SUS and iso[j] == FREE and sealed_until[cell[j]] <= day:
                    infect(j, day, seed, fp, hosp_by_age, people, active, counts)
        lam = fp[F_COMMUNITY] * (fp[F_CONTROLLED_COMMUNITY] if controlled else 1.0)
        hits = _poisson(lam * fp[F_BETA_C] * rel, uniform(seed, ST_COMMUNITY, i, day, 0))
        cx, cy = cell_xy[c, 0], cell_xy[c, 1]
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
            if j != i and state[j] == SUS and iso[j] == FREE and sealed_until[cell[j]] <= day:
                infect(j, day, seed, fp, hosp_by_age, people, active, counts)

    # progression; symptomatic people seek care; the severe go to hospital; the day's counts
    hospitalised = exposed = infectious = 0
    keep = 0
    detect = ip[I_DETECTION] == 1
    for a in range(counts[0]):
        i = active[a, A_ID]
        start, end = active[a, A_START], active[a, A_END]
        if day >= end:
            state[i] = REC
            if iso[i] == ISOLATED:
                iso[i] = FREE
                counts[12] -= 1
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
                _pend(pending, counts, i, day, 0)
        if detect and day == active[a, A_CARE]:
            _pend(pending, counts, i, day, 0)
        if keep != a:
            for col in range(N_ACTIVE_COLUMNS):
                active[keep, col] = active[a, col]
        keep += 1
    counts[0] = keep

    # -- screening round: everyone not isolated is swabbed; the lab works through the tubes --
    if screening_today:
        tubes = 0
        swabbed = 0
        for j in range(n):
            if iso[j] == ISOLATED:
                continue
            swabbed += 1
        pool = max(ip[I_POOL], 1)
        tubes = (swabbed + pool - 1) // pool
        counts[8] += tubes
        counts[9] += tubes
        per_day = max(ip[I_LAB_PER_DAY], 1)
        for a in range(counts[0]):
            j = active[a, A_ID]
            if iso[j] == ISOLATED or flags[j] & DETECTED:
                continue
            if day >= active[a, A_START] - 1:
                if uniform(seed, ST_TEST, j, day, 0) < fp[F_SENSITIVITY]:
                    wait = 1 + int(uniform(seed, ST_TEST, j, day, 1) * tubes / per_day)
                    _pend(pending, counts, j, day + wait, 0)
                    counts[8] += pool  # the pool's members retested in single tubes
    backlog_done = min(counts[9], ip[I_LAB_PER_DAY])
    counts[9] -= backlog_done

    # -- detections due today: isolate, seal the home cell, start tracing ------------------
    kept = 0
    for q in range(counts[2]):
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
            counts[8] += 1
            detectable = state[j] != SUS and state[j] != REC and day >= t_inf[j] + lat[j] - 1
            if not detectable or uniform(seed, ST_TEST, j, day, 2) >= fp[F_SENSITIVITY]:
                continue
        if flags[j] & DETECTED:
            continue
        flags[j] |= DETECTED
        detected_today += 1
        counts[6] += 1
        if iso[j] == CENTRAL_Q:
            counts[7] -= 1
        iso[j] = ISOLATED
        counts[12] += 1
        c = cell[j]
        if ip[I_ZONES] == 1:
            sealed_until[c] = day + ip[I_ZONE_DAYS]
            cx, cy = cell_xy[c, 0], cell_xy[c, 1]
            for dx in range(-1, 2):
                for dy in range(-1, 2):
                    x, y = cx + dx, cy + dy
                    if (
                        0 <= x < cell_at.shape[0]
                        and 0 <= y < cell_at.shape[1]
                        and cell_at[x, y] >= 0
                    ):
                        nb = cell_at[x, y]
                        controlled_until[nb] = max(controlled_until[nb], day + ip[I_ZONE_DAYS])
        if ip[I_TRACING] == 1:
            due = day + ip[I_TRACE_DELAY]
            h = household[j]
            for m in range(household_start[h], household_start[h + 1]):
                if m != j:
                    _enqueue(queue, counts, flags, m, due, CLOSE)
            g = group[j]
            if g >= 0:
                g0, g1 = group_start[g], group_start[g + 1]
                size = g1 - g0
                take = min(size, ip[I_GROUP_TRACE_MAX])
                for k in range(take):
                    m = group_members[g0 + int(uniform(seed, ST_TRACE, j, day, k) * size)]
                    if m != j and uniform(seed, ST_TRACE, j, day, 1000 + k) < fp[F_FOUND]:
                        _enqueue(queue, counts, flags, m, due, CLOSE)
            r0, r1 = cell_start[c], cell_start[c + 1]
            for k in range(ip[I_COMPANIONS]):
                if r1 > r0:
                    m = r0 + int(uniform(seed, ST_TRACE, j, day, 2000 + k) * (r1 - r0))
                    _enqueue(queue, counts, flags, m, due, COMPANION)

    counts[2] = kept

    # -- tracing team works the queue: place contacts, within capacity ----------------------
    head = counts[4]
    while head < counts[3] and traced_today < ip[I_TRACE_PER_DAY] and queue[head, 1] <= day:
        m, kind = queue[head, 0], queue[head, 2]
        head += 1
        traced_today += 1
        flags[m] &= ~QUEUED
        if flags[m] & DETECTED or iso[m] != FREE:
            continue
        if kind == COMPANION:
            for t in range(MAX_TEST_DAYS):
                if test_days[kind, t] >= 0:
                    _pend(pending, counts, m, day + test_days[kind, t], 1)
            continue
        days = ip[I_CLOSE_DAYS] if kind == CLOSE else ip[I_SECONDARY_DAYS]
        if counts[7] < ip[I_ROOMS]:
            iso[m] = CENTRAL_Q
            counts[7] += 1
        else:
            iso[m] = HOME_Q  # no room left: quarantine at home
        arrive = day + ip[I_TRANSFER_DELAY] if iso[m] == CENTRAL_Q else day
        iso_until[m] = arrive + days
        placed[counts[5]] = m
        counts[5] += 1
        for t in range(MAX_TEST_DAYS):
            if test_days[kind, t] >= 0:
                _pend(pending, counts, m, day + test_days[kind, t], 1)
        if kind == CLOSE:  # their household become secondary contacts
            h = household[m]
            for s in range(household_start[h], household_start[h + 1]):
                if s != m:
                    _enqueue(queue, counts, flags, s, day + ip[I_TRACE_DELAY], SECONDARY)
    counts[4] = head

    # -- releases ---------------------------------------------------------------------------
    central = home = 0
    keep = 0
    for a in range(counts[5]):
        m = placed[a]
        if iso[m] == CENTRAL_Q or iso[m] == HOME_Q:
            if iso_until[m] <= day:
                if iso[m] == CENTRAL_Q:
                    counts[7] -= 1
                iso[m] = FREE
                continue
            if iso[m] == CENTRAL_Q:
                central += 1
            else:
                home += 1
            placed[keep] = m
            keep += 1
    counts[5] = keep

    # -- the day's figures ------------------------------------------------------------------
    counts[10] += counts[1]
    recovered = counts[10] - counts[0]
    sealed = 0
    for c in range(len(sealed_until)):
        if sealed_until[c] > day:
            sealed += 1
    out[0] = day
    out[1] = n - counts[10]
    out[2] = exposed
    out[3] = infectious
    out[4] = recovered
    out[5] = counts[10]
    out[6] = counts[1]
    out[7] = detected_today
    out[8] = counts[6]
    out[9] = central
    out[10] = home
    out[11] = counts[7]
    out[12] = counts[8]
    out[13] = counts[9]
    out[14] = traced_today
    out[15] = sealed
    out[16] = hospitalised
    out[17] = counts[12]


@njit(inline="always", cache=True)
def _pend(pending: np.ndarray, counts: np.ndarray, j: int, due: int, kind: int) -> None:
    q = counts[2]
    if q < pending.shape[0]:
        pending[q, 0] = j
        pending[q, 1] = due
        pending[q, 2] = kind
        counts[2] = q + 1
    else:
        counts[11] += 1  # the caller sized the list too small: it stops the run


@njit(inline="always", cache=True)
def _enqueue(
    queue: np.ndarray, counts: np.ndarray, flags: np.ndarray, m: int, due: int, kind: int
) -> None:
    if flags[m] & QUEUED:
        return  # already on the list
    q = counts[3]
    if q < queue.shape[0]:
        flags[m] |= QUEUED
        queue[q, 0] = m
        queue[q, 1] = due
        queue[q, 2] = kind
        counts[3] = q + 1
    else:
        counts[11] += 1
