"""One war-game run: build the city, read the rules from the protocol the platform runs, step
the engine day by day, and return the daily series."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fangkong.protocol.loader import get_protocol
from fangkong.protocol.models import Protocol
from fangkong.sim import kernels as e
from fangkong.sim.city import City, build_city
from fangkong.sim.scenario import Scenario
from fangkong.sim.state import Lists, Params, new_lists, new_people, town_of
from fangkong.testing.pooling import pool_option

OnDay = Callable[[int], None]
# What a run that keeps its people returns of each (state.People).
KEPT = ("t_inf", "lat", "dur", "flags", "iso", "iso_until", "source", "found_day", "found_as")


@dataclass
class RunResult:
    scenario: Scenario
    series: np.ndarray  # (days, len(SERIES)) int64
    build_seconds: float
    run_seconds: float
    bytes_per_person: float
    # Each person's infection day (-1: never), course, isolation, infector and detection, when
    # asked (KEPT).
    people: dict[str, np.ndarray] | None = None

    def column(self, name: str) -> np.ndarray:
        return self.series[:, e.SERIES.index(name)]

    def as_columns(self) -> dict[str, np.ndarray]:
        return {name: self.series[:, k] for k, name in enumerate(e.SERIES)}


@dataclass(frozen=True)
class Rules:
    """What the engine takes from the protocol: quarantine days, test days, a zone's time."""

    close_days: int
    close_central: bool
    secondary_days: int
    test_days: np.ndarray  # (3, MAX_TEST_DAYS): close, secondary, companion; -1 padded
    zone_days: int


def rules_of(protocol: Protocol) -> Rules:
    def first(category: str) -> tuple[int, bool, list[int]]:
        rule = protocol.categories.get(category)  # type: ignore[call-overload]
        if rule is None or not rule.management:
            return 0, False, []
        phase = rule.management[0]
        return phase.days, phase.kind == "central_quarantine", list(phase.test_days)

    close_days, close_central, close_tests = first("close")
    secondary_days, _, secondary_tests = first("secondary")
    _, _, companion_tests = first("companion")
    tests = np.full((3, e.MAX_TEST_DAYS), -1, dtype=np.int64)
    for k, days in enumerate((close_tests, secondary_tests, companion_tests)):
        for t, d in enumerate(days[: e.MAX_TEST_DAYS]):
            tests[k, t] = max(d, 0)
    # The most severe zone kind is what a case's home becomes; it is lifted (or steps down to
    # a kind that is) after its days without infection, then those of the next kind.
    zone_days = 14
    if protocol.zones:
        kind = next(iter(protocol.zones.values()))
        zone_days = (kind.days_without_infection or 14) + (kind.then_days or 0)
    return Rules(close_days, close_central, secondary_days, tests, zone_days)


def parameters(scenario: Scenario, city: City, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    v = scenario.resolved_variant()
    m, r = scenario.mixing, scenario.response
    on = scenario.interventions
    mean_rel = 1 - v.asymptomatic_fraction * (1 - v.asymptomatic_infectiousness)
    per_day = v.r0 / (v.infectious_days * mean_rel)  # infections an average case causes a day
    # Network mode: each layer carries its share of R0 over its mean daily contacts.
    layers = city.layers
    household_others = layers.household_others
    group_contacts = (
        layers.in_group
        * (5 / 7)
        * (layers.schools * m.school_contacts + (1 - layers.schools) * m.work_contacts)
    )
    community_share = max(0.0, 1 - m.household_share - m.group_share)

    def beta(share: float, contacts: float) -> float:
        return min(1.0, share * per_day / contacts) if contacts > 0 else 0.0

    fp = np.zeros(e.N_FP)
    fp[e.F_LATENT], fp[e.F_LATENT_SHAPE] = v.latent_days, v.latent_shape
    fp[e.F_PRESYM] = v.presymptomatic_days
    fp[e.F_INFECTIOUS], fp[e.F_INFECTIOUS_SHAPE] = v.infectious_days, v.infectious_shape
    fp[e.F_ASYM], fp[e.F_ASYM_INF] = v.asymptomatic_fraction, v.asymptomatic_infectiousness
    fp[e.F_CARE_DAYS], fp[e.F_CARE_FRACTION] = v.care_seeking_days, v.care_seeking_fraction
    fp[e.F_BETA_H] = beta(m.household_share, household_others)
    fp[e.F_BETA_W] = fp[e.F_BETA_S] = beta(m.group_share, group_contacts)
    fp[e.F_COMMUNITY] = m.community_contacts
    fp[e.F_BETA_C] = beta(community_share, m.community_contacts)
    fp[e.F_HOMOGENEOUS_RATE] = per_day
    sensitivity = pool_option(
        r.pool_size, prevalence=0.001, sensitivity=r.sensitivity, specificity=1.0,
        dilution_loss=0.01,
    ).sensitivity  # fmt: skip
    fp[e.F_SENSITIVITY] = sensitivity
    fp[e.F_FOUND] = r.found_fraction
    fp[e.F_IMPORT_RATE] = scenario.seeding.importations_per_day
    fp[e.F_IMPORT_CAUGHT] = scenario.seeding.arrivals_caught if on else 0.0
    fp[e.F_CONTROLLED_COMMUNITY] = r.controlled_community
    ip = np.zeros(e.N_IP, dtype=np.int64)
    ip[e.I_HOMOGENEOUS] = m.mode == "homogeneous"
    ip[e.I_DETECTION] = on and r.detection
    ip[e.I_TRACING] = on and r.tracing
    ip[e.I_ZONES] = on and r.zones
    ip[e.I_TRACE_PER_DAY] = r.tracing_per_day
    ip[e.I_TRACE_DELAY] = r.trace_delay_days
    ip[e.I_ROOMS] = r.rooms if rules.close_central else 0
    ip[e.I_CLOSE_DAYS], ip[e.I_SECONDARY_DAYS] = rules.close_days, rules.secondary_days
    ip[e.I_ZONE_DAYS] = rules.zone_days
    ip[e.I_WORK_CONTACTS], ip[e.I_SCHOOL_CONTACTS] = m.work_contacts, m.school_contacts
    ip[e.I_COMPANIONS] = r.companions_per_case
    ip[e.I_LAB_PER_DAY], ip[e.I_POOL] = r.lab_tubes_per_day, r.pool_size
    ip[e.I_GROUP_TRACE_MAX] = r.group_trace_max
    ip[e.I_TRANSFER_DELAY] = r.transfer_delay_days
    return fp, ip


def _grown(array: np.ndarray, used: int, headroom: int) -> np.ndarray:
    """The list with room for `headroom` more rows past the `used` ones, doubled as often as
    needed (numba cannot grow it in place during a day)."""
    size = len(array)
    while size < 2 * (used + headroom):
        size *= 2
    if size == len(array):
        return array
    bigger = np.zeros((size, *array.shape[1:]), dtype=array.dtype)
    bigger[:used] = array[:used]
    return bigger


def city_of(scenario: Scenario) -> City:
    return build_city(
        scenario.city.people,
        counties=scenario.city.counties,
        per_cell=scenario.city.per_cell,
        seed=scenario.seed,
    )


def simulate(
    scenario: Scenario,
    *,
    on_day: OnDay | None = None,
    keep_people: bool = False,
    city: City | None = None,
) -> RunResult:
    """One run. `city` reuses a city already built (runs that differ only in their seed's
    epidemic, as a forecast's); by default the scenario's own is built."""
    started = time.perf_counter()
    city = city or city_of(scenario)
    rules = rules_of(get_protocol(scenario.protocol))
    fp, ip = parameters(scenario, city, rules)
    params = Params(scenario.seed, fp, ip, rules.test_days)
    town = town_of(city, np.asarray(scenario.resolved_variant().hospitalised_by_age))
    people = new_people(city.people, record=keep_people)
    lists = new_lists(city.people, city.cells)
    for j in _first_infections(scenario, city):
        e.infect(int(j), 0, -1, scenario.seed, fp, town, people, lists)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    series = np.zeros((scenario.days, e.N_SERIES), dtype=np.int64)
    screening = set(scenario.response.screening_days) if scenario.interventions else set()
    for day in range(scenario.days):
        lists = _room_for_the_day(lists, day, scenario, ip, day in screening)
        if day > 0:  # new infections are counted per day; day 0 holds the first ones
            lists.counts[e.C_NEW_INFECTIONS] = 0
        e.step(day, day in screening, params, town, people, lists, series[day])
        if lists.counts[e.C_DROPPED]:
            dropped = lists.counts[e.C_DROPPED]
            raise RuntimeError(f"day {day}: a working list overflowed ({dropped} entries)")
        if on_day is not None:
            on_day(day)
    run_seconds = time.perf_counter() - started
    total = city.nbytes() + sum(a.nbytes for a in (*people, *lists))
    kept = {k: getattr(people, k) for k in KEPT}
    return RunResult(
        scenario, series, build_seconds, run_seconds, total / city.people,
        kept if keep_people else None,
    )  # fmt: skip


def _first_infections(scenario: Scenario, city: City) -> np.ndarray:
    """Distinct people from their own stream (with their households, if the scenario says)."""
    first = np.random.default_rng(np.random.SeedSequence([scenario.seed, e.ST_IMPORT])).choice(
        city.people, size=min(scenario.seeding.initial_infections, city.people), replace=False
    )
    if scenario.seeding.with_households:
        homes = np.unique(city.household[first])
        first = np.concatenate(
            [np.arange(city.household_start[h], city.household_start[h + 1]) for h in homes]
        )
    return first


def _room_for_the_day(
    lists: Lists, day: int, scenario: Scenario, ip: np.ndarray, round_today: bool
) -> Lists:
    """The working lists with room for the most this day can add, counted from what is due:
    detections (tests and results due, care seeking and hospital admissions today), each
    bringing its household, traced colleagues and companions onto the tracing queue; the tests
    of everyone the tracers can place and their households; a round's positives."""
    counts = lists.counts
    traced_per_day = int(ip[e.I_TRACE_PER_DAY])
    detecting = (
        bool(ip[e.I_DETECTION])
        or bool(scenario.response.screening_days and scenario.interventions)
        or scenario.seeding.arrivals_caught > 0
    )
    tracing = bool(ip[e.I_TRACING])
    per_case = 8 + int(ip[e.I_GROUP_TRACE_MAX] + ip[e.I_COMPANIONS])
    arrivals = int(10 * scenario.seeding.importations_per_day) + 64  # far above a Poisson day
    rows = lists.active[: counts[e.C_ACTIVE]]
    events = 0
    if detecting:
        due = int(np.count_nonzero(lists.pending[: counts[e.C_PENDING], 1] <= day))
        care = int(np.count_nonzero(rows[:, e.A_CARE] == day))
        admitted = int(np.count_nonzero(rows[:, e.A_HOSPITAL] == day))
        events = due + care + admitted + arrivals
    pending = _grown(
        lists.pending,
        int(counts[e.C_PENDING]),
        events
        + (len(rows) if round_today else 0)
        + (e.MAX_TEST_DAYS * traced_per_day if tracing else 0)
        + 1024,
    )
    queue = lists.queue
    if counts[e.C_QUEUE_HEAD] > len(queue) // 2:  # drop the worked part of the tracing queue
        live = int(counts[e.C_QUEUE_END] - counts[e.C_QUEUE_HEAD])
        queue[:live] = queue[counts[e.C_QUEUE_HEAD] : counts[e.C_QUEUE_END]]
        counts[e.C_QUEUE_END], counts[e.C_QUEUE_HEAD] = live, 0
    queue = _grown(
        queue,
        int(counts[e.C_QUEUE_END]),
        (per_case * events + 8 * traced_per_day if tracing else 0) + 1024,
    )
    placed = _grown(lists.placed, int(counts[e.C_PLACED]), traced_per_day + 1024)
    return lists._replace(pending=pending, queue=queue, placed=placed)
